"""Reads and appends of the reference data's history (``category_rule``, ``responsibility_rule``,
``holiday_rule``; why this shape: :mod:`db.models.reference_history`). The rules the app applies live here
once: which version holds on a date, the SQL fragment the workflow joins to pin a case's time limit to its
report date, the coverage check (every active 小类 reaches a department in every district with grids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

#: The date of a key's baseline row: "since the start" (the values it had before its first edit).
BASELINE = date(1970, 1, 1)
#: a 小类's editable fields, in the history's column order
CATEGORY_FIELDS: tuple[str, ...] = (
    "name_zh",
    "name_en",
    "default_department_code",
    "time_limit",
    "time_unit",
    "points",
    "public",
    "active",
)


def local_date(expr: str) -> str:
    """SQL: the Beijing date of a timestamptz expression (code, never input)."""
    return f"(({expr}) AT TIME ZONE 'Asia/Shanghai')::date"


#: LEFT JOIN LATERAL giving ``crule.time_limit, crule.time_unit``: the 小类's rule on the report date of case
#: ``c`` (NULL for a 小类 never edited: then ``category``'s columns hold). One index probe.
CATEGORY_AT_CASE = (
    "LEFT JOIN LATERAL (SELECT r.time_limit, r.time_unit FROM category_rule r "  # nosec B608 # SQL from constant fragments; values are bound parameters
    "WHERE r.category_code = c.category_code AND r.valid_from <= " + local_date("c.created_at") + " "
    "ORDER BY r.valid_from DESC, r.id DESC LIMIT 1) crule ON true"
)


def holiday_stamp_sql(date_expr: str) -> str:
    """SQL scalar: what identifies the history rows in force on ``date_expr`` (append-only: their count and
    last id). Combined with :data:`db.calendar_repo.STAMP_SQL` it keys the calendar of that date."""
    return (
        "(SELECT count(*)::text || '.' || coalesce(max(id), 0)::text FROM holiday_rule "  # nosec B608 # SQL from constant fragments; values are bound parameters
        f"WHERE valid_from <= {date_expr})"
    )


#: The calendar's days on :d: the current view's days never edited, and the history's rows in force on :d.
HOLIDAYS_AT = text(
    "SELECT day, kind FROM holiday h WHERE NOT EXISTS (SELECT 1 FROM holiday_rule r WHERE r.day = h.day) "
    "UNION ALL SELECT day, kind FROM (SELECT DISTINCT ON (day) day, kind FROM holiday_rule "
    "WHERE valid_from <= :d ORDER BY day, valid_from DESC, id DESC) x WHERE kind <> 'none'"
)


# --- one key on a date ------------------------------------------------------------------------------------------

_CAT_AT = text(
    "SELECT name_zh, name_en, default_department_code, time_limit, time_unit, points, public, active "
    "FROM category_rule WHERE category_code = :c AND valid_from <= :d ORDER BY valid_from DESC, id DESC LIMIT 1"
)
_CAT_NOW = text(
    "SELECT name_zh, name_en, default_department_code, time_limit, time_unit, points, public, active "
    "FROM category WHERE code = :c AND level = 2"
)


def category_at(conn: Connection, code: str, day: date) -> dict[str, Any] | None:
    """A 小类's editable fields in force on ``day`` (None: no such 小类)."""
    row = conn.execute(_CAT_AT, {"c": code, "d": day}).first() or conn.execute(_CAT_NOW, {"c": code}).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["time_limit"] = float(out["time_limit"])
    return out


def responsibility_at(conn: Connection, category: str, district: str | None, day: date) -> str | None:
    """The department of the responsibility row (小类, district or None: city-wide) on ``day`` (None: no row)."""
    row = conn.execute(
        text(
            "SELECT department_code FROM responsibility_rule WHERE category_code = :c "
            "AND district_code IS NOT DISTINCT FROM CAST(:d AS varchar) AND valid_from <= :day "
            "ORDER BY valid_from DESC, id DESC LIMIT 1"
        ),
        {"c": category, "d": district, "day": day},
    ).first()
    if row is not None:
        return row.department_code
    return conn.execute(
        text(
            "SELECT department_code FROM responsibility WHERE category_code = :c "
            "AND district_code IS NOT DISTINCT FROM CAST(:d AS varchar)"
        ),
        {"c": category, "d": district},
    ).scalar()


def responsible(conn: Connection, category: str, district: str | None, day: date) -> str | None:
    """The department a 小类 reaches in a district on ``day`` (``gy_responsible``: row, city-wide, default)."""
    return conn.execute(
        text("SELECT gy_responsible(:c, :d, :day)"), {"c": category, "d": district, "day": day}
    ).scalar()


