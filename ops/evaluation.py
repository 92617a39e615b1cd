"""综合评价: the pure scoring of departments and districts, configured by ``db/seed/data/evaluation.yaml``.

No database here: :mod:`db.queries.stats_sql` counts, this module turns counts into rates, a score and a grade.

Formulas (``rate(n, d) = n / d``, undefined when ``d = 0``)
-------------------------------------------------------------
- 结案率 ``close_rate = closed / due_close``
- 按期结案率 ``on_time_close_rate = closed_on_time / due_close``
- 按期处置率 ``on_time_handle_rate = handled_on_time / due_handle``
- 返工率 ``rework_rate = reworked / handled_ever``; its score indicator is ``rework_free_rate = 1 − rework_rate``
- 准确派遣率 ``dispatch_accuracy = 1 − returns / dispatches``
- 案件量档次 ``volume_band``: the volume ``cases × per_days / period_days`` (立案数 per 30 days by default) scored by
  the first band whose ``min`` it reaches.

(What each count means, "due" included, is defined in :mod:`db.queries.stats_sql`.)

综合指标值 ``score = Σ wᵢ · xᵢ / Σ wᵢ`` over the indicators ``xᵢ`` (each on 0–100) that are defined for the row and
have a weight > 0: an indicator without anything to measure drops out and the others are scaled up. No defined
indicator with a weight (a row without cases) → no score. Grade: the first grade whose threshold the score
reaches (A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40 by default), else the lowest (E). Scores are rounded to 0.1 before grading,
so the grade always agrees with the number shown.

样本不足 (too few cases): a row is scored and graded only when its **sample**, the cases due for closing
(``due_close``, 应结案数: closed, or past the handling deadline; the denominator of 结案率 and 按期结案率), reaches
``min_cases`` (the setting ``GUIYANG_STATS_MIN_CASES``, default :data:`DEFAULT_MIN_CASES`). Below it the rates are
still shown, but the row has no score and no grade (``too_few``), and it takes no place in the ranking. Why
(issue 12): a department with one case, or with cases none of which was due yet, was scored on what little there
was (one case handled on time: 96.0 A; nothing due: the volume band alone, "60.0 C" with every rate blank).

The defaults, checked against the domain guide (``domain.md``, 考核考评)
-------------------------------------------------------------------------
- grades A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below: as in the guide;
- departments 结案率 30 % + 按期处置率 30 % + (1 − 返工率) 30 % + volume band 10 %: as in the guide (按期结案率
  and 准确派遣率 are shown, weight 0); districts use the same scheme (the guide names none for them);
- rates are count / due count, as the guide says.

Why almost every department was graded A on the demo city: partly the tiny rows above (a handful of cases, all
on time, is 96.0 A; fixed by the minimum), for the rest the scheme itself on a city that works: three of the
four indicators are shares that a working department keeps near 100 (结案率 ≈ 99 %, 按期处置率 ≈ 90 %,
1 − 返工率 ≈ 94 % on the demo city) and the volume band adds 70–100, so the weighted mean lands at 90–97. The
denominators were checked (a case counts as due once closed or past its deadline, never before) and no
denominator or band made a rate ~100 % by construction; the weights and thresholds are the city's configuration
and are not tuned here to spread the grades.

The period (:mod:`db.period`): whole days in Asia/Shanghai, ``start``..``end`` inclusive (``[start 00:00, end + 1 day 00:00)``);
default the last 30 days with today; quick picks this month, last month, the last 90 days; at most 400 days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from db.seed.reference import DATA

DEFAULT_PATH = DATA / "evaluation.yaml"
INDICATORS = (
    "close_rate",
    "on_time_close_rate",
    "on_time_handle_rate",
    "rework_free_rate",
    "dispatch_accuracy",
    "volume_band",
)
KINDS = ("department", "district")
#: Fewest cases due (应结案数) for a row to be scored and graded; the setting ``GUIYANG_STATS_MIN_CASES``.
DEFAULT_MIN_CASES = 20


class EvaluationConfigError(ValueError):
    """evaluation.yaml is not usable; the message names the problem."""


@dataclass(frozen=True)
class Band:
    min: float
    score: float


@dataclass(frozen=True)
class EvaluationConfig:
    weights: Mapping[str, Mapping[str, float]]  # kind -> indicator -> weight
    grades: tuple[tuple[str, float], ...]  # (grade, minimum score), best first
    lowest: str
    per_days: int
    bands: tuple[Band, ...]  # highest min first, the last with min 0


@dataclass(frozen=True)
class Counts:
    """What :mod:`db.queries.stats_sql` counts for one row (department, district or the total)."""

    cases: int = 0
    closed: int = 0
    due_close: int = 0
    closed_on_time: int = 0
    due_handle: int = 0
    handled_on_time: int = 0
    handled_ever: int = 0
    reworked: int = 0
    dispatches: int = 0
    returns: int = 0


@dataclass(frozen=True)
class Evaluation:
    close_rate: float | None
    on_time_close_rate: float | None
    on_time_handle_rate: float | None
    rework_rate: float | None
    dispatch_accuracy: float | None
    volume_band: float | None
    score: float | None
    grade: str | None
    too_few: bool = False  # 样本不足: fewer cases due than the minimum, so no score and no grade


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EvaluationConfigError(f"{where}: expected a number, got {value!r}")
    return float(value)


def parse_config(data: Any) -> EvaluationConfig:
    """Validate the parsed YAML; raises :class:`EvaluationConfigError` naming the first problem."""
    if not isinstance(data, dict):
        raise EvaluationConfigError("evaluation.yaml: expected a mapping at the top")
    schemes = data.get("schemes")
    if not isinstance(schemes, dict) or set(schemes) != set(KINDS):
        raise EvaluationConfigError(f"schemes: expected exactly {', '.join(KINDS)}")
    weights: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        raw = (schemes[kind] or {}).get("weights") if isinstance(schemes[kind], dict) else None
        if not isinstance(raw, dict) or not raw:
            raise EvaluationConfigError(f"schemes.{kind}.weights: expected indicator: weight pairs")
        unknown = set(raw) - set(INDICATORS)
        if unknown:
            raise EvaluationConfigError(
                f"schemes.{kind}.weights: unknown indicator {sorted(unknown)[0]!r}; known: {', '.join(INDICATORS)}"
            )
        w = {k: _number(v, f"schemes.{kind}.weights.{k}") for k, v in raw.items()}
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise EvaluationConfigError(f"schemes.{kind}.weights: weights must be ≥ 0 with a positive sum")
        weights[kind] = {k: w.get(k, 0.0) for k in INDICATORS}
    grades_raw = data.get("grades")
    if not isinstance(grades_raw, list) or not grades_raw:
        raise EvaluationConfigError("grades: expected a list of {grade, min}")
    grades = tuple(
        (str(g.get("grade", "")).strip(), _number(g.get("min"), f"grades[{i}].min"))
        for i, g in enumerate(grades_raw)
        if isinstance(g, dict)
    )
    mins = [m for _, m in grades]
    if len(grades) != len(grades_raw) or any(not g for g, _ in grades) or mins != sorted(mins, reverse=True):
        raise EvaluationConfigError("grades: each needs a name and a min, best grade (highest min) first")
    lowest = str(data.get("lowest", "")).strip()
    if not lowest:
        raise EvaluationConfigError("lowest: the grade below the last threshold is missing")
    vb = data.get("volume_band")
    if not isinstance(vb, dict) or not isinstance(vb.get("bands"), list) or not vb["bands"]:
        raise EvaluationConfigError("volume_band: expected per_days and a list of bands")
    per_days = vb.get("per_days")
    if isinstance(per_days, bool) or not isinstance(per_days, int) or per_days < 1:
        raise EvaluationConfigError("volume_band.per_days: expected a whole number of days ≥ 1")
    bands = tuple(
        Band(
            _number(b.get("min"), f"volume_band.bands[{i}].min"), _number(b.get("score"), f"bands[{i}].score")
        )
        for i, b in enumerate(vb["bands"])
        if isinstance(b, dict)
    )
    bmins = [b.min for b in bands]
    if len(bands) != len(vb["bands"]) or bmins != sorted(bmins, reverse=True) or bmins[-1] != 0:
        raise EvaluationConfigError("volume_band.bands: highest min first, the last band with min 0")
    if any(not 0 <= b.score <= 100 for b in bands):
        raise EvaluationConfigError("volume_band.bands: scores are between 0 and 100")
    return EvaluationConfig(weights, grades, lowest, per_days, bands)


def load_config(path: Path = DEFAULT_PATH) -> EvaluationConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvaluationConfigError(f"{path}: {exc}") from exc
    return parse_config(data)


@cache
def default_config() -> EvaluationConfig:
    """The shipped ``evaluation.yaml``, read once per process."""
    return load_config(DEFAULT_PATH)


def rate(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` in 0–1, or None when nothing was due."""
    return numerator / denominator if denominator > 0 else None


