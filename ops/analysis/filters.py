"""What every analysis is asked about: a period of whole days ending now, a category (a 大类 or a 小类 code, or
every category) and a district (or the whole scope). One parser for the page's store and the command line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from db.errors import ValidationError

MAX_DAYS = 365
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


@dataclass(frozen=True, slots=True)
class Filters:
    days: int = 30
    category: str | None = None
    district: str | None = None

    def since(self, now: datetime) -> datetime:
        """The period's start: ``days`` × 24 h before ``now``."""
        return now - timedelta(days=self.days)

    def category_sql(self, column: str = "c.category_code") -> str:
        """A boolean SQL expression: the row's 小类 is the chosen category or one of its 小类 (``:an_category``)."""
        if self.category is None:
            return "TRUE"
        subs = "SELECT code FROM category WHERE parent_code = :an_category"
        return f"({column} = :an_category OR {column} IN ({subs}))"  # nosec B608 # column names from code

    def district_sql(self, column: str = "c.district_code") -> str:
        return "TRUE" if self.district is None else f"{column} = :an_filter_district"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.category is not None:
            out["an_category"] = self.category
        if self.district is not None:
            out["an_filter_district"] = self.district
        return out


def parse_filters(data: Any) -> Filters:
    """The page's ``{"days", "category", "district"}`` (or the CLI's) as :class:`Filters`; refuses nonsense."""
    if not isinstance(data, dict):
        return Filters()
    try:
        raw = data.get("days")
        days = 30 if raw is None or raw == "" else int(raw)
    except (TypeError, ValueError):
        raise ValidationError("时段应为天数。", "The period is a number of days.", field="days") from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            f"时段应在 1–{MAX_DAYS} 天之间。", f"The period is 1–{MAX_DAYS} days.", field="days"
        )
    codes = []
    for key in ("category", "district"):
        value = data.get(key) or None
        if value is not None and (not isinstance(value, str) or not _CODE.match(value)):
            raise ValidationError("筛选条件无效。", "Invalid filter.", field=key, detail=repr(value)[:80])
        codes.append(value)
    return Filters(days=days, category=codes[0], district=codes[1])
