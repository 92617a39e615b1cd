"""Delivery to real receivers on localhost: a JSON webhook (http.server) and an SMTP server (aiosmtpd). Messages
arrive with the ticket, 小类, place, deadline and the deep link, in zh and en; a receiver that is down for a while
gets every message once it is back, none twice; a route that never answers ends failed with its error; two
workers never send one row twice.

The cases and deliveries are committed, so this module works on a database of its own (``engine`` here)."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ
from ops import workflow as wf
from ops.notify.deliver import DeliveryError, send
from ops.notify.worker import WorkerConfig, deliver_due, run_forever
from ops.states import CaseStatus
from ops.workflow import CaseResult
from tests.support.cases import new_case, staff_actors
from tests.support.db import as_app
from tests.support.notify import JsonReceiver, SmtpReceiver, add_route, free_port, text_of

DEPT = "520103-CGJ"
BASE = "https://ops.example.cn"
FAST = WorkerConfig(
    base_url=BASE, max_attempts=8, backoff_s=0.2, backoff_max_s=1.0, timeout_s=2.0, poll_s=0.1
)


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    """The app role on this module's own database."""
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=6)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def clean(engine: Engine) -> Iterator[None]:
    """Each test starts with no routes and an empty outbox (its cases stay: they tell no one without routes)."""
    yield
    with engine.begin() as c:
        c.execute(text("DELETE FROM notify_outbox"))
        c.execute(text("DELETE FROM notify_route"))


def route(engine: Engine, url: str, **kw: Any) -> int:
    with engine.begin() as c:
        return add_route(c, url, **kw)


def dispatched(engine: Engine) -> tuple[CaseResult, str, datetime]:
    """A case dispatched to 520103-CGJ, committed: its result, ticket and deadline."""
    with engine.begin() as c:
        r = new_case(c, staff_actors(c), CaseStatus.DISPATCHED)
        row = c.execute(text('SELECT ticket, deadline FROM "case" WHERE id = :id'), {"id": r.id}).one()
    return r, row.ticket, row.deadline


def rows(engine: Engine) -> list[Any]:
    with engine.connect() as c:
        return list(c.execute(text("SELECT * FROM notify_outbox ORDER BY id")).all())


def local(at: datetime) -> str:
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def test_json_webhook_gets_the_message_in_zh_and_en(engine: Engine) -> None:
    with JsonReceiver() as hook:
        route(engine, hook.url("zh"), department=DEPT)
        route(engine, hook.url("en"), department=DEPT, lang="en")
        _, ticket, deadline = dispatched(engine)
        done = deliver_due(engine, FAST)
        assert (done.delivered, done.retried, done.failed) == (2, 0, 0)
        got = {m["path"]: m for m in hook.received}
    zh, en = got["/zh"], got["/en"]
    assert zh["title"] == f"【派遣】{ticket} 井盖破损"
    link = f"{BASE}/workbench?case={ticket}"
    for part in (ticket, "井盖破损", "地点：云岩区", f"时限：{local(deadline)}（北京时间）", f"查看：{link}"):
        assert part in zh["message"], part
    assert en["title"] == f"[Dispatched] {ticket} Damaged or missing manhole cover"
    for part in (ticket, "Place: Yunyan", f"Deadline: {local(deadline)} (Beijing time)", f"Open: {link}"):
        assert part in en["message"], part
    assert [(r.status, r.attempts, r.last_error) for r in rows(engine)] == [("delivered", 1, None)] * 2
    assert all(r.delivered_at is not None for r in rows(engine))
    assert deliver_due(engine, FAST).handled == 0  # delivered rows are never sent again


def test_smtp_gets_the_message_as_an_email(engine: Engine) -> None:
    with SmtpReceiver() as smtp:
        route(engine, smtp.url("cgj@example.cn"), department=DEPT)
        route(engine, smtp.url("en@example.cn"), department=DEPT, lang="en")
        _, ticket, deadline = dispatched(engine)
        done = deliver_due(engine, FAST)
        assert done.delivered == 2, rows(engine)[0].last_error
        mails = {m["To"]: text_of(m) for m in smtp.messages}
    zh, en = mails["cgj@example.cn"], mails["en@example.cn"]
    link = f"{BASE}/workbench?case={ticket}"
    assert zh.startswith(f"【派遣】{ticket} 井盖破损\n")
    for part in (ticket, "井盖破损", "云岩区", local(deadline), link):
        assert part in zh, part
    for part in (ticket, "Yunyan", f"{local(deadline)} (Beijing time)", link):
        assert part in en, part


