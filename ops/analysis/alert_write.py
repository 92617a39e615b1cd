"""Turn the cycle's findings into ``analysis_alert`` rows: the place (geometry, point, a readable name), the
explanation in zh and en, and no duplicates.

Places: a 1 km square is its square polygon (EPSG:32648 ``[1000 I, 1000 (I + 1)) × [1000 J, 1000 (J + 1))``,
reprojected) and its centre; its name is the district plus the address most of the window's reports in it carry
(else the most frequent address of any recent report there). A district is its polygon and its ``label_point``.

No duplicates (decided here, tested in ``tests/ops/analysis/test_alert_cycle.py``): while an alert of the same
kind × area × category is live (``new`` or ``acknowledged``) and its window overlaps the new finding's (for a
trend: any live one), no new row is written. If the finding has *more* reports than the live alert, the live
alert takes the new numbers (observed, expected, score, p-value, the union of both windows, explanation), so the
wall shows a burst that keeps growing; otherwise nothing changes. ``version`` is not bumped (it guards staff
actions, and a staff member acting on a burst that grew is still acting on the same alert); ``updated_at`` is.
A dismissed alert is not live: the same burst growing after a dismissal is raised again as a new alert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from shapely.geometry import box
from sqlalchemy import Connection, text

from geo.crs import METRIC_SRID, STORAGE_SRID, transform_geometry
from ops.analysis.alert_states import NewAlert, record

SQUARE_M = 1000


@dataclass(frozen=True, slots=True)
class Place:
    geom_wkt: str
    point_wkt: str
    name_zh: str
    name_en: str


def square_ij(area_key: str) -> tuple[int, int]:
    _, i, j = area_key.split(":")
    return int(i), int(j)


def square_geometry(area_key: str) -> tuple[str, str]:
    """WKT (WGS-84) of a 1 km square and its centre."""
    i, j = square_ij(area_key)
    sq = box(SQUARE_M * i, SQUARE_M * j, SQUARE_M * (i + 1), SQUARE_M * (j + 1))
    geom = transform_geometry(sq, METRIC_SRID, STORAGE_SRID)
    centre = transform_geometry(sq.centroid, METRIC_SRID, STORAGE_SRID)
    return geom.wkt, centre.wkt


_DISTRICT = text(
    "SELECT name_zh, name_en, ST_AsText(geom), ST_AsText(COALESCE(label_point, ST_PointOnSurface(geom)))"
    " FROM district WHERE code = :code"
)
_ADDRESS = text(
    """
    SELECT c.address FROM "case" c JOIN grid_cell g ON g.id = c.cell_id
     WHERE g.i >= :i0 AND g.i < :i0 + 10 AND g.j >= :j0 AND g.j < :j0 + 10
       AND c.created_at >= :since AND c.created_at < :until AND COALESCE(c.address, '') <> ''
       AND (CAST(:cat AS text) IS NULL OR c.category_code = :cat
            OR c.category_code IN (SELECT code FROM category WHERE parent_code = :cat))
     GROUP BY c.address ORDER BY count(*) DESC, c.address LIMIT 1
    """
)


def square_hint(conn: Connection, area_key: str, category: str, start: datetime, end: datetime) -> str | None:
    """A readable hint of where in the square: the address of most of the window's reports, else of the last
    90 days' reports of any category."""
    i, j = square_ij(area_key)
    for since, cat in ((start, category), (end - timedelta(days=90), None)):
        got = conn.execute(
            _ADDRESS, {"i0": 10 * i, "j0": 10 * j, "since": since, "until": end, "cat": cat}
        ).scalar_one_or_none()
        if got:
            hint = str(got).strip()
            return (hint[: -len("附近")] if hint.endswith("附近") else hint)[:40] or None
    return None


def place(conn: Connection, row: Any) -> Place:
    """Geometry, point and name of a finding's area."""
    district = conn.execute(_DISTRICT, {"code": row.district_code}).one_or_none()
    dz, de = (district[0], district[1]) if district else ("", "")
    if row.area_level == "district":
        assert district is not None  # nosec B101 # a district finding is keyed by an existing district
        return Place(district[2], district[3], dz, de)
    geom, point = square_geometry(row.area_key)
    hint = square_hint(conn, row.area_key, row.category_code, row.window_start, row.window_end)
    i, j = square_ij(row.area_key)
    if hint:
        return Place(geom, point, f"{dz}{hint}附近", f"{de} near {hint}")
    return Place(geom, point, f"{dz}1公里网格{i}-{j}", f"{de}, 1 km square {i}-{j}")


_CATEGORY = text("SELECT name_zh, name_en FROM category WHERE code = :code")


def category_names(conn: Connection, code: str) -> tuple[str, str]:
    zh, en = conn.execute(_CATEGORY, {"code": code}).one()
    return str(zh), str(en)


def about(value: float) -> str:
    """``1.2``, ``12``: an expectation as people say it."""
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def window_words(hours: int) -> tuple[str, str]:
    if hours % 24 == 0 and hours > 24:
        return f"近{hours // 24}天", f"in the last {hours // 24} days"
    return f"近{hours}小时", f"in the last {hours} hours"


