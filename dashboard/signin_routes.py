"""``/auth/login`` and ``/auth/logout``: sign-in throttled and audited (:mod:`ops.signin`), both CSRF-checked.

- ``POST /auth/login`` needs the form's ``csrf_token`` (bound to the browser's session cookie, see
  :func:`dashboard.auth.login_token`) and is refused outright (403) when the browser says it comes from another
  site (``Origin`` or ``Sec-Fetch-Site``). A wrong password goes back to ``/login?error=1``; a throttled or locked
  try gets 429 with ``Retry-After`` and the sign-in form again, saying (in Chinese, then English) when to try.
- ``GET /auth/login`` is that form as plain HTML: no JavaScript needed (and what scripts read the token from).
- ``POST /auth/logout`` (with the session's CSRF token) ends every copy of the session: the user's
  ``session_version`` goes up. ``GET /auth/logout`` changes nothing: it shows a button that posts.
"""

from __future__ import annotations

import html
import logging
import math
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote, urlparse

import anyio.to_thread
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from dashboard import auth, runtime
from dashboard.access import PASSWORD_URL
from dashboard.i18n import t
from dashboard.ratelimit import client_key, parse_networks
from dashboard.settings import Settings
from db.accounts import load_session_identity
from geo.crs import TZ
from ops import signin

log = logging.getLogger("guiyang_ops.auth")


def safe_target(value: object) -> str:
    """Only a path on this site may be the target after signing in (``/workbench?case=…`` included): never
    ``//host``, a URL, a backslash or a control character (browsers drop tabs and newlines from a URL, which
    would make ``/<tab>/host`` a way off the site); anything else is the workbench."""
    ok = (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
    )
    return value[:1000] if ok and isinstance(value, str) else "/workbench"


def _both(key: str, **kw: object) -> str:
    """zh-CN first, then English (the server does not know the language the browser chose)."""
    return f"{t(key, 'zh', **kw)} {t(key, 'en', **kw)}"


def _page(title: str, body: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    doc = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/assets/font.css">'
        '<link rel="stylesheet" href="/assets/workbench.css"></head>'
        f'<body><main class="lg-page">{body}</main></body></html>'
    )
    return HTMLResponse(doc, status_code=status, headers=headers)


def login_form(token: str, target: str, message: str = "") -> str:
    """The sign-in form as plain HTML (the same fields the Dash page posts)."""
    alert = (
        f'<div class="lg-error" id="login-error" role="alert">{html.escape(message)}</div>' if message else ""
    )
    return (
        '<form action="/auth/login" method="post" class="lg-card">'
        f'<h1 id="login-title">{html.escape(_both("login.title"))}</h1>{alert}'
        f'<label for="login-username">{html.escape(_both("login.username"))}</label>'
        '<input id="login-username" name="username" type="text" autocomplete="username" required '
        'maxlength="64" class="lg-input" autofocus>'
        f'<label for="login-password">{html.escape(_both("login.password"))}</label>'
        '<input id="login-password" name="password" type="password" autocomplete="current-password" required '
        'class="lg-input">'
        f'<input type="hidden" name="next" value="{html.escape(target)}">'
        f'<input type="hidden" name="csrf_token" value="{html.escape(token)}">'
        f'<button type="submit" id="login-submit" class="lg-submit">{html.escape(_both("login.submit"))}</button>'
        "</form>"
    )


def _foreign(request: Request) -> bool:
    """Does the browser say this request comes from another site?"""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-site form: those always send Origin
    return origin == "null" or urlparse(origin).netloc != request.headers.get("host", "")


#: for the other plain-HTML account pages (dashboard.account_routes)
both = _both
page = _page


async def same_site_refusal(request: Request, what: str) -> Response | None:
    """403 (and a log line) when the browser says a form post comes from another site; else None."""
    if not _foreign(request):
        return None
    log.warning("%s refused: cross-site request", what)
    return _page(
        "403", f'<div class="lg-card"><p class="lg-error">{_both("signin.cross_site")}</p></div>', 403
    )


