"""What every benchmark module shares: the context (database, app server) and the figure it reports.

A benchmark module in ``bench/`` defines ``run(ctx: BenchContext) -> list[Figure]``; ``python -m bench`` (make
bench) runs them all on the 1M-case demo city and prints one table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine

from bench.app_process import AppProcess


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


@dataclass
class BenchContext:
    """``url``: the bench database as the app role (what the app server connects as); ``admin_url`` and
    ``engine``: as the local cluster's superuser (or the owner role on an external server), for the benchmarks'
    own setup, copies and clean-up."""

    url: str
    engine: Engine
    cases: int
    media_dir: str
    admin_url: str = ""
    _server: AppProcess | None = field(default=None, repr=False)
    _base: str | None = None

    def app_base_url(self) -> str:
        """Start the real app (uvicorn) on the bench database once; return its base URL."""
        if self._base:
            return self._base
        env = {
            "DATABASE_URL": self.url,
            "GUIYANG_DEMO_MODE": "1",
            "GUIYANG_LOG_LEVEL": "WARNING",
            "GUIYANG_MEDIA_DIR": self.media_dir,
            # as behind the reverse proxy of a deployment: the clients' own addresses come in X-Forwarded-For
            "GUIYANG_TRUSTED_PROXIES": "127.0.0.1",
        }
        # --no-proxy-headers as `guiyang-ops serve`: only the app's trusted-proxy setting decides
        self._server = AppProcess(env, args=["--no-proxy-headers"])
        self._base = self._server.start(what="the app for the benchmark")
        return self._base

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
        self.engine.dispose()


def timed(fn: Callable[[], Any], runs: int, warmup: int = 3) -> list[float]:
    """Seconds per call over ``runs`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login_token(html: str) -> str:
    """The CSRF token of the sign-in form (``GET /auth/login``)."""
    m = _TOKEN.search(html)
    return m.group(1) if m else ""


def sign_in(client: httpx.Client, user: str, password: str, target: str = "/workbench") -> httpx.Response:
    """Sign in as the login form does: fetch it (with its token), then post it; the answer, not followed."""
    token = login_token(client.get("/auth/login").text)
    data = {"username": user, "password": password, "next": target, "csrf_token": token}
    return client.post("/auth/login", data=data, follow_redirects=False)


def sign_in_context(ctx: Any, base: str, user: str, password: str, target: str) -> None:
    """The same for a Playwright browser context (its cookies then hold the session)."""
    token = login_token(ctx.request.get(base + "/auth/login").text())
    data = {"username": user, "password": password, "next": target, "csrf_token": token}
    ctx.request.post(base + "/auth/login", form=data)
