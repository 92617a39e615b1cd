"""Errors that are answers: what a client gets, and what the log gets, when the database is down, when a
callback body is not JSON, and when a command is given a nonsense argument.

- The app is served against a PostgreSQL cluster of this measurement's own; the cluster is stopped, each kind of
  route is asked (Open311, a public endpoint, a photo, a Dash callback of a signed-in user), the cluster is
  started again and the same routes asked again, without restarting the app.
- ``POST /_dash-update-component`` with a body that is not JSON.
- ``guiyang-ops seed-demo --cases -5`` and ``guiyang-ops`` with DATABASE_URL pointing at a closed port."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import httpx

from bench.common import sign_in
from bench.trust import Finding
from bench.trust._stack import ROOT, Stack, free_port, private_stack
from db.engine import make_engine
from demo.users import ensure_demo_users

#: Routes asked during the outage: (label, method, path).
ROUTES = (
    ("Open311 services", "GET", "/open311/v2/services.json"),
    ("Open311 requests", "GET", "/open311/v2/requests.json"),
    ("public summary", "GET", "/public/v1/summary.json"),
    ("public photo", "GET", "/media/public/1/thumb"),
    ("Open311 photo", "GET", "/media/photo/1/thumb"),
)


def header_callback_body(client: httpx.Client) -> dict[str, Any]:
    """The body the page sends for the shared header's callback (it reads the signed-in user)."""
    deps = client.get("/_dash-dependencies").json()
    cb = next(d for d in deps if d["output"].startswith("..gy-header.style"))
    values = {"gy-url": "/workbench", "gy-lang": "zh"}
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in cb["output"].strip(".").split("...")
    ]
    return {
        "output": cb["output"],
        "outputs": outputs,
        "inputs": [
            {"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in cb["inputs"]
        ],
        "changedPropIds": ["gy-url.pathname"],
        "state": [],
    }


def _ask(stack: Stack, client: httpx.Client, callback: dict[str, Any]) -> dict[str, tuple[int, str, int]]:
    """Each route once: (status, Retry-After, log lines it added)."""
    out = {}
    csrf = client.cookies.get("_csrf_token") or ""
    for label, method, path in (*ROUTES, ("Dash callback", "POST", "/_dash-update-component")):
        before = len(stack.log_text().splitlines())
        if method == "POST":
            r = client.post(path, json=callback, headers={"X-CSRFToken": csrf})
        else:
            r = client.request(method, path)
        time.sleep(0.3)  # let the server write its log
        added = len(stack.log_text().splitlines()) - before
        out[label] = (r.status_code, r.headers.get("retry-after", "-"), added)
    return out


def _cli(*args: str, env: dict[str, str]) -> tuple[int, list[str]]:
    res = subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=60,
    )  # fmt: skip
    return res.returncode, [line for line in res.stderr.splitlines() if line.strip()]


def measure() -> list[Finding]:
    findings: list[Finding] = []
    with private_stack(reference=True, serve=False) as stack:
        engine = make_engine(stack.url, pool_size=1)
        with engine.begin() as conn:
            ensure_demo_users(conn)
        engine.dispose()
        stack.serve()
        client = httpx.Client(base_url=stack.base, timeout=30)
        sign_in(client, "dispatcher", "demo-dispatch-2026", "/workbench")
        callback = header_callback_body(client)

        bad = client.post(
            "/_dash-update-component",
            content=b"this is not json",
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": client.cookies.get("_csrf_token") or "",
            },
        )
        findings.append(
            Finding(
                "POST /_dash-update-component with a body that is not JSON",
                f"HTTP {bad.status_code}",
                "400",
                bad.status_code == 400,
            )
        )

        stack.cluster.stop()
        down = _ask(stack, client, callback)
        stack.cluster.start()
        time.sleep(0.5)
        up = _ask(stack, client, callback)
        client.close()
        seed = _cli("seed-demo", "--cases", "-5", env=stack.env())

    seen = "; ".join(f"{k}: {s} Retry-After {ra}, {n} log line(s)" for k, (s, ra, n) in down.items())
    findings.append(
        Finding(
            "database stopped under a running app: each kind of route once",
            seen,
            "503 with Retry-After, 1 log line each",
            all(s == 503 and ra != "-" and n == 1 for s, ra, n in down.values()),
        )
    )
    again = "; ".join(f"{k}: {s}" for k, (s, _, _) in up.items())
    findings.append(
        Finding(
            "database started again, same app (no restart)",
            again,
            "no 5xx (200, or 404 for photos that do not exist)",
            all(s < 500 for s, _, _ in up.values()),
        )
    )

    code, lines = seed
    findings.append(
        Finding(
            "guiyang-ops seed-demo --cases -5",
            f"exit {code}, {len(lines)} line(s) on stderr: {(lines[-1] if lines else '')[:100]!r}",
            "exit ≠ 0, 1 line",
            code != 0 and len(lines) == 1,
        )
    )
    env = {**stack.env(), "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none"}
    code, lines = _cli("api-key", "list", env=env)
    findings.append(
        Finding(
            "guiyang-ops api-key list with DATABASE_URL at a closed port",
            f"exit {code}, {len(lines)} line(s) on stderr: {(lines[-1] if lines else '')[:100]!r}",
            "exit 1, 1 line",
            code == 1 and len(lines) == 1,
        )
    )
    return findings


if __name__ == "__main__":
    for f in measure():
        print(json.dumps(f.__dict__, ensure_ascii=False))