def test_a_receiver_down_for_a_while_gets_everything_once_back(engine: Engine) -> None:
    port = free_port()  # nobody listens there yet: connections are refused
    route(engine, f"json://127.0.0.1:{port}/hook", department=DEPT)
    tickets = [dispatched(engine)[1] for _ in range(3)]
    t0 = datetime.now(TZ)
    first = deliver_due(engine, FAST)
    assert (first.delivered, first.retried) == (0, 3)
    after = rows(engine)
    assert [r.attempts for r in after] == [1, 1, 1] and all(r.status == "pending" for r in after)
    assert all("Connection refused" in (r.last_error or "") for r in after)
    assert all(r.next_attempt_at >= t0 + timedelta(seconds=FAST.backoff_s) for r in after)  # backoff honoured
    assert deliver_due(engine, FAST).handled == 0  # not due yet
    time.sleep(0.5)
    assert deliver_due(engine, FAST).retried == 3  # still down: the second try, backing off further
    second = rows(engine)
    assert all(r.attempts == 2 for r in second)
    assert all(
        b.next_attempt_at - a.next_attempt_at >= timedelta(seconds=2 * FAST.backoff_s)
        for a, b in zip(after, second, strict=True)
    )
    with JsonReceiver(port=port) as hook:
        stop = threading.Event()
        worker = threading.Thread(target=run_forever, args=(engine, FAST, stop.is_set))
        worker.start()
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and len(hook.received) < 3:
                time.sleep(0.05)
            time.sleep(0.5)  # anything sent twice would arrive meanwhile
        finally:
            stop.set()
            worker.join(10)
        got = Counter(m["title"].split()[0].split("】")[1] for m in hook.received)
    assert got == Counter(tickets)
    assert all(r.status == "delivered" and r.attempts >= 3 for r in rows(engine))


def test_a_route_that_never_answers_ends_failed_with_its_error(engine: Engine) -> None:
    port = free_port()
    token = "tok-s3cr3t-9f8e7d"
    route(engine, f"json://127.0.0.1:{port}/{token}", department=DEPT)
    dispatched(engine)
    config = WorkerConfig(base_url=BASE, max_attempts=3, backoff_s=0.05, backoff_max_s=0.1, timeout_s=1.0)
    t_end = time.monotonic() + 10
    while time.monotonic() < t_end and rows(engine)[0].status == "pending":
        deliver_due(engine, config)
        time.sleep(0.05)
    (row,) = rows(engine)
    assert (row.status, row.attempts, row.delivered_at) == ("failed", 3, None)
    assert "Connection refused" in row.last_error
    assert token not in row.last_error  # the host and port may show, as in the route's masked URL


def test_a_refusing_receiver_is_a_failed_try(engine: Engine) -> None:
    with JsonReceiver(status=500) as hook:
        route(engine, hook.url(), department=DEPT)
        dispatched(engine)
        assert deliver_due(engine, FAST).retried == 1
        assert "500" in rows(engine)[0].last_error


def test_two_workers_never_send_one_row_twice(engine: Engine) -> None:
    with JsonReceiver(delay=0.05) as hook:
        route(engine, hook.url(), department=DEPT)
        tickets = [dispatched(engine)[1] for _ in range(12)]
        config = WorkerConfig(base_url=BASE, batch=50)
        threads = [threading.Thread(target=deliver_due, args=(engine, config)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        got = Counter(m["title"].split()[0].split("】")[1] for m in hook.received)
    assert got == Counter(tickets)  # each exactly once
    assert all(r.status == "delivered" and r.attempts == 1 for r in rows(engine))


def test_a_removed_route_fails_its_waiting_rows_without_sending(engine: Engine) -> None:
    with JsonReceiver() as hook:
        rid = route(engine, hook.url(), department=DEPT)
        dispatched(engine)
        with engine.begin() as c:
            c.execute(text("UPDATE notify_route SET removed_at = now() WHERE id = :id"), {"id": rid})
        assert deliver_due(engine, FAST).failed == 1
        assert hook.received == []
    assert (rows(engine)[0].status, rows(engine)[0].last_error) == ("failed", "route removed")


def test_send_reports_a_refused_connection_and_a_bad_url() -> None:
    with pytest.raises(DeliveryError, match="Connection refused"):
        send(f"json://127.0.0.1:{free_port()}/x", "t", "b", timeout=1.0)
    with pytest.raises(DeliveryError, match="Connection refused") as exc:
        send(f"mailto://u:pw-9z8y7x@127.0.0.1:{free_port()}?from=a@b.cn&to=c@d.cn&mode=insecure", "t", "b")
    assert "pw-9z8y7x" not in str(exc.value)
    with pytest.raises(DeliveryError, match="not a valid"):
        send("nothing://", "t", "b")


def test_a_rolled_back_dispatch_sends_nothing(engine: Engine) -> None:
    with JsonReceiver() as hook:
        route(engine, hook.url(), department=DEPT)
        with engine.connect() as c:
            tx = c.begin()
            r = new_case(c, staff_actors(c), CaseStatus.FILED)
            wf.dispatch(c, staff_actors(c)["lead"], r.id, r.version)
            tx.rollback()
        assert rows(engine) == []
        assert deliver_due(engine, FAST).handled == 0 and hook.received == []


def test_no_part_of_the_url_reaches_the_log_even_at_debug() -> None:
    """What the application's log (handlers on the root logger, as ``logging.basicConfig`` sets them) gets from
    a delivered and a failed send at DEBUG: nothing of the URL. (Not pytest's caplog: it also listens on the
    loggers that do not propagate, as apprise's no longer does.)"""
    token = "key-0a1b2c3d4e"
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    root = logging.getLogger()
    keep, level = Keep(logging.DEBUG), root.level
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)
    try:
        with JsonReceiver() as hook:
            send(f"json://127.0.0.1:{hook.port}/{token}?x={token}", "t", "b")
            with pytest.raises(DeliveryError):
                send(f"json://127.0.0.1:{free_port()}/{token}", "t", "b")
    finally:
        root.removeHandler(keep)
        root.setLevel(level)
    assert len(hook.received) == 1
    assert not [line for line in lines if token in line]
