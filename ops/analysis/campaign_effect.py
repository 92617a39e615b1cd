"""Campaigns as a user reads them (scoped by :class:`~ops.analysis.scope.AnalysisScope`) and the weekly counts
behind each one's effect (:mod:`ops.analysis.effect` does the statistics).

Scope: the center reads every campaign; an officer the campaigns that touch their district, department staff those
about one of their categories. The counts under an effect are scoped the same way (an officer's effect counts
only the cases of their district, treated and control alike).

The weeks: the campaign's start (local midnight of ``starts_on``) splits time into weeks. The pre-period is as many
weeks as the campaign lasts, at least 4 and at most 26, ending at the start; the post-period is the complete
weeks since the start, up to the end (a campaign running for 3½ weeks has 3 post weeks).

The areas: every 100 m cell whose inner point lies in the campaign's area is treated. The control candidates are
the 1 km squares (cells ``(i // 10, j // 10)``) of the campaign's districts that do not touch the area at all
(no spill-over); :func:`ops.analysis.effect.choose_controls` keeps those whose rate per km² is within a factor 2
of the treated area's (at least 5, the closest first) over the *matching weeks*: as many weeks again before the
pre-period, so that squares picked for a high pre-period do not fall back afterwards and fake an effect
(regression to the mean; it made a district "rise" 1.5–4.5× in the demo city before this). When the campaign's districts offer fewer than 5
such squares (a campaign over whole districts), the squares of every district in the reader's scope are the
candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from db.errors import NotFound
from geo.crs import TZ
from ops.analysis.effect import MIN_PRE_WEEKS, Effect, choose_controls, did_effect
from ops.analysis.scope import AnalysisScope

MAX_PRE_WEEKS = 26
K_MIN = 5
#: Fewest reports in the treated area over the matching weeks for them to choose the controls.
MIN_MATCH_REPORTS = 5
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CampaignRow:
    id: int
    name: str
    note: str | None
    categories: list[str]
    district_codes: list[str]
    starts_on: date
    ends_on: date
    source: str
    alert_id: int | None
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    version: int
    area_km2: float
    area_geojson: dict[str, Any] | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north


@dataclass(frozen=True, slots=True)
class CampaignEffect:
    """The effect and the series behind it: per week (its first day), the treated area's count, the chosen
    controls' count and what the treated area would have had moving like the controls (``expected``)."""

    effect: Effect
    week_starts: list[date] = field(default_factory=list)
    treated: list[int] = field(default_factory=list)
    control: list[int] = field(default_factory=list)
    expected: list[float] = field(default_factory=list)
    n_controls: int = 0
    controls_from: str = "districts"  # or "city": the campaign's districts had too few comparable squares


def _scope_sql(scope: AnalysisScope) -> str:
    if scope.city_wide:
        return "TRUE"
    if scope.empty:
        return "FALSE"
    parts = []
    if scope.district is not None:
        parts.append(":an_district = ANY(k.district_codes)")
    if scope.categories is not None:
        parts.append("k.categories && CAST(:an_categories AS varchar[])")
    return "(" + " AND ".join(parts) + ")"


def _select(scope: AnalysisScope, *, one: bool, geometry: bool) -> Any:
    geo = (
        ", ST_AsGeoJSON(k.area, 6)::json AS gj, ST_XMin(k.area) AS w, ST_YMin(k.area) AS s,"
        " ST_XMax(k.area) AS e, ST_YMax(k.area) AS n"
        if geometry
        else ""
    )
    where = _scope_sql(scope) + (" AND k.id = :id" if one else "")
    return text(
        f"""
        SELECT k.id, k.name, k.note, k.categories, k.district_codes, k.starts_on, k.ends_on, k.source,
               k.alert_id, u.display_name AS created_by, k.created_at, k.ended_at, k.version,
               ST_Area(ST_Transform(k.area, 32648)) / 1e6 AS km2{geo}
          FROM campaign k JOIN staff_user u ON u.id = k.created_by
         WHERE {where}
         ORDER BY k.starts_on DESC, k.id DESC
        """  # nosec B608 # the WHERE is built from code, values are bound
    )


def _row(r: Any, geometry: bool) -> CampaignRow:
    return CampaignRow(
        id=int(r.id),
        name=r.name,
        note=r.note,
        categories=list(r.categories),
        district_codes=list(r.district_codes),
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        source=r.source,
        alert_id=r.alert_id,
        created_by=r.created_by,
        created_at=r.created_at,
        ended_at=r.ended_at,
        version=int(r.version),
        area_km2=float(r.km2),
        area_geojson=r.gj if geometry else None,
        bbox=(float(r.w), float(r.s), float(r.e), float(r.n)) if geometry else None,
    )


