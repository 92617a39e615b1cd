"""综合评价 scoring (pure): rates, weights, volume band, grades, the configuration file and the period."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from db.errors import ValidationError
from db.period import Period, parse_period, quick_period
from ops.evaluation import (
    DEFAULT_MIN_CASES,
    DEFAULT_PATH,
    Counts,
    EvaluationConfigError,
    default_config,
    evaluate,
    grade,
    load_config,
    parse_config,
    rate,
    sample_size,
    volume_score,
    weighted_score,
)

CFG = default_config()
RAW: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_shipped_configuration_is_the_domain_scheme() -> None:
    for kind in ("department", "district"):
        w = CFG.weights[kind]
        assert (w["close_rate"], w["on_time_handle_rate"], w["rework_free_rate"], w["volume_band"]) == (
            30,
            30,
            30,
            10,
        )
        assert w["on_time_close_rate"] == w["dispatch_accuracy"] == 0
    assert CFG.grades == (("A", 90), ("B", 75), ("C", 60), ("D", 40)) and CFG.lowest == "E"


@pytest.mark.parametrize(
    ("num", "den", "expected"), [(0, 0, None), (3, 0, None), (0, 4, 0.0), (3, 4, 0.75), (5, 5, 1.0)]
)
def test_rate(num: int, den: int, expected: float | None) -> None:
    assert rate(num, den) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (None, None),
        (100, "A"),
        (90, "A"),
        (89.9, "B"),
        (75, "B"),
        (74.9, "C"),
        (60, "C"),
        (59.9, "D"),
        (40, "D"),
        (39.9, "E"),
        (0, "E"),
    ],
)
def test_grade_thresholds(score: float | None, expected: str | None) -> None:
    assert grade(score, CFG) == expected


@pytest.mark.parametrize(
    ("cases", "days", "expected"),
    [
        (0, 30, None),  # nothing filed: no volume score
        (1, 30, 60),
        (10, 30, 70),
        (30, 30, 80),
        (99, 30, 80),
        (100, 30, 90),
        (300, 30, 100),
        (300, 90, 90),  # 300 per 90 days = 100 per 30 days
        (299, 90, 80),
        (10, 1, 100),  # 10 in one day = 300 per 30 days
    ],
)
def test_volume_band_per_30_days(cases: int, days: int, expected: float | None) -> None:
    assert volume_score(cases, days, CFG) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"close_rate": 80, "on_time_handle_rate": 60, "rework_free_rate": 75, "volume_band": 60}, 70.5),
        ({"close_rate": 100, "on_time_handle_rate": 100, "rework_free_rate": 100, "volume_band": 100}, 100.0),
        # an undefined indicator drops out and the others are scaled up: (30·80 + 10·60) / 40
        ({"close_rate": 80, "on_time_handle_rate": None, "rework_free_rate": None, "volume_band": 60}, 75.0),
        # weight 0 does not count even when defined
        ({"close_rate": 50, "dispatch_accuracy": 0, "volume_band": 50}, 50.0),
        ({"close_rate": None, "volume_band": None}, None),
        ({"dispatch_accuracy": 90}, None),  # only a weight-0 indicator defined
    ],
)
def test_weighted_score(values: dict[str, float | None], expected: float | None) -> None:
    assert weighted_score(values, CFG.weights["department"]) == expected


def test_evaluate_a_row() -> None:
    counts = Counts(
        cases=6,
        closed=4,
        due_close=5,
        closed_on_time=3,
        due_handle=5,
        handled_on_time=3,
        handled_ever=4,
        reworked=1,
        dispatches=6,
        returns=1,
    )
    ev = evaluate(counts, 30, CFG)
    assert ev.close_rate == pytest.approx(0.8)
    assert ev.on_time_close_rate == pytest.approx(0.6)
    assert ev.on_time_handle_rate == pytest.approx(0.6)
    assert ev.rework_rate == pytest.approx(0.25)
    assert ev.dispatch_accuracy == pytest.approx(5 / 6)
    assert ev.volume_band == 60
    # 30·80 + 30·60 + 30·75 + 10·60 = 7050 / 100
    assert (ev.score, ev.grade) == (70.5, "C")


def test_evaluate_without_cases_has_no_score() -> None:
    ev = evaluate(Counts(dispatches=1, returns=1), 30, CFG)
    assert ev.dispatch_accuracy == 0.0 and ev.close_rate is None
    assert (ev.score, ev.grade) == (None, None)


def test_evaluate_nothing_due_yet_is_too_few_not_a_grade_on_volume_alone() -> None:
    # issue 12: a row whose cases were none of them due showed "60.0 C" with every rate blank
    ev = evaluate(Counts(cases=3), 30, CFG)
    assert ev.close_rate is None and ev.on_time_handle_rate is None and ev.rework_rate is None
    assert (ev.score, ev.grade, ev.too_few) == (None, None, True)


def _all_on_time(n: int) -> Counts:
    return Counts(
        cases=n, closed=n, due_close=n, closed_on_time=n, due_handle=n, handled_on_time=n, handled_ever=n
    )


def test_one_case_on_time_is_too_few_at_the_default_minimum() -> None:
    # issue 12: one case handled on time was graded 96.0 A, beside departments with hundreds of cases
    assert DEFAULT_MIN_CASES == 20
    ev = evaluate(_all_on_time(1), 30, CFG, min_cases=DEFAULT_MIN_CASES)
    assert (ev.score, ev.grade, ev.too_few) == (None, None, True)
    assert ev.close_rate == ev.on_time_handle_rate == 1.0  # the rates are still shown
    assert evaluate(_all_on_time(1), 30, CFG).score == 96.0  # with a minimum of 1 it is graded as before


@pytest.mark.parametrize(("due", "graded"), [(19, False), (20, True), (21, True)])
def test_minimum_counts_the_cases_due(due: int, graded: bool) -> None:
    # 40 filed, ``due`` of them due for closing (the rest not yet past their deadline): the sample is ``due``
    counts = Counts(
        cases=40,
        closed=due,
        due_close=due,
        closed_on_time=due,
        due_handle=due,
        handled_on_time=due,
        handled_ever=due,
    )
    assert sample_size(counts) == due
    ev = evaluate(counts, 30, CFG, min_cases=20)
    assert ev.too_few is not graded
    assert (ev.score is not None, ev.grade is not None) == (graded, graded)


def test_a_row_without_cases_is_not_too_few_but_empty() -> None:
    ev = evaluate(Counts(), 30, CFG, min_cases=20)
    assert (ev.score, ev.grade, ev.too_few) == (None, None, False)


def test_custom_weights_from_a_file(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    raw["schemes"]["district"]["weights"] = {"dispatch_accuracy": 1, "on_time_close_rate": 1}
    path = tmp_path / "evaluation.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cfg = load_config(path)
    counts = Counts(cases=5, closed=5, due_close=5, closed_on_time=2, dispatches=10, returns=5)
    assert evaluate(counts, 30, cfg, "district").score == 45.0  # (40 + 50) / 2
    assert evaluate(counts, 30, cfg, "department").score == evaluate(counts, 30, CFG).score


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    node = raw
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("schemes", "district"), KeyError, "schemes"),
        (("schemes", "department", "weights", "speed"), 10, "unknown indicator 'speed'"),
        (("schemes", "department", "weights", "close_rate"), -1, "≥ 0"),
        (("schemes", "department", "weights", "close_rate"), "30%", "expected a number"),
        (("schemes", "department", "weights"), {"close_rate": 0}, "positive sum"),
        (("grades",), [{"grade": "A", "min": 60}, {"grade": "B", "min": 75}], "highest min"),
        (("grades",), [], "grades"),
        (("lowest",), "", "lowest"),
        (("volume_band", "per_days"), 0, "per_days"),
        (("volume_band", "bands"), [{"min": 10, "score": 50}], "min 0"),
        (("volume_band", "bands"), [{"min": 0, "score": 150}], "between 0 and 100"),
    ],
)
def test_bad_configuration_is_refused_with_a_reason(path: tuple[Any, ...], value: Any, message: str) -> None:
    with pytest.raises(EvaluationConfigError, match=message):
        parse_config(_broken(path, value))


def test_unreadable_configuration(tmp_path: Path) -> None:
    with pytest.raises(EvaluationConfigError):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schemes: [", encoding="utf-8")
    with pytest.raises(EvaluationConfigError):
        load_config(bad)


TODAY = date(2026, 3, 18)


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("this_month", date(2026, 3, 1), TODAY),
        ("last_month", date(2026, 2, 1), date(2026, 2, 28)),
        ("d30", date(2026, 2, 17), TODAY),
        ("d90", date(2025, 12, 19), TODAY),
        ("nonsense", date(2026, 2, 17), TODAY),
    ],
)
def test_quick_periods(name: str, start: date, end: date) -> None:
    p = quick_period(name, TODAY)
    assert (p.start, p.end) == (start, end)
    assert p.days == (end - start).days + 1


def test_last_month_in_january() -> None:
    p = quick_period("last_month", date(2026, 1, 5))
    assert (p.start, p.end) == (date(2025, 12, 1), date(2025, 12, 31))


def test_period_bounds_are_whole_days_in_shanghai() -> None:
    p = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert p.start_at.isoformat() == "2026-03-01T00:00:00+08:00"
    assert p.end_at.isoformat() == "2026-04-01T00:00:00+08:00"
    assert p.days == 31


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (date(2026, 2, 17), TODAY)),
        ("2026-03-01", "2026-03-10", (date(2026, 3, 1), date(2026, 3, 10))),
        ("2026-03-01", None, (date(2026, 3, 1), TODAY)),
        (None, "2026-03-10", (date(2026, 2, 9), date(2026, 3, 10))),
        ("2026-03-05", "2026-03-05", (date(2026, 3, 5), date(2026, 3, 5))),
    ],
)
def test_parse_period(start: str | None, end: str | None, expected: tuple[date, date]) -> None:
    p = parse_period(start, end, TODAY)
    assert (p.start, p.end) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-03-10", "2026-03-01"), ("2026-13-01", None), ("yesterday", None), ("2024-01-01", "2026-01-01")],
)
def test_parse_period_refuses(start: str, end: str | None) -> None:
    with pytest.raises(ValidationError):
        parse_period(start, end, TODAY)
