"""Load the reference data (districts, grid, catalog, departments, responsibility, holidays) into PostGIS.

Each loader takes a SQLAlchemy ``Connection`` inside the caller's transaction and never commits.
``on_progress(step, done, total)`` lets a command draw progress bars.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import yaml
from shapely.geometry import MultiPolygon, shape
from sqlalchemy import Connection, text

from db.seed.catalog import expand_responsibility, load_catalog, load_departments
from geo.crs import METRIC_SRID, STORAGE_SRID, get_transformer, transform_geometry
from geo.grid import generate_cells
from geo.labels import drop_slivers, label_point

DATA = Path(__file__).parent / "data"
DISTRICTS_FILE = DATA / "guiyang_districts.geojson"
HOLIDAYS_FILE = DATA / "holidays_cn.yaml"
#: The six central districts that carry the unit grid (the service area).
GRID_DISTRICTS = ("520102", "520103", "520111", "520112", "520113", "520115")

Progress = Callable[[str, int, int], None]


def _noop(step: str, done: int, total: int) -> None:
    return None


def is_loaded(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM district)")).scalar())


def district_features(path: Path = DISTRICTS_FILE) -> list[tuple[dict[str, Any], MultiPolygon]]:
    """The districts of a GeoJSON file as they are stored: (properties, outline without slivers)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"], drop_slivers(shape(f["geometry"]))) for f in data["features"]]


def load_districts(conn: Connection, path: Path = DISTRICTS_FILE) -> int:
    rows = []
    for p, geom in district_features(path):
        label = label_point(geom)
        rows.append(
            {
                "code": str(p["adcode"]),
                "name_zh": p["name_zh"],
                "name_en": p["name_en"],
                "wkb": shapely.to_wkb(geom, hex=True),
                "label": f"POINT({label[0]} {label[1]})",
                "has_grid": str(p["adcode"]) in GRID_DISTRICTS,
            }
        )
    conn.execute(
        text(
            "INSERT INTO district (code, name_zh, name_en, geom, label_point, has_grid) VALUES "
            "(:code, :name_zh, :name_en, ST_SetSRID(ST_GeomFromWKB(decode(:wkb, 'hex')), 4326), "
            "ST_GeomFromText(CAST(:label AS text), 4326), :has_grid)"
        ),
        rows,
    )
    conn.execute(text("SELECT gy_refresh_district_parts()"))
    return len(rows)


def load_grid(conn: Connection, on_progress: Progress = _noop) -> int:
    """Generate the 100 m unit grid for every district with ``has_grid`` and COPY it in."""
    districts = conn.execute(
        text("SELECT code, ST_AsBinary(geom) FROM district WHERE has_grid ORDER BY code")
    ).all()
    total = 0
    for n, (code, wkb) in enumerate(districts):
        on_progress("grid", n, len(districts))
        metric = transform_geometry(shapely.from_wkb(bytes(wkb)), STORAGE_SRID, METRIC_SRID)
        cells = generate_cells(metric, code)
        total += copy_cells(conn, [(c.code, code, c.i, c.j, c.geom_metric) for c in cells])
    on_progress("grid", len(districts), len(districts))
    return total


def copy_cells(conn: Connection, cells: list[tuple[str, str, int, int, Any]], *, regular: bool = True) -> int:
    """COPY cells given as (code, district, i, j, metric geometry) into ``grid_cell`` (as MultiPolygons)."""
    if not cells:
        return 0
    metric = [g if g.geom_type == "MultiPolygon" else MultiPolygon([g]) for *_, g in cells]
    lonlat = transform_geometries(metric, METRIC_SRID, STORAGE_SRID)
    wkbs = shapely.to_wkb(shapely.set_srid(lonlat, STORAGE_SRID), hex=True, include_srid=True)
    raw = conn.connection.driver_connection
    assert raw is not None  # nosec B101 # type narrowing for mypy, not a security check
    with (
        raw.cursor() as cur,
        cur.copy("COPY grid_cell (code, district_code, i, j, regular, geom) FROM STDIN") as cp,
    ):
        for (code, district, i, j, _), wkb in zip(cells, wkbs, strict=True):
            cp.write_row((code, district, i, j, regular, wkb))
    return len(cells)