def list_campaigns(conn: Connection, scope: AnalysisScope, *, geometry: bool = False) -> list[CampaignRow]:
    """The campaigns ``scope`` may read, the latest start first."""
    rows = conn.execute(_select(scope, one=False, geometry=geometry), scope.params())
    return [_row(r, geometry) for r in rows]


def get_campaign(conn: Connection, scope: AnalysisScope, campaign_id: int) -> CampaignRow:
    """One campaign with its area; :class:`NotFound` when it does not exist or lies outside ``scope``."""
    r = conn.execute(
        _select(scope, one=True, geometry=True), {**scope.params(), "id": campaign_id}
    ).one_or_none()
    if r is None:
        raise NotFound("专项整治不存在。", "No such campaign.", detail=str(campaign_id))
    return _row(r, True)


def history(conn: Connection, campaign_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(
            "SELECT e.at, e.kind, u.display_name AS actor, e.changes FROM campaign_event e"
            " JOIN staff_user u ON u.id = e.actor_id WHERE e.campaign_id = :id ORDER BY e.id"
        ),
        {"id": campaign_id},
    )
    return [dict(r._mapping) for r in rows]


def weeks(starts_on: date, ends_on: date, now: datetime) -> tuple[datetime, int, int]:
    """The campaign's start instant, its pre-period and post-period lengths in weeks (see the module's text)."""
    start = datetime.combine(starts_on, datetime.min.time(), tzinfo=TZ)
    end = datetime.combine(ends_on + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    planned = math.ceil((end - start) / WEEK)
    n_pre = min(max(MIN_PRE_WEEKS, planned), MAX_PRE_WEEKS)
    n_post = max(0, min(planned, int((min(end, now) - start) / WEEK)))
    return start, n_pre, n_post


#: (cte, join, touches, inside) for a campaign over whole districts (its cells are exactly theirs, no geometry
#: needed) and for any other area (the cells it touches, through the grid's spatial index, and whether each
#: one's inner point lies in it)
_BY_DISTRICT = ("", "", "g.district_code = ANY(:districts)", "g.district_code = ANY(:districts)")
_BY_AREA = (
    """, touched AS (
        SELECT g.id, ST_Intersects(k.area, ST_PointOnSurface(g.geom)) AS inside
          FROM k JOIN grid_cell g ON ST_Intersects(g.geom, k.area))""",
    "LEFT JOIN touched t ON t.id = g.id",
    "t.id IS NOT NULL",
    "coalesce(t.inside, false)",
)
_SQUARES = """
    WITH k AS (SELECT * FROM campaign WHERE id = :id){cte}
    SELECT floor(g.i / 10.0::float8)::int AS si, floor(g.j / 10.0::float8)::int AS sj, count(*) AS cells,
           bool_or({touches}) AS tainted, count(*) FILTER (WHERE {inside}) AS inside_cells
      FROM k CROSS JOIN grid_cell g {join}
     WHERE (CAST(:all_districts AS boolean) OR g.district_code = ANY(:districts)) AND {scope}
     GROUP BY 1, 2
    """
_COUNTS = """
    WITH k AS (SELECT * FROM campaign WHERE id = :id){cte}
    SELECT floor(g.i / 10.0::float8)::int AS si, floor(g.j / 10.0::float8)::int AS sj,
           floor(extract(epoch FROM c.created_at - :t0) / 604800)::int AS w, count(*) AS n,
           count(*) FILTER (WHERE {inside}) AS n_in
      FROM k CROSS JOIN "case" c JOIN grid_cell g ON g.id = c.cell_id {join}
     WHERE c.created_at >= :t0 AND c.created_at < :t1
       AND c.category_code = ANY(:cats)
       AND (CAST(:all_districts AS boolean) OR c.district_code = ANY(:districts))
       AND {scope}
     GROUP BY 1, 2, 3
    """


_SUBCATEGORIES = text("SELECT code FROM category WHERE code = ANY(:c) OR parent_code = ANY(:c)")


@dataclass(frozen=True, slots=True)
class Grid:
    """The candidate 1 km squares ``(si, sj)``: their number of 100 m cells, whether the area touches them, how
    many of their cells are inside it."""

    squares: Any  # (S, 2) int
    cells: Any  # (S,) int
    tainted: Any  # (S,) bool
    inside_cells: Any  # (S,) int


def _counts(
    conn: Connection, k: CampaignRow, scope: AnalysisScope, t0: datetime, t1: datetime, everywhere: bool
) -> tuple[Grid, list[Any]]:
    """The candidate squares, and the (square, week) counts of the campaign's categories (all, and inside)."""
    cte, join, touches, inside = _BY_DISTRICT if k.source == "districts" else _BY_AREA
    cell_scope = "TRUE" if scope.district is None else "g.district_code = :an_district"
    district = {"an_district": scope.district} if scope.district else {}
    sql = _SQUARES.format(cte=cte, join=join, touches=touches, inside=inside, scope=cell_scope)
    common = {"id": k.id, "all_districts": everywhere, "districts": k.district_codes}
    rows = conn.execute(text(sql), {**common, **district}).all()
    grid = Grid(
        np.array([(r.si, r.sj) for r in rows], dtype=np.int64).reshape(-1, 2),
        np.array([r.cells for r in rows], dtype=np.int64),
        np.array([bool(r.tainted) for r in rows], dtype=bool),
        np.array([r.inside_cells for r in rows], dtype=np.int64),
    )
    sql = _COUNTS.format(cte=cte, join=join, inside=inside, scope=scope.where())
    cats = conn.execute(_SUBCATEGORIES, {"c": k.categories}).scalars().all()
    params = {**common, "t0": t0, "t1": t1, "cats": list(cats), **scope.params()}
    return grid, list(conn.execute(text(sql), params).all())


def campaign_effect(conn: Connection, scope: AnalysisScope, k: CampaignRow, now: datetime) -> CampaignEffect:
    """The effect of campaign ``k`` as ``scope`` reads it, on the data up to ``now``."""
    start, n_pre, n_post = weeks(k.starts_on, k.ends_on, now)
    n_match = n_pre  # the weeks before the pre-period, on which the controls are chosen
    t0, t1 = start - (n_match + n_pre) * WEEK, start + n_post * WEEK
    n = n_pre + n_post
    week_starts = [(start - n_pre * WEEK + i * WEEK).date() for i in range(n)]
    # the planner overrates the grid join with the area and would spend ~0.5 s compiling it (JIT) to save
    # milliseconds: off for the rest of this (read) transaction
    conn.execute(text("SET LOCAL jit = off"))
    out: CampaignEffect | None = None
    # a campaign over whole districts leaves no control square in them: look city-wide at once
    for everywhere in (True,) if k.source == "districts" else (False, True):
        grid, counts = _counts(conn, k, scope, t0, t1, everywhere)
        out = _assemble(
            grid, counts, n_match, n_pre, n_post, week_starts, "city" if everywhere else "districts"
        )
        if out.n_controls >= K_MIN or out.effect.reason in ("pre_weeks", "post_weeks"):
            break
    assert out is not None  # nosec B101 # the loop runs at least once
    return out


def _square_index(keys: Any, pairs: Any) -> Any:
    """Index in ``keys`` (sorted unique (si, sj) rows) of each of ``pairs``; -1 when absent."""
    if len(keys) == 0 or len(pairs) == 0:
        return np.full(len(pairs), -1, dtype=np.int64)
    span = int(max(keys[:, 1].max(), pairs[:, 1].max()) - min(keys[:, 1].min(), pairs[:, 1].min())) + 1
    base = int(min(keys[:, 1].min(), pairs[:, 1].min()))
    kf = keys[:, 0] * span + (keys[:, 1] - base)
    pf = pairs[:, 0] * span + (pairs[:, 1] - base)
    order = np.argsort(kf)
    pos = np.minimum(np.searchsorted(kf[order], pf), len(kf) - 1)
    return np.where(kf[order][pos] == pf, order[pos], -1)


def _assemble(
    grid: Grid,
    counts: list[Any],
    n_match: int,
    n_pre: int,
    n_post: int,
    week_starts: list[date],
    controls_from: str,
) -> CampaignEffect:
    """The pure part: the squares and the (square, week) counts → treated and control weekly series → the effect.

    Week 0 is the first of ``n_match`` matching weeks, then ``n_pre`` pre-period and ``n_post`` post-period
    weeks. The controls are chosen on the matching weeks, *not* on the pre-period: squares chosen because their
    pre-period happened to be high would fall back afterwards (regression to the mean) and fake an effect. When
    the treated area has fewer than ``MIN_MATCH_REPORTS`` reports in the matching weeks (the data begin later,
    or the problem is new there), the pre-period is the fallback.
    Leading pre-period weeks without a single report anywhere (before the data begin) are left out."""
    n_all = n_match + n_pre + n_post
    keys = grid.squares
    treated = np.zeros(n_all, dtype=np.int64)
    by_square = np.zeros((len(keys), n_all), dtype=np.int64)
    everything = np.zeros(n_all, dtype=np.int64)
    if counts and len(keys):
        pairs = np.array([(r.si, r.sj) for r in counts], dtype=np.int64).reshape(-1, 2)
        wk = np.array([r.w for r in counts], dtype=np.int64)
        cnt = np.array([r.n for r in counts], dtype=np.int64)
        cnt_in = np.array([r.n_in for r in counts], dtype=np.int64)
        ok = (wk >= 0) & (wk < n_all)
        pairs, wk, cnt, cnt_in = pairs[ok], wk[ok], cnt[ok], cnt_in[ok]
        np.add.at(everything, wk, cnt)
        np.add.at(treated, wk, cnt_in)
        sq = _square_index(keys, pairs)
        known = sq >= 0
        np.add.at(by_square, (sq[known], wk[known]), cnt[known])
    early = slice(0, n_match)
    matched = early if treated[early].sum() >= MIN_MATCH_REPORTS else slice(n_match, n_match + n_pre)
    match_t = int(treated[matched].sum())
    match_sq = by_square[:, matched].sum(axis=1)
    treated, by_square, everything = treated[n_match:], by_square[:, n_match:], everything[n_match:]
    first = int(np.argmax(everything > 0)) if everything.any() else n_pre
    skip = min(first, n_pre)
    treated, by_square, week_starts = treated[skip:], by_square[:, skip:], week_starts[skip:]
    n, n_pre = n_pre + n_post - skip, n_pre - skip
    post = np.arange(n) >= n_pre
    treated_km2 = int(grid.inside_cells.sum()) * 0.01
    pre_t = int(treated[:n_pre].sum())
    cand = np.flatnonzero(~grid.tainted) if len(keys) else np.zeros(0, dtype=np.int64)
    rate = match_t / treated_km2 if treated_km2 > 0 else 0.0
    chosen = cand[choose_controls(rate, match_sq[cand], grid.cells[cand] * 0.01, k_min=K_MIN)]
    control = by_square[chosen].sum(axis=0) if chosen.size else np.zeros(n, dtype=np.int64)
    effect = did_effect(treated, control, post)
    if chosen.size == 0 and effect.reason not in ("pre_weeks", "post_weeks"):
        effect = Effect("insufficient", *_sums(effect), reason="controls")
    pre_c = control[:n_pre].sum()
    scale = (pre_t / pre_c) if pre_c > 0 else 0.0
    return CampaignEffect(
        effect,
        week_starts,
        treated.tolist(),
        control.tolist(),
        [round(float(x) * scale, 2) for x in control],
        int(chosen.size),
        controls_from,
    )


def _sums(e: Effect) -> tuple[int, int, int, int, int, int]:
    return e.weeks_pre, e.weeks_post, e.treated_pre, e.treated_post, e.control_pre, e.control_post


def campaigns_with_effects(
    conn: Connection,
    scope: AnalysisScope,
    now: datetime,
    *,
    district: str | None = None,
    category: str | None = None,
) -> list[tuple[CampaignRow, CampaignEffect]]:
    """Every campaign ``scope`` reads (optionally only those touching ``district`` / naming ``category`` or its
    大类), each with its effect as ``scope`` reads it."""
    parent = None
    if category is not None:
        parent = conn.execute(
            text("SELECT parent_code FROM category WHERE code = :c"), {"c": category}
        ).scalar_one_or_none()
    out = []
    for k in list_campaigns(conn, scope):
        if district is not None and district not in k.district_codes:
            continue
        if category is not None and category not in k.categories and parent not in k.categories:
            continue
        out.append((k, campaign_effect(conn, scope, k, now)))
    return out


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def as_record(k: CampaignRow, eff: CampaignEffect) -> dict[str, Any]:
    """One campaign and its effect as plain JSON-ready data (``guiyang-ops analyze campaigns --json``, CSV)."""
    e = eff.effect
    interval = e.interval_pct
    return {
        "id": k.id,
        "name": k.name,
        "note": k.note,
        "categories": k.categories,
        "district_codes": k.district_codes,
        "starts_on": k.starts_on.isoformat(),
        "ends_on": k.ends_on.isoformat(),
        "ended_at": k.ended_at.isoformat() if k.ended_at else None,
        "source": k.source,
        "alert_id": k.alert_id,
        "created_by": k.created_by,
        "area_km2": round(k.area_km2, 3),
        "effect": {
            "status": e.status,
            "reason": e.reason,
            "ratio": _round(e.ratio),
            "ratio_low": _round(e.ratio_low),
            "ratio_high": _round(e.ratio_high),
            "change_pct": _round(e.change_pct, 1),
            "change_low_pct": _round(interval[0], 1) if interval else None,
            "change_high_pct": _round(interval[1], 1) if interval else None,
            "weeks_pre": e.weeks_pre,
            "weeks_post": e.weeks_post,
            "treated_pre": e.treated_pre,
            "treated_post": e.treated_post,
            "control_pre": e.control_pre,
            "control_post": e.control_post,
            "n_controls": eff.n_controls,
            "controls_from": eff.controls_from,
        },
        "effect_zh": e.sentence("zh"),
        "effect_en": e.sentence("en"),
    }
