"""A plain row filter for the read queries: which cases a reader may see.

The read queries of :mod:`db.queries` take a :class:`RowScope` and add it to their WHERE clause; they never look
at roles. Who gets which scope is the domain's policy table (:mod:`ops.policy`), which builds a ``RowScope`` from
the signed-in user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RowScope:
    """The whole city (``city_wide``), else the cases of one district and/or one department, else nothing."""

    district: str | None = None
    department: str | None = None
    city_wide: bool = False

    @classmethod
    def city(cls) -> RowScope:
        return cls(city_wide=True)

    @property
    def empty(self) -> bool:
        """Sees no case at all."""
        return not self.city_wide and self.district is None and self.department is None

    def where(self, case: str = "c", event: str | None = None) -> str:
        """A boolean SQL expression over the case table alias ``case`` (the department of the event alias
        ``event`` when given), with the bound parameters of :meth:`params`."""
        if self.city_wide:
            return "TRUE"
        parts = []
        if self.district is not None:
            parts.append(f"{case}.district_code = :scope_district")
        if self.department is not None:
            parts.append(f"{event or case}.department_code = :scope_department")
        return " AND ".join(parts) or "FALSE"

    def and_where(self, case: str = "c", event: str | None = None) -> str:
        """`` AND <where>``, or nothing for the whole city (to append to a WHERE clause)."""
        return "" if self.city_wide else f" AND {self.where(case, event)}"

    def params(self) -> dict[str, Any]:
        return {"scope_district": self.district, "scope_department": self.department}

    def without_department(self) -> RowScope:
        """The same scope without its department limit: a department's own returns are counted wherever the case
        went since (the district limit, if any, stays)."""
        if self.department is None:
            return self
        return RowScope(district=self.district, city_wide=self.district is None)
