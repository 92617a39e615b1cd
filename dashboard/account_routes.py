"""``/account/password``: a staff user changes their own password (plain HTML, no JavaScript needed).

The same page serves the change forced after an admin's reset: while ``must_change_password`` is set the
session opens nothing else (:func:`dashboard.auth.current_user` is None for it, the app's gate sends every page
here). ``POST`` needs the session's CSRF token and a same-site request; the rules are :func:`db.accounts.
check_password`; the change is :func:`ops.staff_admin.change_own_password` (audited ``password_change``; every
other session of the user ends, this one carries on with the new session version)."""

from __future__ import annotations

import html
import logging
import secrets
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from dashboard import auth, runtime
from dashboard.access import PASSWORD_URL
from dashboard.ratelimit import client_key, parse_networks
from dashboard.settings import Settings
from dashboard.signin_routes import both, page, safe_target, same_site_refusal
from db.errors import DomainError
from ops.staff_admin import change_own_password

log = logging.getLogger("guiyang_ops.auth")


def password_form(token: str, target: str, *, forced: bool, message: str = "", done: bool = False) -> str:
    """The form (three password fields, the rules said in both languages)."""
    e = html.escape
    notes = f'<p class="lg-sub" id="pw-forced" role="status">{e(both("usr.pw.forced"))}</p>' if forced else ""
    if message:
        notes += f'<div class="lg-error" id="pw-error" role="alert">{e(message)}</div>'
    if done:
        notes += f'<p class="lg-sub" id="pw-done" role="status">{e(both("usr.pw.done"))}</p>'
    fields = "".join(
        f'<label for="pw-{name}">{e(both(key))}</label>'
        f'<input id="pw-{name}" name="{name}" type="password" autocomplete="{auto}" required class="lg-input"'
        f"{' autofocus' if name == 'current' else ''}>"
        for name, key, auto in (
            ("current", "usr.pw.current", "current-password"),
            ("password", "usr.pw.new", "new-password"),
            ("repeat", "usr.pw.repeat", "new-password"),
        )
    )
    back = "" if forced else f'<p><a href="/workbench" id="pw-back">{e(both("usr.pw.back"))}</a></p>'
    return (
        f'<form action="{PASSWORD_URL}" method="post" class="lg-card">'
        f'<h1 id="pw-title">{e(both("usr.pw.title"))}</h1>{notes}'
        f'<p class="lg-sub" id="pw-rules">{e(both("usr.rules"))}</p>{fields}'
        f'<input type="hidden" name="next" value="{e(target)}">'
        f'<input type="hidden" name="csrf_token" value="{e(token)}">'
        f'<button type="submit" id="pw-submit" class="lg-submit">{e(both("usr.pw.submit"))}</button>{back}'
        "</form>"
    )


def install_account(server: FastAPI, settings: Settings) -> None:
    trusted = parse_networks(settings.trusted_proxies)

    @server.get(PASSWORD_URL, include_in_schema=False)
    async def password_page(request: Request, next: str = "/workbench", done: str = "") -> Response:
        user = await auth.asession_owner()
        if user is None:
            return RedirectResponse(f"/login?next={quote(PASSWORD_URL)}", status_code=303)
        forced = await auth.acurrent_user() is None
        body = password_form(auth.csrf_token(), safe_target(next), forced=forced, done=bool(done))
        return page(both("usr.pw.title"), body, 200)

    @server.post(PASSWORD_URL, include_in_schema=False)
    async def change_password(
        request: Request,
        current: str = Form(""),
        password: str = Form(""),
        repeat: str = Form(""),
        next: str = Form("/workbench"),
        csrf_token: str = Form(""),
    ) -> Response:
        target = safe_target(next)
        refusal = await same_site_refusal(request, "password change")
        if refusal is not None:
            return refusal
        user = await auth.asession_owner()
        if user is None:
            return RedirectResponse(f"/login?next={quote(PASSWORD_URL)}", status_code=303)
        forced = await auth.acurrent_user() is None
        expected = auth.csrf_token()
        if not expected or not secrets.compare_digest(csrf_token, expected):
            body = password_form(expected, target, forced=forced, message=both("usr.pw.expired"))
            return page(both("usr.pw.title"), body, 400)
        peer = request.client.host if request.client else None
        client = client_key(peer, request.headers.getlist("x-forwarded-for"), trusted)
        try:
            version = await runtime.awrite(
                lambda c: change_own_password(c, user.id, current, password, repeat, client=client)
            )
        except DomainError as exc:
            log.info("password change refused for user %d: %s", user.id, exc.en)
            body = password_form(expected, target, forced=forced, message=f"{exc.zh} {exc.en}")
            return page(both("usr.pw.title"), body, 400)
        request.session["sv"] = version  # this session carries on; every other one has ended
        auth.forget(user.id)
        log.info("password changed by user %d", user.id)
        if forced:
            return RedirectResponse(target, status_code=303)
        return RedirectResponse(f"{PASSWORD_URL}?done=1&next={quote(target)}", status_code=303)
