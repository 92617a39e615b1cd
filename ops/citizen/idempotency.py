"""``Idempotency-Key``: a client's retry of the same POST gets the first answer again, and creates nothing.

The key row is inserted in the request's own transaction, before anything else is written. A concurrent
retry's INSERT waits on the unique index until the first transaction ends: after a commit it finds the row and
replays the stored answer; after a rollback it proceeds as the first. Failed requests store nothing, so a
retry after an error runs again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from db.errors import ValidationError

MAX_KEY = 200


@dataclass(frozen=True, slots=True)
class Claim:
    """Either ``key_id`` (the key is ours: go on, then :func:`remember`) or ``replay`` (the stored answer)."""

    key_id: int | None
    replay: dict[str, Any] | None


def request_hash(parts: Any) -> str:
    """A stable fingerprint of a request's parameters (JSON-able data, e.g. with photo hashes)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def clean_key(key: str) -> str:
    cleaned = key.strip()
    if not cleaned or len(cleaned) > MAX_KEY or not cleaned.isascii() or not cleaned.isprintable():
        raise ValidationError(
            f"Idempotency-Key 须为 1 到 {MAX_KEY} 个可打印 ASCII 字符。",
            f"The Idempotency-Key must be 1 to {MAX_KEY} printable ASCII characters.",
            field="Idempotency-Key",
        )
    return cleaned


def claim(conn: Connection, api_key_id: int, key: str, fingerprint: str) -> Claim:
    """Take ``key`` for this request, or return the answer of the request that took it before. The same key
    with other parameters is refused (:class:`ValidationError`)."""
    cleaned = clean_key(key)
    params = {"k": api_key_id, "c": cleaned, "h": fingerprint}
    key_id = conn.execute(
        text(
            "INSERT INTO idempotency_key (api_key_id, client_key, request_hash) VALUES (:k, :c, :h) "
            "ON CONFLICT (api_key_id, client_key) DO NOTHING RETURNING id"
        ),
        params,
    ).scalar()
    if key_id is not None:
        return Claim(int(key_id), None)
    row = conn.execute(
        text("SELECT request_hash, response FROM idempotency_key WHERE api_key_id = :k AND client_key = :c"),
        params,
    ).one()
    if row.request_hash != fingerprint:
        raise ValidationError(
            "该 Idempotency-Key 已用于另一个不同的请求。",
            "This Idempotency-Key was already used for a different request.",
            field="Idempotency-Key",
        )
    return Claim(None, dict(row.response))


def remember(conn: Connection, key_id: int, response: dict[str, Any], case_id: int | None = None) -> None:
    conn.execute(
        text("UPDATE idempotency_key SET response = CAST(:r AS jsonb), case_id = :c WHERE id = :i"),
        {"r": json.dumps(response, ensure_ascii=False), "c": case_id, "i": key_id},
    )
