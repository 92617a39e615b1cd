"""Case replay frames (:mod:`ops.replay`): order, compressed timeline, statuses after each frame, empty input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from geo.crs import TZ
from ops.replay import (
    LEAD_IN,
    MAX_STEP,
    MIN_STEP,
    TAIL,
    ReplayEvent,
    build_frames,
    frame_at,
    statuses_at,
    step_seconds,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def ev(i: int, case: int, action: str, to: str, minutes: float) -> ReplayEvent:
    return ReplayEvent(
        i, case, f"GY{case}", action, to, T0 + timedelta(minutes=minutes), "dispatcher", "派遣员", 106.7, 26.6
    )


def test_nothing_happened_gives_an_empty_replay() -> None:
    r = build_frames([])
    assert r.empty and r.frames == () and r.cases == {} and r.duration == 0.0
    assert statuses_at(r, 0) == {} and frame_at(r, 10.0) == -1


def test_frames_follow_time_then_id_whatever_the_input_order() -> None:
    events = [
        ev(5, 1, "dispatch", "dispatched", 30),
        ev(3, 1, "report", "reported", 0),
        ev(4, 1, "file", "filed", 10),
        ev(7, 2, "report", "reported", 10),  # same time as id 4: after it
    ]
    r = build_frames(events)
    assert [f.event.id for f in r.frames] == [3, 4, 7, 5]
    assert [f.index for f in r.frames] == [0, 1, 2, 3]
    assert [f.first for f in r.frames] == [True, False, True, False]
    assert list(r.cases) == [1, 2]


def test_the_timeline_compresses_gaps_but_keeps_them_ordered() -> None:
    events = [
        ev(1, 1, "report", "reported", 0),
        ev(2, 1, "file", "filed", 0),  # at once
        ev(3, 1, "dispatch", "dispatched", 5),  # five minutes later
        ev(4, 1, "handle", "handled", 5 + 3 * 24 * 60),  # three days later
        ev(5, 1, "verify_pass", "closed", 5 + 30 * 24 * 60),  # a month later: capped
    ]
    r = build_frames(events)
    ts = [f.t for f in r.frames]
    steps = [b - a for a, b in zip(ts, ts[1:], strict=False)]
    assert ts[0] == LEAD_IN
    assert steps[0] == pytest.approx(MIN_STEP)
    assert MIN_STEP < steps[1] < steps[2] < MAX_STEP + 1e-9
    assert steps[3] == pytest.approx(MAX_STEP)
    assert r.duration == pytest.approx(ts[-1] + TAIL)
    assert step_seconds(-5) == MIN_STEP  # clock skew never runs backwards


def test_statuses_after_each_frame() -> None:
    events = [
        ev(1, 1, "report", "reported", 0),
        ev(2, 2, "report", "reported", 1),
        ev(3, 1, "file", "filed", 2),
        ev(4, 1, "dispatch", "dispatched", 3),
        ev(5, 2, "reject", "rejected", 4),
    ]
    r = build_frames(events)
    assert statuses_at(r, -1) == {}
    assert statuses_at(r, 0) == {1: "reported"}
    assert statuses_at(r, 2) == {1: "filed", 2: "reported"}
    assert statuses_at(r, 4) == {1: "dispatched", 2: "rejected"}
    assert statuses_at(r, 99) == statuses_at(r, 4)
    # the frame shown at a playback time: the last one at or before it
    assert frame_at(r, 0.0) == -1
    assert frame_at(r, r.frames[2].t) == 2
    assert frame_at(r, (r.frames[2].t + r.frames[3].t) / 2) == 2
    assert frame_at(r, r.duration) == 4
