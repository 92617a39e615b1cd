"""Public map fixtures: a citizen with distinctive personal data and five reports through the workflow commands
(closed with internal notes, open, merged, private, of a non-public 小类), for the privacy tests of the public read
models, the API and the browser."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.workflow import Actor

PUBLIC_CATEGORY = "C0101"  # 井盖破损: public
PRIVATE_CATEGORY = "E0502"  # 流动摊贩: not on the public map ("about persons")
YUNYAN = (106.7135, 26.5838)
NOTE = "内部意见：勿外传"


@dataclass(frozen=True)
class Secrets:
    """Distinctive personal values that must never leave the staff side."""

    name: str
    phone: str
    account: str
    email: str
    note: str

    def values(self) -> list[str]:
        return [self.name, self.phone, self.account, self.email, self.note]


@dataclass(frozen=True)
class Seeded:
    point: tuple[float, float]
    secrets: Secrets
    person: int
    closed: Any  # CaseResult of a public case driven to closed, with internal notes
    open: Any  # a public case just reported (same cell)
    private: Any  # a case marked not public
    hidden_category: Any  # a case of a non-public 小类
    merged: Any  # a duplicate merged into ``open``
    times: dict[str, datetime]


_RNG = random.Random(20260305)  # seeded: the same sequence of points every run


def unique_point(rng: random.Random | None = None) -> tuple[float, float]:
    """A point in 云岩区's grid, ~1 km around YUNYAN, rounded to 6 decimals (the way reports arrive)."""
    r = rng or _RNG
    return (round(YUNYAN[0] + r.uniform(-0.008, 0.008), 6), round(YUNYAN[1] + r.uniform(-0.006, 0.006), 6))


def make_secrets(tag: str) -> Secrets:
    return Secrets(
        name=f"隐私测试员{tag}",
        phone=f"139{tag[-8:].rjust(8, '7')}",
        account=f"acct-pubtest-{tag}",
        email=f"pubtest.{tag}@example.cn",
        note=f"{NOTE}-{tag}",
    )


def lead(conn: Connection) -> Actor:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return Actor.from_identity(ident)


def seed_city_cases(
    conn: Connection, point: tuple[float, float], tag: str, now: datetime | None = None
) -> Seeded:
    """A citizen with distinctive personal data and five reports at ``point`` through the workflow commands:
    one closed (with internal notes), one open, one merged into it, one private, one of a non-public 小类."""
    now = now or datetime.now(TZ)
    secrets = make_secrets(tag)
    person = int(
        conn.execute(
            text(
                "INSERT INTO person (pseudonym, account_id, name, phone, email, registered, home) VALUES "
                "(:p, :a, :n, :ph, :e, true, ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id"
            ),
            {
                "p": f"pubtest-{tag}",
                "a": secrets.account,
                "n": secrets.name,
                "ph": secrets.phone,
                "e": secrets.email,
                "x": point[0],
                "y": point[1],
            },
        ).scalar_one()
    )
    citizen, boss = Actor.citizen(person), lead(conn)
    t0 = now - timedelta(days=2)
    times = {
        "report": t0,
        "file": t0 + timedelta(minutes=20),
        "dispatch": t0 + timedelta(minutes=40),
        "handle": t0 + timedelta(hours=3),
        "verify": t0 + timedelta(hours=4),
    }

    def report(category: str, public: bool | None = None, at: datetime = t0) -> Any:
        return wf.report(
            conn,
            citizen,
            category_code=category,
            lon=point[0],
            lat=point[1],
            source="app",
            public=public,
            description=f"{secrets.name} 电话 {secrets.phone} 举报",
            address=f"{secrets.name}家门口",
            now=at,
        )

    closed = report(PUBLIC_CATEGORY)
    closed = wf.file_case(conn, boss, closed.id, closed.version, now=times["file"])
    closed = wf.dispatch(conn, boss, closed.id, closed.version, now=times["dispatch"])
    closed = wf.handle(conn, boss, closed.id, closed.version, note=secrets.note, now=times["handle"])
    closed = wf.verify(
        conn, boss, closed.id, closed.version, passed=True, note=secrets.note, now=times["verify"]
    )
    opened = report(PUBLIC_CATEGORY, at=now - timedelta(hours=5))
    merged = report(PUBLIC_CATEGORY, at=now - timedelta(hours=4))
    merged = wf.merge(
        conn, boss, merged.id, merged.version, into_case_id=opened.id, now=now - timedelta(hours=3)
    )
    opened = wf.file_case(conn, boss, opened.id, opened.version, now=now - timedelta(hours=2))
    opened = wf.dispatch(conn, boss, opened.id, opened.version, now=now - timedelta(hours=1))
    private = report(PUBLIC_CATEGORY, public=False)
    hidden_category = report(PRIVATE_CATEGORY)
    return Seeded(point, secrets, person, closed, opened, private, hidden_category, merged, times)
