"""The moderation log: one append-only ``moderation_log`` row per change (who, when, what, before → after),
written in the caller's transaction, and the latest rows for the moderation screen (staff only: never call
:func:`recent_log` from a public page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import bindparam

_LOG = text(
    "INSERT INTO moderation_log (actor_user_id, actor_person_id, action, target_kind, target_id, reason, payload) "
    "VALUES (:user, :person, :action, :kind, :target, :reason, :payload) RETURNING id"
).bindparams(bindparam("payload", type_=JSONB))


def record(
    conn: Connection,
    action: str,
    target_kind: str,
    target_id: int,
    *,
    user_id: int | None = None,
    person_id: int | None = None,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append one moderation_log row (the table refuses UPDATE, DELETE and TRUNCATE)."""
    return int(
        conn.execute(
            _LOG,
            {
                "user": user_id,
                "person": person_id,
                "action": action,
                "kind": target_kind,
                "target": target_id,
                "reason": reason,
                "payload": payload or {},
            },
        ).scalar_one()
    )


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    actor: str
    action: str
    target_kind: str
    target_id: int
    reason: str | None


def recent_log(conn: Connection, limit: int = 50) -> list[LogRow]:
    """The latest moderation changes; a citizen actor shows as 'citizen' (no personal data on this screen)."""
    rows = conn.execute(
        text(
            "SELECT m.id, m.at, coalesce(u.display_name, 'citizen') AS actor, m.action, m.target_kind, "
            "m.target_id, m.reason FROM moderation_log m LEFT JOIN staff_user u ON u.id = m.actor_user_id "
            "ORDER BY m.id DESC LIMIT :n"
        ),
        {"n": limit},
    ).all()
    return [LogRow(**r._mapping) for r in rows]
