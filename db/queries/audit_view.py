"""The audit viewer's read: one chronological list over three append-only tables, newest first, paged by a
keyset on (time, source, id).

- ``audit_log``: sign-ins, logouts, revoked sessions, administration, exports, reports, data sharing; one
  sub-query per kind, each an index range of ``(kind, at)`` (or ``(username, kind, at)`` for one person), so a
  rare kind is not found by scanning millions of frequent ones;
- ``case_event``: staff actions on cases (rows with a staff actor; citizens' own steps are not staff actions),
  by ``(at)`` or ``(actor_user_id, at)``;
- ``moderation_log``: moderators' changes to the public layer (rows with a staff actor).

Each sub-query takes at most ``limit + 1`` rows after the cursor; the union is sorted and cut once more. Nothing
here reads a citizen's personal data: no case note, no payload, no reporter; only the ticket of a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

#: The sources and their rank in the order (time DESC, rank DESC, id DESC).
RANK = {"audit": 2, "case": 1, "moderation": 0}
SOURCES = {v: k for k, v in RANK.items()}


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's time, source rank and id. The next page starts strictly after it."""

    at: datetime
    rank: int
    id: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}|{self.rank}|{self.id}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        try:
            at, rank, rid = value.split("|")
            cur = cls(datetime.fromisoformat(at), int(rank), int(rid))
        except (ValueError, AttributeError):
            return None
        return cur if cur.rank in SOURCES and cur.at.tzinfo is not None else None


@dataclass(frozen=True)
class AuditRow:
    source: str  # audit | case | moderation
    id: int
    at: datetime
    kind: str  # the audit kind, the case action or the moderation action
    username: str | None
    client: str | None
    ticket: str | None  # a case action's case
    from_status: str | None
    to_status: str | None
    department: str | None
    target_kind: str | None  # a moderation change's target (beauty_post, photo, service_point)
    target_id: int | None
    detail: dict[str, Any]

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, RANK[self.source], self.id)


@dataclass(frozen=True)
class Scope:
    """What to read: the audit kinds (empty: none), whether case actions and moderation changes, one person
    (exact user name) and a time range ``[since, until)``."""

    kinds: tuple[str, ...]
    cases: bool
    moderation: bool
    username: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_AUDIT = """
SELECT 2 AS rank, a.id, a.at, a.kind, a.username, a.client, NULL::text AS ticket, NULL::text AS from_status,
       NULL::text AS to_status, NULL::text AS department, NULL::text AS target_kind, NULL::bigint AS target_id,
       a.detail
  FROM audit_log a WHERE a.kind = :k{i} {where}
 ORDER BY a.at DESC, a.id DESC LIMIT :n
"""
_CASE = """
SELECT 1 AS rank, e.id, e.at, e.action AS kind, u.username, NULL::text AS client, c.ticket, e.from_status,
       e.to_status, e.department_code AS department, NULL::text AS target_kind, NULL::bigint AS target_id,
       NULL::jsonb AS detail
  FROM (SELECT id, at, action, case_id, actor_user_id, from_status, to_status, department_code FROM case_event e
         WHERE e.actor_user_id IS NOT NULL {where} ORDER BY e.at DESC, e.id DESC LIMIT :n) e
  JOIN "case" c ON c.id = e.case_id
  JOIN staff_user u ON u.id = e.actor_user_id
"""
_MODERATION = """
SELECT 0 AS rank, m.id, m.at, m.action AS kind, u.username, NULL::text AS client, NULL::text AS ticket,
       NULL::text AS from_status, NULL::text AS to_status, NULL::text AS department, m.target_kind, m.target_id,
       NULL::jsonb AS detail
  FROM (SELECT id, at, action, actor_user_id, target_kind, target_id FROM moderation_log e
         WHERE e.actor_user_id IS NOT NULL {where} ORDER BY e.at DESC, e.id DESC LIMIT :n) m
  JOIN staff_user u ON u.id = m.actor_user_id
"""


def _after(alias: str, rank: int, cur: Cursor | None) -> str:
    """The keyset condition for a source of ``rank``: rows strictly after the cursor in (at, rank, id) DESC,
    written so the ``at`` bound is an index condition."""
    if cur is None:
        return ""
    if rank < cur.rank:
        return f" AND {alias}.at <= :cur_at"
    if rank > cur.rank:
        return f" AND {alias}.at < :cur_at"
    return f" AND {alias}.at <= :cur_at AND ({alias}.at < :cur_at OR {alias}.id < :cur_id)"


