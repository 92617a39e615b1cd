"""Trust measurement ``headers``: of N different responses of the real app, how many carry each security header,
and how many Content-Security-Policy violations real Chromium sees on each page while it is used.

Self-contained: a private stack (its own cluster, the migrations, the reference and demo public data, about
15 s), the app under uvicorn on it, removed afterwards. Bounded: ~1 minute.
"""

from __future__ import annotations

from playwright.sync_api import sync_playwright

from bench.trust import Finding
from bench.trust._stack import private_stack
from bench.trust.headers_probe import CONTEXT_OPTIONS, HEADERS, browse, http_probes, sign_in_context
from db.engine import make_engine
from demo.public import load_demo_public
from demo.users import ensure_demo_users

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def measure() -> list[Finding]:
    findings: list[Finding] = []
    with private_stack(reference=True, serve=False) as stack:
        eng = make_engine(stack.owner_url, pool_size=1)
        with eng.begin() as conn:
            load_demo_public(conn, stack.tmp / "media")
            ensure_demo_users(conn)
        eng.dispose()
        stack.serve(GUIYANG_LOG_LEVEL="WARNING")
        base = stack.base
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
