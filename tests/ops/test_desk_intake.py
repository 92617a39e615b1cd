"""新建案件 at the desk (:func:`ops.commands.report_at_desk`) on the real test database: a hotline call or an
inspector's report is routed like any report (district, cell, suggested department from the responsibility
table), merged into an open duplicate nearby when the actor may merge, the caller's contact lands in ``person``;
bad input and refusals leave nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Connection, text

from db.errors import DomainError, Forbidden, OutsideServiceArea, ValidationError
from db.media import ImageLimits
from ops import commands
from ops.commands import DeskReport, report_at_desk
from ops.states import CaseStatus
from ops.workflow import Actor
from tests.support.cases import CATEGORY, KAIYANG, MON, NANMING, YUNYAN, png

S = CaseStatus


def counts(conn: Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(
            text(
                'SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM case_event), '
                "(SELECT count(*) FROM photo), (SELECT count(*) FROM person)"
            )
        ).one()
    )


def desk(**kw: Any) -> DeskReport:
    fields: dict[str, Any] = {
        "category_code": CATEGORY,
        "lon": YUNYAN[0],
        "lat": YUNYAN[1],
        "description": "市民来电：井盖缺失",
        "source": "hotline",
    }
    return DeskReport(**{**fields, **kw})


def file_at_desk(
    conn: Connection, actor: Actor, media: Path, req: DeskReport, **kw: Any
) -> commands.DeskReceipt:
    return report_at_desk(conn, actor, req, media_dir=media, max_photo_bytes=10_000_000, now=MON, **kw)


def test_a_hotline_call_is_routed_like_any_report(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    got = file_at_desk(
        conn,
        staff["dispatcher"],
        tmp_path,
        desk(caller_name="张三", caller_phone="138 0000 1234", address="中华北路 1 号", photos=[png()]),
    )
    assert got.merged_into is None and got.case.status is S.REPORTED and got.case.ticket
    row = conn.execute(
        text(
            "SELECT c.source, c.district_code, c.cell_id, c.suggested_department_code, c.address, c.description, "
            'p.name, p.phone, p.registered, c.reporter_id FROM "case" c JOIN person p ON p.id = c.reporter_id '
            "WHERE c.id = :i"
        ),
        {"i": got.case.id},
    ).one()
    expected_dept = conn.execute(
        text(
            "SELECT department_code FROM responsibility WHERE category_code = :c AND district_code = '520103'"
        ),
        {"c": CATEGORY},
    ).scalar_one()
    assert row.source == "hotline" and row.district_code == "520103" and row.cell_id is not None
    assert row.suggested_department_code == expected_dept
    assert (row.address, row.description) == ("中华北路 1 号", "市民来电：井盖缺失")
    assert (row.name, row.phone, row.registered) == ("张三", "138 0000 1234", False)
    ev = conn.execute(
        text("SELECT action, actor_user_id, actor_role FROM case_event WHERE case_id = :i"),
        {"i": got.case.id},
    ).one()
    assert (ev.action, ev.actor_user_id, ev.actor_role) == (
        "report",
        staff["dispatcher"].user_id,
        "dispatcher",
    )
    photo = conn.execute(text("SELECT case_id, kind FROM photo WHERE id = :i"), {"i": got.photo_ids[0]}).one()
    assert (photo.case_id, photo.kind) == (got.case.id, "report")


def test_an_inspector_without_caller_is_anonymous(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    got = file_at_desk(
        conn, staff["lead"], tmp_path, desk(source="inspector", lon=NANMING[0], lat=NANMING[1])
    )
    row = conn.execute(
        text('SELECT source, district_code, reporter_id FROM "case" WHERE id = :i'), {"i": got.case.id}
    ).one()
    assert (row.source, row.district_code, row.reporter_id) == ("inspector", "520102", None)


def test_a_duplicate_is_merged_into_the_open_case_nearby(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    first = file_at_desk(conn, staff["dispatcher"], tmp_path, desk())
    again = file_at_desk(conn, staff["dispatcher"], tmp_path, desk(description="又一位市民来电：同一个井盖"))
    assert again.merged_into == first.case.id and again.merged_ticket == first.case.ticket
    assert again.case.status is S.MERGED
    row = conn.execute(
        text('SELECT status, merged_into_id FROM "case" WHERE id = :i'), {"i": again.case.id}
    ).one()
    assert (row.status, row.merged_into_id) == ("merged", first.case.id)
    actions = (
        conn.execute(
            text("SELECT action FROM case_event WHERE case_id = :i ORDER BY id"), {"i": again.case.id}
        )
        .scalars()
        .all()
    )
    assert actions == ["report", "merge"]


def test_an_officer_reports_in_their_district_and_is_told_of_duplicates(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    first = file_at_desk(conn, staff["yunyan"], tmp_path, desk(source="inspector"))
    again = file_at_desk(conn, staff["yunyan"], tmp_path, desk(source="inspector"))
    # officers may not merge: the duplicate stays reported, with the suggestion for the center
    assert again.merged_into is None and again.case.duplicates == (first.case.id,)
    assert again.duplicate_tickets == (first.case.ticket,)
    before = counts(conn)
    with pytest.raises(Forbidden):
        file_at_desk(conn, staff["yunyan"], tmp_path, desk(lon=NANMING[0], lat=NANMING[1]))
    assert counts(conn) == before


def _bomb() -> bytes:
    import io

    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"source": "app"}, ValidationError, "source"),
        ({"lon": None, "lat": None}, ValidationError, "location"),
        ({"description": "   "}, ValidationError, "description"),
        ({"category_code": ""}, ValidationError, "category_code"),
        ({"category_code": "C01"}, ValidationError, "category_code"),
        ({"caller_phone": "call me maybe"}, ValidationError, "caller_phone"),
        ({"caller_name": "x" * 41}, ValidationError, "caller_name"),
        ({"photos": [b"not an image"]}, ValidationError, "media"),
        ({"photos": [png()] * 4}, ValidationError, "media"),
        ({"photos": [_bomb()]}, ValidationError, "media"),
        ({"lon": KAIYANG[0], "lat": KAIYANG[1]}, OutsideServiceArea, "location"),
    ],
)
def test_bad_input_writes_nothing(
    conn: Connection,
    staff: dict[str, Actor],
    tmp_path: Path,
    change: dict[str, Any],
    error: type[DomainError],
    field: str | None,
) -> None:
    before = counts(conn)
    limits = ImageLimits(max_photos=3, max_pixels=100_000_000, max_side=12_000)
    with pytest.raises(error) as raised:
        file_at_desk(
            conn,
            staff["dispatcher"],
            tmp_path,
            desk(**{"caller_phone": "13800001234", **change}),
            image_limits=limits,
        )
    assert raised.value.field == field
    assert counts(conn) == before
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_roles_without_the_desk_may_not_open_cases(
    conn: Connection, staff: dict[str, Actor], tmp_path: Path
) -> None:
    before = counts(conn)
    for name in ("cgj", "moderator"):
        with pytest.raises(Forbidden):
            file_at_desk(conn, staff[name], tmp_path, desk())
    with pytest.raises(Forbidden):
        file_at_desk(conn, Actor.system(), tmp_path, desk())
    assert counts(conn) == before
