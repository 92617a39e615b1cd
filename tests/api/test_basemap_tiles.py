"""``/basemap/v1``: the city's own basemap as vector tiles, served by the app from PostGIS: the roads of the tile
asked for and nothing outside it, gzip-ed, cached by the browser for long under the current import's version and
briefly under another, 304 on a matching ETag, 404 for a tile that does not exist; to signed-in staff only when
``GUIYANG_BASEMAP_PUBLIC`` is off."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from dashboard.app import create_server
from dashboard.settings import Settings
from db.engine import make_engine
from db.seed.basemap import import_basemap
from demo.users import DEMO_USERS
from tests.support.app import sign_in_client as sign_in
from tests.support.basemap import FAR, LAT, LON, MAIN, SIDE, tile_of, write_geopackage
from tests.support.db import as_app
from tests.support.mvt import read_tile

PASSWORDS = {u.username: u.password for u in DEMO_USERS}


@pytest.fixture(scope="module")
def version(private_owner_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    eng = make_engine(private_owner_db_url, pool_size=1)
    path = write_geopackage(tmp_path_factory.mktemp("basemap") / "city.gpkg", 4545)
    with eng.begin() as conn:
        done = import_basemap(conn, path, attribution="测试 / test")
    yield done.version
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM basemap_feature"))
        conn.execute(text("DELETE FROM basemap_source"))
    eng.dispose()


def _client(settings: Settings, owner_url: str, **update: object) -> Iterator[TestClient]:
    app = create_server(settings.model_copy(update={"database_url": as_app(settings, owner_url), **update}))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def client(settings: Settings, private_owner_db_url: str, version: int) -> Iterator[TestClient]:
    yield from _client(settings, private_owner_db_url)


def test_a_tile_holds_its_roads_gzip_and_cached(client: TestClient, version: int) -> None:
    x, y = tile_of(LON, LAT, 16)
    r = client.get(f"/basemap/v1/{version}/16/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "public, max-age=604800, immutable"
    layer = read_tile(r.content)["basemap"]  # httpx has undone the gzip
    names = {f.properties.get("name") for f in layer.features if f.properties["layer"] == "road"}
    assert names == {MAIN, SIDE}
    assert FAR not in {f.properties.get("name") for f in layer.features}
    assert "测试站" in {f.properties.get("name") for f in layer.features if f.properties["layer"] == "poi"}

    again = client.get(f"/basemap/v1/{version}/16/{x}/{y}.pbf", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304

    plain = client.get(f"/basemap/v1/{version}/16/{x}/{y}.pbf", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzip.compress(plain.content) != plain.content and read_tile(plain.content)["basemap"].features

    old = client.get(f"/basemap/v1/{version - 1}/16/{x}/{y}.pbf")
    assert old.status_code == 200 and old.headers["cache-control"] == "public, max-age=60"
    assert old.content == plain.content  # today's data under an old URL, briefly


def test_nothing_outside_and_no_such_tile(client: TestClient, version: int) -> None:
    x, y = tile_of(LON, LAT, 16)
    empty = client.get(f"/basemap/v1/{version}/16/{x + 30}/{y + 30}.pbf")
    assert empty.status_code == 200 and empty.content == b""
    for path in ("21/0/0", "16/70000/1", "5/1/1", "16/-1/3"):
        assert client.get(f"/basemap/v1/{version}/{path}.pbf").status_code in (404, 422), path


def test_info_names_the_version_and_attribution(client: TestClient, version: int) -> None:
    assert client.get("/basemap/v1/info.json").json() == {"version": version, "attribution": "测试 / test"}


def test_staff_only_when_not_public(settings: Settings, private_owner_db_url: str, version: int) -> None:
    x, y = tile_of(LON, LAT, 16)
    update = {"basemap_public": False, "demo_mode": True, "secret_key": "basemap-test-secret-" + "z" * 32}
    for client in _client(settings, private_owner_db_url, **update):
        r = client.get(f"/basemap/v1/{version}/16/{x}/{y}.pbf")
        assert r.status_code == 401
        assert client.get("/basemap/v1/info.json").json()["version"] == 0
        assert sign_in(client, "yunyan", PASSWORDS["yunyan"]).status_code == 303  # any staff role
        r = client.get(f"/basemap/v1/{version}/16/{x}/{y}.pbf")
        assert r.status_code == 200 and r.headers["cache-control"].startswith("private, ")
        assert {f.properties.get("name") for f in read_tile(r.content)["basemap"].features} >= {MAIN, SIDE}
