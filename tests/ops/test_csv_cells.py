"""The cell rules of every downloaded table (ops.csv_cells): formula-looking text defused, numbers and plain text
kept, missing values empty; and the analysis page's CSV writer follows them."""

from __future__ import annotations

import doctest

import pytest

import ops.csv_cells
from dashboard.components.csv_text import csv_text
from ops.csv_cells import safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("1e-3", "1e-3"),
        ("井盖 = 缺失", "井盖 = 缺失"),
        ("", ""),
        (None, ""),
        (-7, -7),
        (2.5, 2.5),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_the_doctests_hold() -> None:
    assert doctest.testmod(ops.csv_cells).failed == 0


def test_the_analysis_csv_writer_defuses_formulas_too() -> None:
    text = csv_text(["名称", "值"], [["=cmd()", -1.5], [None, "ok"]])
    assert text.startswith("\ufeff名称,值\r\n")
    assert text.splitlines()[1:] == ["'=cmd(),-1.5", ",ok"]
