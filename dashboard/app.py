"""The app factory: FastAPI serves Dash, the health check and (later) the APIs; uvicorn runs ``server``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import dash
import dash_mantine_components as dmc
import httpx
from dash import Dash, Input, Output, State, dcc, html
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from dashboard import (
    access,
    auth,
    callback_guard,
    ids,
    partition_clock,
    reference_clock,
    runtime,
    unavailable,
)
from dashboard.access import PASSWORD_URL
from dashboard.account_routes import install_account
from dashboard.api import install_api
from dashboard.database import database_url, read_database_url
from dashboard.i18n import t
from dashboard.security_headers import SecureFastAPI, SecurityHeaders
from dashboard.settings import Settings
from dashboard.signin_routes import install_signin
from db.accounts import StaffIdentity
from db.engine import make_engine
from db.read_route import ReadRoute
from geo.crs import TZ
from ops.signin import recent_alerts

HERE = Path(__file__).parent
#: Paths whose page draws its own header (the wall screen, the public map).
FULLSCREEN_PATHS = {"", "/public", "/wall"}
log = logging.getLogger("guiyang_ops")
#: Answers smaller than this go uncompressed (Dash's own setting, zlib's level 9 from 500 bytes, compressed every
#: small catch-up: a tenth of the workers' CPU at 300 open screens); below about one TCP packet compressing saves
#: no round trip.
GZIP_MIN_BYTES = 1400
CALLBACK_PATH = "/_dash-update-component"
#: Mantine's components name their font through this theme: the app's own CJK font first (assets/font.css).
MANTINE_THEME = {"fontFamily": "var(--gy-font)", "headings": {"fontFamily": "var(--gy-font)"}}


def create_server(settings: Settings) -> FastAPI:
    """The app: one app object (:class:`dashboard.runtime.Services`) made from ``settings``, kept on the server
    (``server.state.ops``) and bound to each request. Starts nothing: the database (the local cluster) must be up
    (``guiyang-ops db up``, or ``serve`` which starts it explicitly)."""
    engine = make_engine(
        database_url(settings, ensure=False),
        pool_size=20,
        max_overflow=20,
        working_periods=settings.working_periods,
    )
    ops = runtime.Services(settings=settings, engine=engine, reads=read_route(settings, engine))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 64  # database calls run in worker threads; 2 cores, mostly waiting on I/O
        await _warm_up(server)
        ops.push_hub().start()  # one LISTEN per process from the start: doorbells and other workers' cache busts
        clock = asyncio.create_task(reference_clock.keep_current(ops))  # scheduled reference changes
        ahead = asyncio.create_task(partition_clock.keep_ahead(ops))  # history partitions made ahead
        yield
        ahead.cancel()
        clock.cancel()
        await ops.stop()

    server = SecureFastAPI(lifespan=lifespan, title="guiyang-ops")
    server.security = SecurityHeaders(settings)
    server.state.ops = ops

    @server.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        def check() -> tuple[str, dict[str, object]]:
            with engine.connect() as conn:
                return str(conn.execute(text("SELECT postgis_lib_version()")).scalar()), ops.read_state()

        try:
            version, reads = await anyio.to_thread.run_sync(check)
        except Exception as exc:  # noqa: BLE001 - any failure means: not healthy
            log.warning("health check failed: %r", exc)
            return JSONResponse(
                {"status": "unavailable", "database": "down"},
                status_code=503,
                headers={"Retry-After": str(unavailable.RETRY_AFTER_S)},
            )
        # replica: where read-only screens read now (off / replica / primary), why, and its lag
        body = {"status": "ok", "database": "up", "postgis": version, "worker": os.getpid(), "replica": reads}
        return JSONResponse(body)

    auth.install(server, secret=settings.session_secret(), secure=settings.cookie_secure)
    install_signin(server, settings)
    install_account(server, settings)
    install_api(server, ops)
    app = create_dash(server, settings)
    _callbacks_first(server)
    server.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=6)
    app.on_index = server.security.set_script_hashes
    app.on_index(app.csp_hashes())
    unavailable.install(server)  # database down: 503 + Retry-After, one log line, for every route
    server.add_middleware(callback_guard.CallbackGuard)  # outermost: malformed callback bodies answer 400
    server.add_exception_handler(RequestValidationError, callback_guard.bad_form)
    server.add_middleware(runtime.Bind, services=ops)  # outermost: every request sees this app's object
    return server


def _callbacks_first(server: FastAPI) -> None:
    """Dash's callback route first in the router: every callback request (each open screen's catch-up) was
    matched against every API router before it. The paths are distinct, so nothing else changes."""
    routes = server.router.routes
    first = [r for r in routes if getattr(r, "path", None) == CALLBACK_PATH]
    server.router.routes = first + [r for r in routes if r not in first]


def read_route(settings: Settings, primary: Engine) -> ReadRoute | None:
    """The read replica's route (``GUIYANG_READ_DATABASE_URL`` / ``GUIYANG_READ_REPLICA``), or None."""
    url = read_database_url(settings)
    if url is None:
        return None
    # a replica that does not answer is given up quickly: the views go to the primary meanwhile
    url = make_url(url).update_query_dict({"connect_timeout": "2"}).render_as_string(hide_password=False)
    replica = make_engine(url, pool_size=20, max_overflow=20, working_periods=settings.working_periods)
    return ReadRoute(primary, replica, settings.read_max_lag_seconds)