def holiday_at(conn: Connection, day: date, on: date) -> dict[str, Any]:
    """What ``day`` is on date ``on``: ``{"kind": holiday|workday|none, "name_zh", "name_en"}``."""
    row = conn.execute(
        text(
            "SELECT kind, name_zh, name_en FROM holiday_rule WHERE day = :day AND valid_from <= :on "
            "ORDER BY valid_from DESC, id DESC LIMIT 1"
        ),
        {"day": day, "on": on},
    ).first()
    if row is None:
        row = conn.execute(
            text("SELECT kind, name_zh, name_en FROM holiday WHERE day = :day"), {"day": day}
        ).first()
    return dict(row._mapping) if row is not None else {"kind": "none", "name_zh": "", "name_en": ""}


# --- appends ----------------------------------------------------------------------------------------------------


def _has_history(conn: Connection, sql: str, params: dict[str, Any]) -> bool:
    return conn.execute(text(sql), params).first() is not None


def add_category_rule(
    conn: Connection, code: str, valid_from: date, values: dict[str, Any], user_id: int | None
) -> int:
    """Append a version of a 小类 (the baseline first, at its first edit); returns the new row's id."""
    if not _has_history(conn, "SELECT 1 FROM category_rule WHERE category_code = :c LIMIT 1", {"c": code}):
        conn.execute(
            text(
                f"INSERT INTO category_rule (category_code, valid_from, {', '.join(CATEGORY_FIELDS)}) "  # nosec B608 # column names are constants
                f"SELECT code, :b, {', '.join(CATEGORY_FIELDS)} FROM category WHERE code = :c"
            ),
            {"c": code, "b": BASELINE},
        )
    cols = ", ".join(CATEGORY_FIELDS)
    binds = ", ".join(f":{f}" for f in CATEGORY_FIELDS)
    return int(
        conn.execute(
            text(
                f"INSERT INTO category_rule (category_code, valid_from, recorded_by, {cols}) "  # nosec B608 # column names are constants
                f"VALUES (:c, :vf, :uid, {binds}) RETURNING id"
            ),
            {"c": code, "vf": valid_from, "uid": user_id, **{f: values[f] for f in CATEGORY_FIELDS}},
        ).scalar_one()
    )


def add_responsibility_rule(
    conn: Connection,
    category: str,
    district: str | None,
    department: str | None,
    valid_from: date,
    user_id: int | None,
) -> int:
    key = {"c": category, "d": district}
    where = "category_code = :c AND district_code IS NOT DISTINCT FROM CAST(:d AS varchar)"
    if not _has_history(conn, f"SELECT 1 FROM responsibility_rule WHERE {where} LIMIT 1", key):  # nosec B608 # constant
        conn.execute(
            text(
                "INSERT INTO responsibility_rule (category_code, district_code, department_code, valid_from) "  # nosec B608 # SQL from constant fragments; values are bound parameters
                "VALUES (CAST(:c AS varchar), CAST(:d AS varchar), (SELECT department_code FROM responsibility "
                "WHERE " + where.replace(":c", "CAST(:c AS varchar)") + "), :b)"
            ),
            {**key, "b": BASELINE},
        )
    return int(
        conn.execute(
            text(
                "INSERT INTO responsibility_rule (category_code, district_code, department_code, valid_from, "
                "recorded_by) VALUES (:c, :d, :dep, :vf, :uid) RETURNING id"
            ),
            {**key, "dep": department, "vf": valid_from, "uid": user_id},
        ).scalar_one()
    )


def add_holiday_rule(
    conn: Connection, day: date, kind: str, name_zh: str, name_en: str, valid_from: date, user_id: int | None
) -> int:
    if not _has_history(conn, "SELECT 1 FROM holiday_rule WHERE day = :day LIMIT 1", {"day": day}):
        base = holiday_at(conn, day, BASELINE)
        conn.execute(
            text(
                "INSERT INTO holiday_rule (day, kind, name_zh, name_en, valid_from) "
                "VALUES (:day, :k, :zh, :en, :b)"
            ),
            {"day": day, "k": base["kind"], "zh": base["name_zh"], "en": base["name_en"], "b": BASELINE},
        )
    return int(
        conn.execute(
            text(
                "INSERT INTO holiday_rule (day, kind, name_zh, name_en, valid_from, recorded_by) "
                "VALUES (:day, :k, :zh, :en, :vf, :uid) RETURNING id"
            ),
            {"day": day, "k": kind, "zh": name_zh, "en": name_en, "vf": valid_from, "uid": user_id},
        ).scalar_one()
    )


