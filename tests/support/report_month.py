"""A small month with known answers for the monthly report's tests: June 2025 and the month before, built with the
workflow commands inside the test's rolled-back transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity, load_identity
from db.period import Period
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor

YUNYAN = (106.7135, 26.5838)  # 云岩区 520103
NANMING = (106.7119, 26.5716)  # 南明区 520102
CATEGORY = "C0101"  # 井盖破损: 4 working hours; 520103-CGJ in 云岩区, 520102-CGJ in 南明区
JUNE = Period(date(2025, 6, 1), date(2025, 6, 30))
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=TZ)
#: Words that must never reach a report: they stand for what a citizen wrote.
PRIVATE = "张小明13800138000"


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"2025-{day}T{hm}").replace(tzinfo=TZ)


def identity(conn: Connection, username: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return ident


@dataclass
class World:
    lead: StaffIdentity
    officer: StaffIdentity  # 云岩区
    tickets: dict[str, str]


def build(conn: Connection) -> World:
    """June, 云岩区 (all at one point): A closed on time; B reworked once, then closed; C dispatched and overdue;
    D reported only. June, 南明区: N closed on time. May: M1 (云岩区) and M2 (南明区) closed on time.
    Reports 5 in June (4 filed, 3 closed, 1 overdue, 1 reworked), 2 in May (2 filed, 2 closed)."""
    lead = identity(conn, "lead")
    actor = Actor.from_identity(lead)
    tickets: dict[str, str] = {}

    def report(name: str, point: tuple[float, float], when: datetime) -> wf.CaseResult:
        r = wf.report(
            conn,
            Actor.system(),
            category_code=CATEGORY,
            lon=point[0],
            lat=point[1],
            description=f"{name} {PRIVATE}",
            source="inspector",
            now=when,
        )
        tickets[name] = r.ticket
        return r

    def dispatched(name: str, point: tuple[float, float], day: str, hm: str) -> wf.CaseResult:
        t0 = at(day, hm)
        r = report(name, point, t0)
        r = wf.file_case(conn, actor, r.id, r.version, now=t0 + timedelta(minutes=10))
        return wf.dispatch(conn, actor, r.id, r.version, now=t0 + timedelta(minutes=20))

    def handle(r: wf.CaseResult, when: datetime) -> wf.CaseResult:
        return wf.handle(conn, actor, r.id, r.version, note="已处置", now=when)

    def close(r: wf.CaseResult, when: datetime) -> wf.CaseResult:
        return wf.verify(conn, actor, r.id, r.version, passed=True, now=when)

    a = dispatched("A", YUNYAN, "06-10", "09:00")
    close(handle(a, at("06-10", "10:20")), at("06-10", "11:00"))
    b = dispatched("B", YUNYAN, "06-10", "09:10")
    b = handle(b, at("06-10", "10:30"))
    b = wf.verify(conn, actor, b.id, b.version, passed=False, note="井盖仍松动", now=at("06-10", "11:00"))
    close(handle(b, at("06-10", "11:30")), at("06-10", "11:45"))
    dispatched("C", YUNYAN, "06-20", "09:00")
    report("D", YUNYAN, at("06-20", "11:00"))
    n = dispatched("N", NANMING, "06-11", "09:00")
    close(handle(n, at("06-11", "10:20")), at("06-11", "10:40"))
    m1 = dispatched("M1", YUNYAN, "05-12", "09:00")
    close(handle(m1, at("05-12", "10:00")), at("05-12", "10:30"))
    m2 = dispatched("M2", NANMING, "05-13", "09:00")
    close(handle(m2, at("05-13", "10:00")), at("05-13", "10:30"))
    return World(lead, identity(conn, "yunyan"), tickets)
