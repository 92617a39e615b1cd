"""The workbench's scope in SQL: the check of one case and the area a user's map opens on. Who sees what (an
officer their district, department staff their department's cases, the command center everything, anyone else
nothing) is the policy table's (:func:`ops.policy.workbench_scope`); the queries here take its
:class:`~db.scope.RowScope`."""

from __future__ import annotations

from sqlalchemy import Connection, text

from db.scope import RowScope
from db.vocabulary import OPEN_STATUSES, CaseStatus
from geo.bbox import BBox

_OPEN = [s.value for s in CaseStatus if s in OPEN_STATUSES]


def may_see(conn: Connection, scope: RowScope, case_id: int) -> bool:
    sql = text(f'SELECT 1 FROM "case" c WHERE c.id = :id AND {scope.where("c")}')  # nosec B608 # SQL from constant fragments; values are bound parameters
    return conn.execute(sql, {**scope.params(), "id": case_id}).first() is not None


# An officer's district; a district bureau's district; else the extent of the department's open cases. COALESCE
# evaluates an argument only when those before it are NULL; the CTE runs once for the four corners.
_SCOPE_BOUNDS = text(
    "WITH x AS MATERIALIZED (SELECT coalesce((SELECT Box2D(geom) FROM district WHERE code = :district), "
    "(SELECT Box2D(d.geom) FROM department dep JOIN district d ON d.code = dep.district_code "
    "WHERE dep.code = :department), "
    '(SELECT ST_Extent(c.geom) FROM "case" c WHERE c.department_code = :department '
    "AND c.status = ANY(CAST(:open AS text[])))) AS b) "
    "SELECT ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n FROM x"
)


def scope_bounds(conn: Connection, scope: RowScope) -> BBox | None:
    """Where the map of a user with ``scope`` opens (west, south, east, north): an officer on their district,
    department staff on their district if the department is a district bureau, else on the extent of its open
    cases. ``None``: the city view (the command center, a department without open cases, a user without scope)."""
    district = None if scope.city_wide else scope.district
    department = None if scope.city_wide else scope.department
    if district is None and department is None:
        return None
    params = {"district": district, "department": department, "open": _OPEN}
    row = conn.execute(_SCOPE_BOUNDS, params).one()
    return None if row.w is None else (float(row.w), float(row.s), float(row.e), float(row.n))
