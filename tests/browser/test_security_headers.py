"""Security headers on 30+ different responses of the real server (pages, Dash's JSON, assets, APIs, redirects,
errors, 404s, an open event stream), and a policy that allows exactly the index page's inline scripts."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from bench.trust.headers_probe import HEADERS, HSTS, http_probes, sign_in
from tests.support.app import AppServer

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def test_every_response_carries_the_headers(app_server: AppServer) -> None:
    probes = http_probes(app_server.base)
    assert len(probes) >= 30
    statuses = {p.status // 100 for p in probes}
    assert {2, 3, 4} <= statuses, statuses  # pages and data, redirects, refusals and 404s
    missing = [(p.label, h) for p in probes for h in HEADERS if h not in p.headers]
    assert missing == []
    policies = {p.headers["content-security-policy"] for p in probes}
    assert len(policies) == 1, policies  # one policy for the whole app
    policy = policies.pop()
    assert "'unsafe-eval'" not in policy
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src
    assert all(p.headers["x-frame-options"] == "DENY" for p in probes)
    assert all(p.headers["x-content-type-options"] == "nosniff" for p in probes)
    assert all(p.headers["referrer-policy"] == "same-origin" for p in probes)
    assert all(HSTS not in p.headers for p in probes)  # plain HTTP in the tests: no HSTS


def _runnable_inline_scripts(html: str) -> list[str]:
    """Inline scripts the browser would run: not JSON data, not inside an HTML comment (Dash's IE notice)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    return [
        m["body"]
        for m in INLINE_SCRIPT.finditer(html)
        if "src=" not in m["attrs"] and "application/json" not in m["attrs"]
    ]


def test_policy_hashes_every_inline_script_of_every_page(app_server: AppServer) -> None:
    with httpx.Client(base_url=app_server.base, timeout=30) as client:
        sign_in(client)
        for path in ("/", "/public", "/login", "/wall", "/workbench", "/stats", "/grid", "/moderation", "/x"):
            r = client.get(path)
            scripts = _runnable_inline_scripts(r.text)
            assert len(scripts) >= 2, path  # the renderer start and clientside callbacks
            allowed = set(re.findall(r"'(sha256-[^']+)'", r.headers["content-security-policy"]))
            for body in scripts:
                digest = "sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                assert digest in allowed, (path, body[:80])
