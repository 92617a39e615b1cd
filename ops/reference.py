"""Reference data edited by administrators (/admin/reference, ``guiyang-ops reference``): a 小类's rule (names,
time limit and unit, default department, reward points, public and active flags), a responsibility row (小类 ×
district → department), a holiday-calendar day and a department's names (a new department is added at once), each
**effective from a date** and kept with its history
(:mod:`db.models.reference_history` says why that shape).

Every change: checked first (what needs no database, then what does); appended to the history inside a savepoint
with the coverage check (every active 小类 still reaches a department in every district with grids, on the date
and on every later date a scheduled change takes effect): a refusal rolls the savepoint back and leaves the
database as it was; the current view is refreshed at once when the change holds from today; one
``reference_edit`` audit row (table, key, effective date, before and after) in the same transaction. Functions
never commit: the caller owns the transaction.

Effective dates run from today (Beijing) to :data:`MAX_AHEAD_DAYS` ahead: a rule never changes in the past, so
every case keeps the rules in force on the day it was reported (its time limit and unit, its holiday calendar,
its routing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from db import reference_rules as rules
from db.errors import ValidationError
from db.models.reference import TIME_UNITS
from db.models.reference_history import HOLIDAY_RULE_KINDS
from ops.audit import record

TZ = ZoneInfo("Asia/Shanghai")
#: how far ahead a change may be scheduled
MAX_AHEAD_DAYS = 3 * 366
MAX_TIME_LIMIT = 10_000
MAX_POINTS = 1_000
NAME_LIMITS = {"name_zh": 40, "name_en": 80}
UNIT_LABELS = {
    "natural_hours": ("自然小时", "calendar hours"),
    "working_hours": ("工作小时", "working hours"),
    "working_days": ("工作日", "working days"),
}


@dataclass(frozen=True, slots=True)
class Editor:
    """Who changes reference data (for the history and the audit log)."""

    user_id: int | None
    username: str | None
    client: str | None = None


def today_in_beijing(now: datetime | None = None) -> date:
    return (now or datetime.now(TZ)).astimezone(TZ).date()


def _refuse(zh: str, en: str, field: str, detail: str = "") -> ValidationError:
    return ValidationError(zh, en, field=field, detail=detail)


def check_effective(value: object, today: date) -> date:
    """A sane effective date: a date (or ISO ``YYYY-MM-DD``) from today to :data:`MAX_AHEAD_DAYS` ahead."""
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise _refuse(
            "生效日期须为 YYYY-MM-DD 格式的日期。",
            "The effective date must be a date, YYYY-MM-DD.",
            "effective",
        )
    if day < today:
        raise _refuse(
            f"生效日期 {day} 早于今天（{today}）：规则不能追溯修改，已有案件按原规则办理。",
            f"The effective date {day} is before today ({today}): rules never change in the past; "
            "existing cases keep the rules they were judged by.",
            "effective",
        )
    if day > today + timedelta(days=MAX_AHEAD_DAYS):
        raise _refuse(
            f"生效日期 {day} 太远（最多提前三年）。",
            f"The effective date {day} is too far ahead (at most three years).",
            "effective",
        )
    return day


def _in_savepoint(conn: Connection, work: Any, effective: date) -> Any:
    """Run ``work()`` (the appends) and the coverage check in a savepoint: refused → nothing written."""
    with conn.begin_nested() as sp:
        out = work()
        gaps = rules.coverage_gaps(conn, effective)
        if gaps:
            sp.rollback()
            g = gaps[0]
            more_zh = f"（另有 {len(gaps) - 1} 处）" if len(gaps) > 1 else ""
            more_en = f" ({len(gaps) - 1} more)" if len(gaps) > 1 else ""
            raise _refuse(
                f"自 {g.day} 起，小类 {g.category} {g.category_zh} 在 {g.district_zh}（{g.district}）"
                f"没有责任部门{more_zh}。请先为该区指定部门或保留全市默认部门。",
                f"From {g.day}, 小类 {g.category} ({g.category_en}) would reach no department in "
                f"{g.district_en} ({g.district}){more_en}. Give that district a department or keep a city-wide "
                "default first.",
                "coverage",
                detail=f"gaps={[(x.day.isoformat(), x.category, x.district) for x in gaps]}",
            )
    return out


def _finish(conn: Connection, editor: Editor, effective: date, today: date, detail: dict[str, Any]) -> None:
    if effective <= today:
        rules.apply(conn, today)
    record(
        conn,
        "reference_edit",
        user_id=editor.user_id,
        username=editor.username,
        client=editor.client,
        detail={**detail, "effective": effective.isoformat()},
    )


def _department(conn: Connection, code: object, field: str) -> str | None:
    if code is None or (isinstance(code, str) and not code.strip()):
        return None
    if (
        not isinstance(code, str)
        or conn.execute(text("SELECT 1 FROM department WHERE code = :c"), {"c": code.strip()}).first() is None
    ):
        raise _refuse(f"没有部门 {code}。", f"No department {code}.", field)
    return code.strip()


# --- 小类 -------------------------------------------------------------------------------------------------------


def _category_values(conn: Connection, base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(rules.CATEGORY_FIELDS)
    if unknown:
        raise _refuse("未知字段。", f"Unknown field(s): {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    out = {**base, **changes}
    for f, limit in NAME_LIMITS.items():
        v = out[f]
        if not isinstance(v, str) or not v.strip() or len(v.strip()) > limit:
            raise _refuse(
                f"名称不能为空，且不超过 {limit} 个字符。", f"The name must be 1–{limit} characters.", f
            )
        out[f] = v.strip()
    lim = out["time_limit"]
    if isinstance(lim, bool) or not isinstance(lim, int | float) or not math.isfinite(lim) or lim <= 0:
        raise _refuse("处置时限须为大于 0 的数。", "The time limit must be a number above 0.", "time_limit")
    if lim > MAX_TIME_LIMIT or round(lim, 2) != lim:
        raise _refuse(
            f"处置时限不超过 {MAX_TIME_LIMIT}，最多两位小数。",
            f"The time limit is at most {MAX_TIME_LIMIT}, with at most two decimals.",
            "time_limit",
        )
    out["time_limit"] = float(lim)
    if out["time_unit"] not in TIME_UNITS:
        raise _refuse(
            "时限单位须为：自然小时、工作小时或工作日。",
            "The time unit must be calendar hours, working hours or working days.",
            "time_unit",
        )
    pts = out["points"]
    if isinstance(pts, bool) or not isinstance(pts, int) or not 0 <= pts <= MAX_POINTS:
        raise _refuse(
            f"奖励积分须为 0–{MAX_POINTS} 的整数。",
            f"Reward points: a whole number 0–{MAX_POINTS}.",
            "points",
        )
    for f in ("public", "active"):
        if not isinstance(out[f], bool):
            raise _refuse("须为是或否。", "Must be yes or no.", f)
    out["default_department_code"] = _department(
        conn, out["default_department_code"], "default_department_code"
    )
    return out


def change_category(
    conn: Connection,
    editor: Editor,
    code: str,
    effective: object,
    changes: dict[str, Any],
    *,
    today: date | None = None,
) -> int:
    """Change a 小类's rule from ``effective`` on (``changes``: a subset of
    :data:`db.reference_rules.CATEGORY_FIELDS`); returns the history row's id."""
    today = today or today_in_beijing()
    day = check_effective(effective, today)
    before = rules.category_at(conn, code, day) if isinstance(code, str) else None
    if before is None:
        raise _refuse(f"没有小类 {code}。", f"No 小类 {code}.", "code")
    after = _category_values(conn, before, changes)
    if after == before:
        raise _refuse(
            f"与 {day} 起生效的规则相同，没有要保存的更改。",
            f"Nothing to save: this is already the rule from {day}.",
            "changes",
        )
    rid = _in_savepoint(conn, lambda: rules.add_category_rule(conn, code, day, after, editor.user_id), day)
    diff = [f for f in rules.CATEGORY_FIELDS if before[f] != after[f]]
    _finish(
        conn,
        editor,
        day,
        today,
        {
            "table": "category",
            "key": code,
            "before": {f: before[f] for f in diff},
            "after": {f: after[f] for f in diff},
        },
    )
    return rid


