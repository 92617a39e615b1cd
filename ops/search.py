"""Case search for a signed-in user (the workbench's search box): the reader's workbench scope, and the
reporter's phone searched and shown unmasked only for the roles that may see citizens' contact data
(:func:`ops.policy.sees_contact`). The query itself is :mod:`db.queries.case_search`'s."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from db.accounts import StaffIdentity
from db.queries.case_search import SearchResult, parse
from db.queries.case_search import search as search_cases
from ops.policy import sees_contact, workbench_scope

__all__ = ["search"]


def search(
    conn: Connection, user: StaffIdentity, raw: object, *, now: datetime | None = None
) -> SearchResult:
    """The cases ``user`` may see on the workbench that the search text ``raw`` finds, newest first. A role
    that may not see contact data never matches on a phone (the result would tell whose number it is) and sees
    the phones of the results masked."""
    contact = sees_contact(user.role)
    return search_cases(conn, workbench_scope(user), parse(raw), phone=contact, show_contact=contact, now=now)
