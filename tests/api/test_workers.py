"""``GUIYANG_WORKERS=2`` end to end: the real app served by ``guiyang-ops serve`` with two worker processes. A
doorbell reaches the event streams held by both workers (one LISTEN per process); the public ticket lookups'
rate limit is counted across both workers (PostgreSQL, not each process's memory); a moderation on one worker
clears the public answer cached by the other (the ``cache_bust`` channel)."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 # our own command, no shell
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from bench.app_process import free_port
from dashboard.settings import Settings
from db.engine import make_engine
from db.media import store_photo
from demo.public import placeholder_picture
from ops import moderation as m
from ops import workflow as wf
from tests.support.app import sign_in_client, sse_events
from tests.support.cases import CATEGORY, YUNYAN
from tests.support.db import private_copy

pytestmark = [pytest.mark.server, pytest.mark.timeout(600)]
BURST = 3
START_S = 300  # two workers importing the app on a busy 2-core machine


@pytest.fixture(scope="module")
def served(
    db_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Path]]:
    """``guiyang-ops serve`` with ``GUIYANG_WORKERS=2`` on a database of its own: (base URL, database URL, media
    folder)."""
    media = tmp_path_factory.mktemp("workers-media")
    with private_copy(db_url, settings, "workers") as url:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "GUIYANG_WORKERS": "2", "GUIYANG_PORT": str(port),
               "GUIYANG_HOST": "127.0.0.1", "GUIYANG_DEMO_MODE": "1", "GUIYANG_LOG_LEVEL": "WARNING",
               "GUIYANG_SECRET_KEY": settings.secret_key or "workers-test-secret-" + "w" * 32,
               "GUIYANG_MEDIA_DIR": str(media),
               "GUIYANG_PUBLIC_TRACK_PER_MINUTE": "1", "GUIYANG_PUBLIC_TRACK_BURST": str(BURST)}  # fmt: skip
        proc = subprocess.Popen([sys.executable, "-m", "cli", "serve"], env=env, stdout=subprocess.DEVNULL)  # nosec B603 # our own interpreter and arguments
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_S
            while len(_workers(base, tries=6)) < 2:
                assert proc.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "two workers did not answer in time"
                time.sleep(1)
            yield base, url, media
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _worker(client: httpx.Client) -> int | None:
    try:
        r = client.get("/healthz")
    except httpx.HTTPError:
        return None
    return int(r.json()["worker"]) if r.status_code == 200 else None


def _workers(base: str, tries: int) -> set[int]:
    seen: set[int] = set()
    for _ in range(tries):
        with httpx.Client(base_url=base, timeout=10) as c:
            w = _worker(c)
            if w is not None:
                seen.add(w)
    return seen


def _pinned(base: str, user: str | None = None, password: str | None = None) -> dict[int, httpx.Client]:
    """One client (one keep-alive connection each) on each worker: ``{worker pid: client}``."""
    found: dict[int, httpx.Client] = {}
    for _ in range(40):
        c = httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=1))
        if user is not None and password is not None:
            sign_in_client(c, user, password, "/moderation")
            c.headers["X-CSRFToken"] = c.cookies["_csrf_token"]
        w = _worker(c)
        if w is None or w in found:
            c.close()
        else:
            found[w] = c
        if len(found) == 2:
            return found
    raise AssertionError(f"connections reached only workers {sorted(found)}")


def test_a_doorbell_reaches_streams_on_both_workers(served: tuple[str, str, Path]) -> None:
    base, url, _ = served
    clients = _pinned(base, "lead", "demo-lead-2026")
    rung: dict[int, list[int]] = {w: [] for w in clients}
    stop = threading.Event()

    def listen(w: int, client: httpx.Client) -> None:
        for event, data in sse_events(client, "/push/events", stop):
            if event == "hello":
                assert json.loads(data)["worker"] == w  # the stream is held by that worker
            elif event == "doorbell":
                rung[w].append(int(json.loads(data)["id"]))

    threads = [threading.Thread(target=listen, args=(w, c), daemon=True) for w, c in clients.items()]
    for t in threads:
        t.start()
    try:
        time.sleep(2)
        engine = make_engine(url, pool_size=1)
        with engine.begin() as conn:
            r = wf.report(conn, wf.Actor.system(), category_code=CATEGORY, lon=YUNYAN[0], lat=YUNYAN[1],
                          description="两个进程都听到", source="inspector")  # fmt: skip
            event_id = int(
                conn.exec_driver_sql(
                    "SELECT max(id) FROM case_event WHERE case_id = %s", (r.id,)
                ).scalar_one()
            )
        engine.dispose()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(
            any(i >= event_id for i in ids) for ids in rung.values()
        ):
            time.sleep(0.1)
        assert all(any(i >= event_id for i in ids) for ids in rung.values()), rung
    finally:
        stop.set()
        for c in clients.values():
            c.close()


def test_the_rate_limit_is_counted_across_both_workers(served: tuple[str, str, Path]) -> None:
    base, _, _ = served
    clients = _pinned(base)
    statuses: list[int] = []
    answered_by: set[int] = set()
    for i in range(4 * BURST):
        w, client = list(clients.items())[i % 2]
        statuses.append(client.get("/public/v1/track/GY260101-0001.json").status_code)
        if _worker(client) == w:  # the same connection, the same worker
            answered_by.add(w)
    for c in clients.values():
        c.close()
    assert answered_by == set(clients)
    assert sum(s != 429 for s in statuses) == BURST, statuses  # not BURST per worker
    assert statuses[BURST:] == [429] * (len(statuses) - BURST)


def _pending_post(engine: Engine, media: Path) -> dict[str, Any]:
    with engine.begin() as conn:
        person = conn.exec_driver_sql(
            "INSERT INTO person (pseudonym, name, phone) VALUES ('workers-test', '投稿市民W', '13600009998') RETURNING id"
        ).scalar_one()
        photo = store_photo(conn, media, placeholder_picture("workers-test"), kind="beauty", person_id=person)
        post = m.submit_beauty_post(conn, person, "两进程晚霞", "湖边的晚霞", 106.6297, 26.6472, photo.id)
    return {"id": post, "title": "两进程晚霞"}


def _titles(client: httpx.Client) -> set[str]:
    return {f["properties"]["title"] for f in client.get("/public/v1/beauty.json").json()["features"]}


def test_a_moderation_on_one_worker_clears_the_public_answer_of_the_other(
    served: tuple[str, str, Path],
) -> None:
    base, url, media = served
    engine = make_engine(url, pool_size=1)
    post = _pending_post(engine, media)
    engine.dispose()
    moderators = _pinned(base, "moderator", "demo-moderator-2026")
    (a, mod), (b, reader) = list(moderators.items())
    deps = mod.get("/_dash-dependencies").json()
    dep = next(d for d in deps if d["output"].startswith("..mod-notice.children"))
    button = {"act": "approve", "id": post["id"], "type": "mod-post-act"}
    body = {
        "output": dep["output"],
        "outputs": [{"id": "mod-notice", "property": "children"}, {"id": "mod-refresh", "property": "data"}],
        # the click, as the browser relays it (dashboard/clicks.py)
        "inputs": [{"id": "mod-act-click", "property": "data", "value": {"id": button, "at": 1}}],
        "changedPropIds": ["mod-act-click.data"],
        "state": [{"id": "mod-reason", "property": "value", "value": None},
                  {"id": "mod-refresh", "property": "data", "value": 0},
                  {"id": "gy-lang", "property": "data", "value": "zh"}],
    }  # fmt: skip
    try:
        assert post["title"] not in _titles(reader)  # worker b has the answer without the post cached now
        assert _worker(reader) == b
        r = mod.post("/_dash-update-component", json=body)
        assert r.status_code == 200, r.text[:300]
        assert _worker(mod) == a
        t0 = time.monotonic()
        while post["title"] not in _titles(reader):  # b's cache lives 5 s: without the bust it would wait
            assert time.monotonic() - t0 < 2.5, (
                "worker b still serves the answer cached before the moderation"
            )
            time.sleep(0.1)
        assert _worker(reader) == b
    finally:
        for c in moderators.values():
            c.close()
