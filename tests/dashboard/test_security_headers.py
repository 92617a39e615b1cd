"""The security-header policy as built from the settings, and the middleware on the outermost layer (even an
unhandled error's 500 carries the headers). The real app and Chromium: tests/browser/test_security_headers.py
and tests/browser/test_csp.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from dashboard.security_headers import SecureFastAPI, SecurityHeaders, content_security_policy
from dashboard.settings import Settings, get_settings


def _settings(**kw: object) -> Settings:
    return get_settings(secret_key="x" * 40, **kw)


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in csp.split("; ")}


def test_default_policy_allows_nothing_from_another_host() -> None:
    d = _directives(content_security_policy(_settings(), ["'sha256-abc='"]))
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'", "'sha256-abc='"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert d["img-src"] == ["'self'", "data:", "blob:"]
    assert d["connect-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'self'"]
    assert d["form-action"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert not any(re.search(r"https?:|\*", v) for vs in d.values() for v in vs)


def test_tile_hosts_only_when_switched_on() -> None:
    tianditu = _directives(content_security_policy(_settings(tianditu_key="k3y")))["img-src"]
    assert tianditu[3:] == [f"https://t{i}.tianditu.gov.cn" for i in range(8)]
    osm = _directives(content_security_policy(_settings(osm_tiles=True)))["img-src"]
    assert osm[3:] == ["https://tile.openstreetmap.org"]
    for settings in (_settings(tianditu_key="k3y"), _settings(osm_tiles=True)):  # images only
        d = _directives(content_security_policy(settings))
        assert all("http" not in v for name, vs in d.items() if name != "img-src" for v in vs)


def test_hsts_only_behind_https() -> None:
    plain = dict(SecurityHeaders(_settings()).headers)
    assert "Strict-Transport-Security" not in plain
    secure = dict(SecurityHeaders(_settings(cookie_secure=True)).headers)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert plain["X-Frame-Options"] == "DENY"
    assert plain["X-Content-Type-Options"] == "nosniff"
    assert plain["Referrer-Policy"] == "same-origin"
    assert plain["Permissions-Policy"].startswith("geolocation=(self), camera=()")


def _app() -> FastAPI:
    app = SecureFastAPI()
    app.security = SecurityHeaders(_settings())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def gen() -> AsyncIterator[bytes]:
            yield b"data: 1\n\n"

        return StreamingResponse(gen(), media_type="text/event-stream")

    return app


@pytest.mark.parametrize(("path", "status"), [("/boom", 500), ("/nothing", 404), ("/stream", 200)])
def test_headers_on_errors_and_streams(path: str, status: int) -> None:
    with TestClient(_app(), raise_server_exceptions=False) as client:
        r = client.get(path)
    assert r.status_code == status
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert r.headers["x-frame-options"] == "DENY"


def test_unset_policy_refuses_to_serve() -> None:
    with pytest.raises(RuntimeError, match="security"):
        SecureFastAPI().build_middleware_stack()


def test_the_server_class_serves_no_docs_pages() -> None:
    """Swagger UI and ReDoc load from a CDN: the server class never serves them unless a caller asks."""
    app = _app()
    assert (app.docs_url, app.redoc_url, app.openapi_url) == (None, None, None)
    with TestClient(app) as client:
        assert all(client.get(path).status_code == 404 for path in ("/docs", "/redoc", "/openapi.json"))