def volume_score(cases: int, period_days: int, cfg: EvaluationConfig) -> float | None:
    if cases <= 0 or period_days <= 0:
        return None
    volume = cases * cfg.per_days / period_days
    return next(b.score for b in cfg.bands if volume >= b.min)


def grade(score: float | None, cfg: EvaluationConfig) -> str | None:
    if score is None:
        return None
    return next((g for g, m in cfg.grades if score >= m), cfg.lowest)


def weighted_score(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the defined indicators (0–100), rounded to 0.1; None when none has a weight."""
    pairs = [(weights.get(k, 0.0), v) for k, v in values.items() if v is not None and weights.get(k, 0.0) > 0]
    total = sum(w for w, _ in pairs)
    if total <= 0:
        return None
    return round(sum(w * v for w, v in pairs) / total, 1)


def median_p90_hours(quantiles: Sequence[float] | None) -> tuple[float | None, float | None]:
    """The median and p90 in seconds (:data:`db.quantiles.SHOWN`, exact: linear interpolation between the closest
    ranks, which is PostgreSQL's ``percentile_cont``) in hours with one decimal."""
    if quantiles is None:
        return None, None
    p50, p90 = quantiles
    return round(p50 / 3600.0, 1), round(p90 / 3600.0, 1)


def sample_size(counts: Counts) -> int:
    """The cases a row is judged on: those due for closing (应结案数), see the module."""
    return counts.due_close


def evaluate(
    counts: Counts, period_days: int, cfg: EvaluationConfig, kind: str = "department", min_cases: int = 1
) -> Evaluation:
    """Rates (0–1), the 综合指标值 (0–100) and its grade for one row of the table; no score nor grade (and
    ``too_few``) when fewer than ``min_cases`` cases were due (:func:`sample_size`)."""
    close = rate(counts.closed, counts.due_close)
    close_on_time = rate(counts.closed_on_time, counts.due_close)
    handle_on_time = rate(counts.handled_on_time, counts.due_handle)
    rework = rate(counts.reworked, counts.handled_ever)
    returned = rate(counts.returns, counts.dispatches)
    accuracy = None if returned is None else 1 - returned
    volume = volume_score(counts.cases, period_days, cfg)

    def pct(x: float | None) -> float | None:
        return None if x is None else 100 * x

    values = {
        "close_rate": pct(close),
        "on_time_close_rate": pct(close_on_time),
        "on_time_handle_rate": pct(handle_on_time),
        "rework_free_rate": None if rework is None else 100 * (1 - rework),
        "dispatch_accuracy": pct(accuracy),
        "volume_band": volume,
    }
    too_few = counts.cases > 0 and sample_size(counts) < max(1, min_cases)
    score = weighted_score(values, cfg.weights[kind]) if counts.cases > 0 and not too_few else None
    return Evaluation(
        close, close_on_time, handle_on_time, rework, accuracy, volume, score, grade(score, cfg), too_few
    )
