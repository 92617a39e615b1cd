"""The audit viewer (``/admin/audit``, ``guiyang-ops audit list``) and the audit log's retention
(``guiyang-ops audit purge``).

The kinds are grouped as an auditor asks for them: sign-ins, case actions, exports (and reports), administration,
moderation, data sharing. A filter is a person (exact user name), groups and a range of days (Asia/Shanghai);
the rows come newest first, paged by a keyset (:class:`db.queries.audit_view.Cursor`). The purge deletes
``audit_log`` rows older than the retention (at least :data:`MIN_KEEP_DAYS`), as the owner role, in one
transaction, and records what it deleted (kind ``audit_purge``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from db.errors import ValidationError
from db.models.audit import AUDIT_KINDS
from db.queries import audit_view as q
from db.queries.audit_view import AuditRow, Cursor
from geo.crs import TZ
from ops.audit import USERNAME_MAX, record

#: group -> the audit kinds in it; the "case" and "moderation" groups are the case history and the moderation log.
GROUPS: dict[str, tuple[str, ...]] = {
    "signin": (
        "signin_ok",
        "signin_failed",
        "signin_refused",
        "signin_locked",
        "unlock",
        "logout",
        "session_revoked",
        "alert",
    ),
    "case": (),
    "export": ("export", "report", "audit_export"),
    "admin": (
        "user_add",
        "user_edit",
        "user_deactivate",
        "user_reactivate",
        "password_reset",
        "password_change",
        "reference_edit",
        "notify_route",
        "notify_resend",
        "partner_key",
        "audit_purge",
    ),
    "moderation": (),
    "sharing": ("partner_access", "subscription"),
}
GROUP_OF: dict[str, str] = {k: g for g, kinds in GROUPS.items() for k in kinds}
#: the shortest retention the law-minded default allows (six months)
MIN_KEEP_DAYS = 183
PAGE_SIZE = 50
MAX_PAGE = 2000
PURGE_BATCH = 5000


@dataclass(frozen=True)
class Filter:
    username: str | None = None
    groups: tuple[str, ...] = ()  # empty: every group
    kind: str | None = None  # one audit kind (the shell's --kind KIND), within the groups
    since: date | None = None  # first day, inclusive
    until: date | None = None  # last day, inclusive

    def as_detail(self) -> dict[str, Any]:
        """The filter as the ``audit_export`` row's detail."""
        return {
            "user": self.username,
            "groups": list(self.groups),
            "kind": self.kind,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    def scope(self) -> q.Scope:
        groups = self.groups or tuple(GROUPS)
        kinds = tuple(k for g in groups for k in GROUPS[g])
        if self.kind is not None:
            kinds = (self.kind,)
        since = datetime.combine(self.since, datetime.min.time(), TZ) if self.since else None
        until = (
            datetime.combine(self.until + timedelta(days=1), datetime.min.time(), TZ) if self.until else None
        )
        only_audit = self.kind is not None
        return q.Scope(
            kinds=kinds,
            cases="case" in groups and not only_audit,
            moderation="moderation" in groups and not only_audit,
            username=self.username,
            since=since,
            until=until,
        )


def _day(value: str | date | None, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError(
            f"日期格式应为 YYYY-MM-DD：{value}", f"A date is YYYY-MM-DD: {value}", field=field_name
        ) from None


def parse_filter(
    username: str | None = None,
    groups: list[str] | tuple[str, ...] | str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
) -> Filter:
    """A filter from the page's or the shell's values; a group that is a single audit kind (``--kind
    signin_failed``) narrows to that kind. Refuses unknown groups and kinds, bad dates, a range that ends
    before it starts."""
    name = (username or "").strip()[:USERNAME_MAX] or None
    if isinstance(groups, str):
        groups = [g for g in groups.split(",") if g.strip()]
    chosen: list[str] = []
    kind: str | None = None
    for g in groups or []:
        g = g.strip()
        if g in GROUPS:
            chosen.append(g)
        elif g in AUDIT_KINDS and kind is None:
            kind = g
        else:
            raise ValidationError(
                f"未知的类别：{g}（可选 {', '.join(GROUPS)} 或一种审计类型）",
                f"Unknown kind: {g} (one of {', '.join(GROUPS)}, or one audit kind)",
                field="kind",
            )
    if kind is not None:
        chosen = [GROUP_OF[kind]]
    first, last = _day(since, "since"), _day(until, "until")
    if first and last and last < first:
        raise ValidationError("结束日期早于开始日期。", "The range ends before it starts.", field="until")
    return Filter(username=name, groups=tuple(dict.fromkeys(chosen)), kind=kind, since=first, until=last)


@dataclass(frozen=True)
class Page:
    rows: list[AuditRow]
    next: Cursor | None  # None: this is the last page


def read_page(conn: Connection, flt: Filter, after: Cursor | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of the filtered view, newest first, and the cursor of the next (None on the last)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    rows = q.page(conn, flt.scope(), after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].cursor if more and rows else None)


def _page_after(flt: Filter, after: Cursor | None, batch: int, conn: Connection) -> Page:
    return read_page(conn, flt, after, batch)


def iter_rows(
    read: Callable[[Callable[[Connection], Page]], Page], flt: Filter, batch: int = MAX_PAGE
) -> Iterator[AuditRow]:
    """Every row of the filtered view, newest first, a page at a time: ``read`` runs one page's query in its
    own short transaction (bounded memory whatever the size; a row written meanwhile never shifts the pages)."""
    after: Cursor | None = None
    while True:
        got = read(functools.partial(_page_after, flt, after, batch))
        yield from got.rows
        if got.next is None:
            return
        after = got.next


def record_export(
    conn: Connection, flt: Filter, *, user_id: int | None, username: str, client: str | None
) -> None:
    record(conn, "audit_export", user_id=user_id, username=username, client=client, detail=flt.as_detail())


def usernames(conn: Connection) -> list[str]:
    return q.staff_usernames(conn)


# -- retention ----------------------------------------------------------------------------------------------------


def check_keep_days(days: int) -> int:
    if int(days) < MIN_KEEP_DAYS:
        raise ValidationError(
            f"审计日志至少保留 {MIN_KEEP_DAYS} 天（6 个月），不能只保留 {days} 天。",
            f"The audit log is kept at least {MIN_KEEP_DAYS} days (six months), not {days}.",
            field="keep_days",
        )
    return int(days)


@dataclass(frozen=True)
class PurgeResult:
    before: datetime  # rows older than this were (or would be) deleted
    rows: int
    oldest: datetime | None
    by_kind: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def purge(
    conn: Connection,
    keep_days: int,
    *,
    dry_run: bool = False,
    actor: str = "guiyang-ops",
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PurgeResult:
    """Delete the ``audit_log`` rows older than ``keep_days`` (at least :data:`MIN_KEEP_DAYS`) and record an
    ``audit_purge`` row saying what went (cutoff, rows per kind, the oldest). Run as the owner role inside one
    transaction: the table's guard lets only such a purge delete, and only rows past the cutoff. ``dry_run``
    counts and changes nothing. ``progress(done, total)`` after each batch."""
    keep = check_keep_days(keep_days)
    before = (now or datetime.now(TZ)) - timedelta(days=keep)
    counted = q.count_before(conn, before)
    result = PurgeResult(before, counted.rows, counted.oldest, counted.by_kind, dry_run)
    if dry_run or counted.rows == 0:
        return result
    q.allow_purge_before(conn, before)
    done = 0
    while done < counted.rows:
        gone = q.delete_before(conn, before, PURGE_BATCH)
        if gone == 0:
            break
        done += gone
        if progress is not None:
            progress(done, counted.rows)
    detail = {
        "before": before.isoformat(),
        "keep_days": keep,
        "rows": done,
        "oldest": counted.oldest.isoformat() if counted.oldest else None,
        "by_kind": counted.by_kind,
    }
    record(conn, "audit_purge", username=actor, detail=detail)
    return PurgeResult(before, done, counted.oldest, counted.by_kind, dry_run)
