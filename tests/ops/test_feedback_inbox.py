"""The 意见反馈 inbox's domain on the real test database: staff list feedback (unhandled first, filtered, counted),
answer it and mark it handled; the citizen reads their own feedback with the answer; refusals write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from ops.citizen import feedback as fb
from ops.citizen.persons import ReporterIdentity, register_account
from ops.workflow import Actor


def lead_id(staff: dict[str, Actor]) -> int:
    uid = staff["lead"].user_id
    assert uid is not None
    return uid


def test_unhandled_come_first_and_are_counted(conn: Connection, staff: dict[str, Actor]) -> None:
    conn.execute(text("DELETE FROM feedback"))
    old = fb.submit_feedback(conn, "旧的意见")
    done = fb.submit_feedback(conn, "已处理的意见")
    new = fb.submit_feedback(conn, "新的意见")
    conn.execute(text("UPDATE feedback SET created_at = now() - interval '2 days' WHERE id = :i"), {"i": old})
    fb.mark_handled(conn, done, lead_id(staff))
    assert [f.id for f in fb.list_feedback(conn)] == [new, old, done]
    assert [f.id for f in fb.list_feedback(conn, handled=False)] == [new, old]
    assert [f.id for f in fb.list_feedback(conn, handled=True)] == [done]
    assert [f.id for f in fb.list_feedback(conn, query="旧的")] == [old]
    assert fb.feedback_counts(conn) == fb.FeedbackCounts(unhandled=2, handled=1, answered=0)


def test_answer_and_mark_handled(conn: Connection, staff: dict[str, Actor]) -> None:
    person = register_account(conn, ReporterIdentity(account_id="fb-inbox-1", phone="13800002222"))
    fid = fb.submit_feedback(conn, "希望增加夜间巡查", person_id=person)
    row = next(f for f in fb.list_feedback(conn, handled=False) if f.id == fid)
    assert row.phone == "13800002222" and row.answer is None
    fb.answer_feedback(conn, fid, lead_id(staff), "  已安排夜班巡查。 ")
    row = next(f for f in fb.list_feedback(conn, handled=False) if f.id == fid)
    assert row.answer == "已安排夜班巡查。" and row.answered_at is not None and row.handled_at is None
    fb.answer_feedback(conn, fid, lead_id(staff), "已安排夜班巡查，每周三次。", handled=True)
    assert fid not in {f.id for f in fb.list_feedback(conn, handled=False)}
    mine = fb.feedback_of_person(conn, person)
    assert [(f.id, f.status, f.answer) for f in mine] == [(fid, "handled", "已安排夜班巡查，每周三次。")]
    by = conn.execute(
        text("SELECT answered_by_user_id, handled_by_user_id FROM feedback WHERE id = :i"), {"i": fid}
    ).one()
    assert tuple(by) == (lead_id(staff), lead_id(staff))


@pytest.mark.parametrize("answer", ["", "   ", "x" * (fb.MAX_ANSWER + 1), "a\x00b", None])
def test_a_bad_answer_writes_nothing(conn: Connection, staff: dict[str, Actor], answer: object) -> None:
    fid = fb.submit_feedback(conn, "反馈")
    with pytest.raises(ValidationError) as raised:
        fb.answer_feedback(conn, fid, lead_id(staff), answer, handled=True)  # type: ignore[arg-type]
    assert raised.value.field == "answer"
    row = conn.execute(text("SELECT answer, handled_at FROM feedback WHERE id = :i"), {"i": fid}).one()
    assert tuple(row) == (None, None)


def test_unknown_feedback_is_not_found(conn: Connection, staff: dict[str, Actor]) -> None:
    with pytest.raises(NotFound):
        fb.answer_feedback(conn, 987654321, lead_id(staff), "答复")
    with pytest.raises(NotFound):
        fb.mark_handled(conn, 987654321, lead_id(staff))
