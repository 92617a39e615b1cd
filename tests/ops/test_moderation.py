"""Moderation of the public layer on the real PostGIS test database: every change is written and logged in the
append-only moderation_log, and the public queries follow at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from db.errors import NotFound, ValidationError
from db.media import store_photo
from db.queries import public as q
from demo.public import placeholder_picture
from ops import moderation as m

INSIDE = (106.7135, 26.5838)  # 云岩区
OUTSIDE = (116.39, 39.9)  # Beijing


def staff_id(conn: Connection, name: str = "moderator") -> int:
    return int(conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar_one())


def new_person(conn: Connection, tag: str) -> int:
    return int(
        conn.execute(
            text("INSERT INTO person (pseudonym, name, phone) VALUES (:p, :n, '13900001111') RETURNING id"),
            {"p": f"modtest-{tag}", "n": f"投稿人{tag}"},
        ).scalar_one()
    )


def log_rows(conn: Connection, kind: str, target: int) -> list[Any]:
    return list(
        conn.execute(
            text(
                "SELECT action, actor_user_id, actor_person_id, reason, payload FROM moderation_log "
                "WHERE target_kind = :k AND target_id = :t ORDER BY id"
            ),
            {"k": kind, "t": target},
        ).all()
    )


def public_post_ids(conn: Connection) -> set[int]:
    return {f["properties"]["id"] for f in json.loads(q.beauty_geojson(conn))["features"]}


@pytest.fixture
def submission(conn: Connection, settings: Any) -> tuple[int, int, int]:
    """(person, photo, post): a citizen's pending 最美贵阳 post."""
    return submit(conn, settings)


def submit(conn: Connection, settings: Any) -> tuple[int, int, int]:
    person = new_person(conn, "a")
    photo = store_photo(
        conn, settings.media_path, placeholder_picture("modtest-a"), kind="beauty", person_id=person
    )
    post = m.submit_beauty_post(conn, person, " 花溪夜色 ", "十里河滩的灯光", INSIDE[0], INSIDE[1], photo.id)
    return person, photo.id, post


def test_submission_waits_for_approval_and_is_logged(
    conn: Connection, submission: tuple[int, int, int]
) -> None:
    person, photo, post = submission
    row = conn.execute(
        text("SELECT title, state, person_id, photo_id FROM beauty_post WHERE id = :id"), {"id": post}
    ).one()
    assert tuple(row) == ("花溪夜色", "pending", person, photo)
    assert post not in public_post_ids(conn)
    assert q.public_photo(conn, photo) is None
    (entry,) = log_rows(conn, "beauty_post", post)
    assert entry.action == "submit" and entry.actor_person_id == person and entry.actor_user_id is None
    assert [r.id for r in m.posts_for_review(conn, "pending")][-1] == post


def test_submission_refusals_write_nothing(
    conn: Connection, settings: Any, submission: tuple[int, int, int]
) -> None:
    person, photo, _ = submission
    other = new_person(conn, "b")
    fresh = store_photo(
        conn, settings.media_path, placeholder_picture("modtest-b"), kind="beauty", person_id=person
    )
    report_photo = store_photo(conn, settings.media_path, placeholder_picture("modtest-c"), kind="report")
    count = conn.execute(text("SELECT count(*) FROM beauty_post")).scalar_one()
    bad: list[tuple[type[Exception], dict[str, Any]]] = [
        (ValidationError, {"photo_id": photo}),  # already used by a post
        (ValidationError, {"person_id": other, "photo_id": fresh.id}),  # someone else's photo
        (ValidationError, {"photo_id": report_photo.id}),  # not a beauty photo
        (NotFound, {"photo_id": 987654321}),
        (ValidationError, {"title": "  "}),
        (ValidationError, {"title": "长" * 81}),
        (ValidationError, {"lon": OUTSIDE[0], "lat": OUTSIDE[1]}),
        (ValidationError, {"lon": float("nan")}),
    ]
    for exc, override in bad:
        args = {
            "person_id": person,
            "title": "t",
            "body": "",
            "lon": INSIDE[0],
            "lat": INSIDE[1],
            "photo_id": fresh.id,
            **override,
        }
        with pytest.raises(exc):
            m.submit_beauty_post(conn, **args)
    assert conn.execute(text("SELECT count(*) FROM beauty_post")).scalar_one() == count


def test_approve_then_hide(conn: Connection, submission: tuple[int, int, int]) -> None:
    _, photo, post = submission
    mod = staff_id(conn)
    assert m.set_post_state(conn, mod, post, "approved", "很美") is True
    assert post in public_post_ids(conn) and q.public_photo(conn, photo) is not None
    assert m.set_post_state(conn, mod, post, "approved") is False  # nothing changed, nothing logged
    assert m.set_post_state(conn, mod, post, "hidden", "位置不准") is True
    assert post not in public_post_ids(conn) and q.public_photo(conn, photo) is None
    actions = [
        (r.action, r.actor_user_id, r.reason, r.payload.get("to"))
        for r in log_rows(conn, "beauty_post", post)
    ]
    assert actions == [
        ("submit", None, None, None),
        ("approve", mod, "很美", "approved"),
        ("hide", mod, "位置不准", "hidden"),
    ]
    row = conn.execute(
        text("SELECT moderated_by_user_id FROM beauty_post WHERE id = :id"), {"id": post}
    ).one()
    assert row.moderated_by_user_id == mod
    with pytest.raises(ValidationError):
        m.set_post_state(conn, mod, post, "deleted")
    with pytest.raises(NotFound):
        m.set_post_state(conn, mod, 987654321, "hidden")


