"""Case search on real PostGIS: ticket (partial and prefix), two- and four-character Chinese substrings of the
address and the description, the reporter's phone only for the roles that may see contact data (masked for the
others), the reader's scope, and the indexes that serve the queries (the locale pitfall of pg_trgm).

Each test makes its own words from rare characters, so nothing else in the database matches them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, load_identity
from db.queries import case_search as cs
from db.scope import RowScope
from ops import workflow as wf
from ops.search import search
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult
from tests.support.cases import CATEGORY, MON, NANMING, YUNYAN

_rng = random.Random()


def rare_word(n: int) -> str:
    """``n`` random characters of the rare end of the CJK block (鸸鹋…): in no address or description but ours."""
    return "".join(chr(_rng.randint(0x9E00, 0x9FA5)) for _ in range(n))


@dataclass(frozen=True)
class City:
    word: str  # two rare characters, in A's address and in B's description
    phone: str  # A's reporter's phone
    a: CaseResult  # 云岩区, address "云岩区{word}路12号", dispatched (to the city bureau CGJ)
    b: CaseResult  # 南明区, description "门口{word}井盖丢失", reported
    c: CaseResult  # 云岩区, neither word nor phone


@pytest.fixture
def people(conn: Connection) -> dict[str, StaffIdentity]:
    out = {}
    for (uid,) in conn.execute(text("SELECT id FROM staff_user")).all():
        ident = load_identity(conn, uid)
        assert ident is not None
        out[ident.username] = ident
    return out


def _report(
    conn: Connection,
    point: tuple[float, float],
    *,
    description: str,
    address: str | None = None,
    reporter: int | None = None,
    minute: int = 0,
) -> CaseResult:
    return wf.report(
        conn,
        Actor.system(),
        category_code=CATEGORY,
        lon=point[0],
        lat=point[1],
        description=description,
        address=address,
        source="app",
        reporter_id=reporter,
        now=MON + timedelta(minutes=minute),
    )


@pytest.fixture
def city(conn: Connection, staff: dict[str, Actor]) -> Iterator[City]:
    word = rare_word(2)
    phone = "139" + "".join(_rng.choice("0123456789") for _ in range(8))
    reporter = conn.execute(
        text("INSERT INTO person (pseudonym, name, phone) VALUES (:p, '测试人', :phone) RETURNING id"),
        {"p": f"search-{word}-{phone}", "phone": f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"},
    ).scalar_one()
    a = _report(conn, YUNYAN, address=f"云岩区{word}路12号", description="路灯不亮", reporter=reporter)
    lead = staff["lead"]
    a = wf.file_case(conn, lead, a.id, a.version, now=MON + timedelta(minutes=5))
    a = wf.dispatch(conn, lead, a.id, a.version, department_code="CGJ", now=MON + timedelta(minutes=10))
    b = _report(conn, NANMING, address="南明区某路", description=f"门口{word}井盖丢失", reporter=reporter)
    c = _report(conn, YUNYAN, address="云岩区某街", description="垃圾满溢")
    yield City(word, phone, a, b, c)


def ids(result: cs.SearchResult) -> set[int]:
    return {h.id for h in result.hits}


def test_two_chinese_characters_find_them_in_address_and_description(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    found = search(conn, people["dispatcher"], city.word)
    assert found.query.kind == "bigram"
    assert ids(found) == {city.a.id, city.b.id}
    matched = {h.id: h.matched for h in found.hits}
    assert matched == {city.a.id: "address", city.b.id: "description"}


def test_four_chinese_characters_inside_a_longer_address_or_description(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    lead = people["lead"]
    in_address = search(conn, lead, f"{city.word}路1")
    assert in_address.query.kind == "text"
    assert ids(in_address) == {city.a.id}
    assert ids(search(conn, lead, f"口{city.word}井")) == {city.b.id}
    assert ids(search(conn, lead, f"{city.word}井盖丢失")) == {city.b.id}
    # a word of the two across the fields never matches: address and description are apart
    assert ids(search(conn, lead, f"12号{rare_word(1)}")) == set()


def test_a_ticket_full_partial_and_by_its_date(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    lead = people["lead"]
    ticket = city.a.ticket
    assert ticket.startswith("GY260302-")
    assert [h.id for h in search(conn, lead, ticket).hits] == [city.a.id]
    assert [h.id for h in search(conn, lead, ticket.lower()).hits] == [city.a.id]
    tail = ticket[5:]  # "302-7": the end of its date and its number
    partial = search(conn, lead, tail)
    assert city.a.id in ids(partial) and all(tail in h.ticket for h in partial.hits)
    assert next(h for h in partial.hits if h.id == city.a.id).matched == "ticket"
    by_date = search(conn, lead, "gy260302")
    assert by_date.query.kind == "ticket"
    assert {city.a.id, city.b.id, city.c.id} <= ids(by_date)
    assert all(h.ticket.startswith("GY260302") for h in by_date.hits)
    # full-width digits and letters are read as ASCII (NFKC)
    assert city.a.id in ids(search(conn, lead, "ＧＹ" + ticket[2:]))


def test_phone_only_for_roles_that_see_contact_data(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    lead = people["lead"]
    found = search(conn, lead, city.phone)
    assert found.query.phone == city.phone
    assert ids(found) == {city.a.id, city.b.id}
    assert {h.matched for h in found.hits} == {"phone"}
    assert {h.phone for h in found.hits} == {f"+86 {city.phone[:3]}-{city.phone[3:7]}-{city.phone[7:]}"}
    # written with +86, spaces and dashes; or only its last eight digits
    assert ids(search(conn, lead, f"+86 {city.phone[:3]} {city.phone[3:7]} {city.phone[7:]}")) == ids(found)
    assert ids(search(conn, lead, city.phone[3:])) == ids(found)
    # a dispatcher may not see contact data: the phone matches nothing, whichever way it is written
    for role in ("dispatcher", "yunyan", "cgj"):
        assert search(conn, people[role], city.phone).hits == [], role
        assert search(conn, people[role], city.phone[3:]).hits == [], role


def test_phones_in_results_masked_unless_the_role_may_see_them(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    masked = f"{city.phone[:3]}****{city.phone[-4:]}"  # stored as +86 139-…
    assert {h.phone for h in search(conn, people["dispatcher"], city.word).hits} == {masked}
    assert all(city.phone not in (h.phone or "") for h in search(conn, people["dispatcher"], city.word).hits)
    assert {h.phone for h in search(conn, people["admin"], city.word).hits} == {
        f"+86 {city.phone[:3]}-{city.phone[3:7]}-{city.phone[7:]}"
    }
    no_reporter = search(conn, people["lead"], "云岩区某街")
    assert city.c.id in ids(no_reporter)
    assert next(h for h in no_reporter.hits if h.id == city.c.id).phone is None


def test_scope_an_officer_their_district_a_department_its_cases(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    assert (city.a.district_code, city.b.district_code) == ("520103", "520102")
    assert ids(search(conn, people["yunyan"], city.word)) == {city.a.id}  # 云岩区 only
    assert ids(search(conn, people["cgj"], city.word)) == {city.a.id}  # dispatched to CGJ; B is not
    assert ids(search(conn, people["cgj"], city.b.ticket)) == set()
    assert ids(search(conn, people["yunyan"], city.b.ticket)) == set()
    assert search(conn, people["moderator"], city.word).hits == []  # no workbench: nothing


def test_short_and_odd_queries_read_nothing_and_never_fail(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    lead = people["lead"]
    for raw in (None, "", " ", "井", "\x1f", 42):
        assert search(conn, lead, raw).hits == [], raw
    assert search(conn, lead, "井").query.kind == "short"
    for raw in ("%%", "__", "%_\\", "'; DROP TABLE case; --", "a" * 500):
        search(conn, lead, raw)  # LIKE's own characters are escaped; the text is a bound parameter
    assert search(conn, lead, "%" + city.word).hits == []
    assert cs.parse("a" * 500).text == "a" * cs.MAX_CHARS


def test_status_and_light_come_with_each_hit(
    conn: Connection, city: City, people: dict[str, StaffIdentity]
) -> None:
    hits = {h.id: h for h in search(conn, people["lead"], city.word, now=MON + timedelta(minutes=20)).hits}
    assert hits[city.a.id].status == CaseStatus.DISPATCHED.value
    assert hits[city.b.id].status == CaseStatus.REPORTED.value
    assert hits[city.a.id].light in ("green", "yellow", "red")
    assert hits[city.a.id].district_zh == "云岩区" and hits[city.a.id].category_zh


def test_chinese_makes_trigrams_in_this_database(conn: Connection) -> None:
    """pg_trgm makes trigrams only of the characters the database's LC_CTYPE calls alphanumeric: in the ``C``
    locale none of Chinese, and every Chinese search would read the whole index. The project's cluster is
    initialised with C.UTF-8 (db/cluster.py), where glibc classifies them."""
    ctype = conn.execute(text("SELECT datctype FROM pg_database WHERE datname = current_database()")).scalar()
    assert ctype not in ("C", "POSIX"), ctype
    assert conn.execute(text("SELECT cardinality(show_trgm('井盖破损'))")).scalar() >= 4


@pytest.mark.parametrize(
    ("address", "description"),
    [
        ("南明区中华北路", "井盖破损井盖"),
        ("", ""),
        (None, None),
        ("A座", None),
        (None, "路灯 Lamp 不亮！"),
        ("鸸", ""),
    ],
)
def test_bigrams_are_every_two_characters_of_address_and_description(
    conn: Connection, address: str | None, description: str | None
) -> None:
    """The index's keys (GIN keeps each distinct one): every two neighbouring characters of the lower-cased
    address ␟ description, ␟ included, so a word never matches across the two fields."""
    s = ((address or "") + "\x1f" + (description or "")).lower()
    got = conn.execute(
        text("SELECT gy_search_bigrams(:a, :d)"), {"a": address, "d": description}
    ).scalar_one()
    assert set(got) == {s[i : i + 2] for i in range(len(s) - 1)}


@pytest.mark.parametrize(("length", "index"), [(2, "ix_case_search_bigram"), (4, "ix_case_search_trgm")])
def test_the_search_indexes_serve_two_and_four_character_words(
    conn: Connection, length: int, index: str
) -> None:
    """With the newest-first scan and the sequential scan out of the way, the planner must reach for our index:
    a trigram index cannot serve a two-character word, the bigram index can."""
    indexed, _, params = cs._match(cs.parse(rare_word(length)))
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    conn.execute(text("SET LOCAL enable_indexscan = off"))
    sql = f'EXPLAIN SELECT c.id FROM "case" c WHERE {indexed}'
    plan = "\n".join(r[0] for r in conn.execute(text(sql), params))
    assert index in plan, plan


def test_phone_index_serves_the_phone_search(conn: Connection) -> None:
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        r[0]
        for r in conn.execute(
            text("EXPLAIN SELECT id FROM person WHERE gy_phone_digits(phone) LIKE '%13912345678%'")
        )
    )
    assert "ix_person_phone_digits" in plan, plan


def test_more_than_fifty_the_newest_fifty_and_says_there_are_more(
    conn: Connection, people: dict[str, StaffIdentity]
) -> None:
    """Many matches: the first, newest-first read answers; few in a scope: the indexes answer. Both give the
    newest cases of the scope."""
    word = rare_word(2)
    made = [
        wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=(YUNYAN if i % 3 else NANMING)[0],
            lat=(YUNYAN if i % 3 else NANMING)[1],
            description=f"第{i}处{word}",
            source="app",
            now=MON + timedelta(minutes=i),
        )
        for i in range(60)
    ]
    found = search(conn, people["lead"], word)
    assert found.more and len(found.hits) == cs.LIMIT
    assert [h.id for h in found.hits] == [c.id for c in reversed(made)][: cs.LIMIT]
    nanming = [c.id for c in reversed(made) if c.district_code == "520102"]
    assert len(nanming) == 20
    assert [h.id for h in search(conn, people["yunyan"], word).hits] == [
        c.id for c in reversed(made) if c.district_code == "520103"
    ][: cs.LIMIT]
    longer = search(conn, people["dispatcher"], f"处{word}")
    assert longer.more and [h.id for h in longer.hits] == [h.id for h in found.hits]


def test_a_phone_finds_the_newest_of_a_heavy_reporters_cases_and_of_the_digits_in_texts(
    conn: Connection, people: dict[str, StaffIdentity]
) -> None:
    """A reporter of many cases and a description holding the same digits: the newest 50 of both together,
    newest first, and ``more``; the reporter's newest come through the (reporter, created_at) index."""
    phone = "137" + "".join(_rng.choice("0123456789") for _ in range(8))
    reporter = conn.execute(
        text("INSERT INTO person (pseudonym, name, phone) VALUES (:p, '常报人', :phone) RETURNING id"),
        {"p": f"search-heavy-{phone}", "phone": phone},
    ).scalar_one()

    mine = {
        m: _report(conn, YUNYAN, description="路灯不亮", reporter=reporter, minute=m)
        for m in range(0, 120, 2)
    }
    quoted = {m: _report(conn, YUNYAN, description=f"请回电{phone}", minute=m) for m in range(1, 120, 12)}
    found = search(conn, people["lead"], phone)
    newest = [c.id for _, c in sorted({**mine, **quoted}.items(), reverse=True)][: cs.LIMIT]
    assert found.more and [h.id for h in found.hits] == newest
    assert {h.matched for h in found.hits} == {"phone", "description"}
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    sql = "EXPLAIN " + cs._BY_PHONE.format(scope="true")
    plan = "\n".join(r[0] for r in conn.execute(text(sql), {"lim": 51, "phone_like": f"%{phone}%"}))
    assert "ix_case_reporter_created" in plan, plan


@pytest.mark.parametrize("windows", [(1, 2), (60, 100), (100000,)])
def test_the_newest_first_windows_never_change_the_answer(
    conn: Connection, windows: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in the first window, in a later one or only by the indexes: the same newest cases of the scope."""
    word = rare_word(2)
    for i in range(120):  # 90 with the word; 60 of those in 云岩区
        where = NANMING if i % 3 == 0 else YUNYAN
        _report(conn, where, description=f"第{i}处{word}" if i % 4 else "路灯不亮", minute=i)
    scopes = {"city": RowScope.city(), "yunyan": RowScope(district="520103")}
    expected = {who: cs.search(conn, scope, cs.parse(word)) for who, scope in scopes.items()}
    assert all(r.more and len(r.hits) == cs.LIMIT for r in expected.values())
    monkeypatch.setattr(cs, "RECENT", windows)
    for who, scope in scopes.items():
        got = cs.search(conn, scope, cs.parse(word))
        assert [h.id for h in got.hits] == [h.id for h in expected[who].hits], who
