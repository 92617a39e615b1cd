"""``guiyang-ops analyze places --json``: the places of the period as a JSON list with the interface's fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ
from tests.support.cases import NANMING
from tests.support.db import as_app
from tests.support.places import CATEGORY, YUNYAN, offset, report


@pytest.fixture(scope="module")
def app_engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=1)
    yield eng
    eng.dispose()


def test_places_json(
    private_owner_db_url: str,
    settings: Settings,
    app_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", as_app(settings, private_owner_db_url))
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    now = datetime.now(TZ)
    with app_engine.begin() as conn:
        a = [report(conn, offset(YUNYAN, 5 * k), now - timedelta(days=2, hours=k)).id for k in range(4)]
        n = [report(conn, offset(NANMING, 5 * k), now - timedelta(days=10, hours=k)).id for k in range(3)]
    assert main(["analyze", "places", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["count"] for p in out] == [4, 3]
    first = out[0]
    for field in (
        "key",
        "category_code",
        "district_code",
        "lat",
        "lon",
        "count",
        "first_seen",
        "last_seen",
        "open",
        "recurred",
    ):
        assert field in first
    assert first["key"] == f"{CATEGORY}:{min(a)}" and first["district_code"] == "520103"
    assert (first["open"], first["recurred"]) == (4, 0) and sorted(first["case_ids"]) == sorted(a)
    assert abs(first["lat"] - YUNYAN[1]) < 0.001
    assert main(["analyze", "places", "--json", "--district", "520102"]) == 0
    assert [p["key"] for p in json.loads(capsys.readouterr().out)] == [f"{CATEGORY}:{min(n)}"]
    assert main(["analyze", "places", "--json", "--days", "7"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["analyze", "places"]) == 0
    assert "520103" in capsys.readouterr().out
