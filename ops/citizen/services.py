"""The catalog as Open311 services: every active 小类 is a service, its 大类 the group, its questions (Open311
attributes) the service definition; and the check of a report's answers against those questions."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError

MAX_STRING = 500
MAX_TEXT = 4000
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name_zh: str
    name_en: str
    group_zh: str | None
    group_en: str | None
    kind: str
    keywords: tuple[str, ...]
    description: str | None
    questions: tuple[dict[str, Any], ...]


_COLUMNS = (
    "c.code, c.name_zh, c.name_en, g.name_zh AS group_zh, g.name_en AS group_en, c.kind, c.keywords, "
    "c.file_condition AS description, c.questions"
)
_FROM = "FROM category c LEFT JOIN category g ON g.code = c.parent_code WHERE c.level = 2 AND c.active"


def _service(row: Any) -> Service:
    return Service(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        group_zh=row.group_zh,
        group_en=row.group_en,
        kind=row.kind,
        keywords=tuple(row.keywords or ()),
        description=row.description,
        questions=tuple(q for q in (row.questions or ()) if isinstance(q, dict)),
    )


def list_services(conn: Connection) -> list[Service]:
    rows = conn.execute(text(f"SELECT {_COLUMNS} {_FROM} ORDER BY c.code")).all()
    return [_service(r) for r in rows]


def not_found(code: object) -> NotFound:
    return NotFound(
        f"没有服务代码为 {code} 的服务。", f"service_code {code} was not found.", field="service_code"
    )


def get_service(conn: Connection, code: str) -> Service:
    row = conn.execute(text(f"SELECT {_COLUMNS} {_FROM} AND c.code = :code"), {"code": code}).first()
    if row is None:
        raise not_found(code)
    return _service(row)


def service_questions(conn: Connection, code: str) -> tuple[dict[str, Any], ...]:
    """The questions of an active 小类; :class:`NotFound` (Open311: 404) for any other code."""
    if not isinstance(code, str) or not code.strip():
        raise ValidationError("未提供 service_code。", "service_code was not provided.", field="service_code")
    row = conn.execute(
        text("SELECT questions FROM category WHERE code = :c AND level = 2 AND active"), {"c": code.strip()}
    ).first()
    if row is None:
        raise not_found(code)
    return tuple(q for q in (row.questions or ()) if isinstance(q, dict))


def _bad(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"属性 {code}：{zh}", f"attribute {code}: {en}", field=f"attribute[{code}]")


def _one(code: str, values: Sequence[str]) -> str:
    if len(values) != 1:
        raise _bad(code, "只能有一个值。", "takes exactly one value.")
    return values[0]


def _answer(q: Mapping[str, Any], values: Sequence[str]) -> Any:
    code, datatype = str(q["code"]), str(q.get("datatype", "string"))
    keys = [str(v.get("key")) for v in q.get("values") or () if isinstance(v, dict)]
    if datatype in ("string", "text"):
        value = _one(code, values)
        limit = MAX_STRING if datatype == "string" else MAX_TEXT
        if len(value) > limit or "\x00" in value:
            raise _bad(code, f"最多 {limit} 个字符。", f"at most {limit} characters.")
        return value
    if datatype == "number":
        try:
            number = float(_one(code, values))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _bad(code, "须为数字。", "must be a number.")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if datatype == "datetime":
        try:
            return datetime.fromisoformat(_one(code, values)).isoformat()
        except ValueError as exc:
            raise _bad(code, "须为 ISO 8601 日期时间。", "must be an ISO 8601 date-time.") from exc
    if datatype == "singlevaluelist":
        value = _one(code, values)
        if value not in keys:
            raise _bad(code, f"须为以下之一：{', '.join(keys)}。", f"must be one of {', '.join(keys)}.")
        return value
    chosen: list[str] = []
    for value in values:
        if value not in keys:
            raise _bad(code, f"须为以下之一：{', '.join(keys)}。", f"must be among {', '.join(keys)}.")
        if value not in chosen:
            chosen.append(value)
    return chosen


def check_attributes(
    questions: Sequence[Mapping[str, Any]], submitted: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """The answers to the service's questions, typed; unknown codes are ignored. A required question without
    an answer, or an answer of the wrong type or outside the list, is a :class:`ValidationError` (400)."""
    answers: dict[str, Any] = {}
    for q in questions:
        code = str(q.get("code"))
        values = [v.strip() for v in submitted.get(code, ()) if isinstance(v, str) and v.strip()]
        if not values:
            if q.get("required"):
                raise ValidationError(
                    f"必填属性 {code}（{q.get('name_zh', code)}）未提供。",
                    f"required attribute {code} ({q.get('name_en', code)}) was not provided.",
                    field=f"attribute[{code}]",
                )
            continue
        answers[code] = _answer(q, values)
    return answers