async def _warm_up(server: FastAPI) -> None:
    """One request to Dash's own routes before the first visitor: Dash's FastAPI backend runs its first-request
    set-up (the pages router, the validation layout) only for those, so a first visit straight to a page path
    (/login, /wall after a restart) would get a page without them and log "ID not found in layout"."""
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        r = await client.get("/_dash-layout")
    if r.status_code != 200:
        log.warning("Dash warm-up answered %s", r.status_code)


class HashedDash(Dash):
    """Dash that hands the hashes of its index page's inline scripts to ``on_index`` each time it renders the
    page (before the response starts), so the Content-Security-Policy allows exactly them: a page module may
    register a clientside callback written as a string after start-up (Dash collects those on each render)."""

    on_index: Callable[[Sequence[str]], None] | None = None

    def interpolate_index(self, *args: Any, **kwargs: Any) -> Any:
        if self.on_index is not None:
            self.on_index(self.csp_hashes())
        return super().interpolate_index(*args, **kwargs)


def user_chip(user: StaffIdentity | None, lang: str) -> Any:
    """Signed in: the name and a sign-out button that POSTs with the session's CSRF token; else a sign-in link."""
    if user is None:
        return html.A(t("nav.login", lang), href="/login", className="gy-user-link")
    role = t(f"wb.role.{user.role}", lang)
    # English: the role beside the name (names are data, often in Chinese only, as is a role word inside them)
    name = f"{user.display_name} · {role}" if lang == "en" else user.display_name
    password = html.A(t("usr.chip.password", lang), href=PASSWORD_URL, className="gy-user-link")
    return html.Span([password, _logout(user, name, role, lang)], className="usr-chip")


def _logout(user: StaffIdentity, name: str, role: str, lang: str) -> Any:
    return html.Form(
        action="/auth/logout",
        method="post",
        className="gy-user-form",
        title=t("user.chip_title", lang, name=user.display_name, role=role),
        children=[
            dcc.Input(type="hidden", name="csrf_token", value=auth.csrf_token(), id="gy-logout-token"),
            html.Button(
                f"{name} · {t('nav.logout', lang)}",
                type="submit",
                id=ids.LOGOUT,
                className="gy-user-button",
            ),
        ],
    )


