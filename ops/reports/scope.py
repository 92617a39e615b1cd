"""Who may have which monthly report: the reach of the stats screen (:data:`ops.policy.REACH`, ``Screen.STATS``),
narrowed to one district when asked. The command line (no user) is the operator's: the whole city."""

from __future__ import annotations

import re
from datetime import date, timedelta

from db.accounts import StaffIdentity
from db.errors import Forbidden, ValidationError
from db.period import Period
from db.scope import RowScope
from ops.policy import stats_scope

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CODE = re.compile(r"^[0-9A-Za-z_-]{1,24}$")


def report_scope(user: StaffIdentity | None, district: str | None) -> RowScope:
    """The cases of ``user``'s report, narrowed to ``district`` when given. An officer may ask only for their own
    district (``Forbidden`` otherwise); department staff get their department's cases in that district."""
    if district is not None and not _CODE.match(district):
        raise ValidationError("区县代码无效。", "Invalid district code.", field="district")
    base = RowScope.city() if user is None else stats_scope(user)
    if district is None:
        return base
    if base.city_wide:
        return RowScope(district=district)
    if base.district is not None and base.district != district:
        raise Forbidden(
            "您只能查看本区县的月度通报。",
            "You may only see the monthly report of your own district.",
            detail=f"asked {district}, reach {base.district}",
        )
    return RowScope(district=district, department=base.department)


def parse_month(value: str | None, today: date) -> Period:
    """``YYYY-MM`` as the whole month (default: the last whole month); a month after this one is refused."""
    if not value:
        return last_whole_month(today)
    m = _MONTH.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise ValidationError("月份格式应为 YYYY-MM。", "The month is YYYY-MM.", field="month")
    first = date(int(m.group(1)), int(m.group(2)), 1)
    if first > today.replace(day=1):
        raise ValidationError("不能生成未来月份的通报。", "That month has not begun yet.", field="month")
    return month_period(first)


def month_period(first: date) -> Period:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, nxt - timedelta(days=1))


def last_whole_month(today: date) -> Period:
    return month_period((today.replace(day=1) - timedelta(days=1)).replace(day=1))


def previous_month(period: Period) -> Period:
    return month_period((period.start - timedelta(days=1)).replace(day=1))
