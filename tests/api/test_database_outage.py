"""The database goes away under a running app: every kind of route answers 503 with ``Retry-After`` in its own
error format, each failed request logs ONE line, and once the database is back the same app answers 200.

The app is served against a PostgreSQL cluster of this test's own, in a temporary folder (migrations only), so
stopping it touches neither the project's cluster nor the shared test database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.trust._stack import Stack, private_stack
from bench.trust.errors import header_callback_body
from db.accounts import create_staff_user
from db.engine import make_engine
from tests.support.app import sign_in_client

pytestmark = pytest.mark.server

PASSWORD = "outage-test-password"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with private_stack(serve=False) as s:
        engine = make_engine(s.url, pool_size=1)
        with engine.begin() as conn:
            create_staff_user(conn, "outage", "dispatcher", PASSWORD)
        engine.dispose()
        s.serve()
        yield s


def _signed_in(stack: Stack) -> tuple[httpx.Client, dict[str, Any]]:
    client = httpx.Client(base_url=stack.base, timeout=30)
    r = sign_in_client(client, "outage", PASSWORD)
    assert r.status_code == 303 and client.cookies.get("_csrf_token")
    return client, header_callback_body(client)


def _lines(stack: Stack) -> list[str]:
    return stack.log_text().splitlines()


def test_503_with_retry_after_one_log_line_each_then_200_again(stack: Stack) -> None:
    client, body = _signed_in(stack)
    csrf = {"X-CSRFToken": client.cookies.get("_csrf_token") or ""}

    def ask() -> dict[str, httpx.Response]:
        return {
            "open311": client.get("/open311/v2/services.json"),
            "open311 xml": client.get("/open311/v2/requests.xml", params={"locale": "en"}),
            "public": client.get("/public/v1/summary.json"),
            "public photo": client.get("/media/public/1/thumb"),
            "open311 photo": client.get("/media/photo/1/thumb"),
            "callback": client.post("/_dash-update-component", json=body, headers=csrf),
            "health": client.get("/healthz"),
        }

    stack.cluster.stop()
    try:
        before = len(_lines(stack))
        down = ask()
        time.sleep(0.5)
        added = _lines(stack)[before:]
    finally:
        stack.cluster.start()
    for name, r in down.items():
        assert r.status_code == 503, (name, r.status_code, r.text[:300])
        assert 1 <= int(r.headers["retry-after"]) <= 30, name
    assert down["open311"].json() == [{"code": 503, "description": "数据库暂时不可用，请稍后再试。"}]
    assert (
        b"<code>503</code>" in down["open311 xml"].content
        and b"temporarily unavailable" in down["open311 xml"].content
    )
    for name in ("public", "public photo", "callback"):
        got = down[name].json()
        assert got["error"] == "unavailable" and "数据库" in got["message"] and "database" in got["message"]
    # one line per failed request (the health check logs its own), no traceback; the push listener (started with
    # the app) writes one line per failed reconnect, backing off, apart from the requests
    assert not any("Traceback" in line for line in added), added
    unavailable = [line for line in added if "database unavailable" in line]
    assert len(unavailable) == 6, added
    listener = [line for line in added if line.startswith("push: listener lost")]
    assert len(listener) <= 4, added
    assert len(added) - len(listener) == 7, added

    time.sleep(0.5)
    up = ask()
    for name, r in up.items():
        assert r.status_code in ((404,) if "photo" in name else (200,)), (name, r.status_code, r.text[:300])
    client.close()