def _time(alias: str, scope: Scope) -> str:
    out = ""
    if scope.since is not None:
        out += f" AND {alias}.at >= :since"
    if scope.until is not None:
        out += f" AND {alias}.at < :until"
    return out


def staff_ids(conn: Connection, username: str) -> list[int]:
    return [
        int(r[0])
        for r in conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username})
    ]


def _query(conn: Connection, scope: Scope, after: Cursor | None, limit: int) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"n": limit, "u": scope.username, "since": scope.since, "until": scope.until}
    if after is not None:
        params |= {"cur_at": after.at, "cur_id": after.id}
    parts: list[str] = []
    for i, kind in enumerate(scope.kinds):
        params[f"k{i}"] = kind
        where = _time("a", scope) + _after("a", RANK["audit"], after)
        if scope.username is not None:
            where += " AND a.username = :u"
        parts.append(_AUDIT.format(i=i, where=where))
    actor = ""
    if scope.username is not None and (scope.cases or scope.moderation):
        params["uids"] = staff_ids(conn, scope.username) or [-1]
        actor = " AND e.actor_user_id = ANY(:uids)"
    if scope.cases:
        parts.append(_CASE.format(where=_time("e", scope) + _after("e", RANK["case"], after) + actor))
    if scope.moderation:
        parts.append(
            _MODERATION.format(where=_time("e", scope) + _after("e", RANK["moderation"], after) + actor)
        )
    if not parts:
        return "", params
    union = " UNION ALL ".join(f"({p})" for p in parts)
    sql = f"SELECT * FROM ({union}) u ORDER BY at DESC, rank DESC, id DESC LIMIT :n"  # nosec B608 # constants
    return sql, params


def explain(
    conn: Connection, scope: Scope, after: Cursor | None, limit: int, *, analyze: bool = False
) -> str:
    """The plan of one page's query (tests and benchmarks check that the filters read index ranges)."""
    sql, params = _query(conn, scope, after, limit)
    how = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    return "\n".join(str(r[0]) for r in conn.execute(text(how + sql), params)) if sql else ""


def page(conn: Connection, scope: Scope, after: Cursor | None, limit: int) -> list[AuditRow]:
    """Up to ``limit`` rows of ``scope`` after the cursor (None: the newest), newest first."""
    sql, params = _query(conn, scope, after, limit)
    if not sql:
        return []
    return [
        AuditRow(
            source=SOURCES[int(r.rank)],
            id=int(r.id),
            at=r.at,
            kind=r.kind,
            username=r.username,
            client=r.client,
            ticket=r.ticket,
            from_status=r.from_status,
            to_status=r.to_status,
            department=r.department,
            target_kind=r.target_kind,
            target_id=r.target_id,
            detail=dict(r.detail or {}),
        )
        for r in conn.execute(text(sql), params).all()
    ]


def staff_usernames(conn: Connection) -> list[str]:
    """Every staff user name, for the person filter's suggestions."""
    return [str(r[0]) for r in conn.execute(text("SELECT username FROM staff_user ORDER BY username"))]


@dataclass(frozen=True)
class PurgeCount:
    rows: int
    oldest: datetime | None
    by_kind: dict[str, int]


def count_before(conn: Connection, before: datetime) -> PurgeCount:
    rows = conn.execute(
        text("SELECT kind, count(*) AS n, min(at) AS oldest FROM audit_log WHERE at < :b GROUP BY kind"),
        {"b": before},
    ).all()
    oldest = min((r.oldest for r in rows), default=None)
    return PurgeCount(sum(int(r.n) for r in rows), oldest, {str(r.kind): int(r.n) for r in rows})


def delete_before(conn: Connection, before: datetime, batch: int) -> int:
    """Delete up to ``batch`` of the oldest rows before ``before`` (the caller set the purge's cutoff for the
    table's guard, as the owner role); returns how many went."""
    result = conn.execute(
        text(
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < :b ORDER BY at LIMIT :n)"
        ),
        {"b": before, "n": batch},
    )
    return int(result.rowcount or 0)


def allow_purge_before(conn: Connection, before: datetime) -> None:
    """Tell the table's guard (migration 0028) the cutoff of this transaction's purge."""
    conn.execute(text("SELECT set_config('guiyang.audit_purge_before', :b, true)"), {"b": before.isoformat()})
