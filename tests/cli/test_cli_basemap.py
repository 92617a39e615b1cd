"""``guiyang-ops import-layer --kind basemap`` as an administrator runs it (the owner role, on a database of this
module's own): a bad file is one line naming the feature, exit 2, nothing changed; a good one is imported and the
app role may read it but not change it; ``setup --demo``'s generated demo streets are imported once, attributed
as generated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import LineString
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from cli.commands.setup import ensure_demo_basemap
from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from demo.basemap import ATTRIBUTION
from tests.support.basemap import LAT, LON, SIDE, small_layers, write_geopackage
from tests.support.db import as_app


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    """The app role on this module's own database."""
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def features(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT layer, count(*) FROM basemap_feature GROUP BY 1 ORDER BY 1"))
        ]


def test_a_bad_file_is_one_line_and_changes_nothing_a_good_one_is_read_only_for_the_app(
    use_test_db: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roads = small_layers()["roads"]
    roads.loc[1, "geometry"] = LineString([(LON, LAT), (LON, LAT)])
    roads.to_file(tmp_path / "roads.geojson", driver="GeoJSON")
    before = features(engine)
    assert main(["import-layer", "--kind", "basemap", str(tmp_path / "roads.geojson")]) == 2
    err = capsys.readouterr().err
    assert SIDE in err and "第 2 个要素" in err, err
    assert features(engine) == before

    good = write_geopackage(tmp_path / "city.gpkg", 4545)
    assert main(["import-layer", "--kind", "basemap", "--attribution", "测试 / test", str(good)]) == 0
    assert features(engine) == [("building", 1), ("green", 1), ("poi", 1), ("road", 3), ("water", 1)]
    with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
        conn.execute(text("DELETE FROM basemap_feature"))


def test_the_demo_streets_are_imported_once_and_say_they_are_generated(
    private_owner_db_url: str, engine: Engine, tmp_path: Path
) -> None:
    owner = make_engine(private_owner_db_url, pool_size=1)
    with owner.begin() as conn:
        conn.execute(text("DELETE FROM basemap_feature"))
        conn.execute(text("DELETE FROM basemap_source"))
    ensure_demo_basemap(private_owner_db_url, tmp_path)
    counts = dict(features(engine))
    assert counts["road"] > 300 and counts["building"] > 100 and counts["poi"] == 19
    with engine.connect() as conn:
        sources = conn.execute(text("SELECT attribution FROM basemap_source")).scalars().all()
    assert sources == [ATTRIBUTION] and "生成" in ATTRIBUTION and "generated" in ATTRIBUTION
    ensure_demo_basemap(private_owner_db_url, tmp_path)  # already there: nothing happens
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM basemap_source")).scalar() == 1
    owner.dispose()
