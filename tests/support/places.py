"""Synthetic reports for the places and recurrence tests: points a known number of metres apart, reported (and
closed) through the workflow commands at chosen times."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Connection

from ops import workflow as wf
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.cases import CATEGORY, YUNYAN, new_case

M_PER_DEG = 111_320.0


def offset(point: tuple[float, float], east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    """``point`` (lon, lat) moved ``east_m`` metres east and ``north_m`` metres north."""
    lon, lat = point
    return (
        lon + east_m / (M_PER_DEG * math.cos(math.radians(lat))),
        lat + north_m / M_PER_DEG,
    )


def report(
    conn: Connection,
    point: tuple[float, float],
    at: datetime,
    category: str = CATEGORY,
    address: str | None = None,
) -> CaseResult:
    """A citizen's report (status 'reported') at ``point`` and time ``at``."""
    return wf.report(
        conn,
        Actor.system(),
        category_code=category,
        lon=point[0],
        lat=point[1],
        description="测试上报",
        address=address,
        source="app",
        now=at,
    )


def closed(
    conn: Connection,
    staff: dict[str, Actor],
    point: tuple[float, float],
    at: datetime,
    category: str = CATEGORY,
    department: str | None = None,
) -> tuple[CaseResult, datetime]:
    """A case reported at ``at``, dispatched (to ``department``, else the suggested one) and closed (verified)
    6 hours later: the result and its closing time."""
    r = new_case(
        conn, staff, CaseStatus.HANDLED, point=point, category=category, start=at, department=department
    )
    when = at + timedelta(hours=6)
    return wf.verify(conn, staff["lead"], r.id, r.version, passed=True, now=when), when


__all__ = ["CATEGORY", "YUNYAN", "closed", "offset", "report"]
