"""Departments edited by administrators (/admin/reference): a department's names (full and short, both
languages) from a date, kept with their history, and a new department added at once (cases reach it only through
responsibility rows, whose own dates govern). Checked, appended and audited like :mod:`ops.reference`."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from db import reference_rules as rules
from db.models.reference import DEPARTMENT_TYPES
from ops.reference import Editor, _finish, _refuse, check_effective, today_in_beijing

# --- departments ------------------------------------------------------------------------------------------------

DEPARTMENT_LIMITS = {"name_zh": 80, "name_en": 160, "short_name_zh": 40, "short_name_en": 80}
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,23}$")


def _department_values(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(rules.DEPARTMENT_FIELDS)
    if unknown:
        raise _refuse("未知字段。", f"Unknown field(s): {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    out = {**base, **changes}
    for f, limit in DEPARTMENT_LIMITS.items():
        v = out[f]
        v = v.strip() if isinstance(v, str) else v
        if f.startswith("short") and not v:
            out[f] = None
            continue
        if not isinstance(v, str) or not v or len(v) > limit:
            raise _refuse(
                f"名称不能为空，且不超过 {limit} 个字符。", f"The name must be 1–{limit} characters.", f
            )
        out[f] = v
    return out


def change_department(
    conn: Connection,
    editor: Editor,
    code: str,
    effective: object,
    changes: dict[str, Any],
    *,
    today: date | None = None,
) -> int:
    """Rename a department from ``effective`` on (``changes``: a subset of
    :data:`db.reference_rules.DEPARTMENT_FIELDS`)."""
    today = today or today_in_beijing()
    day = check_effective(effective, today)
    before = rules.department_at(conn, code, day) if isinstance(code, str) else None
    if before is None:
        raise _refuse(f"没有部门 {code}。", f"No department {code}.", "code")
    after = _department_values(before, changes)
    if after == before:
        raise _refuse(
            f"与 {day} 起生效的名称相同，没有要保存的更改。",
            f"Nothing to save: these are the names from {day}.",
            "changes",
        )
    rid = rules.add_department_rule(conn, code, day, after, editor.user_id)
    diff = [f for f in rules.DEPARTMENT_FIELDS if before[f] != after[f]]
    _finish(
        conn,
        editor,
        day,
        today,
        {
            "table": "department",
            "key": code,
            "before": {f: before[f] for f in diff},
            "after": {f: after[f] for f in diff},
        },
    )
    return rid


def add_department(
    conn: Connection,
    editor: Editor,
    code: str,
    dtype: str,
    district: str | None,
    values: dict[str, Any],
    *,
    today: date | None = None,
) -> None:
    """A new department, usable at once (cases reach it only through responsibility rows, with their own dates).
    Codes are unique: upper-case letters, digits and '-', 2–24 characters (district units ``<adcode>-XXX``)."""
    today = today or today_in_beijing()
    code = code.strip().upper() if isinstance(code, str) else ""
    if not CODE_PATTERN.match(code):
        raise _refuse(
            "部门编码须为 2–24 位大写字母、数字或“-”。",
            "A department code is 2–24 upper-case letters, digits or '-'.",
            "code",
        )
    if conn.execute(text("SELECT 1 FROM department WHERE code = :c"), {"c": code}).first() is not None:
        raise _refuse(f"部门编码 {code} 已存在。", f"The department code {code} is taken.", "code")
    if dtype not in DEPARTMENT_TYPES:
        raise _refuse("请选择部门类型。", "Choose the department's type.", "type")
    district = district.strip() if isinstance(district, str) and district.strip() else None
    if (dtype == "district_bureau") != (district is not None):
        raise _refuse(
            "区县部门须选择所属辖区，其他部门不选。",
            "A district bureau needs its district; other departments have none.",
            "district",
        )
    if (
        district is not None
        and conn.execute(text("SELECT 1 FROM district WHERE code = :d"), {"d": district}).first() is None
    ):
        raise _refuse(f"没有辖区 {district}。", f"No district {district}.", "district")
    names = _department_values(dict.fromkeys(rules.DEPARTMENT_FIELDS), values)
    rules.create_department(conn, code, names, dtype, district)
    rules.add_department_rule(conn, code, today, names, editor.user_id)
    _finish(
        conn,
        editor,
        today,
        today,
        {
            "table": "department",
            "key": code,
            "before": None,
            "after": {**names, "type": dtype, "district": district},
        },
    )
