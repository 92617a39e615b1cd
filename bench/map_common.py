"""What the wall-map benchmarks (:mod:`bench.map`) share: how many runs, the wall's map box and the two views
measured (the city preset and a street-level view), the demo lead's password, the view store the browser would
compute for a view, and a latency figure (p95 against a target, p50 in the note). No ``run()``: not a benchmark
group of its own."""

from __future__ import annotations

import math
from typing import Any

from bench.common import Figure, pct
from geo.bbox import BBox, bbox_of_view

RUNS = 30
MAP_PX = (2650, 1560)  # the map's box on a 3840×2160 wall
CITY = ((106.7497, 26.5454), 11.25)  # the service area, as the wall's first preset shows it
STREET = ((106.7110, 26.5800), 15.5)  # 云岩区 / 南明区 centre, 100 m cells
PASSWORD = "demo-lead-2026"  # nosec B105 # the published demo account (demo mode only)


def viewport(center: tuple[float, float], zoom: float, px: tuple[int, int] = MAP_PX) -> dict[str, Any]:
    """The wall's view store for a map of ``px`` pixels at ``zoom`` (Web Mercator), as the browser computes it."""
    scale = 256 * 2**zoom
    lon, lat = center
    x = (lon + 180) / 360 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale

    def to_lat(py: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi - 2 * math.pi * py / scale)))

    west, east = (x - px[0] / 2) / scale * 360 - 180, (x + px[0] / 2) / scale * 360 - 180
    return {"bounds": [[to_lat(y + px[1] / 2), west], [to_lat(y - px[1] / 2), east]], "zoom": zoom}


def bbox(view: dict[str, Any]) -> BBox:
    box = bbox_of_view(view)
    assert box is not None, view
    return box


def latency_figure(name: str, samples: list[float], target_ms: float | None, note: str = "") -> Figure:
    p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
    ok = None if target_ms is None else p95 <= target_ms
    target = "" if target_ms is None else f"p95 ≤ {target_ms:,.0f} ms"
    return Figure(name, p95, "ms", target, ok, f"p95; p50 {p50:,.0f} ms, {len(samples)} runs{note}")
