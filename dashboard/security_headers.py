"""Security headers on every response: a strict Content-Security-Policy the whole app works under, no framing,
``nosniff``, ``Referrer-Policy``, a ``Permissions-Policy`` (geolocation for our own pages only), HSTS behind HTTPS.

The policy (each part measured in Chromium on every page, see ``tests/browser/test_csp.py``):

- nothing from another host: ``default-src 'self'``; images also ``data:`` and ``blob:`` (Leaflet, plotly,
  upload previews) plus exactly the tile hosts a setting switches on (:mod:`dashboard.tiles`);
- scripts: our own files plus the hashes of the index page's inline scripts (Dash's renderer start and the
  clientside callbacks written as strings), no ``'unsafe-inline'`` and no ``'unsafe-eval'``; the ``_dash-config``
  block is JSON, which the browser does not run, so the policy does not apply to it;
- styles: ``'unsafe-inline'``: dash-mantine-components renders its theme variables as a ``<style>`` element and
  Leaflet and plotly write ``style`` attributes; neither can carry a nonce from Dash;
- ``connect-src 'self'`` (callbacks, the wall's event stream), ``worker-src 'self' blob:``, ``font-src 'self'
  data:``, ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``, ``frame-ancestors 'none'``.

:class:`SecureFastAPI` puts the headers outside every other layer, so Starlette's own 500 page carries them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard.settings import Settings
from dashboard.tiles import tile_hosts

#: Browser features our pages use: geolocation on the public map ("nearest to me"); everything else off.
PERMISSIONS = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), midi=(), "
    "hid=(), accelerometer=(), gyroscope=(), magnetometer=(), display-capture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), xr-spatial-tracking=(), browsing-topics=(), autoplay=(), encrypted-media=(), "
    "picture-in-picture=(), fullscreen=(self), clipboard-read=(), clipboard-write=(self)"
)
HSTS_MAX_AGE = 31_536_000


def content_security_policy(settings: Settings, script_hashes: Iterable[str] = ()) -> str:
    """The policy for ``settings`` with the given ``'sha256-…'`` hashes of the inline scripts allowed."""
    tiles = tile_hosts(settings)
    directives: dict[str, Sequence[str]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *tiles],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeaders:
    """The headers of one app; the script hashes are known only once Dash has registered every page."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._headers: list[tuple[str, str]] = []
        self.set_script_hashes(())

    def set_script_hashes(self, hashes: Iterable[str]) -> None:
        csp = content_security_policy(self.settings, hashes)
        headers = [
            ("Content-Security-Policy", csp),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", PERMISSIONS),
        ]
        if self.settings.cookie_secure:
            headers.append(("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}"))
        self._headers = headers

    @property
    def headers(self) -> list[tuple[str, str]]:
        return list(self._headers)


class SecurityHeadersMiddleware:
    """Pure ASGI (event streams pass through untouched): sets the headers on every HTTP response start."""

    def __init__(self, app: ASGIApp, headers: SecurityHeaders) -> None:
        self.app = app
        self.security = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.security.headers:
                    headers[name] = value  # ours win: no route may loosen them
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecureFastAPI(FastAPI):
    """FastAPI with :class:`SecurityHeadersMiddleware` as the outermost layer (outside Starlette's error
    middleware, so even an unhandled error's 500 carries the headers). Set ``security`` before the first request."""

    security: SecurityHeaders | None = None

    def __init__(self, **kwargs: Any) -> None:
        # no Swagger UI or ReDoc (they load from a CDN) and no schema page unless a caller asks for one
        for page in ("docs_url", "redoc_url", "openapi_url"):
            kwargs.setdefault(page, None)
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if self.security is None:
            raise RuntimeError("SecureFastAPI.security must be set before the app serves")
        return SecurityHeadersMiddleware(stack, self.security)
