"""Case replay (案件回放): a case's history, or a district's day of events, as frames along a timeline.

Pure: events in (from :mod:`db.queries.replay`, already scoped like the workbench), frames out. A frame is one event
with its playback time. Real gaps between events (minutes within a case, days between its stages) are compressed
onto a readable timeline: every step takes at least :data:`MIN_STEP` seconds at 1× and at most :data:`MAX_STEP`,
growing with the logarithm of the real gap, so a busy morning and a case closed a week later both play in
seconds, in order, and a longer wait still looks longer. The browser (``assets/replay.js``) plays the frames; the
status of each case after any frame is :func:`statuses_at` (the browser keeps the same fold incrementally).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

#: Playback seconds (at 1×) of the shortest and longest step between two events.
MIN_STEP = 0.8
MAX_STEP = 4.0
#: A real gap of this many seconds (a week) or more takes the longest step.
LONGEST_GAP_S = 7 * 24 * 3600.0
#: Playback seconds before the first event and after the last.
LEAD_IN = 0.5
TAIL = 1.0


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    """One ``case_event`` row with what a replay shows of its case (no personal data: staff names only)."""

    id: int
    case_id: int
    ticket: str
    action: str
    to_status: str
    at: datetime
    actor_role: str
    actor_name: str | None
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Frame:
    """An event on the playback timeline: ``t`` seconds (at 1×) after the start; ``first``: the case's first
    event in this replay (its marker appears)."""

    index: int
    t: float
    event: ReplayEvent
    first: bool


@dataclass(frozen=True, slots=True)
class Replay:
    frames: tuple[Frame, ...]
    #: case id -> (lon, lat, ticket), in order of first appearance
    cases: dict[int, tuple[float, float, str]]
    duration: float

    @property
    def empty(self) -> bool:
        return not self.frames


def step_seconds(gap_s: float) -> float:
    """Playback seconds (at 1×) for a real gap of ``gap_s`` seconds between two events.

    >>> step_seconds(0), step_seconds(LONGEST_GAP_S), step_seconds(10 * LONGEST_GAP_S)
    (0.8, 4.0, 4.0)
    """
    share = min(1.0, math.log1p(max(0.0, gap_s)) / math.log1p(LONGEST_GAP_S))
    return round(MIN_STEP + (MAX_STEP - MIN_STEP) * share, 3)


def build_frames(events: Iterable[ReplayEvent]) -> Replay:
    """Frames of ``events`` in the order they happened (time, then id: the order they were written)."""
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    frames: list[Frame] = []
    cases: dict[int, tuple[float, float, str]] = {}
    t = LEAD_IN
    for k, e in enumerate(ordered):
        if k:
            t = round(t + step_seconds((e.at - ordered[k - 1].at).total_seconds()), 3)
        first = e.case_id not in cases
        if first:
            cases[e.case_id] = (e.lon, e.lat, e.ticket)
        frames.append(Frame(k, t, e, first))
    return Replay(tuple(frames), cases, round(t + TAIL, 3) if frames else 0.0)


def frame_at(replay: Replay, t: float) -> int:
    """Index of the last frame at or before playback time ``t`` (-1: before the first)."""
    k = -1
    for f in replay.frames:
        if f.t > t:
            break
        k = f.index
    return k


def statuses_at(replay: Replay, k: int) -> dict[int, str]:
    """Each case's status after frame ``k`` (cases not yet met are absent: their markers are not shown)."""
    out: dict[int, str] = {}
    for f in replay.frames[: k + 1]:
        out[f.event.case_id] = f.event.to_status
    return out