def install_signin(server: FastAPI, settings: Settings) -> None:
    limits = settings.signin_limits()
    trusted = parse_networks(settings.trusted_proxies)
    secure, demo = settings.cookie_secure, settings.demo_mode

    def client_of(request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_key(peer, request.headers.getlist("x-forwarded-for"), trusted)

    def refuse_cross_site(request: Request, what: str) -> Response:
        log.warning("%s refused: cross-site request", what)
        client = client_of(request)
        runtime.write(
            lambda c: signin.record(c, "signin_refused", client=client, detail={"reason": "cross_site"})
        )
        return _page(
            "403", f'<div class="lg-card"><p class="lg-error">{_both("signin.cross_site")}</p></div>', 403
        )

    @server.get("/auth/login", include_in_schema=False)
    async def login_page(request: Request, next: str = "/workbench") -> Response:
        return _page(t("login.title"), login_form(auth.login_token(), safe_target(next)), 200)

    @server.post("/auth/login", include_in_schema=False)
    async def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        next: str = Form("/workbench"),
        csrf_token: str = Form(""),
    ) -> Response:
        target = safe_target(next)
        if _foreign(request):
            return await anyio.to_thread.run_sync(refuse_cross_site, request, "sign-in")
        expected = request.session.get(auth.LOGIN_TOKEN, "")
        if not expected or not secrets.compare_digest(csrf_token, expected):
            log.info("sign-in form without a valid token: back to the form")
            return RedirectResponse(f"/login?error=expired&next={quote(target)}", status_code=303)
        client = client_of(request)

        def tx(c: Connection) -> tuple[signin.Outcome, int, bool]:
            out = signin.attempt(c, username, password, client, limits, allow_demo=demo)
            found = load_session_identity(c, out.user.id) if out.user else None
            return out, found[1] if found else 0, bool(found and found[2])

        outcome, version, must_change = await runtime.awrite(tx)
        if outcome.status == "ok" and outcome.user is not None:
            user = outcome.user
            request.session.clear()
            request.session.update({"uid": user.id, "sv": version, "csrf": secrets.token_urlsafe(32)})
            auth.forget(user.id)
            log.info("signed in: %s (%s)", user.username, user.role)
            if must_change:  # a one-time password: the password page first, nothing else until then
                target = f"{PASSWORD_URL}?next={quote(target)}"
            resp = RedirectResponse(target, status_code=303)
            resp.set_cookie(
                auth.CSRF_COOKIE, request.session["csrf"], samesite="lax", secure=secure, httponly=False
            )
            return resp
        if outcome.retry_after > 0:
            at = datetime.now(TZ) + timedelta(seconds=outcome.retry_after)
            if outcome.locked:
                minutes = math.ceil(outcome.retry_after / 60)
                message = _both("signin.locked", at=f"{at:%H:%M}", minutes=minutes)
            else:
                message = _both("signin.wait", seconds=outcome.retry_after, at=f"{at:%H:%M:%S}")
            log.info(
                "sign-in %s for %s: retry after %d s",
                outcome.status,
                signin.short_name(username),
                outcome.retry_after,
            )
            body = login_form(auth.login_token(), target, message)
            return _page(t("login.title"), body, 429, {"Retry-After": str(outcome.retry_after)})
        log.info("sign-in failed for %s", signin.short_name(username))
        return RedirectResponse(f"/login?error=1&next={quote(target)}", status_code=303)

    @server.get("/auth/logout", include_in_schema=False)
    async def logout_page(request: Request) -> Response:
        user = await auth.acurrent_user()
        if user is None:
            return RedirectResponse("/login", status_code=303)
        body = (
            '<form action="/auth/logout" method="post" class="lg-card">'
            f"<h1>{html.escape(_both('signin.logout_title'))}</h1>"
            f"<p>{html.escape(_both('signin.logout_question', name=user.display_name))}</p>"
            f'<input type="hidden" name="csrf_token" value="{html.escape(auth.csrf_token())}">'
            f'<button type="submit" id="logout-submit" class="lg-submit">{html.escape(_both("signin.logout"))}'
            "</button></form>"
        )
        return _page(t("signin.logout_title"), body, 200)

    @server.post("/auth/logout", include_in_schema=False)
    async def logout(request: Request, csrf_token: str = Form("")) -> Response:
        if _foreign(request):
            return await anyio.to_thread.run_sync(refuse_cross_site, request, "sign-out")
        expected = auth.csrf_token()
        if not expected or not secrets.compare_digest(csrf_token, expected):
            return RedirectResponse("/auth/logout", status_code=303)  # the page with a button that works
        user = await auth.acurrent_user()
        if user is not None:  # a still valid session: end it, and every copy of it
            client = client_of(request)
            await runtime.awrite(lambda c: signin.end_sessions(c, user.id, "logout", client))
            auth.forget(user.id)
        request.session.clear()
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(auth.CSRF_COOKIE)
        return resp
