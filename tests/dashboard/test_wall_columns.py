"""The wall's department table: one unit per column (named in the header), short names with the full name on
hover. Pure formatting, no database."""

from __future__ import annotations

import re
from typing import Any

from dashboard.components.wall_panels import duration_unit, response_table
from ops.response_panel import DepartmentRow


def _row(code: str, median_h: float | None, p90_h: float | None, rank: int) -> DepartmentRow:
    return DepartmentRow(
        rank=rank,
        code=code,
        name_zh="观山湖区环境卫生管理中心",
        name_en="Guanshanhu District Sanitation Centre",
        handled=12,
        due=12,
        median_h=median_h,
        p90_h=p90_h,
        on_time_rate=0.9,
        rework_rate=None,
        short_zh="观山湖环卫中心",
        short_en="Guanshanhu Sanitation",
    )


def _texts(component: Any) -> list[str]:
    children = component.children
    if isinstance(children, str):
        return [children]
    return [t for c in (children if isinstance(children, list) else [children]) for t in _texts(c)]


def _table(rows: list[DepartmentRow], lang: str) -> tuple[dict[str, str], list[list[str]], list[Any]]:
    table = response_table(rows, lang)[1]
    head, body = table.children
    ths = head.children.children
    heads = {th.to_plotly_json()["props"]["data-col"]: th.children[2].children for th in ths}  # the unit
    cells = [[td.children for td in tr.children] for tr in body.children]
    return heads, cells, [tr.children[1] for tr in body.children]


def test_a_column_of_durations_is_in_one_unit() -> None:
    rows = [_row("A", 2.5, 36.0, 1), _row("B", 20.0, 90.0, 2), _row("C", None, 10.0, 3)]
    for lang, hour, day in (("zh", "时", "天"), ("en", "h", "d")):
        heads, cells, _ = _table(rows, lang)
        assert heads["median"] == hour  # all medians under two days: hours
        assert heads["p90"] == day  # one p90 over two days: the whole column in days
        assert [c[3] for c in cells] == ["2.5", "20.0", "—"]
        assert [c[4] for c in cells] == ["1.5", "3.8", "0.4"]
        assert heads["on_time"] == "%" and [c[5] for c in cells] == ["90.0"] * 3
        for c in cells:
            assert all(re.fullmatch(r"[\d,.]+|—", v) for v in c[2:]), c  # no unit in a cell


def test_short_names_shown_full_names_on_hover() -> None:
    for lang, short, full in (
        ("zh", "观山湖环卫中心", "观山湖区环境卫生管理中心"),
        ("en", "Guanshanhu Sanitation", "Guanshanhu District Sanitation Centre"),
    ):
        _, _, names = _table([_row("A", 1.0, 2.0, 1)], lang)
        assert names[0].children == short and names[0].title == full


def test_a_department_without_a_short_name_shows_its_full_name() -> None:
    row = DepartmentRow(1, "X", "某局", "Some Bureau", 5, 5, 1.0, 2.0, 1.0, 0.0)
    assert row.short_name("zh") == "某局" and row.short_name("en") == "Some Bureau"


def test_duration_unit() -> None:
    assert duration_unit([]) == "h"
    assert duration_unit([47.9]) == "h"
    assert duration_unit([48.0, 1.0]) == "d"
