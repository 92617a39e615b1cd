"""Case search (the workbench's search box): a ticket number (full or partial), words of the address or the
description (Chinese substrings too), and the reporter's phone for the readers allowed to search by it.

How a query is read (:func:`parse`):

- ``GY2609``, ``gy260908``: a ticket prefix (``GY`` and up to six digits of its date): the ticket index, newest
  ticket first.
- two characters (``井盖``): the bigram index of address and description (``gy_search_bigrams``); a trigram
  index cannot serve a query of two characters.
- three or more (``1599``, ``中华北路``, ``GY260908-15``): the trigram index over ticket, address and
  description (``gy_search_text``), newest case first.
- a phone (7 to 15 digits, spaces, dashes, brackets, ``+86`` allowed): the digits of ``person.phone`` too, when
  the caller asks for it (:func:`ops.search.search` does for the roles that may see contact data only; for the
  others a phone never matches, so a search cannot tell them whose number it is).

Every search adds the reader's :class:`~db.scope.RowScope` (an officer their district, department staff their
department's cases). The phone of a result's reporter is masked (``138****0001``) unless ``show_contact``.
The migration 0018 says what was measured and why these indexes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.light import light_sql
from db.masking import mask_phone
from db.scope import RowScope
from geo.crs import TZ

LIMIT = 50
MIN_CHARS = 2
MAX_CHARS = 64
_TICKET_PREFIX = re.compile(r"^GY\d{0,6}$", re.I)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
_SPACES = re.compile(r"\s+")
#: The separator gy_search_text puts between the fields (U+001F) and other control characters: never in a query.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Plan each search for its own words (see db.queries.workbench). No parallel workers: starting them cost
#: 10-40 ms on a query that takes 1-10 ms without. Transaction-local, as the settings below.
_SETTINGS = (
    text("SET LOCAL plan_cache_mode = force_custom_plan"),
    text("SET LOCAL max_parallel_workers_per_gather = 0"),
)
#: The second read of a search: only what the indexes find (no newest-first scan, no sequential scan).
_INDEXES_ONLY = (text("SET LOCAL enable_indexscan = off"), text("SET LOCAL enable_seqscan = off"))
_PLANNER_DEFAULTS = (
    text("SET LOCAL enable_indexscan TO DEFAULT"),
    text("SET LOCAL enable_seqscan TO DEFAULT"),
)
#: The city's newest cases a search tests one by one before it asks the indexes: the newest 6,000, then the newest
#: 60,000 (about a week of the 10M-case city; ~10 ms). A word too rare for the first window and too common for
#: its index (井盖, 1 % of the cases: 100,000 matches sorted, 210 ms at 10M), or common in a narrow scope that holds
#: few of the very newest (附近 for a department: 537 ms), is found in the second.
RECENT = (6000, 60000)
#: A query of digits (and a ticket's GY and dash, a phone's + and brackets): no newest-first read for it.
_NUMBER = re.compile(r"^(?:GY)?[0-9 ()+\-]+$", re.I)


@dataclass(frozen=True)
class SearchQuery:
    """A search box's text, read: ``kind`` is ``ticket`` (a ticket prefix), ``bigram`` (two characters),
    ``text`` (three or more) or ``short`` (too short to search: nothing is read); ``phone`` the digits of a
    phone-looking query (``None`` otherwise)."""

    text: str
    kind: str
    phone: str | None = None


def parse(raw: object) -> SearchQuery:
    """The search box's text, cleaned (NFKC: full-width digits and letters become ASCII; spaces collapsed;
    control characters dropped; at most :data:`MAX_CHARS`) and read."""
    s = raw if isinstance(raw, str) else ""
    s = _SPACES.sub(" ", _CONTROL.sub(" ", unicodedata.normalize("NFKC", s))).strip()[:MAX_CHARS]
    phone = _phone_digits(s)
    if len(s) < MIN_CHARS:
        return SearchQuery(s, "short")
    if _TICKET_PREFIX.match(s):
        return SearchQuery(s.upper(), "ticket")
    return SearchQuery(s, "bigram" if len(s) == 2 else "text", phone)


def _phone_digits(s: str) -> str | None:
    if not _PHONE.match(s):
        return None
    digits = re.sub(r"\D", "", s)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]  # +86 138 0000 0001
    return digits if 7 <= len(digits) <= 15 else None


def _like(s: str) -> str:
    """``%s%`` for LIKE, with LIKE's own characters escaped (the default escape is the backslash)."""
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Hit:
    """One case found; ``phone`` is the reporter's phone, masked unless the reader may see it; ``matched`` says
    where the query was found: ``ticket``, ``address``, ``description`` or ``phone``."""

    id: int
    ticket: str
    status: str
    urgent: bool
    light: str | None
    category_zh: str
    category_en: str
    district_zh: str | None
    district_en: str | None
    address: str | None
    description: str
    created_at: datetime
    lon: float
    lat: float
    phone: str | None
    matched: str


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    hits: list[Hit] = field(default_factory=list)
    #: more cases match than ``hits`` holds (the newest are shown)
    more: bool = False


