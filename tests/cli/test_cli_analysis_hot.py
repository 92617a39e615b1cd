"""``guiyang-ops analyze hotspots --json``: the contract's fields, a planted cluster at the top."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ, to_lonlat
from ops import workflow as wf
from ops.workflow import Actor
from tests.support.db import as_app

FIELDS = {"key", "level", "lat", "lon", "count", "z", "p", "q", "class", "district_code"}


@pytest.fixture
def planted(
    private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, int]:
    monkeypatch.setenv("DATABASE_URL", as_app(settings, private_owner_db_url))
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    engine = make_engine(private_owner_db_url, pool_size=1)
    now = datetime.now(TZ)
    try:
        with engine.begin() as conn:
            i, j = conn.execute(
                text(
                    "SELECT i, j FROM grid_cell WHERE district_code = '520103' ORDER BY id OFFSET 4000 LIMIT 1"
                )
            ).one()
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    lon, lat = to_lonlat((i + di + 0.5) * 100.0, (j + dj + 0.5) * 100.0)
                    for k in range(3):
                        wf.report(
                            conn,
                            Actor.system(),
                            category_code="C0101",
                            lon=float(lon),
                            lat=float(lat),
                            description="测试",
                            source="app",
                            now=now - timedelta(hours=2 + k),
                        )
    finally:
        engine.dispose()
    return int(i), int(j)


def test_hotspots_json(planted: tuple[int, int], capsys: pytest.CaptureFixture[str]) -> None:
    i, j = planted
    capsys.readouterr()
    assert main(["analyze", "hotspots", "--district", "520103", "--category", "C01", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(set(r) == FIELDS for r in rows)
    assert rows[0]["class"] == 3 and rows[0]["level"] == "cell" and rows[0]["district_code"] == "520103"
    assert rows[0]["key"] in {f"cell:{i + a}:{j + b}" for a in (-1, 0, 1) for b in (-1, 0, 1)}
    assert main(["analyze", "hotspots", "--level", "1km", "--district", "520103", "--json"]) == 0
    coarse = json.loads(capsys.readouterr().out)
    assert any(r["key"] == f"1km:{i // 10}:{j // 10}" and r["class"] > 0 for r in coarse)
    assert main(["analyze", "hotspots", "--level", "500m", "--days", "7"]) == 0
    assert "hot" in capsys.readouterr().out