def create_dash(server: FastAPI, settings: Settings) -> HashedDash:
    app = HashedDash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash 4's FastAPI backend takes the FastAPI app
        backend="fastapi",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title=t("app.title"),
        compress=False,  # see GZIP_MIN_BYTES
        serve_locally=True,
        update_title=None,  # type: ignore[arg-type]  # None: keep the title while callbacks run
    )
    app.layout = dmc.MantineProvider(
        theme=MANTINE_THEME,
        children=html.Div(
            className="gy-shell",
            children=[
                dcc.Location(id=ids.URL),
                dcc.Store(id=ids.LANG, storage_type="local", data=settings.default_lang),
                html.Header(
                    id=ids.HEADER,
                    className="gy-header",
                    children=[
                        html.Span(t("app.title"), className="gy-title", id="gy-title"),
                        html.Nav(id=ids.NAV, className="gy-nav"),
                        html.Span(className="gy-spacer"),
                        html.Span(id=ids.SIGNIN_ALERTS, className="gy-alerts", role="status", hidden=True),
                        html.Span(id=ids.USER_MENU, className="gy-user"),
                        html.Button(t("lang.switch"), id=ids.LANG_SWITCH, n_clicks=0, className="gy-lang"),
                    ],
                ),
                html.Main([dash.page_container, *access.layout()], className="gy-main"),
            ],
        ),
    )

    @app.callback(
        Output(ids.HEADER, "style"),
        Output(ids.NAV, "children"),
        Output(ids.USER_MENU, "children"),
        Output(ids.SIGNIN_ALERTS, "children"),
        Output(ids.SIGNIN_ALERTS, "title"),
        Output(ids.SIGNIN_ALERTS, "hidden"),
        Input(ids.URL, "pathname"),
        Input(ids.LANG, "data"),
    )
    async def header(path: str | None, lang: str) -> tuple[Any, ...]:
        """Staff pages share this header; full-screen and public pages (own header) hide it."""
        hidden = (path or "/").rstrip("/") in FULLSCREEN_PATHS
        user = await auth.acurrent_user()
        links = [
            html.A(t(page["nav"], lang), href=page["path"], className="gy-nav-link")
            for page in sorted(dash.page_registry.values(), key=lambda p: p.get("nav_order", 99))
            if page.get("nav")
            and (not page.get("roles") or (user is not None and user.role in page["roles"]))
        ]
        style = {"display": "none"} if hidden else {}
        alerts: tuple[Any, ...] = (None, None, True)
        if user is not None and user.role == "admin":
            summary = await runtime.aread(recent_alerts)
            if summary.count and summary.last is not None:
                at = f"{summary.last.astimezone(TZ):%m-%d %H:%M}"
                alerts = (
                    t("signin.alerts", lang, n=summary.count, at=at),
                    t("signin.alerts_title", lang),
                    False,
                )
        return style, links, user_chip(user, lang), *alerts

    @app.callback(
        Output(ids.LANG, "data"),
        Input(ids.LANG_SWITCH, "n_clicks"),
        State(ids.LANG, "data"),
        prevent_initial_call=True,
    )
    def switch_lang(_: int, lang: str) -> str:
        return "en" if lang == "zh" else "zh"

    @app.callback(
        Output(ids.LANG_SWITCH, "children"), Output("gy-title", "children"), Input(ids.LANG, "data")
    )
    def label_lang(lang: str) -> tuple[str, str]:
        return t("lang.switch", lang), t("app.title", lang)

    access.install(app)

    def add_page_validation_layouts() -> None:
        """Pages whose layout depends on the session (a sign-in gate) offer ``validation_layout()``: the full
        tree, so Dash validates their callbacks against it instead of logging "ID not found" on every page.
        Runs after Dash's pages router has built its validation layout on the first request."""
        if getattr(app, "_gy_validation_done", False) or app.validation_layout is None:
            return
        app._gy_validation_done = True
        extra = []
        for page in dash.page_registry.values():
            module = sys.modules.get(page["module"])
            if module is not None and hasattr(module, "validation_layout"):
                extra.append(module.validation_layout())
        app.validation_layout = html.Div([app.validation_layout, *extra])

    app.backend.before_request(add_page_validation_layouts)

    # Dash 4's FastAPI backend runs this set-up only before requests to Dash's own routes: a first request to a
    # page path (/grid, /wall ...) would get an index without our assets. Do it now, once.
    app._setup_server()
    return app