_SELECT = (
    "SELECT c.id, c.ticket, c.status, c.urgency, c.address, c.description, c.created_at, c.reporter_id, "  # nosec B608 # SQL from constant fragments; values are bound parameters
    "ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, cat.name_zh AS category_zh, cat.name_en AS category_en, "
    f"d.name_zh AS district_zh, d.name_en AS district_en, {light_sql('c', ':now')} AS light, "
    "p.phone AS phone "
    'FROM "case" c JOIN category cat ON cat.code = c.category_code '
    "LEFT JOIN district d ON d.code = c.district_code LEFT JOIN person p ON p.id = c.reporter_id"
)
#: The newest cases of the reporters whose phone holds the digits: per reporter the newest few through the
#: (reporter, created_at) index, so a reporter of 180,000 cases costs 51 rows, not a sort of all of them (an OR
#: with the text's index in one bitmap read them all: 710 ms at 10M cases).
_BY_PHONE = """
    SELECT c.id, c.created_at FROM person p
     CROSS JOIN LATERAL (SELECT c.id, c.created_at FROM "case" c WHERE c.reporter_id = p.id AND ({scope})
                          ORDER BY c.created_at DESC, c.id DESC LIMIT :lim) c
     WHERE gy_phone_digits(p.phone) LIKE :phone_like
     ORDER BY c.created_at DESC, c.id DESC LIMIT :lim"""


def _match(q: SearchQuery) -> tuple[str, str, dict[str, Any]]:
    """What ``q`` asks of a case row ``c``'s text: the condition an index serves, the same test cheap to evaluate
    row by row, and their parameters (a phone is matched apart, :data:`_BY_PHONE`)."""
    params: dict[str, Any] = {}
    if q.kind == "bigram":
        indexed = "gy_search_bigrams(c.address, c.description) @> ARRAY[CAST(:bigram AS text)]"
        cheap = "strpos(lower(coalesce(c.address, '') || chr(31) || c.description), :bigram) <> 0"
        params["bigram"] = q.text.lower()
    else:
        indexed = cheap = "gy_search_text(c.ticket, c.address, c.description) LIKE :like"
        params["like"] = _like(q.text.lower())
    return indexed, cheap, params


_NEWEST = "c.created_at DESC, c.id DESC"


def _newest_first(conn: Connection, q: SearchQuery, scope: RowScope, *, phone: bool) -> list[int]:
    """The ids of the newest cases ``q`` finds in ``scope``, at most ``LIMIT + 1``.

    Two reads, neither left to the planner's guess of how often a word occurs in a scope (it multiplies the
    word's city-wide share by the district's: a word of another district, searched by an officer, made it read
    the whole table newest first, 330 ms on 200,000 cases; and "the newest cases of a department" made it read
    the whole table too, for a department with 0.6 % of them): first the city's newest cases (the windows of
    :data:`RECENT`, each one short backward scan of the created_at index), those in scope tested one by one — a
    word common in the scope finds its cases there, and they are the newest it has; only if they hold too few,
    the cases of the scope the indexes find (the word is rare there, so they find few: under ~0.085 % (51 of
    60,000) of the city's newest, as the last window showed)."""
    # a ticket's or a phone's digits (every phone query): rare anywhere, straight to the indexes
    if _NUMBER.match(q.text):
        return _indexed(conn, q, scope, phone=phone)
    _, cheap, params = _match(q)
    params |= {**scope.params(), "lim": LIMIT + 1}
    recent = text(
        # the window by created_at alone: the index's order, no sort of its rows (the id only breaks ties)
        'SELECT c.id FROM (SELECT c.* FROM "case" c ORDER BY c.created_at DESC LIMIT :recent) c '  # nosec B608 # SQL from constant fragments; values are bound parameters
        f"WHERE ({scope.where('c')}) AND {cheap} ORDER BY {_NEWEST} LIMIT :lim"
    )
    for window in RECENT:
        ids = list(conn.execute(recent, params | {"recent": window}).scalars())
        if len(ids) > LIMIT:
            return ids
    return _indexed(conn, q, scope, phone=phone)