def transform_geometries(geoms: list[Any], src: int, dst: int) -> Any:
    """Reproject many geometries in one vectorised pass."""
    tr = get_transformer(src, dst)
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return shapely.transform(arr, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def load_catalog_tables(conn: Connection) -> dict[str, int]:
    catalog = load_catalog()
    departments = load_departments()
    districts = [r[0] for r in conn.execute(text("SELECT code FROM district ORDER BY code"))]
    conn.execute(
        text(
            "INSERT INTO department (code, name_zh, name_en, type, district_code, short_name_zh, short_name_en) "
            "VALUES (:code, :name_zh, :name_en, :type, :district, :short_zh, :short_en)"
        ),
        [
            {
                "code": d.code,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "type": d.type,
                "district": d.district,
                "short_zh": d.short_zh,
                "short_en": d.short_en,
            }
            for d in departments.departments
        ],
    )
    majors = [
        {"code": m.code, "kind": m.kind, "name_zh": m.name_zh, "name_en": m.name_en} for m in catalog.majors
    ]
    conn.execute(
        text(
            "INSERT INTO category (code, parent_code, kind, level, name_zh, name_en) "
            "VALUES (:code, NULL, :kind, 1, :name_zh, :name_en)"
        ),
        majors,
    )
    minors = [
        {
            "code": c.code,
            "parent": c.major_code,
            "kind": c.kind,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "dept": c.department,
            "limit": c.time_limit,
            "unit": c.time_unit,
            "points": c.points,
            "public": c.public,
            "urgent": c.urgent,
            "radius": c.duplicate_radius_m,
            "filec": c.file_condition,
            "closec": c.close_condition,
            "keywords": list(c.keywords),
            "questions": json.dumps([q.as_dict() for q in c.questions], ensure_ascii=False),
        }
        for c in catalog.categories
    ]
    conn.execute(
        text(
            "INSERT INTO category (code, parent_code, kind, level, name_zh, name_en, default_department_code, "
            "time_limit, time_unit, points, public, urgent, duplicate_radius_m, file_condition, close_condition, "
            "keywords, questions) VALUES (:code, :parent, :kind, 2, :name_zh, :name_en, :dept, :limit, :unit, "
            ":points, :public, :urgent, :radius, :filec, :closec, :keywords, CAST(:questions AS jsonb))"
        ),
        minors,
    )
    table = expand_responsibility(catalog, departments, districts)
    conn.execute(
        text(
            "INSERT INTO responsibility (category_code, district_code, department_code) "
            "VALUES (:category, :district, :department)"
        ),
        [{"category": c, "district": d, "department": dep} for (c, d), dep in sorted(table.items(), key=str)],
    )
    return {
        "departments": len(departments.departments),
        "categories": len(minors),
        "responsibility": len(table),
    }


def load_holidays(conn: Connection, path: Path = HOLIDAYS_FILE) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    for year in data["years"].values():
        provisional = bool(year.get("provisional", False))
        for kind, key in (("holiday", "holidays"), ("workday", "workdays")):
            for item in year.get(key, []):
                for day in _days(item):
                    rows.append(
                        {
                            "day": day,
                            "kind": kind,
                            "name_zh": item["name_zh"],
                            "name_en": item["name_en"],
                            "prov": bool(item.get("provisional", provisional)),
                        }
                    )
    conn.execute(
        text(
            "INSERT INTO holiday (day, kind, name_zh, name_en, provisional) "
            "VALUES (:day, :kind, :name_zh, :name_en, :prov)"
        ),
        rows,
    )
    return len(rows)


def _days(item: dict[str, Any]) -> list[Any]:
    import datetime as dt

    if "date" in item:
        return [item["date"]]
    start, end = item["from"], item["to"]
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


def load_reference(conn: Connection, on_progress: Progress = _noop) -> dict[str, int]:
    """Load all reference data into an empty database (one transaction: the caller's)."""
    counts: dict[str, int] = {}
    on_progress("districts", 0, 1)
    counts["districts"] = load_districts(conn)
    on_progress("districts", 1, 1)
    counts["cells"] = load_grid(conn, on_progress)
    counts.update(load_catalog_tables(conn))
    counts["holidays"] = load_holidays(conn)
    counts["points_rules"] = seed_rules(conn)
    return counts


def seed_rules(conn: Connection) -> int:
    """Copy the catalog's points (``category.points``) into a 'report' rule for every 小类 without one;
    returns how many rules were added. Safe to run again."""
    return int(
        conn.execute(
            text(
                "INSERT INTO points_rule (reason, category_code, points) "
                "SELECT 'report', code, points FROM category WHERE level = 2 ON CONFLICT DO NOTHING"
            )
        ).rowcount
    )
