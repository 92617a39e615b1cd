"""The Open311 API against the app object in this process (``create_server(settings)`` under Starlette's
``TestClient``, which runs its lifespan), or, for the few tests that must prove the real server (``api_server``:
uvicorn in a child process, marked ``server``), against that; both on a database of its own, copied from the session's template (API calls commit, so they must not leave
cases in the shared test database where other tests count and look for duplicates), with its own media
folder (to see that a refused photo leaves no file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dashboard.app import create_server
from dashboard.settings import Settings
from db.engine import make_engine
from ops.citizen.keys import create_key
from tests.support.app import AppServer, OpenClient
from tests.support.db import private_copy

API_DB = "open311"


@pytest.fixture(scope="session")
def api_db_url(db_url: str, settings: Settings) -> Iterator[str]:
    with private_copy(db_url, settings, API_DB) as url:
        yield url


@pytest.fixture(scope="session")
def api_engine(api_db_url: str) -> Iterator[Engine]:
    eng = make_engine(api_db_url, pool_size=4)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def api_key(api_engine: Engine) -> str:
    with api_engine.begin() as conn:
        return create_key(conn, "tests")[1]


@pytest.fixture(scope="session")
def api_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("open311-media")


@pytest.fixture(scope="session")
def api_server(api_db_url: str, settings: Settings, api_media: Path) -> Iterator[AppServer]:
    server = AppServer(api_db_url, settings.model_copy(update={"media_dir": api_media}))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api_app(api_db_url: str, settings: Settings, api_media: Path) -> Iterator[FastAPI]:
    """The app object on the API's database, as uvicorn would serve it (its lifespan runs around the session)."""
    server = create_server(settings.model_copy(update={"database_url": api_db_url, "media_dir": api_media}))
    with TestClient(server):
        yield server


@pytest.fixture(scope="session")
def open_client(api_app: FastAPI) -> OpenClient:
    def open_client(**kw: object) -> httpx.Client:
        # as the real server: an error is a 500 answer, redirects are not followed; no network, so no timeout
        kw.pop("timeout", None)
        options: dict[str, object] = {"raise_server_exceptions": False, "follow_redirects": False, **kw}
        return TestClient(api_app, base_url="http://127.0.0.1", **options)  # type: ignore[arg-type]

    return open_client


@pytest.fixture
def client(open_client: OpenClient) -> Iterator[httpx.Client]:
    with open_client() as c:
        yield c


@pytest.fixture
def server_client(api_server: AppServer) -> Iterator[httpx.Client]:
    """A client of the real server (``api_server``), for the tests that measure or stream what only it shows."""
    with httpx.Client(base_url=api_server.base, timeout=60) as c:
        yield c
