"""Staff sign-in, sessions, and the check every non-public callback makes on the server.

- Starlette's ``SessionMiddleware`` keeps the signed session cookie; ``RequestContextMiddleware`` puts each
  request in a ContextVar so callbacks (sync or async) can read the session.
- ``/auth/login`` and ``/auth/logout`` are plain routes (:mod:`dashboard.signin_routes`): throttled, audited,
  CSRF-checked; the login page is an HTML form that works without JavaScript and from the keyboard.
- CSRF: Dash copies the ``_csrf_token`` cookie into an ``X-CSRFToken`` header on every callback; the middleware
  refuses callback POSTs of a signed-in session whose header does not match the session's token, and websocket
  handshakes (Dash's callback socket) from another origin.
- ``current_user()`` returns the signed-in :class:`StaffIdentity` when the session's version is still the
  user's ``session_version`` (re-read from the database at most every second; logout, a password or role change
  and deactivation raise it, so every copy of an old session cookie stops working), and None while the user
  must change a one-time password (:func:`apending_password_change`: only ``/account/password`` serves them);
  ``require_user(*roles)`` guards a callback: hiding a button is not security.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlparse

import anyio.to_thread
from dash.exceptions import PreventUpdate
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard import runtime
from dashboard.ratelimit import client_key, parse_networks
from db.accounts import StaffIdentity, load_session_identity
from db.cache import MISSING

log = logging.getLogger("guiyang_ops.auth")
CSRF_COOKIE = "_csrf_token"
_scope: ContextVar[Scope | None] = ContextVar("gy_scope", default=None)
SESSION_COOKIE = "gy_session"
LOGIN_TOKEN = "login_csrf"  # nosec B105 # the session key under which the form token is kept, not a password
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


def request_client() -> str | None:
    """The client address of the current request (behind trusted proxies, the forwarded one), for audit rows;
    None outside a request."""
    scope = _scope.get()
    if scope is None:
        return None
    peer = scope["client"][0] if scope.get("client") else None
    forwarded = [v.decode() for k, v in scope.get("headers", []) if k.decode().lower() == "x-forwarded-for"]
    return client_key(peer, forwarded, parse_networks(runtime.services().settings.trusted_proxies))


def login_token() -> str:
    """The sign-in form's CSRF token, bound to this browser's session cookie (made on first use); "" outside a
    request."""
    scope = _scope.get()
    if scope is None or "session" not in scope:
        return ""
    sess = scope["session"]  # the middleware's own dict: what is put here goes into the cookie
    if not sess.get(LOGIN_TOKEN):
        sess[LOGIN_TOKEN] = secrets.token_urlsafe(32)
    return str(sess[LOGIN_TOKEN])


def csrf_token() -> str:
    """The signed-in session's CSRF token (for the logout form), or ""."""
    return str(session().get("csrf") or "")


def forget(user_id: int) -> None:
    """Drop a user from this app's identity cache (after their sessions ended)."""
    runtime.services().bust_soon(f"identity:{user_id}")  # every worker process, not only this one


def _identity(user_id: int, version: int) -> StaffIdentity | None:
    """The user, if active, ``version`` is still their session version and no password change is pending
    (cached for :data:`dashboard.runtime.IDENTITY_SECONDS`)."""
    return _valid(_session_row(user_id), version)


def _valid(found: tuple[StaffIdentity, int, bool] | None, version: int) -> StaffIdentity | None:
    return found[0] if found is not None and found[1] == version and not found[2] else None


def _session_row(user_id: int) -> tuple[StaffIdentity, int, bool] | None:
    app = runtime.services()
    return app.caches.identities.get_or_compute(
        user_id, lambda: app.read(lambda c: load_session_identity(c, user_id))
    )


def _pending(user_id: int, version: int) -> StaffIdentity | None:
    found = _session_row(user_id)
    return found[0] if found is not None and found[1] == version and found[2] else None


async def apending_password_change() -> StaffIdentity | None:
    """The user of this request's (still valid) session when they must change their password before anything
    else (after an admin's reset): :func:`current_user` is None for them, everywhere but the password page."""
    who = _session_user()
    return None if who is None else await anyio.to_thread.run_sync(_pending, *who)


async def asession_owner() -> StaffIdentity | None:
    """The user of this request's valid session, whether or not a password change is pending (the password
    page only)."""
    return await acurrent_user() or await apending_password_change()


def _session_user() -> tuple[int, int] | None:
    sess = session()
    uid, version = sess.get("uid"), sess.get("sv")
    if not uid or not isinstance(version, int):
        return None  # also a cookie from before session versions: sign in again
    return int(uid), version


def current_user() -> StaffIdentity | None:
    """The signed-in staff user of the current request, or None (call from a worker thread or sync code)."""
    who = _session_user()
    return _identity(*who) if who else None


async def acurrent_user() -> StaffIdentity | None:
    """:func:`current_user` from the event loop: a cached identity is answered here, only a read of the database
    goes to a worker thread (every callback asks; the hop to a thread was a tenth of a catch-up's CPU)."""
    who = _session_user()
    if who is None:
        return None
    caches = runtime.services().caches
    found = caches.identities.get(who[0], MISSING)
    if found is MISSING:
        # expired (every second): the screens asking meanwhile wait for one read, not a worker thread each
        found = await caches.identity_reads.get(
            who[0], 0, lambda: anyio.to_thread.run_sync(_session_row, who[0]), ttl=0
        )
    return _valid(found, who[1])


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


def install(server: FastAPI, *, secret: str, secure: bool) -> None:
    """The session middleware and the request context; the sign-in routes are :mod:`dashboard.signin_routes`."""
    server.add_middleware(RequestContextMiddleware)
    server.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        https_only=secure,
        max_age=12 * 3600,
    )
