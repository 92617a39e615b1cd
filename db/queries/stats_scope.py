"""Who sees which figures of ``/stats``: the scope of a staff user, enforced in the SQL of every stats query.

An officer sees only their district's cases, department staff only their department's; the command center sees
the whole city.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.accounts import StaffIdentity
from db.errors import Forbidden

CITY_WIDE_ROLES = frozenset({"admin", "lead", "dispatcher", "moderator"})


@dataclass(frozen=True)
class Scope:
    district: str | None = None
    department: str | None = None

    def sql(self, case: str = "c", event: str | None = None) -> str:
        """WHERE fragment (bound parameters ``scope_district`` / ``scope_department``)."""
        parts = []
        if self.district:
            parts.append(f"{case}.district_code = :scope_district")
        if self.department:
            parts.append(f"{event or case}.department_code = :scope_department")
        return "".join(f" AND {p}" for p in parts)

    def params(self) -> dict[str, Any]:
        return {"scope_district": self.district, "scope_department": self.department}


def scope_of(user: StaffIdentity) -> Scope:
    """What a staff user may see: officers their district, department staff their department, the center all."""
    if user.role == "officer" and user.district_code:
        return Scope(district=user.district_code)
    if user.role == "department" and user.department_code:
        return Scope(department=user.department_code)
    if user.role in CITY_WIDE_ROLES:
        return Scope()
    raise Forbidden(
        "您无权查看考核统计。", "You may not see the evaluation figures.", detail=f"role={user.role}"
    )
