"""The public ticket lookup (``/public/v1/track/{ticket}.json``) is rate-limited per client, on the real app under
uvicorn with a low limit behind a trusted proxy (127.0.0.1): after the burst a 429 with ``Retry-After`` and a
bilingual error, misses and malformed numbers counted like hits, clients kept apart by ``X-Forwarded-For`` (a
forged left hop changes nothing), back after the seconds said; the rest of the public map is not throttled."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from dashboard.settings import Settings
from db.engine import make_engine
from tests.support.app import AppServer
from tests.support.db import TEST_DB, private_copy
from tests.support.public import seed_city_cases, unique_point

pytestmark = pytest.mark.server

PER_MINUTE = 12  # a token every 5 s: a burst is spent long before one comes back
BURST = 3
TRACK = "/public/v1/track/{}.json"
LIMIT_DB = f"{TEST_DB}_ratelimit"


@pytest.fixture(scope="module")
def limit_db_url(db_url: str, settings: Settings) -> Iterator[str]:
    """A database of this module's own, copied from the session's template: the ticket it looks up is committed,
    and must not show on the shared test database's map, where other tests count reports."""
    with private_copy(db_url, settings, LIMIT_DB) as url:
        yield url


@pytest.fixture(scope="module")
def ticket(limit_db_url: str) -> str:
    """The ticket number of a committed public case."""
    engine = make_engine(limit_db_url, pool_size=1)
    try:
        with engine.begin() as conn:
            return str(seed_city_cases(conn, unique_point(), uuid.uuid4().hex[:10]).closed.ticket)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def limited(limit_db_url: str, settings: Settings, ticket: str) -> Iterator[AppServer]:
    server = AppServer(limit_db_url, settings)
    server.env.update(
        {
            "GUIYANG_PUBLIC_TRACK_PER_MINUTE": str(PER_MINUTE),
            "GUIYANG_PUBLIC_TRACK_BURST": str(BURST),
            "GUIYANG_TRUSTED_PROXIES": "127.0.0.1",
            # uvicorn's own X-Forwarded-For handling trusts nobody here: the app's setting decides
            "FORWARDED_ALLOW_IPS": "192.0.2.1",
        }
    )
    server.start()
    yield server
    server.stop()


def as_client(address: str) -> httpx.Client:
    """Requests of one client behind the trusted proxy."""
    return httpx.Client(headers={"X-Forwarded-For": address}, timeout=30)


def test_over_the_limit_429_with_retry_after_then_back(limited: AppServer, ticket: str) -> None:
    base = limited.base
    with as_client("203.0.113.10") as a, as_client("203.0.113.11") as b:
        assert a.get(base + "/healthz").status_code == 200
        first = a.get(base + TRACK.format(ticket))
        assert first.status_code == 200 and first.json()["ticket"] == ticket
        assert a.get(base + TRACK.format("GY000000-1")).status_code == 404  # a miss counts
        assert a.get(base + TRACK.format("not-a-ticket")).status_code == 404  # so does a malformed number
        over = a.get(base + TRACK.format(ticket))
        assert over.status_code == 429, over.text
        wait = int(over.headers["retry-after"])
        assert 1 <= wait <= 60 // PER_MINUTE
        assert over.headers["content-type"].startswith("application/json")
        assert over.headers["cache-control"] == "no-store"
        body = over.json()
        assert body["error"] == "rate_limited" and body["retry_after"] == wait
        assert f"请 {wait} 秒后再试" in body["message"] and f"try again in {wait} s" in body["message"]
        assert ticket not in over.text
        assert a.get(base + TRACK.format("GY000000-2")).status_code == 429  # misses are refused too

        # another client behind the proxy has its own allowance; forging a left hop does not get one
        assert b.get(base + TRACK.format(ticket)).status_code == 200
        forged = {"X-Forwarded-For": "198.51.100.77, 203.0.113.10"}
        assert a.get(base + TRACK.format(ticket), headers=forged).status_code == 429
        assert httpx.get(base + TRACK.format(ticket)).status_code == 200  # the proxy itself: its own

        time.sleep(int(a.get(base + TRACK.format(ticket)).headers["retry-after"]))
        again = a.get(base + TRACK.format(ticket))
        assert again.status_code == 200 and again.json()["ticket"] == ticket
        assert a.get(base + TRACK.format(ticket)).status_code == 429


def test_the_rest_of_the_public_map_is_not_throttled(limited: AppServer) -> None:
    base = limited.base + "/public/v1"
    lon, lat = 106.7135, 26.5838
    urls = [
        "/beauty.json",
        "/service-points.json",
        "/summary.json",
        "/basemap.json",
        f"/grid.json?bbox={lon - 0.005},{lat - 0.005},{lon + 0.005},{lat + 0.005}",
        f"/reports.json?bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}&zoom=15",
    ]
    with as_client("203.0.113.20") as c:
        statuses = [c.get(limited.base + TRACK.format("GY000000-3")).status_code for _ in range(BURST + 1)]
        assert statuses == [404] * BURST + [429]
        for _ in range(10):
            for url in urls:
                r = c.get(base + url)
                assert r.status_code == 200, (url, r.status_code)
    with httpx.Client(timeout=30) as direct:  # without a proxy header: the same
        assert all(direct.get(base + "/summary.json").status_code == 200 for _ in range(50))
