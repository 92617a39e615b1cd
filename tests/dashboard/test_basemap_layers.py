"""The base layers every map offers (components/basemap.py), from the settings and the database: the outline alone
draws no switch; Tianditu (vector + labels) with a key, else OpenStreetMap when allowed, is the first base beside
the outline; the city's own basemap is offered when one was imported (the browser test draws it), and on the
public map only while ``GUIYANG_BASEMAP_PUBLIC``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dash.development.base_component import Component
from fastapi import FastAPI

from dashboard import runtime
from dashboard.app import create_server
from dashboard.components.basemap import base_layers
from dashboard.settings import Settings
from db.engine import make_engine
from db.seed.basemap import import_basemap
from tests.support.basemap import write_geopackage
from tests.support.db import as_app


def _bases(server: FastAPI, key: str = "workbench", **kw: Any) -> list[tuple[str, bool, list[str]]]:
    with runtime.using(server.state.ops):
        layers = base_layers(key, **kw)
    if not layers:
        return []
    (switch,) = [c for c in layers if type(c).__name__ == "LayersControl"]
    out = []
    for base in switch.children:
        child = base.children
        inner = child.children if type(child).__name__ == "LayerGroup" and child.children else [child]
        urls = [getattr(c, "url", "") or type(c).__name__ for c in inner if isinstance(c, Component)]
        out.append((base.name, bool(base.checked), urls))
    return out


def test_the_bases_follow_the_settings(settings: Settings, db_url: str) -> None:
    plain = create_server(
        settings.model_copy(update={"database_url": db_url, "tianditu_key": "", "osm_tiles": False})
    )
    assert _bases(plain) == []  # the outline only: no switch, the map as it was

    tianditu = create_server(settings.model_copy(update={"database_url": db_url, "tianditu_key": "k&y"}))
    got = _bases(tianditu)
    assert [(name, checked) for name, checked, _ in got] == [
        ("天地图 Tianditu", True),
        ("轮廓底图 Outline", False),
    ]
    urls = got[0][2]
    assert len(urls) == 2 and "LAYER=vec" in urls[0] and "LAYER=cva" in urls[1] and "tk=k%26y" in urls[0]

    osm = create_server(
        settings.model_copy(update={"database_url": db_url, "osm_tiles": True, "tianditu_key": ""})
    )
    got = _bases(osm, "wall", dark=True, tile_class="wall-tiles")
    assert [name for name, *_ in got] == ["OpenStreetMap OpenStreetMap", "轮廓底图 Outline"]
    assert got[0][2] == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]


def test_outside_a_request_there_is_no_switch() -> None:
    assert base_layers("grid") == []  # Dash's validation layout is built without an app object


def test_the_city_basemap_once_imported(
    settings: Settings, private_owner_db_url: str, tmp_path: Path
) -> None:
    owner = make_engine(private_owner_db_url, pool_size=1)
    with owner.begin() as conn:
        import_basemap(conn, write_geopackage(tmp_path / "city.gpkg", 4326))
    owner.dispose()
    app_url = as_app(settings, private_owner_db_url)
    server = create_server(settings.model_copy(update={"database_url": app_url, "tianditu_key": ""}))
    got = _bases(server)
    assert [(name, checked) for name, checked, _ in got] == [
        ("城市底图 City map", True),
        ("轮廓底图 Outline", False),
    ]
    assert _bases(server, "public", public=True)[0][0] == "城市底图 City map"
    staff_only = create_server(settings.model_copy(update={"database_url": app_url, "basemap_public": False}))
    assert _bases(staff_only, "public", public=True) == []  # the public map keeps the outline
    assert _bases(staff_only)[0][0] == "城市底图 City map"
    # with Tianditu switched on it comes first, the city's basemap second
    both = create_server(settings.model_copy(update={"database_url": app_url, "tianditu_key": "k"}))
    assert [name for name, *_ in _bases(both)] == ["天地图 Tianditu", "城市底图 City map", "轮廓底图 Outline"]
