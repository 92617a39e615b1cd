"""A clear desk for browser tests of the work list: every case left open by earlier test modules (the browser tests
share one database) is taken to its end through the workflow commands, as the shift lead, and every ringing alarm
is acknowledged, so a test's new case is on the queue's first page and nothing rings over it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, text

from db.accounts import load_identity
from geo.crs import TZ
from ops import workflow as wf
from ops.alarms import acknowledge, open_alarms
from ops.workflow import Actor

NOTE = "测试清场"


def clear_desk(engine: Engine) -> int:
    """Close (or reject) every open case and acknowledge every alarm; the number of cases ended."""
    with engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        ident = load_identity(conn, uid)
        assert ident is not None
        boss = Actor.from_identity(ident)
        ids = conn.execute(
            text("SELECT id FROM \"case\" WHERE status NOT IN ('closed', 'rejected', 'merged') ORDER BY id")
        ).scalars()
        ended = 0
        for case_id in ids:
            r = wf.get_case(conn, case_id)
            while r.status not in ("closed", "rejected", "merged"):
                if r.status == "reported":
                    wf.reject(conn, boss, case_id, r.version, reason=NOTE)
                elif r.status == "filed":
                    wf.dispatch(conn, boss, case_id, r.version)
                elif r.status == "suspended":
                    wf.resume(conn, boss, case_id, r.version)
                elif r.status in ("dispatched", "in_progress"):
                    wf.handle(conn, boss, case_id, r.version, note=NOTE)
                else:  # handled
                    wf.verify(conn, boss, case_id, r.version, passed=True, note=NOTE)
                r = wf.get_case(conn, case_id)
            ended += 1
        for alarm in open_alarms(conn, ident, limit=10_000):
            acknowledge(conn, ident, alarm.id, now=datetime.now(TZ), note=NOTE)
    return ended
