"""Area subscriptions delivered by the real notification worker to real receivers on localhost: a staff user's
JSON webhook, a citizen's webhook and an e-mail through the city's mail sender (a local SMTP server); a paused
subscription's waiting message is not sent. Committed cases: a database of this module's own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.engine import make_engine
from ops.notify.worker import WorkerConfig, deliver_due
from ops.subscriptions import store
from ops.subscriptions.areas import AreaInput
from tests.support.cases import YUNYAN, citizen, new_case, staff_actors
from tests.support.db import as_app
from tests.support.notify import JsonReceiver, SmtpReceiver, text_of
from tests.support.subscriptions import citizen_owner, square, staff_owner, subscribe

BASE = "https://ops.example.cn"
FAST = WorkerConfig(
    base_url=BASE, max_attempts=3, backoff_s=0.2, backoff_max_s=1.0, timeout_s=2.0, poll_s=0.1
)


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=4)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def clean(engine: Engine) -> Iterator[None]:
    yield
    with engine.begin() as c:
        c.execute(text("DELETE FROM notify_outbox"))
        c.execute(text("DELETE FROM subscription"))


def _report(engine: Engine, point: tuple[float, float] = YUNYAN) -> str:
    with engine.begin() as c:
        r = new_case(c, staff_actors(c), point=point)
        return str(c.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": r.id}).scalar_one())


def _statuses(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT status, last_error FROM notify_outbox ORDER BY id"))]  # type: ignore[misc]


def test_staff_and_citizen_webhooks_get_their_messages(engine: Engine) -> None:
    with JsonReceiver() as hook:
        with engine.begin() as c:
            subscribe(
                c, staff_owner(c, "lead"), polygon=square(*YUNYAN), channel=hook.url("staff"), label="中华路"
            )
            owner = citizen_owner(c, citizen(c, "sub-delivery-1"))
            draft = store.Draft(
                area=AreaInput(lon=YUNYAN[0], lat=YUNYAN[1], radius_m=300),
                channel=f"http://127.0.0.1:{hook.port}/citizen",
                channel_kind="webhook",
                lang="en",
            )
            store.add(c, owner, draft, allow_local=True)
        ticket = _report(engine)
        done = deliver_due(engine, FAST)
        assert (done.delivered, done.failed) == (2, 0), _statuses(engine)
        got = {m["path"]: m for m in hook.received}
    staff, public = got["/staff"], got["/citizen"]
    assert staff["title"] == f"【区域订阅·新上报】{ticket} 井盖破损"
    assert "中华路" in staff["message"] and f"查看：{BASE}/workbench?case={ticket}" in staff["message"]
    assert public["title"].startswith(f"[Area · New report] {ticket} ")
    assert f"Open: {BASE}/open311/v2/requests/{ticket}.json" in public["message"]
    assert "井盖松动" not in public["message"] and "Status: Received" in public["message"]
    assert _statuses(engine) == [("delivered", None)] * 2


def test_e_mail_goes_through_the_city_s_mail_sender(engine: Engine) -> None:
    with SmtpReceiver() as smtp:
        with engine.begin() as c:
            subscribe(
                c,
                staff_owner(c, "dispatcher"),
                polygon=square(*YUNYAN),
                channel="duty@example.cn",
                kind="email",
            )
        ticket = _report(engine)
        config = replace(FAST, mail_url=smtp.url("ignored@example.cn"))
        done = deliver_due(engine, config)
        assert done.delivered == 1, _statuses(engine)
        (mail,) = smtp.messages
    assert mail["To"] == "duty@example.cn"
    assert text_of(mail).startswith(f"【区域订阅·新上报】{ticket} 井盖破损")


def test_without_a_mail_sender_the_message_fails_with_its_reason(engine: Engine) -> None:
    with engine.begin() as c:
        subscribe(
            c, staff_owner(c, "dispatcher"), polygon=square(*YUNYAN), channel="duty@example.cn", kind="email"
        )
    _report(engine)
    assert deliver_due(engine, FAST).failed == 1
    assert _statuses(engine) == [("failed", "no mail sender configured (GUIYANG_SUBSCRIPTIONS_MAIL_URL)")]


def test_a_paused_subscription_s_waiting_message_is_not_sent(engine: Engine) -> None:
    with JsonReceiver() as hook:
        with engine.begin() as c:
            owner = staff_owner(c, "lead")
            sid = subscribe(c, owner, polygon=square(*YUNYAN), channel=hook.url("staff"))
        _report(engine)
        with engine.begin() as c:
            store.set_active(c, owner, sid, False)
        assert deliver_due(engine, FAST).failed == 1
        assert hook.received == []
    assert _statuses(engine) == [("failed", "subscription paused")]
