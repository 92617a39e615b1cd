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

#: Plan each search for its own words: the choice between an index and the newest-first scan rests on how often
#: the word occurs (see db.queries.workbench). No parallel workers: starting them cost 10-40 ms on a query that
#: takes 1-10 ms without. Transaction-local.
_SETTINGS = (
    text("SET LOCAL plan_cache_mode = force_custom_plan"),
    text("SET LOCAL max_parallel_workers_per_gather = 0"),
)


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
    "SELECT c.id, c.ticket, c.status, c.urgency, c.address, c.description, c.created_at, c.reporter_id, "
    "ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, cat.name_zh AS category_zh, cat.name_en AS category_en, "
    f"d.name_zh AS district_zh, d.name_en AS district_en, {light_sql('c', ':now')} AS light, "
    "p.phone AS phone "
    'FROM found f JOIN "case" c ON c.id = f.id JOIN category cat ON cat.code = c.category_code '
    "LEFT JOIN district d ON d.code = c.district_code LEFT JOIN person p ON p.id = c.reporter_id "
)
_PHONE_ARM = "c.reporter_id = ANY(ARRAY(SELECT id FROM person WHERE gy_phone_digits(phone) LIKE :phone_like))"


def _found(q: SearchQuery, scope: RowScope, *, phone: bool) -> tuple[str, str, dict[str, Any]]:
    """The CTE ``found`` (the ids of the cases ``q`` finds within ``scope``), their order and its parameters."""
    params: dict[str, Any] = {**scope.params(), "lim": LIMIT + 1}
    where = scope.where("c")
    if q.kind == "ticket":
        params["ticket_like"] = q.text + "%"
        # the ticket index: a range on the prefix (tickets are ASCII), newest ticket first
        params["lo"], params["hi"] = q.text, q.text + "\x7f"
        cond = "c.ticket >= :lo AND c.ticket < :hi AND c.ticket LIKE :ticket_like"
        order = "c.ticket DESC"
    else:
        if q.kind == "bigram":
            # the index finds the cases; the cheap strpos (the same test, estimated to keep nearly every row)
            # runs before the costly bigram function when the planner reads newest-first instead
            cond = (
                "gy_search_bigrams(c.address, c.description) @> ARRAY[CAST(:bigram AS text)] AND "
                "strpos(lower(coalesce(c.address, '') || chr(31) || c.description), :bigram) <> 0"
            )
            params["bigram"] = q.text.lower()
        else:
            cond = "gy_search_text(c.ticket, c.address, c.description) LIKE :like"
            params["like"] = _like(q.text.lower())
        if phone and q.phone:
            cond = f"({cond} OR {_PHONE_ARM})"
            params["phone_like"] = _like(q.phone)
        order = "c.created_at DESC, c.id DESC"
    sql = f'SELECT c.id FROM "case" c WHERE {cond} AND ({where}) ORDER BY {order} LIMIT :lim'  # nosec B608 # SQL from constant fragments; values are bound parameters
    return sql, order, params


def search(
    conn: Connection,
    scope: RowScope,
    query: SearchQuery,
    *,
    phone: bool = False,
    show_contact: bool = False,
    now: datetime | None = None,
) -> SearchResult:
    """The newest :data:`LIMIT` cases within ``scope`` that ``query`` finds. ``phone``: a phone-looking query
    also matches the reporter's phone; ``show_contact``: the reporter's phone unmasked in the hits."""
    if query.kind == "short" or scope.empty:
        return SearchResult(query)
    found, order, params = _found(query, scope, phone=phone)
    for setting in _SETTINGS:
        conn.execute(setting)
    rows = conn.execute(
        text(f"WITH found AS MATERIALIZED ({found}) {_SELECT} ORDER BY {order}"),  # nosec B608 # SQL from constant fragments; values are bound parameters
        {**params, "now": (now or datetime.now(TZ)).astimezone(TZ)},
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
