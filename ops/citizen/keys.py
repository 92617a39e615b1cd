"""API keys of Open311 clients: random keys shown once, kept as SHA-256 hashes, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.errors import Forbidden, NotFound, ValidationError

KEY_PREFIX = "gy_"
MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    """SHA-256 of the key: the keys are 256-bit random, so a fast hash is enough (no password stretching)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(conn: Connection, name: str) -> tuple[ApiKeyInfo, str]:
    """A new key for client ``name``: returns its row and the key itself (shown once, never stored)."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise ValidationError(
            f"客户端名称不能为空，最多 {MAX_NAME} 个可打印字符。",
            f"The client name must be 1 to {MAX_NAME} printable characters.",
            field="name",
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = conn.execute(
        text(
            "INSERT INTO api_key (name, prefix, key_hash) VALUES (:n, :p, :h) "
            "RETURNING id, name, prefix, created_at, revoked_at"
        ),
        {"n": cleaned, "p": key[:10], "h": hash_key(key)},
    ).one()
    return ApiKeyInfo(*row), key


def list_keys(conn: Connection) -> list[ApiKeyInfo]:
    rows = conn.execute(
        text("SELECT id, name, prefix, created_at, revoked_at FROM api_key ORDER BY id")
    ).all()
    return [ApiKeyInfo(*r) for r in rows]


def revoke_key(conn: Connection, key_id: int) -> ApiKeyInfo:
    """Revoke a key (at once for every request after the commit); revoking twice keeps the first time."""
    row = conn.execute(
        text(
            "UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = :i "
            "RETURNING id, name, prefix, created_at, revoked_at"
        ),
        {"i": key_id},
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {key_id} 的 API 密钥。", f"No API key with id {key_id}.", field="id")
    return ApiKeyInfo(*row)


def check_key(conn: Connection, key: str | None) -> int:
    """The id of a valid (not revoked) key; :class:`Forbidden` (HTTP 403, as Open311 says) otherwise."""
    if key:
        found = conn.execute(
            text("SELECT id FROM api_key WHERE key_hash = :h AND revoked_at IS NULL"), {"h": hash_key(key)}
        ).scalar()
        if found is not None:
            return int(found)
    raise Forbidden(
        "未提供 api_key 或 api_key 无效。", "api_key was not provided or is invalid.", field="api_key"
    )
