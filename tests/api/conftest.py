"""The Open311 API against the real app: uvicorn serving ``dashboard.asgi`` (the browser tests' ``AppServer``)
on a database of its own, copied from the session's template (API calls commit, so they must not leave
cases in the shared test database where other tests count and look for duplicates), with its own media
folder (to see that a refused photo leaves no file)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from dashboard.settings import Settings
from db.engine import make_engine
from ops.citizen.keys import create_key
from ops.states import Role
from ops.workflow import Actor
from tests.browser.conftest import AppServer
from tests.conftest import TEST_DB, _admin_exec, _template_fingerprint, admin_url, owner_clause

API_DB = f"{TEST_DB}_open311"
YUNYAN = (106.7135, 26.5838)  # 云岩区, inside a grid cell
BASE = "/open311/v2"


def public_read_paths(ticket: str) -> tuple[str, ...]:
    """Every public Open311 answer that shows one report (list and single, JSON and XML, by id)."""
    return (
        f"{BASE}/requests.json",
        f"{BASE}/requests.xml",
        f"{BASE}/requests/{ticket}.json",
        f"{BASE}/requests/{ticket}.xml",
        f"{BASE}/requests.json?service_request_id={ticket}",
    )


@contextmanager
def private_copy(db_url: str, settings: Settings, name: str) -> Iterator[str]:
    """A database ``name`` of its own, copied from the session's template, dropped afterwards: for tests whose
    app commits (cases must not land in the shared test database, where other tests count and look around).
    ``db_url`` says as which role (the session's app-role or owner-role URL)."""
    admin = admin_url(settings)
    template = f"guiyang_ops_tmpl_{_template_fingerprint()}"
    for attempt in range(20):  # another session may be copying the template at this very moment
        try:
            _admin_exec(
                admin,
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{template}"{owner_clause(settings)}',
            )
            break
        except Exception:  # noqa: BLE001 - "source database is being accessed by other users"
            if attempt == 19:
                raise
            time.sleep(1)
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


@pytest.fixture
def client(api_server: AppServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.base, timeout=60) as c:
        yield c


# --- helpers ---------------------------------------------------------------------------------------------------


def report(client: httpx.Client, key: str, fmt: str = "json", **fields: Any) -> httpx.Response:
    data = {"api_key": key, "service_code": "C0102", "lat": YUNYAN[1], "long": YUNYAN[0], **fields}
    files = data.pop("files", None)
    headers = data.pop("headers", None)
    return client.post(f"{BASE}/requests.{fmt}", data=data, files=files, headers=headers)


def ticket_of(resp: httpx.Response) -> str:
    assert resp.status_code == 201, resp.text
    return str(resp.json()[0]["service_request_id"])


def case_row(engine: Engine, ticket: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text('SELECT *, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM "case" WHERE ticket = :t'),
            {"t": ticket},
        ).one()


def cell_point(engine: Engine, ticket: str) -> tuple[float, float]:
    """(lon, lat) of the point on the surface of the case's grid cell: where the public sees it."""
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(ST_PointOnSurface(g.geom)), ST_Y(ST_PointOnSurface(g.geom)) "
                'FROM "case" c JOIN grid_cell g ON g.id = c.cell_id WHERE c.ticket = :t'
            ),
            {"t": ticket},
        ).one()
    return float(lon), float(lat)


def counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    'SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM photo), '
                    "(SELECT count(*) FROM case_intake), (SELECT count(*) FROM verification_task)"
                )
            ).one()
        )


def staff(conn: Connection, username: str = "lead") -> Actor:
    row = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).one()
    return Actor(Role.LEAD, user_id=row.id)


def image(fmt: str = "JPEG", *, exif: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    im = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if exif:
        e = Image.Exif()
        e[0x010F] = "TestCam"
        e[0x0110] = "Model-GPS"
        e[0x8825] = {1: "N", 2: (26.0, 35.0, 1.0), 3: "E", 4: (106.0, 42.0, 48.0)}
        im.save(out, format=fmt, exif=e.tobytes())
    else:
        im.save(out, format=fmt)
    return out.getvalue()


def media_files(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()}
