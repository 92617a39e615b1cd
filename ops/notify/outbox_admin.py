"""The outbox as admins see it (/admin/notify): counts by status, the recent messages (errors with the route's
secrets scrubbed), and sending a failed message again (back to pending, attempts reset, recorded in the audit
log). The delivery worker itself lives elsewhere; this module only reads and resets rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from ops.audit import record
from ops.notify.secrets import scrub
from ops.subscriptions import channels

log = logging.getLogger("guiyang_ops.notify")

RECENT_MAX = 200
AUDIT_KIND = "notify_resend"


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    delivered: int
    failed: int


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: datetime
    kind: str
    ticket: str | None
    alert_id: int | None
    route_id: int | None  # None: a message of an area subscription
    route_target: str  # department code, role:NAME or subscription:#ID
    route_label: str | None
    route_url: str  # masked
    route_removed: bool
    title: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None  # scrubbed of the route's secrets
    delivered_at: datetime | None


def outbox_counts(conn: Connection) -> OutboxCounts:
    rows = dict(
        conn.execute(text("SELECT status, count(*) FROM notify_outbox GROUP BY status")).tuples().all()
    )
    return OutboxCounts(
        pending=int(rows.get("pending", 0)),
        delivered=int(rows.get("delivered", 0)),
        failed=int(rows.get("failed", 0)),
    )


#: a message goes through a route or, for an area subscription (``ops.subscriptions``), to its channel
_RECENT = """
    SELECT o.id, o.created_at, o.kind, c.ticket, o.alert_id, o.route_id, o.subscription_id, r.department_code,
           r.role, COALESCE(r.label, s.label) AS label, COALESCE(r.url, s.channel) AS url,
           COALESCE(s.channel_kind, 'url') AS channel_kind,
           COALESCE(r.removed_at, s.removed_at) IS NOT NULL AS removed, o.title, o.status, o.attempts,
           o.next_attempt_at, o.last_error, o.delivered_at
      FROM notify_outbox o
      LEFT JOIN notify_route r ON r.id = o.route_id
      LEFT JOIN subscription s ON s.id = o.subscription_id
      LEFT JOIN "case" c ON c.id = o.case_id
     WHERE (:failed = false OR o.status = 'failed')
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT :n
"""


def _target(r: Any) -> str:
    if r.subscription_id is not None:
        return f"subscription:#{r.subscription_id}"
    return str(r.department_code or f"role:{r.role}")


def recent_messages(conn: Connection, *, failed_only: bool = False, limit: int = 50) -> list[OutboxRow]:
    """The newest messages first (at most :data:`RECENT_MAX`); ``failed_only``: the failed ones."""
    n = max(1, min(int(limit), RECENT_MAX))
    return [
        OutboxRow(
            id=r.id,
            created_at=r.created_at,
            kind=r.kind,
            ticket=r.ticket,
            alert_id=r.alert_id,
            route_id=r.route_id,
            route_target=_target(r),
            route_label=r.label,
            route_url=channels.mask(r.channel_kind, r.url),
            route_removed=bool(r.removed),
            title=scrub(r.title, r.url) if r.url else r.title,
            status=r.status,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            last_error=scrub(r.last_error, r.url) if r.last_error and r.url else r.last_error,
            delivered_at=r.delivered_at,
        )
        for r in conn.execute(text(_RECENT), {"failed": failed_only, "n": n})
    ]


def resend(conn: Connection, outbox_id: int, actor: str, *, actor_id: int | None = None) -> None:
    """A failed message back to pending, due now, its attempts reset; recorded in the audit log."""
    row = conn.execute(
        text(
            "SELECT o.status, o.attempts, o.last_error, COALESCE(r.url, s.channel) AS url, "
            "COALESCE(r.removed_at, s.removed_at) IS NOT NULL AS removed FROM notify_outbox o "
            "LEFT JOIN notify_route r ON r.id = o.route_id LEFT JOIN subscription s ON s.id = o.subscription_id "
            "WHERE o.id = :i FOR UPDATE OF o"
        ),
        {"i": outbox_id},
    ).one_or_none()
    if row is None:
        raise NotFound(f"没有消息 #{outbox_id}。", f"There is no message #{outbox_id}.", field="outbox")
    if row.status != "failed":
        raise ValidationError(
            f"只有发送失败的消息可以重新发送（消息 #{outbox_id} 的状态：{row.status}）。",
            f"Only a failed message can be sent again (message #{outbox_id} is {row.status}).",
            field="outbox",
        )
    if row.removed:
        raise ValidationError(
            f"消息 #{outbox_id} 的通知路由已删除，无法重新发送。",
            f"The route of message #{outbox_id} was removed; it cannot be sent again.",
            field="outbox",
        )
    conn.execute(
        text(
            "UPDATE notify_outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), "
            "last_error = NULL WHERE id = :i"
        ),
        {"i": outbox_id},
    )
    error = scrub(row.last_error, row.url) if row.last_error and row.url else row.last_error
    record(
        conn,
        AUDIT_KIND,
        user_id=actor_id,
        username=actor if actor_id is not None else None,
        detail={"outbox": outbox_id, "attempts": row.attempts, "error": error, "by": actor},
    )
    log.info("notify outbox %s sent again by %s (after %s attempts)", outbox_id, actor, row.attempts)