def _indexed(conn: Connection, q: SearchQuery, scope: RowScope, *, phone: bool) -> list[int]:
    """Every case of ``scope`` the indexes find for ``q`` (with ``phone``, also by its reporter's phone), newest
    first (at most ``LIMIT + 1``)."""
    indexed, _, params = _match(q)
    params |= {**scope.params(), "lim": LIMIT + 1}
    for setting in _INDEXES_ONLY:
        conn.execute(setting)
    every = (
        f'SELECT c.id, c.created_at FROM "case" c WHERE {indexed} AND ({scope.where("c")}) '  # nosec B608 # SQL from constant fragments; values are bound parameters
        f"ORDER BY {_NEWEST} LIMIT :lim"
    )
    rows = [(r.created_at, r.id) for r in conn.execute(text(every), params)]
    for setting in _PLANNER_DEFAULTS:
        conn.execute(setting)
    if phone and q.phone:
        by_phone = text(_BY_PHONE.format(scope=scope.where("c")))
        params |= {"phone_like": _like(q.phone)}
        rows = sorted({*rows, *((r.created_at, r.id) for r in conn.execute(by_phone, params))}, reverse=True)
    return [case_id for _, case_id in rows[: LIMIT + 1]]


def _by_ticket(conn: Connection, q: SearchQuery, scope: RowScope) -> list[int]:
    """A ticket prefix: the ticket index (a range on the prefix, tickets are ASCII), newest ticket first."""
    params = {**scope.params(), "lim": LIMIT + 1, "lo": q.text, "hi": q.text + "\x7f", "prefix": q.text + "%"}
    sql = (
        'SELECT c.id FROM "case" c WHERE c.ticket >= :lo AND c.ticket < :hi AND c.ticket LIKE :prefix '  # nosec B608 # SQL from constant fragments; values are bound parameters
        f"AND ({scope.where('c')}) ORDER BY c.ticket DESC LIMIT :lim"
    )
    return list(conn.execute(text(sql), params).scalars())


def search(
    conn: Connection,
    scope: RowScope,
    query: SearchQuery,
    *,
    phone: bool = False,
    show_contact: bool = False,
    now: datetime | None = None,
) -> SearchResult:
    """The newest :data:`LIMIT` cases within ``scope`` that ``query`` finds (a ticket prefix: by ticket,
    newest first). ``phone``: a phone-looking query also matches the reporter's phone; ``show_contact``: the
    reporter's phone unmasked in the hits."""
    if query.kind == "short" or scope.empty:
        return SearchResult(query)
    for setting in _SETTINGS:
        conn.execute(setting)
    if query.kind == "ticket":
        ids, order = _by_ticket(conn, query, scope), "c.ticket DESC"
    else:
        ids, order = _newest_first(conn, query, scope, phone=phone), _NEWEST
    if not ids:
        return SearchResult(query)
    rows = conn.execute(
        text(f"{_SELECT} WHERE c.id = ANY(:ids) ORDER BY {order}"),  # nosec B608 # SQL from constant fragments; values are bound parameters
        {"ids": ids, "now": (now or datetime.now(TZ)).astimezone(TZ)},
    ).all()
    hits = [_hit(r, query, phone=phone, show_contact=show_contact) for r in rows[:LIMIT]]
    return SearchResult(query, hits, more=len(rows) > LIMIT)


def _hit(r: Any, q: SearchQuery, *, phone: bool, show_contact: bool) -> Hit:
    return Hit(
        id=r.id,
        ticket=r.ticket,
        status=r.status,
        urgent=r.urgency == "urgent",
        light=r.light,
        category_zh=r.category_zh,
        category_en=r.category_en,
        district_zh=r.district_zh,
        district_en=r.district_en,
        address=r.address,
        description=r.description,
        created_at=r.created_at,
        lon=float(r.lon),
        lat=float(r.lat),
        phone=r.phone if show_contact else mask_phone(r.phone),
        matched=_matched(r, q, phone=phone),
    )


def _matched(r: Any, q: SearchQuery, *, phone: bool) -> str:
    needle = q.text.lower()
    if needle in r.ticket.lower():
        return "ticket"
    if needle in (r.address or "").lower():
        return "address"
    if needle in (r.description or "").lower():
        return "description"
    if phone and q.phone and r.phone and q.phone in re.sub(r"\D", "", r.phone):
        return "phone"
    return "description"
