"""Citizens behind API reports: the reporter's identity lands in ``person`` (personal data, PIPL), never in a
public answer. A client's ``account_id`` is the account of its (real-name registered) app user: a person with
an account is registered, earns points and receives verification tasks near the home they give."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, text

from db.errors import Forbidden, ValidationError

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,30}$")
MAX_ACCOUNT = 64
MAX_NAME_PART = 40
MAX_EMAIL = 160
MAX_DEVICE = 64


@dataclass(frozen=True, slots=True)
class ReporterIdentity:
    """Optional identity of a reporter, as Open311 names it."""

    account_id: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None

    @property
    def has_contact(self) -> bool:
        return any((self.email, self.phone, self.first_name, self.last_name))


def _opt(value: str | None, *, field: str, limit: int, zh: str, en: str) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if len(cleaned) > limit or not cleaned.isprintable():
        raise ValidationError(
            f"{zh}最多 {limit} 个可打印字符。",
            f"The {en} must be at most {limit} printable characters.",
            field=field,
        )
    return cleaned


def clean_identity(identity: ReporterIdentity) -> ReporterIdentity:
    """Validated and trimmed identity; :class:`ValidationError` names the bad field."""
    account = _opt(identity.account_id, field="account_id", limit=MAX_ACCOUNT, zh="账号", en="account_id")
    if account is not None and any(c.isspace() for c in account):
        raise ValidationError(
            "账号不能含空白字符。", "account_id may not contain spaces.", field="account_id"
        )
    email = _opt(identity.email, field="email", limit=MAX_EMAIL, zh="电子邮箱", en="email")
    if email is not None and not _EMAIL.match(email):
        raise ValidationError("电子邮箱格式不正确。", "The email address is not valid.", field="email")
    phone = _opt(identity.phone, field="phone", limit=32, zh="电话", en="phone")
    if phone is not None and not _PHONE.match(phone):
        raise ValidationError("电话号码格式不正确。", "The phone number is not valid.", field="phone")
    return ReporterIdentity(
        account_id=account,
        email=email,
        phone=phone,
        first_name=_opt(
            identity.first_name, field="first_name", limit=MAX_NAME_PART, zh="名", en="first_name"
        ),
        last_name=_opt(identity.last_name, field="last_name", limit=MAX_NAME_PART, zh="姓", en="last_name"),
        device_id=_opt(
            identity.device_id, field="device_id", limit=MAX_DEVICE, zh="设备编号", en="device_id"
        ),
    )


def full_name(first: str | None, last: str | None) -> str | None:
    """姓 + 名 for Chinese names (张 + 三 = 张三), "first last" otherwise."""
    if not first and not last:
        return None
    if any("\u4e00" <= ch <= "\u9fff" for ch in (first or "") + (last or "")):
        return f"{last or ''}{first or ''}"
    return " ".join(p for p in (first, last) if p)


def _pseudonym() -> str:
    return "C" + secrets.token_hex(6)  # the only identifier that may leave the staff side


_UPSERT = text(
    """
    INSERT INTO person (pseudonym, account_id, name, phone, email, registered)
    VALUES (:pseudonym, :account, :name, :phone, :email, true)
    ON CONFLICT (account_id) DO UPDATE SET
        name = coalesce(EXCLUDED.name, person.name),
        phone = coalesce(EXCLUDED.phone, person.phone),
        email = coalesce(EXCLUDED.email, person.email),
        registered = true
    RETURNING id
    """
)
_INSERT = text(
    "INSERT INTO person (pseudonym, name, phone, email, registered) "
    "VALUES (:pseudonym, :name, :phone, :email, false) RETURNING id"
)


def person_for_reporter(conn: Connection, identity: ReporterIdentity) -> int | None:
    """The person behind a report: the account's person (created or updated with the contact given), a new
    unregistered person for contact data without an account, or ``None`` for an anonymous report."""
    who = clean_identity(identity)
    params = {
        "pseudonym": _pseudonym(),
        "account": who.account_id,
        "name": full_name(who.first_name, who.last_name),
        "phone": who.phone,
        "email": who.email,
    }
    if who.account_id:
        return int(conn.execute(_UPSERT, params).scalar_one())
    if who.has_contact:
        return int(conn.execute(_INSERT, params).scalar_one())
    return None


def registered_person(conn: Connection, account_id: str | None) -> int:
    """The registered person of ``account_id``; :class:`Forbidden` when the account is unknown."""
    account = _opt(account_id, field="account_id", limit=MAX_ACCOUNT, zh="账号", en="account_id")
    if account is None:
        raise ValidationError("请提供 account_id。", "account_id was not provided.", field="account_id")
    pid = conn.execute(
        text("SELECT id FROM person WHERE account_id = :a AND registered"), {"a": account}
    ).scalar()
    if pid is None:
        raise Forbidden("该账号未注册。", "This account is not registered.", field="account_id")
    return int(pid)


def register_account(
    conn: Connection, identity: ReporterIdentity, *, home: tuple[float, float] | None = None
) -> int:
    """Create or update the registered person of ``identity.account_id``, with the home (lon, lat, WGS-84)
    used to offer verification tasks nearby; ``home`` None keeps the one stored."""
    who = clean_identity(identity)
    if not who.account_id:
        raise ValidationError("请提供 account_id。", "account_id was not provided.", field="account_id")
    pid = person_for_reporter(conn, who)
    assert pid is not None  # nosec B101 # type narrowing for mypy, not a security check
    if home is not None:
        lon, lat = home
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError("住址坐标无效。", "The home coordinates are not valid.", field="home")
        conn.execute(
            text("UPDATE person SET home = ST_SetSRID(ST_MakePoint(:x, :y), 4326) WHERE id = :i"),
            {"x": lon, "y": lat, "i": pid},
        )
    return pid
