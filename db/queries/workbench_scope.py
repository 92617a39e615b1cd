"""Who on the workbench sees what: the scope every case query of :mod:`db.queries.workbench` adds to its WHERE
clause (an officer their district, department staff their department's cases, the command center everything,
anyone else nothing), the check of one case, and the area a user's map opens on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.vocabulary import OPEN_STATUSES, CaseStatus
from geo.bbox import BBox

#: Staff roles that may use the workbench (everyone but the public-content moderator).
WORKBENCH_ROLES = ("admin", "lead", "dispatcher", "officer", "department")
#: Roles that see the whole city.
CITY_ROLES = frozenset({"admin", "lead", "dispatcher"})
_OPEN = [s.value for s in CaseStatus if s in OPEN_STATUSES]


def scope_sql(user: StaffIdentity, alias: str = "c") -> tuple[str, dict[str, Any]]:
    """The WHERE fragment limiting cases (table alias ``alias``) to what ``user`` may see."""
    if user.role == "officer":
        return f"{alias}.district_code = :scope_district", {"scope_district": user.district_code}
    if user.role == "department":
        return f"{alias}.department_code = :scope_department", {"scope_department": user.department_code}
    if user.role in CITY_ROLES:
        return "TRUE", {}
    return "FALSE", {}


def may_see(conn: Connection, user: StaffIdentity, case_id: int) -> bool:
    scope, params = scope_sql(user, "c")
    sql = text(f'SELECT 1 FROM "case" c WHERE c.id = :id AND {scope}')  # nosec B608 # SQL from constant fragments; values are bound parameters
    return conn.execute(sql, {**params, "id": case_id}).first() is not None


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


def scope_bounds(conn: Connection, user: StaffIdentity) -> BBox | None:
    """Where the user's map opens (west, south, east, north): an officer on their district, department staff
    on their district if the department is a district bureau, else on the extent of its open cases.
    ``None``: the city view (the command center, a department without open cases, a user without scope)."""
    district = user.district_code if user.role == "officer" else None
    department = user.department_code if user.role == "department" else None
    if district is None and department is None:
        return None
    params = {"district": district, "department": department, "open": _OPEN}
    row = conn.execute(_SCOPE_BOUNDS, params).one()
    return None if row.w is None else (float(row.w), float(row.s), float(row.e), float(row.n))
