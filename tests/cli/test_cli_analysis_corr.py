"""``guiyang-ops analyze peaks`` and ``analyze correlations`` on a database of this module's own with a planted
Friday-evening 占道经营 peak and a construction site (施工扰民, 渣土撒漏, 道路破损 together): JSON lists with the
figures and codes the issue's interface names."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from geo.crs import TZ
from tests.support.an_corr import EAST, NORTH, SOUTH, WEST, insert_reports
from tests.support.db import as_app


@pytest.fixture(scope="module")
def planted(private_owner_db_url: str, settings: Settings) -> str:
    rng = np.random.default_rng(21)
    # the data hangs on a fixed clock time (yesterday noon), not on the hour the test runs: the background's
    # random reports then fall in the same calendar days at any hour (anchored to the run's hour, one hour of the
    # day made the seeded background form a chance pair)
    now = (datetime.now(TZ) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    rows = []
    codes = ("C0101", "C0102", "E0102", "E0501", "E0301", "E0302", "C0201")
    for n in range(1400):
        t = now - timedelta(days=int(rng.integers(1, 28)), hours=int(rng.integers(0, 24)))
        rows.append((codes[n % 7], rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), t))
    friday = now - timedelta(days=1)
    for _ in range(3):
        while friday.weekday() != 4:
            friday -= timedelta(days=1)
        rows += [("E0501", 106.70, 26.58, friday.replace(hour=18 + n % 2, minute=n)) for n in range(20)]
        friday -= timedelta(days=1)
    site = (106.7135, 26.5838)
    for code in ("E0301", "E0302", "C0201"):
        for n in range(20):
            t = now - timedelta(days=10 - n % 3, hours=int(rng.integers(0, 12)))
            rows.append((code, site[0] + rng.uniform(-3e-4, 3e-4), site[1] + rng.uniform(-3e-4, 3e-4), t))
    eng: Engine = make_engine(as_app(settings, private_owner_db_url), pool_size=1)
    with eng.begin() as conn:
        insert_reports(conn, rows)
    eng.dispose()
    return as_app(settings, private_owner_db_url)


def test_analyze_peaks_and_correlations_json(
    planted: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", planted)
    assert main(["analyze", "peaks", "--days", "30", "--category", "E05", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    fri = {(i["kind"], i["category_code"], i["weekday"], i["hour"]) for i in items}
    assert {("matrix", "E05", 5, 18), ("category", "E0501", 5, 18), ("category", "E0501", 5, 19)} <= fri
    one = items[0]
    assert {"observed", "expected", "ratio", "p_value", "q_value", "baseline", "weekday_zh"} <= set(one)
    assert all(i["q_value"] <= 0.05 and i["observed"] > i["expected"] for i in items)

    assert main(["analyze", "correlations", "--window-days", "3", "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)
    found = {frozenset((p["category_a"], p["category_b"])) for p in pairs}
    assert found == {frozenset(x) for x in (("E0301", "E0302"), ("C0201", "E0301"), ("C0201", "E0302"))}
    for p in pairs:
        assert (
            p["lift"] > 1 and p["q_value"] <= 0.05 and p["observed"] > p["expected"] and p["window_days"] == 3
        )
        place = p["places"][0]
        assert place["district_code"] == "520103" and place["area_key"].startswith("1km:")
        assert abs(place["lon"] - 106.7135) < 0.01 and abs(place["lat"] - 26.5838) < 0.01

    # another district: nothing found there
    assert main(["analyze", "correlations", "--district", "520113", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