# --- responsibility ---------------------------------------------------------------------------------------------


def set_responsibility(
    conn: Connection,
    editor: Editor,
    category: str,
    district: str | None,
    department: str | None,
    effective: object,
    *,
    today: date | None = None,
) -> int:
    """From ``effective`` on, 小类 × district (None: city-wide) goes to ``department`` (None: the row ends, the
    city-wide row or the 小类's default department answer)."""
    today = today or today_in_beijing()
    day = check_effective(effective, today)
    if not isinstance(category, str) or rules.category_at(conn, category, day) is None:
        raise _refuse(f"没有小类 {category}。", f"No 小类 {category}.", "category")
    district = district.strip() if isinstance(district, str) and district.strip() else None
    if (
        district is not None
        and conn.execute(text("SELECT 1 FROM district WHERE code = :d AND has_grid"), {"d": district}).first()
        is None
    ):
        raise _refuse(f"没有设网格的辖区 {district}。", f"No district with grids {district}.", "district")
    dep = _department(conn, department, "department")
    before = rules.responsibility_at(conn, category, district, day)
    if before == dep:
        raise _refuse(
            f"与 {day} 起生效的责任划分相同，没有要保存的更改。",
            f"Nothing to save: this is already the responsibility from {day}.",
            "department",
        )
    rid = _in_savepoint(
        conn, lambda: rules.add_responsibility_rule(conn, category, district, dep, day, editor.user_id), day
    )
    key = f"{category}×{district or 'city'}"
    _finish(
        conn,
        editor,
        day,
        today,
        {
            "table": "responsibility",
            "key": key,
            "before": {"department": before},
            "after": {"department": dep},
        },
    )
    return rid


