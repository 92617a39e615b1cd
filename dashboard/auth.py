"""Staff sign-in, sessions, and the check every non-public callback makes on the server.

- Starlette's ``SessionMiddleware`` keeps the signed session cookie; ``RequestContextMiddleware`` puts each
  request in a ContextVar so callbacks (sync or async) can read the session.
- ``/auth/login`` (form POST) and ``/auth/logout`` are plain routes; the login page is an HTML form that works
  without JavaScript and from the keyboard.
- CSRF: Dash copies the ``_csrf_token`` cookie into an ``X-CSRFToken`` header on every callback; the middleware
  refuses callback POSTs of a signed-in session whose header does not match the session's token, and websocket
  handshakes (Dash's callback socket) from another origin.
- ``current_user()`` returns the signed-in :class:`StaffIdentity` (re-read from the database at most every
  30 s, so a deactivated account stops working); ``require_user(*roles)`` guards a callback: hiding a button is
  not security.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote, urlparse

import anyio.to_thread
from dash.exceptions import PreventUpdate
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard import runtime
from db.accounts import StaffIdentity, authenticate, load_identity

log = logging.getLogger("guiyang_ops.auth")
CSRF_COOKIE = "_csrf_token"
_scope: ContextVar[Scope | None] = ContextVar("gy_scope", default=None)
_cache: dict[int, tuple[float, StaffIdentity | None]] = {}
CACHE_SECONDS = 30.0
P = ParamSpec("P")
T = TypeVar("T")


class RequestContextMiddleware:
    """Stores the ASGI scope (with the session) for the duration of each request; checks CSRF on callbacks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not _same_origin(scope):
            # Dash's callback websocket carries the session cookie: refuse cross-site handshakes
            log.warning("websocket refused: foreign Origin")
            await send({"type": "websocket.close", "code": 1008})
            return
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].endswith("/_dash-update-component")
        ):
            session = scope.get("session") or {}
            expected = session.get("csrf")
            if expected:
                headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
                if not secrets.compare_digest(headers.get("x-csrftoken", ""), expected):
                    log.warning("callback refused: CSRF token missing or wrong")
                    await JSONResponse({"error": "csrf"}, status_code=403)(scope, receive, send)
                    return
        token = _scope.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _scope.reset(token)


def _same_origin(scope: Scope) -> bool:
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookies to abuse
    return urlparse(origin).netloc == headers.get("host", "")


def session() -> dict[str, Any]:
    scope = _scope.get()
    if scope is None:
        return {}
    return scope.get("session") or {}


def _identity(user_id: int) -> StaffIdentity | None:
    now = time.monotonic()
    hit = _cache.get(user_id)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    ident = runtime.read(lambda c: load_identity(c, user_id))
    _cache[user_id] = (now, ident)
    return ident


def current_user() -> StaffIdentity | None:
    """The signed-in staff user of the current request, or None (call from a worker thread or sync code)."""
    uid = session().get("uid")
    return _identity(int(uid)) if uid else None


async def acurrent_user() -> StaffIdentity | None:
    uid = session().get("uid")
    if not uid:
        return None
    return await anyio.to_thread.run_sync(_identity, int(uid))


def require_user(*roles: str) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Guard an async callback: no signed-in user (or a role not in ``roles``) → no update at all.

    The wrapped callback receives the user as keyword ``user``.
    """

    def deco(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            user = await acurrent_user()
            if user is None or (roles and user.role not in roles):
                log.info("callback %s refused for %s", fn.__name__, user.username if user else "anonymous")
                raise PreventUpdate
            kwargs["user"] = user
            return await fn(*args, **kwargs)

        return wrapper

    return deco


def install(server: FastAPI, *, secret: str, secure: bool, demo_mode: bool) -> None:
    server.add_middleware(RequestContextMiddleware)
    server.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="gy_session",
        same_site="lax",
        https_only=secure,
        max_age=12 * 3600,
    )

    @server.post("/auth/login", include_in_schema=False)
    async def login(
        request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/workbench")
    ) -> RedirectResponse:
        target = next if next.startswith("/") and not next.startswith("//") else "/workbench"
        user = await anyio.to_thread.run_sync(
            lambda: runtime.read(lambda c: authenticate(c, username, password, allow_demo=demo_mode))
        )
        if user is None:
            log.info("sign-in failed for %r", username[:64])
            return RedirectResponse(f"/login?error=1&next={quote(target)}", status_code=303)
        request.session.clear()
        request.session["uid"] = user.id
        request.session["csrf"] = secrets.token_urlsafe(32)
        log.info("signed in: %s (%s)", user.username, user.role)
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie(CSRF_COOKIE, request.session["csrf"], samesite="lax", secure=secure, httponly=False)
        return resp

    @server.get("/auth/logout", include_in_schema=False)
    async def logout(request: Request) -> RedirectResponse:
        request.session.clear()
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(CSRF_COOKIE)
        return resp
