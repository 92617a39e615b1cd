"""The thresholds of the analysis cycle (异常/趋势预警, 复发督办), set from ``GUIYANG_ALERT_*`` settings by the command that
runs the cycle, and the one a cycle step reads (:func:`current`)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AlertConfig:
    #: Benjamini–Hochberg FDR level over all tests of one cycle (anomaly) or one trend pass.
    fdr: float = 0.01
    #: Fewest reports in the window for an anomaly alert.
    min_count: int = 5
    #: Weeks of history behind an anomaly's expectation (the same hour-of-week slots of each).
    baseline_weeks: int = 8
    #: The recent windows tested, in hours.
    windows_hours: tuple[int, ...] = (2, 24)
    #: Weeks of weekly counts a trend is tested on.
    trend_weeks: int = 8
    #: Fewest reports in the last week for a trend alert.
    trend_min_count: int = 10
    #: Fewest reports over the trend weeks for an area × category to be tested at all.
    trend_min_total: int = 30
    #: Smallest estimated week-on-week rise worth a trend alert (0.10: +10 % a week, about doubling in 8 weeks):
    #: on a busy district a rise of 1 % a week is significant and useless.
    trend_min_weekly_rise: float = 0.10
    #: Seconds between two trend passes (weekly counts change slowly).
    trend_every_s: float = 3600.0
    #: 复发: a new report recurs a closed case of its 小类 at most this many metres away, closed at most this many
    #: days before; the recurrence with this number at a place (and every later one) is escalated.
    recurrence_radius_m: float = 30.0
    recurrence_days: int = 90
    recurrence_escalate_at: int = 3


_CURRENT: ContextVar[AlertConfig] = ContextVar("alert_config", default=AlertConfig())  # noqa: B039


def current() -> AlertConfig:
    return _CURRENT.get()


def use(config: AlertConfig) -> object:
    """Make ``config`` the one steps read (returns the token :func:`reset` takes)."""
    return _CURRENT.set(config)


def reset(token: object) -> None:
    _CURRENT.reset(token)  # type: ignore[arg-type]
