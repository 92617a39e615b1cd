"""The audit log (``audit_log``, append-only): one function appends to it; every part of the app that records
who did what (sign-ins, administration, exports, reports, data sharing) calls it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

USERNAME_MAX = 64


def record(
    conn: Connection,
    kind: str,
    *,
    user_id: int | None = None,
    username: str | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit row (``at`` is the wall-clock time of the statement, not of the transaction)."""
    conn.execute(
        text(
            "INSERT INTO audit_log (at, kind, user_id, username, client, detail) "
            "VALUES (clock_timestamp(), :k, :uid, :u, :c, CAST(:d AS jsonb))"
        ),
        {
            "k": kind,
            "uid": user_id,
            "u": username[:USERNAME_MAX] if username is not None else None,
            "c": client[:64] if client is not None else None,
            "d": json.dumps(detail or {}),
        },
    )
