"""Whose cases an analysis reads: the command center the whole city, a district officer their district,
department staff the categories their department answers for (its default categories and its rows in the
responsibility table), anyone else nothing.

Every analysis query (hot spots, places, peaks, alerts, correlations, campaigns) takes an :class:`AnalysisScope`
and adds :meth:`AnalysisScope.where` to its WHERE clause, so a callback never decides scope by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from ops.policy import Reach, Screen, reach

_CATEGORIES = text(
    """
    SELECT code FROM category WHERE default_department_code = :dep
    UNION SELECT category_code FROM responsibility WHERE department_code = :dep
    UNION SELECT parent_code FROM category
           WHERE parent_code IS NOT NULL
             AND (default_department_code = :dep
                  OR code IN (SELECT category_code FROM responsibility WHERE department_code = :dep))
    """
)


@dataclass(frozen=True, slots=True)
class AnalysisScope:
    """The whole city (``city_wide``), else one district and/or a set of category codes (大类 and 小类), else
    nothing."""

    district: str | None = None
    categories: frozenset[str] | None = None
    city_wide: bool = False

    @classmethod
    def city(cls) -> AnalysisScope:
        return cls(city_wide=True)

    @property
    def empty(self) -> bool:
        return not self.city_wide and self.district is None and self.categories is None

    def where(self, *, district: str = "c.district_code", category: str = "c.category_code") -> str:
        """A boolean SQL expression over the given district and category columns, with :meth:`params`."""
        if self.city_wide:
            return "TRUE"
        if self.empty:
            return "FALSE"
        parts = []
        if self.district is not None:
            parts.append(f"{district} = :an_district")
        if self.categories is not None:
            parts.append(f"{category} = ANY(:an_categories)")
        return "(" + " AND ".join(parts) + ")"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.district is not None:
            out["an_district"] = self.district
        if self.categories is not None:
            out["an_categories"] = sorted(self.categories)
        return out

    def allows(self, *, district: str | None, category: str | None) -> bool:
        """The Python twin of :meth:`where` for one row (an alert, a place, a campaign)."""
        if self.city_wide:
            return True
        if self.empty:
            return False
        if self.district is not None and district != self.district:
            return False
        return self.categories is None or category in self.categories


def analysis_scope(conn: Connection, user: StaffIdentity) -> AnalysisScope:
    """What ``user`` reads on ``/analysis`` and through ``guiyang-ops analyze`` on their behalf."""
    how = reach(user.role, Screen.ANALYSIS)
    if how is Reach.CITY:
        return AnalysisScope.city()
    if how is Reach.DISTRICT and user.district_code:
        return AnalysisScope(district=user.district_code)
    if how is Reach.DEPARTMENT and user.department_code:
        codes = conn.execute(_CATEGORIES, {"dep": user.department_code}).scalars().all()
        return AnalysisScope(categories=frozenset(c for c in codes if c))
    return AnalysisScope()
