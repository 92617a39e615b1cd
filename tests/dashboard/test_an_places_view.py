"""The 多发地点 tab's wire formats: the empty state and the summary in zh and en, the CSV (BOM, header, one row a
place), the map's GeoJSON (a circle's size and colour come from its count and recurred)."""

from __future__ import annotations

from datetime import datetime

from dashboard.components import an_places as view
from geo.crs import TZ
from ops.analysis.places import Place

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
PLACE = Place(
    key="C0101:7",
    category_code="C0101",
    category_zh="井盖破损",
    category_en="Damaged manhole cover",
    district_code="520103",
    district_zh="云岩区",
    district_en="Yunyan District",
    address=None,
    lat=26.58,
    lon=106.71,
    count=5,
    first_seen=T0,
    last_seen=T0,
    open=2,
    recurred=1,
    case_ids=(7, 8, 9, 10, 11),
)


def test_empty_state_and_summary() -> None:
    assert "没有多发地点" in view.summary([], 30, 50, 3, 500, "zh")
    assert "50 米内至少 3 件" in view.summary([], 30, 50, 3, 500, "zh")
    assert view.summary([], 7, 50, 3, 500, "en").startswith("No recurring places in the last 7 days")
    assert view.summary([PLACE], 30, 50, 3, 500, "en").startswith("1 place in the last 30 days")
    assert "仅列出最大的 1 个" in view.summary([PLACE], 30, 50, 3, 1, "zh")
    assert view.table([], None, "zh") == []


def test_csv_and_geojson() -> None:
    text = view.csv_text([PLACE], "zh")
    assert text.startswith("\ufeff#,编号,地点,区县,小类,上报,首次,最近,未结,已复发,纬度,经度")
    assert (
        "1,C0101:7,云岩区,云岩区,井盖破损 (C0101),5,2026-03-02 10:00,2026-03-02 10:00,2,1,26.580000,106.710000"
        in text
    )
    assert view.csv_text([PLACE], "en").splitlines()[1].split(",")[2] == "Yunyan District"
    fc = view.places_geojson([PLACE], "en")
    (f,) = fc["features"]
    assert f["geometry"]["coordinates"] == [106.71, 26.58]
    assert f["properties"] == {
        "key": "C0101:7",
        "n": 5,
        "r": 1,
        "o": 2,
        "tip": "Yunyan District · Damaged manhole cover · 5 reports",
    }
