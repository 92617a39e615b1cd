"""Regenerate routing_golden.csv (run by hand, review the diff): points chosen to stress routing — interiors,
vertices and edge midpoints shared by two districts, holes, just outside, outer counties without a grid, and
points a centimetre either side of a 100 m grid line. Expected values are the database's answer at the time the
file was made; the test then holds both the database and geo.routing to them."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import shape
from sqlalchemy import create_engine, text

from db.seed.reference import DISTRICTS_FILE, district_features
from geo.crs import to_lonlat, to_metric
from geo.labels import label_point

HERE = Path(__file__).parent


def candidates() -> list[tuple[float, float, str]]:
    geoms = {p["adcode"]: g for p, g in district_features()}  # as stored: without slivers
    pts: list[tuple[float, float, str]] = []
    for code, g in geoms.items():
        lon, lat = label_point(g)
        pts.append((lon, lat, f"label point {code}"))
    for line in (
        (HERE.parent.parent / "demo/data/guiyang_landmarks.csv").read_text(encoding="utf-8").splitlines()[1:]
    ):
        name, _, _, lon, lat = line.split(",")
        pts.append((float(lon), float(lat), f"landmark {name}"))
    codes = sorted(geoms)
    shared = 0
    for a in codes:
        for b in codes:
            if a >= b or shared > 40:
                continue
            edge = geoms[a].boundary.intersection(geoms[b].boundary)
            coords = [c for g in getattr(edge, "geoms", [edge]) for c in getattr(g, "coords", [])]
            for x, y in coords[:: max(1, len(coords) // 3)][:3]:
                pts.append((x, y, f"vertex shared by {a} and {b}"))
                shared += 1
            segs = [g for g in getattr(edge, "geoms", [edge]) if g.geom_type == "LineString"]
            for seg in [s for s in segs if len(s.coords) >= 2][:1]:
                (x1, y1), (x2, y2) = seg.coords[0], seg.coords[1]
                if x1 == x2 or y1 == y2:
                    pts.append(((x1 + x2) / 2, (y1 + y2) / 2, f"midpoint of an edge shared by {a} and {b}"))
    feats = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))["features"]
    raw = {f["properties"]["adcode"]: shape(f["geometry"]) for f in feats}
    for code, g in raw.items():  # the file's holes: kept ones stay holes, slivers are filled at load
        kept = {r.coords[0] for poly in getattr(geoms[code], "geoms", [geoms[code]]) for r in poly.interiors}
        for poly in getattr(g, "geoms", [g]):
            for ring in poly.interiors:
                p = shapely.Polygon(ring).representative_point()
                kind = "a hole" if ring.coords[0] in kept else "a filled hole (sliver)"
                pts.append((p.x, p.y, f"inside {kind} of {code}"))
    outer = shapely.unary_union(list(geoms.values()))
    minx, miny, maxx, maxy = outer.bounds
    pts += [
        (0.0, 0.0, "null island"),
        (116.397428, 39.90923, "Beijing"),
        (minx - 0.01, miny - 0.01, "south-west of Guiyang"),
        (maxx + 0.01, (miny + maxy) / 2, "east of Guiyang"),
    ]
    # a centimetre either side of grid lines in the middle of 云岩区
    x, y = to_metric(106.7135, 26.5838)
    gx, gy = (x // 100) * 100, (y // 100) * 100
    for dx, dy, note in (
        (0.01, 50, "1 cm east of a grid line"),
        (-0.01, 50, "1 cm west of a grid line"),
        (50, 0.01, "1 cm north of a grid line"),
        (50, -0.01, "1 cm south of a grid line"),
    ):
        lon, lat = to_lonlat(gx + dx, gy + dy)
        pts.append((lon, lat, note))
    return pts


def main(url: str) -> None:
    engine = create_engine(url)
    rows = []
    with engine.connect() as conn:
        for lon, lat, note in candidates():
            r = conn.execute(
                text(
                    "SELECT r.district_code, c.code FROM gy_route(ST_SetSRID(ST_MakePoint(:x, :y), 4326)) r "
                    "LEFT JOIN grid_cell c ON c.id = r.cell_id"
                ),
                {"x": lon, "y": lat},
            ).one()
            rows.append(
                {
                    "lon": repr(lon),
                    "lat": repr(lat),
                    "district": r[0] or "",
                    "cell_code": r[1] or "",
                    "note": note,
                }
            )
    with (HERE / "routing_golden.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["lon", "lat", "district", "cell_code", "note"])
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} points")


if __name__ == "__main__":
    main(sys.argv[1])
