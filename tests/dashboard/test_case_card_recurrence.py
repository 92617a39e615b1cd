"""The workbench's case card shows a recurrence on both cases: "本案为 GY… 的第 N 次复发（距 … 米，结案后 … 天）"
on the new one and "已复发：GY…" on the earlier one, in zh and en, and only tickets the reader may see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection

from dashboard.components.case_card import card_info
from db.queries import wb_card
from db.scope import RowScope
from ops.analysis.recurrence import recurrence_step
from ops.workflow import Actor
from tests.support.cases import MON
from tests.support.places import YUNYAN, closed, offset, report

pytestmark = pytest.mark.db


def _text(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return " ".join(_text(n) for n in node)
    return _text(getattr(node, "children", None))


def _card(conn: Connection, scope: RowScope, case_id: int, lang: str) -> str:
    card = wb_card.case_card(conn, scope, case_id, now=MON + timedelta(days=30))
    assert card is not None
    return _text(card_info(card, lang))


def test_both_cards_show_the_recurrence(conn: Connection, staff: dict[str, Actor]) -> None:
    first, _ = closed(conn, staff, YUNYAN, MON, department="CGJ")
    second, _ = closed(conn, staff, offset(YUNYAN, 18), MON + timedelta(days=12, hours=6))
    third = report(conn, offset(YUNYAN, 17), MON + timedelta(days=20))
    lonely = report(conn, offset(YUNYAN, 500), MON + timedelta(days=20))
    assert recurrence_step(conn, MON + timedelta(days=21)) == 2
    city = RowScope.city()
    new = _card(conn, city, second.id, "zh")
    assert f"本案为 {first.ticket} 的第 1 次复发（距 18 米，结案后 12 天）" in new
    assert f"已复发：{third.ticket}" in new
    assert f"已复发：{second.ticket}" in _card(conn, city, first.id, "zh")
    chain = _card(conn, city, third.id, "zh")
    assert f"本案为 {first.ticket} 的第 2 次复发（距上次复发的 {second.ticket} 1 米" in chain
    en = _card(conn, city, second.id, "en")
    assert f"This case is recurrence 1 of {first.ticket} (18 m away, 12 days after it was closed)" in en
    assert f"Recurred: {third.ticket}" in en
    assert "复发" not in _card(conn, city, lonely.id, "zh")
    # a reader who may not see the earlier case reads no ticket of it
    other = _card(conn, RowScope(department=second.department_code), second.id, "zh")
    assert second.department_code != "CGJ"
    assert first.ticket not in other and "本案为 他处案件 的第 1 次复发" in other
