"""Trust measurement ``headers``: of N different responses of the real app, how many carry each security header,
and how many Content-Security-Policy violations real Chromium sees on each page while it is used.

Self-contained: a private database ``guiyang_ops_trust_headers`` built from the migrations with the reference and
demo public data (about 15 s), the app under uvicorn on it, dropped afterwards. Bounded: ~1 minute.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.map_server import app_server
from bench.trust import Finding
from bench.trust.headers_probe import CONTEXT_OPTIONS, HEADERS, browse, http_probes, sign_in_context
from dashboard.database import database_url, local_cluster
from dashboard.settings import get_settings
from db import migrate
from db.engine import make_engine
from db.seed.demo_public import load_demo_public
from db.seed.demo_users import ensure_demo_users
from db.seed.reference import load_reference

DB_NAME = "guiyang_ops_trust_headers"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@contextmanager
def private_database(media: Path) -> Iterator[str]:
    settings = get_settings()
    if settings.database_url:
        admin_url = database_url(settings)
    else:
        cluster = local_cluster(settings)
        cluster.init()
        cluster.start()
        admin_url = cluster.url("postgres")
    url = make_url(admin_url).set(database=DB_NAME).render_as_string(hide_password=False)
    admin = make_engine(admin_url, pool_size=1)

    def drop_and(*more: str) -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            for st in (f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', *more):
                c.execute(text(st))

    drop_and(f'CREATE DATABASE "{DB_NAME}"')
    try:
        migrate.upgrade(url)
        eng = make_engine(url, pool_size=1)
        with eng.begin() as conn:
            load_reference(conn)
            load_demo_public(conn, media)
            ensure_demo_users(conn)
        eng.dispose()
        yield url
    finally:
        drop_and()
        admin.dispose()


def measure() -> list[Finding]:
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="gy-trust-headers-") as tmp:
        media = Path(tmp)
        with private_database(media) as url, app_server(url, str(media)) as base:
            probes = http_probes(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                anon = browser.new_context(**CONTEXT_OPTIONS)
                staff = browser.new_context(**CONTEXT_OPTIONS)
                sign_in_context(staff, base)
                pages = browse(anon, staff, base)
                browser.close()
    n = len(probes)
    for h in HEADERS:
        have = sum(1 for pr in probes if h in pr.headers)
        missing = [pr.label for pr in probes if h not in pr.headers][:3]
        findings.append(
            Finding(
                f"{h} on {n} different responses (pages, Dash JSON, assets, APIs, redirects, 404s, errors)",
                f"{have} of {n}" + (f" (missing e.g. on: {'; '.join(missing)})" if missing else ""),
                f"{n} of {n}",
                have == n,
            )
        )
    for name, (violations, doc, error) in pages.items():
        csp = "content-security-policy" in doc
        seen = f"{len(violations)} violation(s)" + ("" if csp else ", page sent no CSP")
        if violations:
            seen += ": " + " | ".join(v[:120] for v in violations[:3])
        if error:
            seen += f"; visit stopped: {error}"
        findings.append(
            Finding(
                f"CSP violations on {name} in Chromium, used briefly",
                seen,
                "0, under a CSP, visit completes",
                csp and not violations and error is None,
            )  # fmt: skip
        )
    return findings
