"""db.citizen on the real test database (one rolled-back transaction per test): API keys, reporter identity,
the report intake (attributes, photos, GCJ-02, idempotency), points rules and awards, verification tasks,
feedback and the public request reads."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Connection, text

from db import workflow as wf
from db.citizen import feedback, keys, points, requests, verification
from db.citizen.intake import ReportReceipt, ReportRequest, submit_report
from db.citizen.persons import ReporterIdentity, person_for_reporter, register_account, registered_person
from db.errors import Forbidden, NotFound, ValidationError
from db.states import CaseStatus
from db.workflow import Actor
from geo.crs import TZ, gcj02_to_wgs84, wgs84_to_gcj02
from tests.db.test_workflow_support import MON, YUNYAN, new_case, staff

__all__ = ["staff"]  # the fixture, imported for pytest

S = CaseStatus
C = "C0101"  # 井盖破损: questions manhole_type (required list) and damage_type
ANSWERS = {"manhole_type": ["rain"], "damage_type": ["missing"]}


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


def counts(conn: Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(
            text(
                'SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM case_event), '
                "(SELECT count(*) FROM photo), (SELECT count(*) FROM person), "
                "(SELECT count(*) FROM case_intake), (SELECT count(*) FROM idempotency_key)"
            )
        ).one()
    )


@pytest.fixture
def key_id(conn: Connection) -> int:
    return keys.create_key(conn, "test client")[0].id


def submit(conn: Connection, key_id: int, media: Path, **kw: Any) -> ReportReceipt:
    fields: dict[str, Any] = {"service_code": C, "lon": YUNYAN[0], "lat": YUNYAN[1], "attributes": ANSWERS}
    req = ReportRequest(**{**fields, **kw})
    return submit_report(conn, req, api_key_id=key_id, media_dir=media, max_photo_bytes=10_000_000)


def files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


# --- API keys and identity ----------------------------------------------------------------------------------


def test_api_keys_are_hashed_checked_and_revoked(conn: Connection) -> None:
    info, key = keys.create_key(conn, "百姓拍 app")
    assert key.startswith("gy_") and len(key) > 40 and info.prefix == key[:10]
    stored = conn.execute(text("SELECT key_hash FROM api_key WHERE id = :i"), {"i": info.id}).scalar_one()
    assert key not in stored and stored == keys.hash_key(key)
    assert keys.check_key(conn, key) == info.id
    assert [k.id for k in keys.list_keys(conn) if k.id == info.id] == [info.id]
    for bad in (None, "", "gy_wrong"):
        with pytest.raises(Forbidden):
            keys.check_key(conn, bad)
    assert keys.revoke_key(conn, info.id).revoked_at is not None
    with pytest.raises(Forbidden):
        keys.check_key(conn, key)
    with pytest.raises(NotFound):
        keys.revoke_key(conn, 987654321)
    with pytest.raises(ValidationError):
        keys.create_key(conn, "  ")


def test_reporter_identity_lands_in_person(conn: Connection) -> None:
    assert person_for_reporter(conn, ReporterIdentity()) is None
    assert person_for_reporter(conn, ReporterIdentity(device_id="d-1")) is None  # a device is no person
    pid = person_for_reporter(conn, ReporterIdentity("acct-x1", "a@b.cn", "13800000000", "三", "张"))
    row = conn.execute(text("SELECT * FROM person WHERE id = :i"), {"i": pid}).one()
    assert (row.account_id, row.name, row.phone, row.email, row.registered) == (
        "acct-x1",
        "张三",
        "13800000000",
        "a@b.cn",
        True,
    )
    assert row.pseudonym.startswith("C") and "acct" not in row.pseudonym
    # the same account again: the same person, contact updated, nothing lost
    again = person_for_reporter(conn, ReporterIdentity("acct-x1", phone="13900000000"))
    assert again == pid
    row = conn.execute(text("SELECT name, phone, email FROM person WHERE id = :i"), {"i": pid}).one()
    assert tuple(row) == ("张三", "13900000000", "a@b.cn")
    # contact without an account: a new, unregistered person each time
    other = person_for_reporter(conn, ReporterIdentity(first_name="Ann", last_name="Lee"))
    assert other != pid
    assert conn.execute(text("SELECT name, registered FROM person WHERE id = :i"), {"i": other}).one() == (
        "Ann Lee",
        False,
    )
    assert registered_person(conn, "acct-x1") == pid
    with pytest.raises(Forbidden):
        registered_person(conn, "nobody-here")


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        (ReporterIdentity(email="not-an-email"), "email"),
        (ReporterIdentity(phone="call me"), "phone"),
        (ReporterIdentity(account_id="has space"), "account_id"),
        (ReporterIdentity(first_name="x" * 41), "first_name"),
        (ReporterIdentity(last_name="bad\x01"), "last_name"),
    ],
)
def test_bad_identity_is_refused(conn: Connection, identity: ReporterIdentity, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        person_for_reporter(conn, identity)
    assert err.value.field == field


# --- intake ---------------------------------------------------------------------------------------------------


def test_report_with_attributes_and_photos(conn: Connection, key_id: int, tmp_path: Path) -> None:
    r = submit(
        conn,
        key_id,
        tmp_path,
        description="井盖缺失",
        address="中华北路",
        media_url="https://example.org/p.jpg",
        identity=ReporterIdentity(account_id="acct-photo", device_id="dev-9"),
        photos=[jpeg_with_exif(), png()],
    )
    case = wf.get_case(conn, r.case_id)
    assert case.source == "app" and case.description == "井盖缺失" and case.address == "中华北路"
    assert case.reporter_id == registered_person(conn, "acct-photo")
    intake = conn.execute(text("SELECT * FROM case_intake WHERE case_id = :i"), {"i": case.id}).one()
    assert intake.attributes == {"manhole_type": "rain", "damage_type": "missing"}
    assert intake.media_urls == ["https://example.org/p.jpg"] and intake.device_id == "dev-9"
    assert intake.api_key_id == key_id and intake.coordinate_system == "wgs84"
    photos = conn.execute(
        text("SELECT id, kind, mime, path, uploaded_by_person_id FROM photo WHERE case_id = :i ORDER BY id"),
        {"i": case.id},
    ).all()
    assert [p.id for p in photos] == list(r.photo_ids)
    assert [(p.kind, p.mime) for p in photos] == [("report", "image/jpeg"), ("report", "image/png")]
    stored = Image.open(tmp_path / photos[0].path)
    assert dict(stored.getexif()) == {} and "exif" not in stored.info  # GPS and camera are gone
    assert len(files(tmp_path)) == 4  # two photos, two thumbnails


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"service_code": "NOPE"}, NotFound, "service_code"),
        ({"service_code": "C01"}, NotFound, "service_code"),  # a 大类 is no service
        ({"attributes": {"damage_type": ["missing"]}}, ValidationError, "attribute[manhole_type]"),
        ({"attributes": {"manhole_type": ["lava"]}}, ValidationError, "attribute[manhole_type]"),
        ({"attributes": {"manhole_type": ["rain", "gas"]}}, ValidationError, "attribute[manhole_type]"),
        ({"photos": [b"hello, I am text"]}, ValidationError, "media"),
        ({"photos": [png()[:40]]}, ValidationError, "media"),
        ({"photos": [png()] * 10}, ValidationError, "media"),
        ({"lon": 116.4, "lat": 39.9}, Exception, None),  # Beijing: outside the service area
        ({"lat": float("nan")}, ValidationError, "lat"),
        ({"coordinate_system": "bd09"}, ValidationError, "coordinate_system"),
        ({"description": "x" * 4001}, ValidationError, "description"),
        ({"media_url": "javascript:alert(1)"}, ValidationError, "media_url"),
    ],
)
def test_refused_reports_leave_nothing(
    conn: Connection, key_id: int, tmp_path: Path, change: dict[str, object], error: type, field: str | None
) -> None:
    before = counts(conn)
    with pytest.raises(error) as err:
        submit(conn, key_id, tmp_path, **{"photos": [jpeg_with_exif()], **change})
    if field is not None:
        assert getattr(err.value, "field", None) == field
    assert counts(conn) == before
    assert files(tmp_path) == []  # photos are checked before anything is written


def test_png_bytes_declared_as_jpeg_are_refused(tmp_path: Path) -> None:
    from db.media import clean_image

    fake = b"\xff\xd8\xff" + png()  # a JPEG's magic in front of a PNG
    with pytest.raises(ValidationError):
        clean_image(fake, 10_000_000)


def test_gcj02_points_are_converted_at_intake(conn: Connection, key_id: int, tmp_path: Path) -> None:
    # known pairs: the published 天安门 pair, and 云岩区 (from an independent implementation of the published
    # algorithm); GCJ-02 shifts a point in Guiyang ~500 m
    assert gcj02_to_wgs84(116.403664, 39.910627) == pytest.approx((116.397428, 39.90923), abs=1e-5)
    gcj = (106.7172724, 26.5802771)
    assert wgs84_to_gcj02(*YUNYAN) == pytest.approx(gcj, abs=1e-6)
    r = submit(conn, key_id, tmp_path, lon=gcj[0], lat=gcj[1], coordinate_system="gcj02")
    case = wf.get_case(conn, r.case_id)
    assert (case.lon, case.lat) == pytest.approx(YUNYAN, abs=1e-7)
    crs = conn.execute(text("SELECT coordinate_system FROM case_intake WHERE case_id = :i"), {"i": case.id})
    assert crs.scalar_one() == "gcj02"


def test_idempotency_key_replays_the_first_answer(conn: Connection, key_id: int, tmp_path: Path) -> None:
    first = submit_report(
        conn,
        ReportRequest(C, *YUNYAN, attributes=ANSWERS),
        api_key_id=key_id,
        media_dir=tmp_path,
        max_photo_bytes=10_000_000,
        idempotency_key="retry-1",
    )
    before = counts(conn)
    again = submit_report(
        conn,
        ReportRequest(C, *YUNYAN, attributes=ANSWERS),
        api_key_id=key_id,
        media_dir=tmp_path,
        max_photo_bytes=10_000_000,
        idempotency_key="retry-1",
    )
    assert (again.case_id, again.ticket, again.replayed) == (first.case_id, first.ticket, True)
    assert counts(conn) == before
    with pytest.raises(ValidationError):  # the same key for another request
        submit_report(
            conn,
            ReportRequest(C, *YUNYAN, description="other", attributes=ANSWERS),
            api_key_id=key_id,
            media_dir=tmp_path,
            max_photo_bytes=10_000_000,
            idempotency_key="retry-1",
        )


# --- points ---------------------------------------------------------------------------------------------------


def citizen(conn: Connection, account: str, home: tuple[float, float] | None = None) -> int:
    return register_account(conn, ReporterIdentity(account_id=account), home=home)


def close(conn: Connection, staff: dict[str, Actor], case: wf.CaseResult) -> wf.CaseResult:
    return wf.verify(conn, staff["lead"], case.id, case.version, passed=True, now=MON + timedelta(days=1))


def ledger(conn: Connection, person: int) -> list[tuple[str, str, int]]:
    rows = conn.execute(
        text("SELECT reason, ref, points FROM points_ledger WHERE person_id = :p ORDER BY id"), {"p": person}
    )
    return [(r.reason, r.ref, r.points) for r in rows]


def test_first_valid_reporter_earns_the_rule_points_once_on_close(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    pid = citizen(conn, "acct-points")
    case = new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(pid))
    assert ledger(conn, pid) == []  # nothing before the close
    closed = close(conn, staff, case)
    catalog = conn.execute(text("SELECT points FROM category WHERE code = :c"), {"c": C}).scalar_one()
    assert ledger(conn, pid) == [("report", f"case:{case.id}", catalog)]
    assert points.balance(conn, pid) == catalog
    # the same act cannot be rewarded twice: the unique constraint, not hope
    assert points.award(conn, pid, "report", f"case:{case.id}", 99, case_id=case.id) is False
    assert ledger(conn, pid) == [("report", f"case:{case.id}", catalog)]
    assert points.history(conn, pid)[0].ticket == closed.ticket


def test_rules_are_data(conn: Connection, staff: dict[str, Actor]) -> None:
    assert points.seed_rules(conn) >= 0
    rule = conn.execute(
        text("SELECT r.points, c.points FROM points_rule r JOIN category c ON c.code = r.category_code "
             "WHERE r.reason = 'report' AND r.category_code = :c"),
        {"c": C},
    ).one()  # fmt: skip
    assert rule[0] == rule[1]  # seeded from the catalog
    points.set_rule(conn, "report", C, 42)
    assert points.points_for(conn, "report", C) == 42
    assert points.points_for(conn, "verification", C) == 5  # the default rule
    points.set_rule(conn, "verification", C, 7)
    assert points.points_for(conn, "verification", C) == 7
    pid = citizen(conn, "acct-rules")
    close(conn, staff, new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(pid)))
    assert [p for _, _, p in ledger(conn, pid)] == [42]
    with pytest.raises(ValidationError):
        points.set_rule(conn, "report", C, -1)


def test_rejected_merged_duplicate_and_unregistered_reports_earn_nothing(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    lead = staff["lead"]
    first_pid, dup_pid, rejected_pid, merged_pid = (citizen(conn, f"acct-n{i}") for i in range(4))
    first = new_case(conn, staff, S.REPORTED, reporter=Actor.citizen(first_pid))
    # a second report of the same problem while the first is open: a duplicate, even if it gets closed
    dup = new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(dup_pid), start=MON + timedelta(minutes=5))
    assert first.id in wf.history(conn, dup.id)[0].payload["duplicates"]
    close(conn, staff, dup)
    rejected = new_case(conn, staff, S.REPORTED, reporter=Actor.citizen(rejected_pid), point=(106.6, 26.5))
    wf.reject(conn, lead, rejected.id, rejected.version, reason="无效", now=MON + timedelta(hours=1))
    merged = new_case(conn, staff, S.REPORTED, reporter=Actor.citizen(merged_pid), point=(106.62, 26.52))
    target = new_case(conn, staff, S.REPORTED, point=(106.62, 26.52), start=MON + timedelta(minutes=1))
    wf.merge(conn, lead, merged.id, merged.version, into_case_id=target.id, now=MON + timedelta(hours=1))
    anonymous = person_for_reporter(conn, ReporterIdentity(phone="13700000000"))
    assert anonymous is not None
    close(
        conn, staff, new_case(conn, staff, S.HANDLED, reporter=Actor.citizen(anonymous), point=(106.7, 26.6))
    )
    for pid in (dup_pid, rejected_pid, merged_pid, anonymous):
        assert ledger(conn, pid) == []


# --- verification ---------------------------------------------------------------------------------------------

NEAR = (YUNYAN[0] + 0.001, YUNYAN[1] + 0.001)  # ~150 m away
FAR = (YUNYAN[0] + 0.05, YUNYAN[1])  # ~5 km away


def handled_case(conn: Connection, staff: dict[str, Actor], reporter: int | None = None) -> wf.CaseResult:
    actor = Actor.citizen(reporter) if reporter else None
    return new_case(conn, staff, S.HANDLED, reporter=actor)


def test_tasks_go_to_near_citizens_and_supervisors(conn: Connection, staff: dict[str, Actor]) -> None:
    reporter = citizen(conn, "acct-rep", home=YUNYAN)
    near = citizen(conn, "acct-near", home=NEAR)
    far = citizen(conn, "acct-far", home=FAR)
    case = handled_case(conn, staff, reporter)
    assert verification.create_tasks(conn, case.id, radius_m=500) >= 2
    assert verification.create_tasks(conn, case.id, radius_m=500) == 0  # once per round
    rows = conn.execute(
        text("SELECT person_id, state FROM verification_task WHERE case_id = :c"), {"c": case.id}
    ).all()
    people = {r.person_id for r in rows}
    assert None in people and near in people  # the supervisors and the neighbour
    assert reporter not in people and far not in people  # never the reporter; not 5 km away
    assert [t.ticket for t in verification.tasks_for(conn, near, radius_m=500)] == [case.ticket]
    assert verification.tasks_for(conn, far, radius_m=500) == []
    assert verification.tasks_for(conn, reporter, radius_m=500) == []


def test_pull_offers_handled_cases_without_a_push(conn: Connection, staff: dict[str, Actor]) -> None:
    near = citizen(conn, "acct-pull", home=NEAR)
    case = handled_case(conn, staff)
    tasks = verification.tasks_for(conn, near, radius_m=500)
    assert [t.ticket for t in tasks] == [case.ticket]
    assert tasks == verification.tasks_for(conn, near, radius_m=500)  # asking again creates nothing new


def test_private_cases_are_not_offered_to_citizens(conn: Connection, staff: dict[str, Actor]) -> None:
    near = citizen(conn, "acct-private", home=NEAR)
    case = handled_case(conn, staff)
    conn.execute(text('UPDATE "case" SET public = false WHERE id = :i'), {"i": case.id})
    verification.create_tasks(conn, case.id, radius_m=500)
    assert verification.tasks_for(conn, near, radius_m=500) == []


def test_first_answer_closes_the_case_and_awards_points(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    reporter = citizen(conn, "acct-r2")
    a, b = citizen(conn, "acct-a", home=NEAR), citizen(conn, "acct-b", home=NEAR)
    case = handled_case(conn, staff, reporter)
    verification.create_tasks(conn, case.id, radius_m=500)
    (task_a,) = verification.tasks_for(conn, a, radius_m=500)
    (task_b,) = verification.tasks_for(conn, b, radius_m=500)
    with pytest.raises(ValidationError):  # a photo is required
        verification.answer(
            conn, a, task_a.id, passed=True, note=None, photos=[], media_dir=tmp_path, max_photo_bytes=10**7
        )
    done = verification.answer(
        conn,
        a,
        task_a.id,
        passed=True,
        note="已修好",
        photos=[jpeg_with_exif()],
        media_dir=tmp_path,
        max_photo_bytes=10**7,
        now=MON + timedelta(days=1),
    )
    assert done.status is S.CLOSED and done.points == 5
    assert ledger(conn, a) == [("verification", f"verify:{case.id}:{wf.history(conn, case.id)[-2].id}", 5)]
    assert [r for r, _, _ in ledger(conn, reporter)] == ["report"]  # the close paid the reporter too
    ev = wf.history(conn, case.id)[-1]
    assert (ev.action, ev.actor_role, ev.actor_person_id) == ("verify_pass", "citizen", a)
    rows = conn.execute(
        text("SELECT person_id, state FROM verification_task WHERE case_id = :c"), {"c": case.id}
    )
    states = {r.person_id: r.state for r in rows}
    assert states == {a: "answered", b: "closed", None: "closed"}
    kinds = conn.execute(text("SELECT kind FROM photo WHERE case_id = :c"), {"c": case.id}).scalars().all()
    assert kinds == ["verification"]
    with pytest.raises(ValidationError):  # the round is over for b
        verification.answer(
            conn,
            b,
            task_b.id,
            passed=True,
            note=None,
            photos=[png()],
            media_dir=tmp_path,
            max_photo_bytes=10**7,
        )
    with pytest.raises(NotFound):  # someone else's task
        verification.answer(
            conn,
            b,
            task_a.id,
            passed=True,
            note=None,
            photos=[png()],
            media_dir=tmp_path,
            max_photo_bytes=10**7,
        )


def test_refuted_fix_goes_back_for_rework(conn: Connection, staff: dict[str, Actor], tmp_path: Path) -> None:
    a = citizen(conn, "acct-refute", home=NEAR)
    case = handled_case(conn, staff)
    (task,) = verification.tasks_for(conn, a, radius_m=500)
    with pytest.raises(ValidationError):  # refuting needs a note
        verification.answer(
            conn,
            a,
            task.id,
            passed=False,
            note=" ",
            photos=[png()],
            media_dir=tmp_path,
            max_photo_bytes=10**7,
        )
    done = verification.answer(
        conn,
        a,
        task.id,
        passed=False,
        note="井盖仍然缺失",
        photos=[png()],
        media_dir=tmp_path,
        max_photo_bytes=10**7,
        now=MON + timedelta(days=1),
    )
    assert done.status is S.DISPATCHED and wf.get_case(conn, case.id).rework_count == 1
    assert [r for r, _, _ in ledger(conn, a)] == ["verification"]
    assert verification.tasks_for(conn, a, radius_m=500) == []  # no open round until it is handled again


def test_a_citizen_cannot_verify_their_own_report(conn: Connection, staff: dict[str, Actor]) -> None:
    me = citizen(conn, "acct-own", home=YUNYAN)
    case = handled_case(conn, staff, me)
    assert verification.tasks_for(conn, me, radius_m=500) == []
    with pytest.raises(Forbidden):
        wf.verify(conn, Actor.citizen(me), case.id, case.version, passed=True, now=MON + timedelta(days=1))


# --- feedback and reads ---------------------------------------------------------------------------------------


def test_feedback_is_kept_for_staff(conn: Connection, staff: dict[str, Actor], key_id: int) -> None:
    pid = citizen(conn, "acct-fb")
    fid = feedback.submit_feedback(conn, "  希望增加夜间巡查  ", person_id=pid, api_key_id=key_id)
    row = next(f for f in feedback.list_feedback(conn, handled=False) if f.id == fid)
    assert row.text == "希望增加夜间巡查" and row.person_pseudonym and row.person_pseudonym.startswith("C")
    feedback.mark_handled(conn, fid, staff["lead"].user_id or 0)
    assert fid in {f.id for f in feedback.list_feedback(conn, handled=True)}
    for bad in ("", "x" * 2001):
        with pytest.raises(ValidationError):
            feedback.submit_feedback(conn, bad)


def test_public_requests_by_ticket_window_and_status(conn: Connection, staff: dict[str, Actor]) -> None:
    open_case = new_case(conn, staff, S.DISPATCHED)
    private = new_case(conn, staff, S.REPORTED, start=MON + timedelta(minutes=2))
    conn.execute(text('UPDATE "case" SET public = false WHERE id = :i'), {"i": private.id})
    got = requests.find_requests(conn, requests.RequestQuery(tickets=(open_case.ticket, private.ticket)))
    assert [r.ticket for r in got] == [open_case.ticket]  # private cases are never returned
    assert got[0].agency_zh and got[0].expected_at == open_case.deadline
    with pytest.raises(NotFound):
        requests.get_request(conn, private.ticket)
    start, end = requests.window(MON - timedelta(hours=1), MON + timedelta(hours=1))
    q = requests.RequestQuery(start=start, end=end, open311_statuses=("open",), page_size=1000)
    assert open_case.ticket in {r.ticket for r in requests.find_requests(conn, q)}
    q = requests.RequestQuery(start=start, end=end, open311_statuses=("closed",), page_size=1000)
    assert open_case.ticket not in {r.ticket for r in requests.find_requests(conn, q)}


def test_request_window_defaults_and_limits() -> None:
    now = datetime(2026, 6, 1, tzinfo=TZ)
    assert requests.window(None, None, now) == (now - timedelta(days=90), now)
    start = datetime(2026, 1, 1)  # naive: Beijing time
    assert requests.window(start, None, now) == (
        start.replace(tzinfo=TZ),
        start.replace(tzinfo=TZ) + timedelta(days=90),
    )
    with pytest.raises(ValidationError):
        requests.window(now - timedelta(days=91), now)
    with pytest.raises(ValidationError):
        requests.window(now, now - timedelta(days=1))
