"""ops.citizen on the real test database (one rolled-back transaction per test): API keys, reporter identity,
the report intake (attributes, photos, GCJ-02, idempotency), feedback and the public request reads. Points and
verification: test_citizen_rewards.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Connection, text

from db.errors import Forbidden, NotFound, ValidationError
from geo.crs import TZ, gcj02_to_wgs84, wgs84_to_gcj02
from ops import workflow as wf
from ops.citizen import feedback, keys, requests
from ops.citizen.intake import ReportReceipt, ReportRequest, submit_report
from ops.citizen.persons import ReporterIdentity, person_for_reporter, register_account, registered_person
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import MON, YUNYAN, jpeg_with_exif, new_case, png

S = CaseStatus
C = "C0101"  # 井盖破损: questions manhole_type (required list) and damage_type
ANSWERS = {"manhole_type": ["rain"], "damage_type": ["missing"]}


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


# --- feedback and reads ---------------------------------------------------------------------------------------


def test_feedback_is_kept_for_staff(conn: Connection, staff: dict[str, Actor], key_id: int) -> None:
    pid = register_account(conn, ReporterIdentity(account_id="acct-fb"))
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