def usual_words(expected: float) -> tuple[str, str]:
    """``往常约 1.2 件`` / ``usually about 1.2``; below 0.05 ``往常不到 0.1 件`` / ``usually less than 0.1``."""
    if expected < 0.05:
        return "往常不到 0.1 件", "usually less than 0.1"
    return f"往常约 {about(expected)} 件", f"usually about {about(expected)}"


def anomaly_text(
    pl: Place, cat: tuple[str, str], hours: int, observed: int, expected: float
) -> tuple[str, str]:
    wz, we = window_words(hours)
    uz, ue = usual_words(expected)
    zh = f"{wz}{pl.name_zh}{cat[0]}上报 {observed} 件，{uz}"
    en = f"{observed} reports of {cat[0]} ({cat[1]}) in {pl.name_en} {we}; {ue}"
    return zh, en


def trend_text(
    pl: Place, cat: tuple[str, str], weeks: int, last: int, before: float, ratio: float
) -> tuple[str, str]:
    pct = (ratio - 1.0) * 100.0
    zh = (
        f"近{weeks}周{pl.name_zh}{cat[0]}上报逐周上升（每周约 +{pct:.0f}%）：最近一周 {last} 件，"
        f"此前每周约 {about(before)} 件"
    )
    en = (
        f"Reports of {cat[0]} ({cat[1]}) in {pl.name_en} rose over the last {weeks} weeks (about +{pct:.0f}% a "
        f"week): {last} in the last week, about {about(before)} a week before"
    )
    return zh, en


def score_of(p: float) -> float:
    """The alert's score: the surprise ``-log10 p`` (3 = one in a thousand), capped at 300."""
    return float(min(300.0, -math.log10(max(p, 1e-300))))


_LIVE_ONE = text(
    """
    SELECT id, observed, window_start, window_end FROM analysis_alert
     WHERE kind = :kind AND area_key = :area_key AND category_code = :cat AND state IN ('new', 'acknowledged')
       AND (:any_window OR (window_end > :ws AND window_start < :we))
     ORDER BY id LIMIT 1 FOR UPDATE
    """
)
_GROW = text(
    """
    UPDATE analysis_alert SET observed = :observed, expected = :expected, score = :score, p_value = :p_value,
           window_start = LEAST(window_start, :ws), window_end = GREATEST(window_end, :we),
           explanation_zh = :zh, explanation_en = :en, updated_at = :now
     WHERE id = :id
    """
)


def upsert(conn: Connection, alert: NewAlert, now: datetime) -> str:
    """Record ``alert`` unless a live one covers it: ``'new'``, ``'grown'`` (the live one took the larger count)
    or ``'same'`` (nothing written)."""
    live = conn.execute(
        _LIVE_ONE,
        {
            "kind": alert.kind,
            "area_key": alert.area_key,
            "cat": alert.category_code,
            "any_window": alert.kind == "trend",
            "ws": alert.window_start,
            "we": alert.window_end,
        },
    ).one_or_none()
    if live is None:
        record(conn, alert, now)
        return "new"
    if alert.observed <= live.observed:
        return "same"
    conn.execute(
        _GROW,
        {
            "observed": alert.observed,
            "expected": alert.expected,
            "score": alert.score,
            "p_value": alert.p_value,
            "ws": alert.window_start,
            "we": alert.window_end,
            "zh": alert.explanation_zh,
            "en": alert.explanation_en,
            "now": now,
            "id": live.id,
        },
    )
    return "grown"


def _new_alert(row: Any, kind: str, pl: Place, texts: tuple[str, str], expected: float, p: float) -> NewAlert:
    return NewAlert(
        kind=kind,
        area_level=row.area_level,
        area_key=row.area_key,
        district_code=row.district_code or None,
        category_code=row.category_code,
        geom_wkt=pl.geom_wkt,
        point_wkt=pl.point_wkt,
        window_start=row.window_start,
        window_end=row.window_end,
        observed=int(row.observed),
        expected=float(expected),
        score=score_of(p),
        p_value=float(p),
        explanation_zh=texts[0],
        explanation_en=texts[1],
    )


def write_anomalies(conn: Connection, found: pd.DataFrame, now: datetime) -> int:
    """Raise (or grow) one anomaly alert per finding; returns how many rows were written."""
    written = 0
    rows: list[Any] = list(found.itertuples(index=False))
    for row in rows:
        pl = place(conn, row)
        texts = anomaly_text(
            pl,
            category_names(conn, row.category_code),
            int(row.window_hours),
            int(row.observed),
            float(row.expected),
        )
        written += upsert(conn, _new_alert(row, "anomaly", pl, texts, row.expected, row.p), now) != "same"
    return written


def write_trends(conn: Connection, found: pd.DataFrame, now: datetime, weeks: int) -> int:
    """Raise (or grow) one trend alert per finding; returns how many rows were written."""
    written = 0
    rows: list[Any] = list(found.itertuples(index=False))
    for row in rows:
        pl = place(conn, row)
        texts = trend_text(
            pl,
            category_names(conn, row.category_code),
            weeks,
            int(row.observed),
            float(row.expected),
            float(row.ratio),
        )
        written += upsert(conn, _new_alert(row, "trend", pl, texts, row.expected, row.p), now) != "same"
    return written
