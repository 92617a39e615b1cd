"""Sign-in against the real app under uvicorn (a database of its own, low limits, clients told apart by
X-Forwarded-For from a trusted proxy): 429 with Retry-After after the failures, the lock and an admin's unlock,
cross-site and token-less login posts refused, logout only by POST, and a session cookie copied before logout
refused after it (on a staff-only route and a guarded Dash callback)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from itertools import count

import httpx
import pytest
from sqlalchemy import text

from dashboard.settings import Settings
from db.accounts import create_staff_user
from db.engine import make_engine
from ops import signin
from tests.support.app import AppServer, login_token, sign_in_client
from tests.support.db import TEST_DB, private_copy

pytestmark = pytest.mark.server

RIGHT = "signin-api-right-1"


@pytest.fixture(scope="module")
def signin_db(db_url: str, settings: Settings) -> Iterator[str]:
    with private_copy(db_url, settings, f"{TEST_DB}_signin") as url:
        yield url


@pytest.fixture(scope="module")
def server(signin_db: str, settings: Settings) -> Iterator[AppServer]:
    s = AppServer(signin_db, settings)
    s.env.update(
        {
            "GUIYANG_SIGNIN_DELAY_AFTER": "3",
            "GUIYANG_SIGNIN_DELAY_SECONDS": "1",
            "GUIYANG_SIGNIN_LOCK_AFTER": "5",
            "GUIYANG_TRUSTED_PROXIES": "127.0.0.1",
            "FORWARDED_ALLOW_IPS": "192.0.2.1",
        }
    )
    s.start()
    yield s
    s.stop()


def new_user(url: str, role: str = "lead") -> str:
    name = "api-" + uuid.uuid4().hex[:8]
    eng = make_engine(url, pool_size=1)
    with eng.begin() as conn:
        create_staff_user(conn, name, role, RIGHT)
    eng.dispose()
    return name


_ADDRESSES = count(1)


def client(server: AppServer) -> httpx.Client:
    ip = f"203.0.113.{next(_ADDRESSES)}"  # each client its own address, the same every run
    return httpx.Client(base_url=server.base, timeout=30, headers={"X-Forwarded-For": ip})


def signed_in(r: httpx.Response) -> bool:
    return r.status_code == 303 and "/login" not in r.headers["location"]


def test_429_after_the_failures_then_the_lock_then_unlock(server: AppServer, signin_db: str) -> None:
    name = new_user(signin_db)
    with client(server) as c:
        codes = [sign_in_client(c, name, f"wrong-{i}").status_code for i in range(4)]
        assert codes == [303, 303, 303, 429]
        r = sign_in_client(c, name, RIGHT)  # not checked during the delay
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "秒后" in r.text and "try again in" in r.text and 'name="csrf_token"' in r.text
        time.sleep(1.1)
        assert sign_in_client(c, name, "wrong-4").status_code == 303  # the 4th failure: 2 s now
        time.sleep(2.1)
        locked = sign_in_client(c, name, "wrong-5")  # the 5th: locked
        assert locked.status_code == 429 and "锁定" in locked.text and "locked until" in locked.text
        time.sleep(4.2)  # long after any delay: the lock holds, even for the right password
        r = sign_in_client(c, name, RIGHT)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 800
        eng = make_engine(signin_db, pool_size=1)
        with eng.begin() as conn:
            assert signin.unlock(conn, name)
            kinds = conn.execute(
                text("SELECT kind FROM audit_log WHERE username = :u ORDER BY id"), {"u": name}
            ).scalars()
            assert "signin_locked" in list(kinds)
        eng.dispose()
        assert signed_in(sign_in_client(c, name, RIGHT))


def test_cross_site_and_token_less_login_posts_are_refused(server: AppServer, signin_db: str) -> None:
    name = new_user(signin_db)
    with client(server) as c:
        token = login_token(c.get("/auth/login").text)
        data = {"username": name, "password": RIGHT, "next": "/workbench", "csrf_token": token}
        foreign = c.post("/auth/login", data=data, headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403 and "其他网站" in foreign.text
        assert c.post("/auth/login", data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        no_token = c.post("/auth/login", data={**data, "csrf_token": "forged"})
        assert no_token.status_code == 303 and "error=expired" in no_token.headers["location"]
        assert c.get("/push/events", timeout=5).status_code == 401  # none of them signed in
        assert signed_in(c.post("/auth/login", data=data, headers={"Origin": server.base}))


def reaches_push(base: str, cookies: httpx.Cookies) -> bool:
    with httpx.Client(base_url=base, cookies=cookies, timeout=10) as c, c.stream("GET", "/push/events") as r:
        return r.status_code == 200


def test_a_cookie_copied_before_logout_is_refused_after_it(server: AppServer, signin_db: str) -> None:
    name = new_user(signin_db)
    with client(server) as c:
        assert signed_in(sign_in_client(c, name, RIGHT))
        copy = httpx.Cookies(c.cookies)
        assert reaches_push(server.base, copy)
        # GET changes nothing: a page with a button
        page = c.get("/auth/logout")
        assert page.status_code == 200 and 'action="/auth/logout"' in page.text
        assert reaches_push(server.base, copy)
        # a POST without the token neither
        assert c.post("/auth/logout", data={"csrf_token": "nope"}).status_code == 303
        assert reaches_push(server.base, copy)
        out = c.post("/auth/logout", data={"csrf_token": c.cookies["_csrf_token"]})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert not reaches_push(server.base, copy)
        export = httpx.get(server.base + "/stats/export.csv", cookies=copy, timeout=30)
        assert export.status_code == 403
        # and the header callback no longer knows the user
        r = header_callback(server.base, copy)
        chip = r.json()["response"]["gy-user"]["children"]["props"]
        assert r.status_code == 200 and chip["href"] == "/login" and chip["children"] == "工作人员登录"


def header_callback(base: str, cookies: httpx.Cookies) -> httpx.Response:
    """The staff header's callback, as the browser sends it on /workbench."""
    deps = httpx.get(base + "/_dash-dependencies").json()
    header = next(d for d in deps if "gy-user.children" in d["output"])
    names = header["output"].strip(".").split("...")
    body = {
        "output": header["output"],
        "outputs": [{"id": n.split(".")[0], "property": n.split(".")[1]} for n in names],
        "inputs": [
            {"id": "gy-url", "property": "pathname", "value": "/workbench"},
            {"id": "gy-lang", "property": "data", "value": "zh"},
        ],
        "changedPropIds": ["gy-url.pathname"],
        "state": [],
    }
    headers = {"X-CSRFToken": cookies.get("_csrf_token") or ""}
    return httpx.post(
        base + "/_dash-update-component", json=body, cookies=cookies, headers=headers, timeout=30
    )


def test_admins_see_the_alerts_in_the_header_and_others_do_not(server: AppServer, signin_db: str) -> None:
    eng = make_engine(signin_db, pool_size=1)
    with eng.begin() as conn:
        signin.record(conn, "alert", detail={"scope": "city", "tries": 99})
    eng.dispose()
    admin, lead = new_user(signin_db, "admin"), new_user(signin_db, "lead")
    for name, sees in ((admin, True), (lead, False)):
        with client(server) as c:
            assert signed_in(sign_in_client(c, name, RIGHT))
            badge = header_callback(server.base, c.cookies).json()["response"]["gy-signin-alerts"]
            assert badge["hidden"] is not sees, name
            if sees:
                assert "登录告警" in badge["children"]
