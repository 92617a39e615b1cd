"""Data-sharing partners' keys (数据共享): created, listed, revoked and checked here, for the admin page
(/admin/partners), ``guiyang-ops partner-key`` and the OGC API – Features endpoint (/ogc/).

A key is random (256 bits), shown once and kept only as its SHA-256 hash (a fast hash is enough for random keys).
It grants the ``cases`` collection for some 小类 in some districts, at most ``per_minute`` requests a minute.
Every change is recorded in the audit log (``partner_key``) in the same transaction; every read of data with a
key as ``partner_access`` (:func:`record_access`): the key's id and name, never the key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.errors import DomainError, NotFound, ValidationError
from db.models.partner import MAX_PER_MINUTE
from ops.audit import record

KEY_PREFIX = "gyp_"
MAX_NAME = 80
#: Stands for every 小类 / every district when a key is created (expanded to the codes of that moment).
ALL = "all"
DEFAULT_PER_MINUTE = 60


class KeyRequired(DomainError):
    """A partner collection asked for without a key (HTTP 401)."""

    status = 401
    code = "key_required"


class KeyRefused(DomainError):
    """A key that is unknown or revoked (HTTP 403)."""

    status = 403
    code = "key_refused"


@dataclass(frozen=True, slots=True)
class PartnerKeyInfo:
    id: int
    name: str
    prefix: str
    categories: tuple[str, ...]
    districts: tuple[str, ...]
    per_minute: int
    active: bool
    created_by: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class PartnerGrant:
    """What a valid key lets its holder read."""

    key_id: int
    name: str
    categories: tuple[str, ...]
    districts: tuple[str, ...]
    per_minute: int


_COLUMNS = "id, name, prefix, categories, districts, per_minute, active, created_by, created_at, revoked_at"


def _info(row: Any) -> PartnerKeyInfo:
    m = row._mapping
    return PartnerKeyInfo(**{**m, "categories": tuple(m["categories"]), "districts": tuple(m["districts"])})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _codes(conn: Connection, values: list[str] | tuple[str, ...], table: str, field: str) -> tuple[str, ...]:
    """Known codes of ``values`` (``all``: every one), in order; ValidationError naming the unknown ones."""
    sql = {
        "category": "SELECT code FROM category WHERE level = 2 ORDER BY code",
        "district": "SELECT code FROM district ORDER BY code",
    }[table]
    known = [str(c) for c in conn.execute(text(sql)).scalars()]
    asked = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    if ALL in asked:
        return tuple(known)
    if not asked:
        zh, en = ("小类", "category") if table == "category" else ("区县", "district")
        raise ValidationError(f"请至少选择一个{zh}。", f"Choose at least one {en}.", field=field)
    unknown = [v for v in asked if v not in set(known)]
    if unknown:
        zh, en = ("小类", "categories (小类)") if table == "category" else ("区县代码", "district codes")
        raise ValidationError(
            f"未知的{zh}：{', '.join(unknown[:5])}。", f"Unknown {en}: {', '.join(unknown[:5])}.", field=field
        )
    return tuple(sorted(asked))


def check_fields(name: object, per_minute: object) -> tuple[str, int]:
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise ValidationError(
            f"合作单位名称不能为空，最多 {MAX_NAME} 个可打印字符。",
            f"The partner's name must be 1 to {MAX_NAME} printable characters.",
            field="name",
        )
    if (
        isinstance(per_minute, bool)
        or not isinstance(per_minute, int | float)
        or per_minute != int(per_minute)
    ):
        raise ValidationError(
            "每分钟请求数须为整数。", "Requests a minute must be a whole number.", field="per_minute"
        )
    if not 1 <= int(per_minute) <= MAX_PER_MINUTE:
        raise ValidationError(
            f"每分钟请求数须在 1 到 {MAX_PER_MINUTE} 之间。",
            f"Requests a minute must be 1 to {MAX_PER_MINUTE}.",
            field="per_minute",
        )
    return cleaned, int(per_minute)


def create_key(
    conn: Connection,
    *,
    name: str,
    categories: list[str] | tuple[str, ...],
    districts: list[str] | tuple[str, ...],
    per_minute: float = DEFAULT_PER_MINUTE,
    actor: str,
    actor_id: int | None = None,
    client: str | None = None,
) -> tuple[PartnerKeyInfo, str]:
    """Validate, then store a new key and its audit row (in the caller's transaction): the row and the key itself
    (shown once, never stored)."""
    cleaned, rate = check_fields(name, per_minute)
    cats = _codes(conn, categories, "category", "categories")
    dists = _codes(conn, districts, "district", "districts")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = conn.execute(
        text(
            "INSERT INTO partner_key (name, prefix, key_hash, categories, districts, per_minute, created_by) "
            f"VALUES (:n, :p, :h, :c, :d, :r, :by) RETURNING {_COLUMNS}"  # nosec B608 # constant column list
        ),
        {
            "n": cleaned,
            "p": key[:10],
            "h": hash_key(key),
            "c": list(cats),
            "d": list(dists),
            "r": rate,
            "by": actor,
        },
    ).one()
    info = _info(row)
    record(
        conn,
        "partner_key",
        user_id=actor_id,
        username=actor,
        client=client,
        detail={
            "action": "create",
            "key_id": info.id,
            "name": info.name,
            "prefix": info.prefix,
            "categories": list(cats),
            "districts": list(dists),
            "per_minute": rate,
        },
    )
    return info, key


def list_keys(conn: Connection) -> list[PartnerKeyInfo]:
    """Every key, active ones first, newest first (never a key or its hash)."""
    rows = conn.execute(
        text(f"SELECT {_COLUMNS} FROM partner_key ORDER BY active DESC, id DESC")  # nosec B608 # constant
    ).all()
    return [_info(r) for r in rows]


def revoke_key(
    conn: Connection, key_id: int, *, actor: str, actor_id: int | None = None, client: str | None = None
) -> PartnerKeyInfo:
    """Revoke a key: every request after the commit is refused. Revoking twice says so (nothing recorded)."""
    sql = f"SELECT {_COLUMNS} FROM partner_key WHERE id = :i FOR UPDATE"  # nosec B608 # constant column list
    row = conn.execute(text(sql), {"i": key_id}).first()
    if row is None:
        raise NotFound(f"没有编号为 {key_id} 的共享密钥。", f"No partner key with id {key_id}.", field="id")
    if not row.active:
        raise ValidationError(
            f"共享密钥 #{key_id} 已经吊销。", f"Partner key #{key_id} is already revoked.", field="id"
        )
    row = conn.execute(
        text(
            f"UPDATE partner_key SET active = false, revoked_at = now() WHERE id = :i RETURNING {_COLUMNS}"  # nosec B608 # constant column list
        ),
        {"i": key_id},
    ).one()
    info = _info(row)
    record(
        conn,
        "partner_key",
        user_id=actor_id,
        username=actor,
        client=client,
        detail={"action": "revoke", "key_id": info.id, "name": info.name, "prefix": info.prefix},
    )
    return info


def key_required() -> KeyRequired:
    """The refusal of a partner collection asked for without a key."""
    return KeyRequired(
        "此数据集仅向持有共享密钥的合作单位开放：请在 X-API-Key 请求头或 api_key 参数中提供密钥。",
        "This collection is for partners with a data-sharing key: send it in the X-API-Key header "
        "or the api_key query parameter.",
        field="api_key",
    )


def check_key(conn: Connection, key: str | None) -> PartnerGrant:
    """The grant of a valid, active key; :class:`KeyRequired` without one, :class:`KeyRefused` for any other."""
    if not key:
        raise key_required()
    row = conn.execute(
        text(
            "SELECT id, name, categories, districts, per_minute FROM partner_key "
            "WHERE key_hash = :h AND active"
        ),
        {"h": hash_key(key)},
    ).first()
    if row is None:
        raise KeyRefused(
            "共享密钥无效或已吊销。",
            "The data-sharing key is not valid or has been revoked.",
            field="api_key",
        )
    return PartnerGrant(row.id, row.name, tuple(row.categories), tuple(row.districts), int(row.per_minute))


def record_access(
    conn: Connection,
    grant: PartnerGrant,
    collection: str,
    rows: int,
    *,
    client: str | None,
    item: str | None = None,
) -> None:
    """One ``partner_access`` audit row: which key read which collection, how many rows (never the key)."""
    detail: dict[str, Any] = {
        "key_id": grant.key_id,
        "partner": grant.name,
        "collection": collection,
        "rows": rows,
    }
    if item is not None:
        detail["item"] = item
    record(conn, "partner_access", username=f"partner:{grant.name}", client=client, detail=detail)
