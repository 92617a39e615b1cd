"""The alarm banner's text (:mod:`dashboard.components.alarms`): the count says how many of each kind ring, and the
wall lists fewer alarms than the workbench (it must leave the tiles and the map in sight), counting the rest."""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.components import alarms as ui
from geo.crs import TZ
from ops.alarms import AlarmView

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)


def _alarm(k: int, kind: str) -> AlarmView:
    return AlarmView(
        id=k, kind=kind, raised_at=NOW - timedelta(minutes=k), case_id=k, alert_id=None, ticket=f"GY261207-{k}",
        address="中华北路", category_zh="井盖破损", category_en="Damaged manhole cover", district_zh="云岩区",
        district_en="Yunyan", observed=None, expected=None, acknowledged_at=None, acknowledged_by=None, ack_note=None,
    )  # fmt: skip


def test_the_count_tells_each_kind_when_several_ring() -> None:
    counts = {"escalated": 6, "urgent": 15}
    assert ui.count_line(counts, "zh") == "报警 21 条待确认：突发 15 · 督办 6"
    assert ui.count_line(counts, "en") == "21 alarms to acknowledge: Emergency 15 · Escalated 6"
    assert ui.count_line({"urgent": 2}, "zh") == "报警 2 条待确认"  # one kind: no breakdown
    assert ui.count_line({}, "zh") == ""


def test_the_wall_lists_three_and_counts_the_rest() -> None:
    rows = [_alarm(k, "urgent") for k in range(20)]
    wall = ui.items(rows, NOW, "zh", can_ack=True, limit=ui.shown("wall"), total=20)
    desk = ui.items(rows, NOW, "zh", can_ack=True, limit=ui.shown("workbench"), total=20)
    assert len(wall) == 3 + 1 and wall[-1].children == "另有 17 条"
    assert len(desk) == 6 + 1 and desk[-1].children == "另有 14 条"
    assert len(ui.items(rows[:2], NOW, "zh", can_ack=False, limit=3, total=2)) == 2  # nothing to count
    # more ring than a screen reads: the rest is counted from all of them
    assert ui.items(rows, NOW, "zh", can_ack=True, limit=3, total=54)[-1].children == "另有 51 条"
