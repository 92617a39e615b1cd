"""Sign-in under attack, as the issue saw it: 20 wrong passwords in a row against one account (refused? locked?
an alert? does the right one work straight after?), a session cookie copied before logout and used after it, a
cross-site login post, and which method logs out.

Self-contained: a private stack (its own cluster, migrations and two staff users, nothing else) and the app
under uvicorn on a free port, all removed afterwards; about 15 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text

from bench.trust import Finding
from bench.trust._stack import private_stack
from db.accounts import create_staff_user
from db.engine import make_engine

PASSWORD = "trust-signin-right-2026"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def served() -> Iterator[tuple[str, str]]:
    """(the app's base URL, its database's URL): a private stack with two staff users, outside demo mode."""
    with private_stack(serve=False) as stack:
        eng = make_engine(stack.owner_url, pool_size=1)
        with eng.begin() as conn:
            create_staff_user(conn, "victim", "admin", PASSWORD)
            create_staff_user(conn, "leaver", "lead", PASSWORD)
        eng.dispose()
        stack.serve(GUIYANG_DEMO_MODE="0", GUIYANG_LOG_LEVEL="ERROR")
        yield stack.base, stack.url


def _token(client: httpx.Client) -> str | None:
    """The sign-in form's CSRF token, where the server has one (GET /auth/login, the form without JavaScript)."""
    r = client.get("/auth/login")
    m = TOKEN.search(r.text) if r.status_code == 200 else None
    return m.group(1) if m else None


def _post_login(client: httpx.Client, user: str, password: str, **headers: str) -> httpx.Response:
    data = {"username": user, "password": password, "next": "/workbench"}
    token = _token(client)
    if token:
        data["csrf_token"] = token
    return client.post("/auth/login", data=data, headers=headers)


def _signed_in(resp: httpx.Response) -> bool:
    return resp.status_code == 303 and "/login" not in resp.headers.get("location", "")


def _reaches_push(base: str, cookies: httpx.Cookies) -> bool:
    """Does this cookie jar reach a staff-only route (the wall's event stream)?"""
    with httpx.Client(base_url=base, cookies=cookies, timeout=10) as c, c.stream("GET", "/push/events") as r:
        return r.status_code == 200


def _alerts(url: str) -> int | None:
    eng = make_engine(url, pool_size=1)
    try:
        with eng.connect() as conn:
            if conn.execute(text("SELECT to_regclass('audit_log')")).scalar() is None:
                return None
            return int(conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'alert'")).scalar_one())
    finally:
        eng.dispose()


def measure() -> list[Finding]:
    found: list[Finding] = []
    with served() as (base, url):
        # 1. twenty wrong passwords against one account, then the right one
        with httpx.Client(base_url=base, timeout=30) as c:
            t0 = time.perf_counter()
            codes = [_post_login(c, "victim", f"wrong-{i:02d}-password").status_code for i in range(20)]
            took = time.perf_counter() - t0
            right = _post_login(c, "victim", PASSWORD)
        refused = sum(code == 429 for code in codes)
        first = next((i + 1 for i, code in enumerate(codes) if code == 429), None)
        found.append(
            Finding(
                "20 wrong passwords for one account",
                f"{refused} of 20 refused with 429 (first at try {first}), {took:.1f} s",
                "refused from the 6th try on (growing delay, lock at 10)",
                first is not None and first <= 6 and refused >= 14,
            )
        )
        found.append(
            Finding(
                "the right password straight after",
                "signed in" if _signed_in(right) else f"refused ({right.status_code})",
                "refused (the delay after 5 failures; a lock at 10)",
                not _signed_in(right),
            )
        )
        alerts = _alerts(url)
        found.append(
            Finding(
                "an alert for admins",
                "no audit log" if alerts is None else f"{alerts} alert row(s) in audit_log",
                "≥ 1 alert",
                bool(alerts),
            )
        )
        # 2. a cookie copied before logout, used after it
        with httpx.Client(base_url=base, timeout=30) as c:
            ok = _signed_in(_post_login(c, "leaver", PASSWORD))
            copy = httpx.Cookies(c.cookies)
            before = _reaches_push(base, copy)
            token = c.cookies.get("_csrf_token")
            out = c.post("/auth/logout", data={"csrf_token": token or ""})
            method = "POST"
            if out.status_code in (404, 405):  # the old code logs out by GET
                out, method = c.get("/auth/logout"), "GET"
            after = _reaches_push(base, copy)
        found.append(
            Finding(
                "session cookie copied before logout, used after it",
                f"signed in: {ok}; reached /push/events before: {before}, after logout ({method}): {after}",
                "the copy is refused after logout",
                ok and before and not after,
            )
        )
        # 3. a cross-site login post (as a foreign page's form would send it)
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post(
                "/auth/login",
                data={"username": "leaver", "password": PASSWORD, "next": "/workbench"},
                headers={"Origin": "http://evil.example"},
            )
        found.append(
            Finding(
                "cross-site login post (foreign Origin, no token)",
                "signed in" if _signed_in(r) else f"refused ({r.status_code})",
                "refused",
                not _signed_in(r),
            )
        )
        # 4. does a GET log out? (an <img src=/auth/logout> on any page would)
        with httpx.Client(base_url=base, timeout=30) as c:
            _post_login(c, "leaver", PASSWORD)
            c.get("/auth/logout")
            still = _reaches_push(base, c.cookies)
        found.append(
            Finding(
                "GET /auth/logout",
                "no state change" if still else "logged out (GET changes state)",
                "logout only by POST with the CSRF token",
                still,
            )
        )
    return found
