"""Alerts for the tests of the 预警 screens, raised the way the analysis cycle raises them
(:func:`ops.analysis.alert_states.record`): a 1 km square or a district, a category, a window, the figures and an
explanation that names the alert's own marker so a test can find it (and be sure it is absent)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from geo.crs import TZ
from ops.analysis.alert_states import NewAlert, record

#: (lon, lat) inside each district (the same points as tests/support/cases.py uses for cases)
POINTS = {"520103": (106.7135, 26.5838), "520102": (106.7119, 26.5716)}


def square(lon: float, lat: float, half: float = 0.005) -> str:
    return (
        f"POLYGON(({lon - half} {lat - half}, {lon + half} {lat - half}, {lon + half} {lat + half}, "
        f"{lon - half} {lat + half}, {lon - half} {lat - half}))"
    )


def raise_alert(
    conn: Connection,
    district: str = "520103",
    category: str = "C0101",
    *,
    now: datetime | None = None,
    observed: int = 14,
    expected: float = 1.2,
    hours: float = 2,
    level: str = "1km",
    kind: str = "anomaly",
) -> tuple[int, str]:
    """Raise an alert (the caller commits); returns its id and a marker unique to it (in both explanations)."""
    now = now or datetime.now(TZ)
    lon, lat = POINTS.get(district, POINTS["520103"])
    mark = uuid.uuid4().hex[:8]
    names = conn.execute(
        text(
            "SELECT c.name_zh, c.name_en, d.name_zh, d.name_en FROM category c, district d"
            " WHERE c.code = :c AND d.code = :d"
        ),
        {"c": category, "d": district},
    ).one()
    if level == "district":
        geom = conn.execute(
            text("SELECT ST_AsText(geom) FROM district WHERE code = :d"), {"d": district}
        ).scalar_one()
    else:
        geom = square(lon, lat)
    zh = f"近{hours:g}小时{names[2]}{names[0]}上报 {observed} 件，往常约 {expected:.1f} 件（{mark}）"
    en = f"{observed} reports of {names[1]} in {names[3]} in the last {hours:g} h; usually about {expected:.1f} ({mark})"
    alert_id = record(
        conn,
        NewAlert(
            kind=kind,
            area_level=level,
            area_key=f"1km:{int(lon * 100)}:{int(lat * 100)}" if level == "1km" else district,
            district_code=district,
            category_code=category,
            geom_wkt=geom,
            point_wkt=f"POINT({lon} {lat})",
            window_start=now - timedelta(hours=hours),
            window_end=now,
            observed=observed,
            expected=expected,
            score=9.5,
            p_value=1e-6,
            explanation_zh=zh,
            explanation_en=en,
        ),
        now,
    )
    return alert_id, mark