# --- holidays ---------------------------------------------------------------------------------------------------


def set_holiday(
    conn: Connection,
    editor: Editor,
    day: object,
    kind: str,
    name_zh: str | None,
    name_en: str | None,
    effective: object,
    *,
    today: date | None = None,
) -> int:
    """From ``effective`` on, ``day`` is a public holiday (``holiday``, 法定节假日), a make-up working day
    (``workday``, 调休上班) or an ordinary day (``none``: the entry is removed). Deadlines of cases reported
    from ``effective`` on count with it."""
    today = today or today_in_beijing()
    eff = check_effective(effective, today)
    try:
        d = day if isinstance(day, date) else date.fromisoformat(str(day).strip())
    except ValueError:
        raise _refuse("日期须为 YYYY-MM-DD。", "The day must be a date, YYYY-MM-DD.", "day") from None
    if not today.year - 1 <= d.year <= today.year + 3:
        raise _refuse(
            f"日期 {d} 不在可编辑的年份内（{today.year - 1}–{today.year + 3}）。",
            f"The day {d} is outside the years that may be edited ({today.year - 1}–{today.year + 3}).",
            "day",
        )
    if kind not in HOLIDAY_RULE_KINDS:
        raise _refuse(
            "类型须为法定节假日、调休上班或普通日。", "Kind: holiday, make-up workday or none.", "kind"
        )
    zh = (name_zh or "").strip()
    en = (name_en or "").strip()
    if kind != "none" and (not zh or not en):
        raise _refuse(
            "请填写中英文名称。",
            "Give the name in Chinese and in English.",
            "name_zh" if not zh else "name_en",
        )
    if len(zh) > NAME_LIMITS["name_zh"] or len(en) > NAME_LIMITS["name_en"]:
        raise _refuse("名称过长。", "The name is too long.", "name_zh")
    if kind == "workday" and d.weekday() < 5:
        raise _refuse(
            f"{d} 是工作日（周一至周五），调休上班日须为周末。",
            f"{d} is a weekday already; a make-up working day falls on a weekend.",
            "kind",
        )
    before = rules.holiday_at(conn, d, eff)
    if before["kind"] == kind and (kind == "none" or (before["name_zh"], before["name_en"]) == (zh, en)):
        raise _refuse(
            f"{d} 自 {eff} 起已是这样，没有要保存的更改。",
            f"Nothing to save: {d} is already so from {eff}.",
            "kind",
        )
    rid = _in_savepoint(conn, lambda: rules.add_holiday_rule(conn, d, kind, zh, en, eff, editor.user_id), eff)
    _finish(
        conn,
        editor,
        eff,
        today,
        {
            "table": "holiday",
            "key": d.isoformat(),
            "before": {"kind": before["kind"], "name_zh": before["name_zh"]},
            "after": {"kind": kind, "name_zh": zh},
        },
    )
    return rid


def apply_due(conn: Connection, today: date | None = None) -> int:
    """Bring the current view up to the rules in force today (scheduled changes whose day has come)."""
    return rules.apply(conn, today or today_in_beijing())