def test_report_photo_moderation(conn: Connection, settings: Any) -> None:
    case_id = conn.execute(
        text(
            'SELECT c.id FROM "case" c JOIN category k ON k.code = c.category_code WHERE c.public AND k.public '
            "LIMIT 1"
        )
    ).scalar()
    if case_id is None:  # the template holds no cases: make one
        from ops import workflow as wf

        case_id = wf.report(
            conn,
            wf.Actor.system(),
            category_code="C0101",
            lon=INSIDE[0],
            lat=INSIDE[1],
            description="井盖",
            source="hotline",
        ).id
    photo = store_photo(
        conn, settings.media_path, placeholder_picture("modtest-r"), kind="report", case_id=case_id
    )
    assert photo.id in [r.id for r in m.report_photos_for_review(conn, "pending")]
    mod = staff_id(conn)
    assert m.set_photo_public(conn, mod, photo.id, True) is True
    assert q.public_photo(conn, photo.id) is not None
    assert photo.id in [r.id for r in m.report_photos_for_review(conn, "approved")]
    assert m.set_photo_public(conn, mod, photo.id, False, "拍到车牌") is True
    assert q.public_photo(conn, photo.id) is None
    assert photo.id in [r.id for r in m.report_photos_for_review(conn, "hidden")]
    assert [r.action for r in log_rows(conn, "photo", photo.id)] == ["photo_approve", "photo_hide"]
    beauty = store_photo(conn, settings.media_path, placeholder_picture("modtest-x"), kind="beauty")
    with pytest.raises(NotFound):
        m.set_photo_public(conn, mod, beauty.id, True)


def test_service_point_lifecycle(conn: Connection) -> None:
    mod = staff_id(conn)
    pid = m.add_service_point(
        conn, mod, kind="water", name_zh="测试直饮水", lon=INSIDE[0], lat=INSIDE[1], open_hours="08:00-20:00"
    )
    p = m.get_service_point(conn, pid)
    assert (p["kind"], p["name_en"], p["open_hours"]) == ("water", "测试直饮水", "08:00-20:00")
    assert pid in {f["properties"]["id"] for f in json.loads(q.service_points_geojson(conn))["features"]}

    assert m.move_service_point(conn, mod, pid, INSIDE[0] + 0.001, INSIDE[1]) is True
    assert m.move_service_point(conn, mod, pid, INSIDE[0] + 0.001, INSIDE[1]) is False
    assert m.get_service_point(conn, pid)["lon"] == pytest.approx(INSIDE[0] + 0.001)
    with pytest.raises(ValidationError):
        m.move_service_point(conn, mod, pid, *OUTSIDE)

    assert m.edit_service_point(conn, mod, pid, name_en="Test water", kind="water") is True
    assert m.edit_service_point(conn, mod, pid, name_en="Test water") is False
    with pytest.raises(ValidationError):
        m.edit_service_point(conn, mod, pid, kind="casino")
    with pytest.raises(ValidationError):
        m.edit_service_point(conn, mod, pid, geom="POINT(0 0)")

    assert m.retire_service_point(conn, mod, pid, "已拆除") is True
    assert m.retire_service_point(conn, mod, pid) is False
    assert pid not in {f["properties"]["id"] for f in json.loads(q.service_points_geojson(conn))["features"]}
    with pytest.raises(ValidationError):
        m.edit_service_point(conn, mod, pid, name_zh="复活")
    entries = log_rows(conn, "service_point", pid)
    assert [e.action for e in entries] == ["point_add", "point_move", "point_edit", "point_retire"]
    assert entries[2].payload == {"before": {"name_en": "测试直饮水"}, "after": {"name_en": "Test water"}}
    assert entries[1].payload["to"] == [round(INSIDE[0] + 0.001, 6), INSIDE[1]]
    assert entries[3].reason == "已拆除"
    assert {e.actor_user_id for e in entries} == {mod}


def test_add_refusals(conn: Connection) -> None:
    mod = staff_id(conn)
    with pytest.raises(ValidationError):
        m.add_service_point(conn, mod, kind="toilet", name_zh="", lon=INSIDE[0], lat=INSIDE[1])
    with pytest.raises(ValidationError):
        m.add_service_point(conn, mod, kind="toilet", name_zh="x", lon=OUTSIDE[0], lat=OUTSIDE[1])
    with pytest.raises(ValidationError):
        m.add_service_point(
            conn, mod, kind="toilet", name_zh="x", open_hours="9" * 41, lon=INSIDE[0], lat=INSIDE[1]
        )


def test_log_is_append_only(owner_conn: Connection, settings: Any) -> None:
    """The triggers refuse even the owner role (the app role has no such privilege at all)."""
    conn = owner_conn
    submit(conn, settings)
    for statement in (
        "UPDATE moderation_log SET reason = 'x'",
        "DELETE FROM moderation_log",
        "TRUNCATE moderation_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
            conn.execute(text(statement))
    assert conn.execute(text("SELECT count(*) FROM moderation_log")).scalar_one() >= 1


def test_recent_log_hides_citizens(conn: Connection, submission: tuple[int, int, int]) -> None:
    _, _, post = submission
    m.set_post_state(conn, staff_id(conn), post, "approved")
    rows = m.recent_log(conn, 5)
    assert rows[0].action == "approve" and rows[0].actor == "内容审核 陈静"
    assert rows[1].action == "submit" and rows[1].actor == "citizen"
    assert "投稿人" not in repr(rows)
