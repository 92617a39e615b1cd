"""Cases for the domain tests: fixed places and a fixed Monday, cases driven through the workflow commands to a
status, the demo staff as actors, citizens, and small images (a PNG, a JPEG carrying GPS in its EXIF)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from PIL import Image
from sqlalchemy import Connection, Engine, text

from db.accounts import load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.citizen.persons import ReporterIdentity, register_account
from ops.states import CaseStatus
from ops.workflow import Actor, CaseResult

YUNYAN = (106.7135, 26.5838)  # 云岩区, inside a grid cell
NANMING = (106.7119, 26.5716)  # 南明区, 甲秀楼
KAIYANG = (106.97, 27.06)  # 开阳县: a district without grid, outside the service area
CATEGORY = "C0101"  # 井盖破损: 4 working hours, CGJ city-wide, 520103-CGJ in 云岩区
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday


def at(day: str, hm: str) -> datetime:
    """``at("2026-03-02", "10:00")`` in Asia/Shanghai."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=TZ)


_seq = count(1)


def staff_actors(conn: Connection) -> dict[str, Actor]:
    """The demo staff as actors, by user name: lead, dispatcher, yunyan (officer 520103), cgj (department CGJ),
    admin, moderator."""
    out: dict[str, Actor] = {}
    for uid, name in conn.execute(text("SELECT id, username FROM staff_user")).all():
        ident = load_identity(conn, uid)
        assert ident is not None
        out[name] = Actor.from_identity(ident)
    return out


def staff_actor(db: Engine | Connection, username: str) -> Actor:
    """The staff account ``username`` as it acts (its role, district and department), read from the database."""
    if isinstance(db, Engine):
        with db.connect() as conn:
            return staff_actor(conn, username)
    uid = db.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    ident = load_identity(db, uid)
    assert ident is not None
    return Actor.from_identity(ident)


def citizen(conn: Connection, account: str, home: tuple[float, float] | None = None) -> int:
    """A registered citizen with account ``account`` (and a home, if given): the person's id."""
    return register_account(conn, ReporterIdentity(account_id=account), home=home)


def jpeg_with_exif() -> bytes:
    im = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = {1: "N", 2: (26.0, 35.0, 1.0), 3: "E", 4: (106.0, 42.0, 48.0)}
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 90, 0)).save(out, format="PNG")
    return out.getvalue()


def new_person(conn: Connection) -> int:
    return int(
        conn.execute(
            text("INSERT INTO person (pseudonym, registered) VALUES (:p, true) RETURNING id"),
            {"p": f"wf-test-{next(_seq)}-{id(conn) % 100000}"},
        ).scalar_one()
    )


def snapshot(conn: Connection, case_id: int | None = None) -> tuple[Any, ...]:
    """Everything a refused command must leave unchanged: the case row, its events and the table counts."""
    counts = conn.execute(
        text('SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM case_event)')
    ).one()
    if case_id is None:
        return tuple(counts)
    row = conn.execute(text('SELECT * FROM "case" WHERE id = :id'), {"id": case_id}).one()
    return (*counts, tuple(row))


def event(conn: Connection, event_id: int) -> Any:
    return conn.execute(text("SELECT * FROM case_event WHERE id = :id"), {"id": event_id}).one()


def new_case(
    conn: Connection,
    staff: dict[str, Actor],
    status: CaseStatus = CaseStatus.REPORTED,
    *,
    point: tuple[float, float] = YUNYAN,
    category: str = CATEGORY,
    start: datetime = MON,
    department: str | None = None,
    urgency: str | None = None,
    reporter: Actor | None = None,
) -> CaseResult:
    """A case driven through the commands to ``status``: report at ``start`` (default Monday 10:00), file
    30 min later (10:30), dispatch after 1 h (11:00), then start after 1.5 h (11:30), handle after 5 h (15:00)
    or suspend after 4 h (14:00)."""

    def after(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    r = wf.report(
        conn,
        reporter or Actor.system(),
        category_code=category,
        lon=point[0],
        lat=point[1],
        description="井盖松动",
        source="app",
        now=start,
    )
    if status is CaseStatus.REPORTED:
        return r
    lead = staff["lead"]
    r = wf.file_case(conn, lead, r.id, r.version, urgency=urgency, now=after(30))
    if status is CaseStatus.FILED:
        return r
    r = wf.dispatch(conn, lead, r.id, r.version, department_code=department, now=after(60))
    if status is CaseStatus.DISPATCHED:
        return r
    if status is CaseStatus.IN_PROGRESS:
        return wf.start(conn, lead, r.id, r.version, now=after(90))
    if status is CaseStatus.HANDLED:
        return wf.handle(conn, lead, r.id, r.version, note="已更换井盖", now=after(300))
    if status is CaseStatus.SUSPENDED:
        return wf.suspend(conn, lead, r.id, r.version, reason="等待材料", now=after(240))
    raise ValueError(status)


def live_report(conn: Connection, k: int, at: datetime, category: str = "C0101") -> wf.CaseResult:
    """A citizen's report at ``at``, the ``k``-th of a small grid of places in 云岩区 / 南明区 (the wall's tests)."""
    return wf.report(
        conn,
        Actor.system(),
        category_code=category,
        lon=106.6905 + 0.0023 * (k % 11),
        lat=26.5702 + 0.0019 * (k // 11),
        description=f"live test {k}",
        source="app",
        now=at,
    )
