"""What the public read models share: the public stages of a case and the SQL that builds GeoJSON.

Public pages never show a case's status as the staff see it, only its stage in plain words: received (已受理) →
progress (处理中) → resolved (已办结) | refused (不予受理) (labels: :data:`ops.states.PUBLIC_STAGE`). The helpers
here turn those stages into SQL fragments and build GeoJSON in the database (``json_agg``) with coordinates
rounded to :data:`COORD_DP`. Part of :mod:`db.queries.public`; the privacy rules written there apply here too.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from db.vocabulary import CaseStatus

#: Decimals of public coordinates (5 ≈ 1 m: enough for a marker, small on the wire).
COORD_DP = 5

#: Public stage of each status: received (已受理) → progress (处理中) → resolved (已办结) | refused (不予受理).
_S = CaseStatus
_GROUPS = {
    "received": (_S.REPORTED, _S.FILED),
    "progress": (_S.DISPATCHED, _S.IN_PROGRESS, _S.HANDLED, _S.SUSPENDED),
    "resolved": (_S.CLOSED, _S.MERGED),
    "refused": (_S.REJECTED,),
}
STAGE_OF: dict[str, str] = {status: stage for stage, group in _GROUPS.items() for status in group}
STAGES = tuple(_GROUPS)
#: A status standing for each stage, to label it with ``PUBLIC_STAGE``.
STAGE_STATUS = {stage: group[0] if stage != "progress" else _S.DISPATCHED for stage, group in _GROUPS.items()}
#: Order of the stages along a case's life (resolved and refused both end it).
STAGE_RANK = {"received": 0, "progress": 1, "resolved": 2, "refused": 2}


def statuses_sql(stage: str) -> str:
    """The statuses of a public stage as a SQL list body: ``'reported', 'filed'``."""
    return ", ".join(f"'{s}'" for s, st in STAGE_OF.items() if st == stage)


#: Select-list items counting rows per stage, one column named after each stage.
STAGE_COUNTS_SQL = ", ".join(f"count(*) FILTER (WHERE status IN ({statuses_sql(s)})) AS {s}" for s in STAGES)
#: A SQL expression giving the index in :data:`STAGES` of a row's ``status``.
STAGE_CASE_SQL = (
    "CASE " + " ".join(f"WHEN status IN ({statuses_sql(s)}) THEN {i}" for i, s in enumerate(STAGES)) + " END"
)


def point_sql(geom: str) -> str:
    """A GeoJSON point from a geometry expression, coordinates rounded to COORD_DP."""
    return (
        f"json_build_object('type', 'Point', 'coordinates', json_build_array("
        f"round(ST_X({geom})::numeric, {COORD_DP}), round(ST_Y({geom})::numeric, {COORD_DP})))"
    )


def collection_sql(feature_sql: str, order: str = "") -> str:
    """A SELECT list making one FeatureCollection (JSON text) of ``feature_sql``; the caller adds FROM/WHERE."""
    return (
        "SELECT json_build_object('type', 'FeatureCollection', 'features', "
        f"coalesce(json_agg({feature_sql}{' ORDER BY ' + order if order else ''}), '[]'::json))::text"
    )


def no_jit(conn: Connection) -> None:
    """JIT compiling costs ~1 s on these aggregates (PostGIS functions look expensive to the planner) and saves
    nothing: off for this transaction only."""
    conn.execute(text("SET LOCAL jit = off"))
