"""Adding, listing, pausing and removing subscriptions: everything validated before anything is written (a bad
area, channel, category or event changes nothing, not even the audit log), channels shown masked, another
owner's subscription out of reach, each change in the audit log without the channel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from ops.notify import outbox_admin
from ops.subscriptions import channels, store
from ops.subscriptions.areas import AreaInput
from ops.workflow import Actor
from tests.support.cases import KAIYANG, YUNYAN, citizen, new_case
from tests.support.subscriptions import citizen_owner, square, staff_owner, subscribe

TOKEN = "wecom-secret-key-123456"


def _counts(conn: Connection) -> tuple[int, int]:
    return tuple(  # type: ignore[return-value]
        conn.execute(
            text("SELECT (SELECT count(*) FROM subscription), (SELECT count(*) FROM audit_log)")
        ).one()
    )


BOWTIE = {"type": "Polygon", "coordinates": [[[106.71, 26.58], [106.72, 26.59], [106.72, 26.58], [106.71, 26.59], [106.71, 26.58]]]}  # fmt: skip


@pytest.mark.parametrize(
    ("area", "channel", "kind", "extra", "field"),
    [
        (AreaInput(geometry=BOWTIE), "json://127.0.0.1:9/x", "url", {}, "area"),
        (
            AreaInput(geometry={"type": "Point", "coordinates": [106.71, 26.58]}),
            "json://h:9/x",
            "url",
            {},
            "area",
        ),
        (AreaInput(geometry="not json"), "json://h:9/x", "url", {}, "area"),
        (AreaInput(geometry=square(*KAIYANG)), "json://h:9/x", "url", {}, "area"),  # outside the gridded city
        (AreaInput(geometry=square(*YUNYAN, half=0.4)), "json://h:9/x", "url", {}, "area"),  # ~3,500 km²
        (AreaInput(lon=YUNYAN[0], lat=YUNYAN[1], radius_m=10), "json://h:9/x", "url", {}, "radius"),
        (AreaInput(lon=YUNYAN[0], lat=999, radius_m=500), "json://h:9/x", "url", {}, "lat"),
        (AreaInput(), "json://h:9/x", "url", {}, "area"),
        (AreaInput(geometry=square(*YUNYAN)), "http://example.cn/x", "url", {}, "channel"),  # not apprise
        (AreaInput(geometry=square(*YUNYAN)), "smtp://x", "url", {}, "channel"),
        (AreaInput(geometry=square(*YUNYAN)), "", "url", {}, "channel"),
        (AreaInput(geometry=square(*YUNYAN)), "not-an-address", "email", {}, "channel"),
        (
            AreaInput(geometry=square(*YUNYAN)),
            "json://h:9/x",
            "url",
            {"categories": ("X9999",)},
            "categories",
        ),
        (AreaInput(geometry=square(*YUNYAN)), "json://h:9/x", "url", {"events": ("opened",)}, "events"),
        (AreaInput(geometry=square(*YUNYAN)), "json://h:9/x", "url", {"events": ()}, "events"),
        (AreaInput(geometry=square(*YUNYAN)), "json://h:9/x", "url", {"label": "x" * 81}, "label"),
    ],
)
def test_a_bad_subscription_is_refused_and_nothing_is_written(
    conn: Connection, area: AreaInput, channel: str, kind: str, extra: dict[str, Any], field: str
) -> None:
    before = _counts(conn)
    draft = store.Draft(area=area, channel=channel, channel_kind=kind, **extra)
    with pytest.raises(ValidationError) as err:
        store.add(conn, staff_owner(conn, "lead"), draft, mail_ready=True)
    assert err.value.field == field, (err.value.field, err.value.en)
    assert err.value.zh and err.value.en
    assert _counts(conn) == before


def test_e_mail_needs_a_mail_sender(conn: Connection) -> None:
    draft = store.Draft(
        area=AreaInput(geometry=square(*YUNYAN)), channel="a@example.cn", channel_kind="email"
    )
    with pytest.raises(ValidationError, match="e-mail"):
        store.add(conn, staff_owner(conn, "lead"), draft, mail_ready=False)
    assert store.add(conn, staff_owner(conn, "lead"), draft, mail_ready=True) > 0
    assert channels.mail_url_for(
        "mailtos://u:p@smtp.example.cn?from=ops@example.cn&to=old@x.cn", "a@example.cn"
    ) == ("mailtos://u:p@smtp.example.cn?from=ops%40example.cn&to=a%40example.cn")


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.cn/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://localhost/x",
     "https://[::1]/x", "ftp://hooks.example.cn/x", "https://user:pw@hooks.example.cn/x"],
)  # fmt: skip
def test_a_citizen_webhook_must_be_public_https(url: str) -> None:
    with pytest.raises(ValidationError):
        channels.webhook_to_apprise(url, allow_local=False)


def test_a_citizen_webhook_becomes_a_json_url() -> None:
    assert channels.webhook_to_apprise("https://hooks.example.cn:8443/a/b?k=v", allow_local=False) == (
        "jsons://hooks.example.cn:8443/a/b?k=v"
    )
    assert (
        channels.webhook_to_apprise("http://127.0.0.1:9999/h", allow_local=True) == "json://127.0.0.1:9999/h"
    )


def test_list_masks_the_channel_and_others_cannot_touch_it(conn: Connection) -> None:
    lead, dispatcher = staff_owner(conn, "lead"), staff_owner(conn, "dispatcher")
    sid = subscribe(conn, lead, circle=(*YUNYAN, 500), channel=f"wecombot://{TOKEN}", label="井盖", lang="en")
    (sub,) = store.list_for(conn, lead)
    assert (sub.id, sub.label, sub.channel, sub.lang, sub.radius_m, sub.active) == (
        sid,
        "井盖",
        "wecombot://****",
        "en",
        500,
        True,
    )
    assert sub.area["type"] == "MultiPolygon" and sub.center == pytest.approx(YUNYAN)
    assert store.list_for(conn, dispatcher) == []
    with pytest.raises(NotFound):
        store.remove(conn, dispatcher, sid)
    with pytest.raises(NotFound):
        store.set_active(conn, dispatcher, sid, False)
    url, lang = store.delivery_of(conn, lead, sid, None)
    assert (url, lang) == (f"wecombot://{TOKEN}", "en")


def test_add_pause_remove_are_audited_without_the_channel(conn: Connection) -> None:
    pid = citizen(conn, "sub-audit-1")
    owner = citizen_owner(conn, pid)
    sid = subscribe(conn, owner, polygon=square(*YUNYAN), channel=f"json://hook.example.cn/{TOKEN}")
    store.set_active(conn, owner, sid, False)
    store.remove(conn, owner, sid)
    rows = conn.execute(
        text(
            "SELECT kind, user_id, username, detail FROM audit_log WHERE kind = 'subscription' ORDER BY id DESC LIMIT 3"
        )
    ).all()
    assert [r.detail["action"] for r in reversed(rows)] == ["add", "pause", "remove"]
    for r in rows:
        assert r.detail["subscription"] == sid and r.detail["citizen"] == owner.name and r.user_id is None
        dumped = json.dumps(r.detail, ensure_ascii=False)
        assert TOKEN not in dumped and "sub-audit-1" not in dumped and "hook.example.cn" not in dumped
    with pytest.raises(NotFound):
        store.remove(conn, owner, sid)  # twice: it is gone


def test_at_most_so_many_subscriptions_each(conn: Connection) -> None:
    owner = staff_owner(conn, "lead")
    for _ in range(store.MAX_PER_OWNER):
        subscribe(conn, owner, polygon=square(*YUNYAN))
    with pytest.raises(ValidationError) as err:
        subscribe(conn, owner, polygon=square(*YUNYAN))
    assert err.value.field == "limit"


def test_admins_see_a_subscription_s_messages_masked_and_may_send_one_again(
    conn: Connection, staff: dict[str, Actor]
) -> None:
    sid = subscribe(conn, staff_owner(conn, "lead"), polygon=square(*YUNYAN), channel=f"wecombot://{TOKEN}")
    new_case(conn, staff, point=YUNYAN)
    (row,) = [m for m in outbox_admin.recent_messages(conn) if m.kind == "area_new"]
    assert (row.route_id, row.route_target, row.route_url, row.route_removed) == (
        None,
        f"subscription:#{sid}",
        "wecombot://****",
        False,
    )
    conn.execute(
        text("UPDATE notify_outbox SET status = 'failed', last_error = :e WHERE id = :i"),
        {"e": f"timed out posting to key={TOKEN}", "i": row.id},
    )
    (failed,) = outbox_admin.recent_messages(conn, failed_only=True)
    assert TOKEN not in (failed.last_error or "")
    outbox_admin.resend(conn, row.id, "admin")
    assert (
        conn.execute(text("SELECT status FROM notify_outbox WHERE id = :i"), {"i": row.id}).scalar()
        == "pending"
    )
