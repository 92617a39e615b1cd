"""Reading 研判预警 alerts for a screen or the command line: a list for an :class:`AnalysisScope` (an officer only
their district's alerts, department staff only their categories, the center the city) by state, newest first, with
the category and district names, the area as GeoJSON and the alert's point; one alert with its history.

No statistics here: the figures were computed by the analysis cycle when it raised the alert
(:mod:`ops.analysis.alert_states`); this module only reads them back. Scope is part of every query's WHERE clause
(:meth:`AnalysisScope.where`), so an alert outside the scope is never read, not read and then hidden.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.vocabulary import ALERT_STATES
from ops.analysis.filters import Filters
from ops.analysis.scope import AnalysisScope

#: alerts still waiting for someone: raised (new) or seen (acknowledged)
LIVE = ("new", "acknowledged")
#: what ``state=`` accepts: ``live``, ``all`` or one state
STATE_CHOICES = ("live", "all", *ALERT_STATES)
MAX_LIMIT = 1000
#: district outlines are simplified for screens (degrees, ~30 m): a wall draws dozens of them
SIMPLIFY = 0.0003


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    kind: str
    area_level: str
    area_key: str
    category_code: str
    category_zh: str
    category_en: str
    district_code: str | None
    district_zh: str | None
    district_en: str | None
    lat: float
    lon: float
    geometry: dict[str, Any] | None
    window_start: datetime
    window_end: datetime
    observed: int
    expected: float
    score: float
    p_value: float | None
    explanation_zh: str
    explanation_en: str
    state: str
    version: int
    campaign_id: int | None
    created_at: datetime
    updated_at: datetime

    def category(self, lang: str) -> str:
        return self.category_en if lang == "en" else self.category_zh

    def district(self, lang: str) -> str:
        name = self.district_en if lang == "en" else self.district_zh
        return name or "—"

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" else self.explanation_zh

    @property
    def hours(self) -> float:
        """The window's length in hours (2 for "近2小时")."""
        return (self.window_end - self.window_start).total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One state the alert entered: when, from which state, who moved it (None: the analysis cycle), why."""

    at: datetime
    from_state: str | None
    to_state: str
    actor: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class AlertDetail:
    alert: AlertRow
    history: list[AlertEvent]


_COLUMNS = """
    a.id, a.kind, a.area_level, a.area_key, a.category_code, cat.name_zh AS category_zh,
    cat.name_en AS category_en, a.district_code, d.name_zh AS district_zh, d.name_en AS district_en,
    ST_Y(a.point) AS lat, ST_X(a.point) AS lon, {geometry} AS geometry, a.window_start, a.window_end,
    a.observed, a.expected, a.score, a.p_value, a.explanation_zh, a.explanation_en, a.state, a.version,
    a.campaign_id, a.created_at, a.updated_at
"""
_GEOMETRY = (
    "ST_AsGeoJSON(CASE WHEN a.area_level = 'district' THEN ST_SimplifyPreserveTopology(a.geom, :simplify)"
    " ELSE a.geom END, 5)"
)
_FROM = """
    FROM analysis_alert a
    JOIN category cat ON cat.code = a.category_code
    LEFT JOIN district d ON d.code = a.district_code
"""


def _row(r: Any) -> AlertRow:
    data = dict(r._mapping)
    geo = data.pop("geometry")
    return AlertRow(geometry=json.loads(geo) if isinstance(geo, str) else geo, **data)


def _states(state: str) -> list[str]:
    if state == "live":
        return list(LIVE)
    if state == "all":
        return list(ALERT_STATES)
    if state in ALERT_STATES:
        return [state]
    raise ValueError(f"unknown alert state filter: {state!r}")


def list_alerts(
    conn: Connection,
    scope: AnalysisScope,
    *,
    state: str = "live",
    filters: Filters | None = None,
    now: datetime | None = None,
    limit: int = 200,
    geometry: bool = True,
) -> list[AlertRow]:
    """Alerts in ``scope`` whose state is ``state`` (``live`` = new + acknowledged, ``all``, or one state), newest
    first. ``filters`` narrows them like every analysis: a category (a 大类 takes in its 小类), a district, and
    with ``now`` the period (alerts raised in the last ``days`` days). ``geometry=False`` leaves the area out
    (a list without a map)."""
    f = filters or Filters()
    clauses = [
        scope.where(district="a.district_code", category="a.category_code"),
        "a.state = ANY(:states)",
        f.category_sql("a.category_code"),
        f.district_sql("a.district_code"),
    ]
    params: dict[str, Any] = {
        **scope.params(),
        **f.params(),
        "states": _states(state),
        "limit": max(1, min(int(limit), MAX_LIMIT)),
        "simplify": SIMPLIFY,
    }
    if now is not None and filters is not None:
        clauses.append("a.created_at >= :since")
        params["since"] = f.since(now)
    sql = (
        "SELECT "
        + _COLUMNS.format(geometry=_GEOMETRY if geometry else "NULL")
        + _FROM
        + " WHERE "
        + " AND ".join(clauses)
        + " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit"
    )
    return [_row(r) for r in conn.execute(text(sql), params)]  # nosec B608 # clauses built from code, values bound


_HISTORY = text(
    """
    SELECT e.at, e.from_state, e.to_state, u.display_name AS actor, e.note
      FROM analysis_alert_event e LEFT JOIN staff_user u ON u.id = e.actor_id
     WHERE e.alert_id = :id ORDER BY e.id
    """
)


def get_alert(conn: Connection, scope: AnalysisScope, alert_id: int) -> AlertDetail | None:
    """One alert with its history, or None when it does not exist or lies outside ``scope`` (the same answer:
    a user cannot learn that another district's alert exists)."""
    sql = (
        "SELECT "
        + _COLUMNS.format(geometry=_GEOMETRY)
        + _FROM
        + " WHERE a.id = :id AND "
        + scope.where(district="a.district_code", category="a.category_code")
    )
    r = conn.execute(text(sql), {**scope.params(), "id": int(alert_id), "simplify": SIMPLIFY}).one_or_none()  # nosec B608 # scope clause from code
    if r is None:
        return None
    history = [AlertEvent(**dict(e._mapping)) for e in conn.execute(_HISTORY, {"id": int(alert_id)})]
    return AlertDetail(alert=_row(r), history=history)


def alerts_stamp(conn: Connection) -> str:
    """A value that changes whenever an alert is raised or changes state (``count:sum(version)``): the push hub
    compares it after a reconnect to ring the alerts doorbell for a notification it may have missed."""
    n, v = conn.execute(text("SELECT count(*), coalesce(sum(version), 0) FROM analysis_alert")).one()
    return f"{int(n)}:{int(v)}"


#: The command line's fields (issue 13's interface: names exactly as written there), then a few more.
JSON_FIELDS = (
    "id",
    "kind",
    "category_code",
    "district_code",
    "lat",
    "lon",
    "window_start",
    "window_end",
    "observed",
    "expected",
    "score",
    "state",
    "explanation_zh",
    "explanation_en",
    "area_level",
    "area_key",
    "p_value",
    "category_zh",
    "category_en",
    "district_zh",
    "district_en",
    "version",
    "campaign_id",
    "created_at",
    "updated_at",
)


def as_json(row: AlertRow) -> dict[str, Any]:
    """An alert as plain JSON: times as ISO 8601 with their offset, the point as ``lat``/``lon`` (WGS-84)."""
    data = asdict(row)
    out: dict[str, Any] = {}
    for key in JSON_FIELDS:
        value = data[key]
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out