def apply(conn: Connection, day: date) -> int:
    """Make the current view equal to the rules in force on ``day``; how many rows changed."""
    return int(conn.execute(text("SELECT gy_reference_apply(:d)"), {"d": day}).scalar_one())


# --- validation -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gap:
    """An active 小类 that reaches no department in a district with grids, from ``day``."""

    day: date
    category: str
    category_zh: str
    category_en: str
    district: str
    district_zh: str
    district_en: str


_GAPS = text(
    """
    WITH cats AS (
        SELECT c.code, coalesce(r.name_zh, c.name_zh) AS name_zh, coalesce(r.name_en, c.name_en) AS name_en,
               coalesce(r.active, c.active) AS active
          FROM category c
          LEFT JOIN LATERAL (SELECT name_zh, name_en, active FROM category_rule x
                              WHERE x.category_code = c.code AND x.valid_from <= :d
                              ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) r ON true
         WHERE c.level = 2)
    SELECT cats.code, cats.name_zh, cats.name_en, d.code AS district, d.name_zh AS district_zh,
           d.name_en AS district_en
      FROM cats CROSS JOIN district d
     WHERE cats.active AND d.has_grid AND gy_responsible(cats.code, d.code, :d) IS NULL
     ORDER BY cats.code, d.code LIMIT 20
    """
)


def coverage_gaps(conn: Connection, since: date) -> list[Gap]:
    """Gaps on ``since`` and on every later date a scheduled change takes effect (the first date that has
    any; at most 20 of them)."""
    dates = [since] + [
        r[0]
        for r in conn.execute(
            text(
                "SELECT valid_from FROM category_rule WHERE valid_from > :d UNION "
                "SELECT valid_from FROM responsibility_rule WHERE valid_from > :d ORDER BY 1"
            ),
            {"d": since},
        )
    ]
    for day in dates:
        rows = conn.execute(_GAPS, {"d": day}).all()
        if rows:
            return [Gap(day, *r) for r in rows]
    return []


# --- departments ------------------------------------------------------------------------------------------------

DEPARTMENT_FIELDS: tuple[str, ...] = ("name_zh", "name_en", "short_name_zh", "short_name_en")


def department_at(conn: Connection, code: str, day: date) -> dict[str, Any] | None:
    """A department's names in force on ``day`` (None: no such department)."""
    row = (
        conn.execute(
            text(
                "SELECT name_zh, name_en, short_name_zh, short_name_en FROM department_rule WHERE department_code = :c "
                "AND valid_from <= :d ORDER BY valid_from DESC, id DESC LIMIT 1"
            ),
            {"c": code, "d": day},
        ).first()
        or conn.execute(
            text("SELECT name_zh, name_en, short_name_zh, short_name_en FROM department WHERE code = :c"),
            {"c": code},
        ).first()
    )
    return dict(row._mapping) if row is not None else None


def add_department_rule(
    conn: Connection, code: str, valid_from: date, values: dict[str, Any], user_id: int | None
) -> int:
    """Append a version of a department's names (the baseline first, at its first edit)."""
    cols = ", ".join(DEPARTMENT_FIELDS)
    if not _has_history(
        conn, "SELECT 1 FROM department_rule WHERE department_code = :c LIMIT 1", {"c": code}
    ):
        conn.execute(
            text(
                f"INSERT INTO department_rule (department_code, valid_from, {cols}) "  # nosec B608 # constant columns
                f"SELECT code, :b, {cols} FROM department WHERE code = :c"
            ),
            {"c": code, "b": BASELINE},
        )
    binds = ", ".join(f":{f}" for f in DEPARTMENT_FIELDS)
    return int(
        conn.execute(
            text(
                f"INSERT INTO department_rule (department_code, valid_from, recorded_by, {cols}) "  # nosec B608 # constant columns
                f"VALUES (:c, :vf, :uid, {binds}) RETURNING id"
            ),
            {"c": code, "vf": valid_from, "uid": user_id, **{f: values[f] for f in DEPARTMENT_FIELDS}},
        ).scalar_one()
    )


def create_department(
    conn: Connection, code: str, values: dict[str, Any], dtype: str, district: str | None
) -> None:
    """A new department, at once (``gy_department_add``, the owner's: the app role may not write reference data)."""
    conn.execute(
        text("SELECT gy_department_add(:c, :zh, :en, :t, :d, :szh, :sen)"),
        {
            "c": code,
            "zh": values["name_zh"],
            "en": values["name_en"],
            "t": dtype,
            "d": district,
            "szh": values["short_name_zh"],
            "sen": values["short_name_en"],
        },
    )
