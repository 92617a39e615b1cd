"""Demo data for the public layer: ~200 service points near real landmarks and district centres, and
最美贵阳 posts at the landmarks with generated placeholder pictures (no network). Everything is flagged demo."""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import Connection, text

from db.media import store_photo

LANDMARKS_FILE = Path(__file__).parent / "data" / "guiyang_landmarks.csv"

SERVICE_KINDS = {
    # kind: (weight, name_zh suffix, name_en suffix, opening hours)
    "toilet": (40, "公共厕所", "public toilet", "00:00-24:00"),
    "parking": (25, "公共停车场", "public parking", "00:00-24:00"),
    "service_station": (12, "城管服务站", "city-management service station", "08:30-18:00"),
    "water": (10, "直饮水点", "drinking water", "06:00-22:00"),
    "charging": (6, "电动车充电站", "e-bike charging", "00:00-24:00"),
    "recycling": (4, "垃圾分类回收点", "recycling point", "07:00-20:00"),
    "rest": (3, "环卫工人爱心驿站", "outdoor workers' rest station", "07:00-21:00"),
}


@dataclass(frozen=True)
class Landmark:
    name_zh: str
    name_en: str
    kind: str
    lon: float
    lat: float


def landmarks(path: Path = LANDMARKS_FILE) -> list[Landmark]:
    with path.open(encoding="utf-8") as fh:
        return [
            Landmark(r["name_zh"], r["name_en"], r["kind"], float(r["lon"]), float(r["lat"]))
            for r in csv.DictReader(fh)
        ]


def _near(rng: random.Random, lon: float, lat: float, radius_m: float) -> tuple[float, float]:
    r = radius_m * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    dlat = r * math.cos(a) / 111_320
    dlon = r * math.sin(a) / (111_320 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def load_service_points(conn: Connection, count: int = 200, seed: int = 7) -> int:
    rng = random.Random(seed)  # nosec B311 # deterministic demo/benchmark data, not security
    anchors = [(lm.name_zh, lm.name_en, lm.lon, lm.lat) for lm in landmarks()]
    for zh, en, lon, lat in conn.execute(
        text(
            "SELECT name_zh, name_en, ST_X(label_point), ST_Y(label_point) FROM district "
            "WHERE has_grid AND label_point IS NOT NULL ORDER BY code"
        )
    ):
        anchors += [(zh, en, lon, lat)] * 3  # the central districts' centres get more points
    kinds = list(SERVICE_KINDS)
    weights = [SERVICE_KINDS[k][0] for k in kinds]
    rows: list[dict[str, object]] = []
    seq: dict[tuple[str, str], int] = {}
    while len(rows) < count:
        zh, en, lon, lat = rng.choice(anchors)
        kind = rng.choices(kinds, weights)[0]
        plon, plat = _near(rng, lon, lat, 1500)
        inside = conn.execute(
            text("SELECT (gy_route(ST_SetSRID(ST_MakePoint(:x, :y), 4326))).district_code"),
            {"x": plon, "y": plat},
        ).scalar()
        if inside is None:
            continue
        n = seq[(zh, kind)] = seq.get((zh, kind), 0) + 1
        _, szh, sen, hours = SERVICE_KINDS[kind]
        rows.append(
            {
                "kind": kind,
                "zh": f"{zh}{szh}{'' if n == 1 else n}",
                "en": f"{en} {sen}{'' if n == 1 else f' {n}'}",
                "addr": f"{zh}附近（演示数据）",
                "hours": hours,
                "x": plon,
                "y": plat,
            }
        )
    conn.execute(
        text(
            "INSERT INTO service_point (kind, name_zh, name_en, address, open_hours, geom, demo) VALUES "
            "(:kind, :zh, :en, :addr, :hours, ST_SetSRID(ST_MakePoint(:x, :y), 4326), true)"
        ),
        rows,
    )
    return len(rows)


def placeholder_picture(name: str, width: int = 960, height: int = 640) -> bytes:
    """A generated landscape (sky, sun, hills, water) whose colours depend on ``name``: no network needed."""
    rng = random.Random(name)  # nosec B311 # deterministic demo/benchmark data, not security
    top = (rng.randint(40, 120), rng.randint(120, 190), rng.randint(200, 255))
    bottom = (rng.randint(220, 255), rng.randint(170, 220), rng.randint(120, 190))
    im = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(im)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    sx, sy = rng.randint(100, width - 100), rng.randint(60, height // 3)
    draw.ellipse([sx - 45, sy - 45, sx + 45, sy + 45], fill=(255, 236, 180))
    for layer in range(3):
        base = height * (0.55 + 0.1 * layer)
        shade = 60 + 40 * layer
        pts: list[tuple[float, float]] = [(0, height)]
        for x in range(0, width + 40, 40):
            pts.append((x, base - rng.randint(20, 120) * (1 - layer * 0.25)))
        pts.append((width, height))
        draw.polygon(pts, fill=(30 + layer * 10, shade + rng.randint(20, 60), 60 + layer * 15))
    draw.rectangle([0, int(height * 0.86), width, height], fill=(70, 130, 170))
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=85)
    return out.getvalue()


def load_beauty_posts(conn: Connection, media_dir: Path) -> int:
    n = 0
    for lm in landmarks():
        photo = store_photo(conn, media_dir, placeholder_picture(lm.name_zh), kind="beauty", approved=True)
        conn.execute(
            text(
                "INSERT INTO beauty_post (title, body, geom, photo_id, state, demo, moderated_at) VALUES "
                "(:t, :b, ST_SetSRID(ST_MakePoint(:x, :y), 4326), :p, 'approved', true, now())"
            ),
            {
                "t": lm.name_zh,
                "b": f"{lm.name_zh}（{lm.name_en}）· 最美贵阳 — 演示图片 / demo picture",
                "x": lm.lon,
                "y": lm.lat,
                "p": photo.id,
            },
        )
        n += 1
    return n


def load_demo_public(conn: Connection, media_dir: Path) -> dict[str, int]:
    return {"service_points": load_service_points(conn), "beauty_posts": load_beauty_posts(conn, media_dir)}
