"""Where and what the demo city's problems are: hot spots, district character, the category mix.

Hot spots are real-ish places in Guiyang's central districts (markets, stations, schools, busy streets, new
towns) plus the landmarks of ``data/guiyang_landmarks.csv``; reports scatter around them (Gaussian, a few
hundred metres) over a uniform background on the unit grid. The category mix depends on the district's
character (old town, new town, suburb), the kind of place and the season. Everything here is demo data: codes
missing from the city's catalog are ignored, codes not mentioned keep their base weight.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demo.public import LANDMARKS_FILE
from geo.crs import METRIC_SRID, STORAGE_SRID, get_transformer
from geo.grid import CELL_SIZE_M

ZONES = ("old", "new", "suburb")
#: District character by adcode: 南明/云岩 the old town, 观山湖 the new town, the rest suburbs.
DISTRICT_ZONE = {
    "520102": "old",
    "520103": "old",
    "520115": "new",
    "520111": "suburb",
    "520112": "suburb",
    "520113": "suburb",
}
#: Background reports per grid cell, relative, by zone (the old town is dense).
BACKGROUND_DENSITY = {"old": 5.0, "new": 2.0, "suburb": 1.0}
BACKGROUND_SHARE = 0.3


@dataclass(frozen=True)
class Spot:
    name: str
    lon: float
    lat: float
    kind: str  # market, station, school, commercial, residential, park
    zone: str
    sigma_m: float
    weight: float


SPOTS: tuple[Spot, ...] = (
    Spot("大十字", 106.7130, 26.5780, "commercial", "old", 250, 5.0),
    Spot("喷水池", 106.7105, 26.5855, "commercial", "old", 250, 5.0),
    Spot("中华北路", 106.7125, 26.5920, "commercial", "old", 300, 3.0),
    Spot("延安中路", 106.7060, 26.5800, "commercial", "old", 300, 3.0),
    Spot("合群路夜市", 106.7170, 26.5790, "market", "old", 150, 3.0),
    Spot("二七路", 106.7035, 26.5530, "market", "old", 200, 3.0),
    Spot("油榨街", 106.7255, 26.5640, "market", "old", 250, 2.5),
    Spot("太慈桥", 106.6955, 26.5410, "market", "old", 250, 2.5),
    Spot("次南门", 106.7150, 26.5700, "market", "old", 200, 2.0),
    Spot("小十字", 106.7190, 26.5755, "commercial", "old", 200, 2.0),
    Spot("贵阳火车站", 106.7085, 26.5485, "station", "old", 300, 4.0),
    Spot("花果园", 106.6930, 26.5610, "residential", "old", 450, 6.0),
    Spot("沙冲路", 106.6985, 26.5550, "residential", "old", 250, 2.0),
    Spot("黔灵西路", 106.6945, 26.5880, "school", "old", 250, 2.0),
    Spot("北京路", 106.7110, 26.5965, "commercial", "old", 300, 2.0),
    Spot("贵阳六中", 106.7030, 26.5865, "school", "old", 150, 1.5),
    Spot("小河", 106.7060, 26.5260, "residential", "suburb", 500, 3.0),
    Spot("贵阳北站", 106.6790, 26.6210, "station", "new", 350, 3.5),
    Spot("观山湖金阳", 106.6450, 26.6250, "commercial", "new", 500, 4.0),
    Spot("世纪城", 106.6620, 26.6150, "residential", "new", 400, 3.0),
    Spot("会展中心", 106.6400, 26.6120, "commercial", "new", 300, 2.0),
    Spot("未来方舟", 106.7600, 26.5990, "residential", "new", 400, 2.0),
    Spot("花溪大学城", 106.6150, 26.3950, "school", "suburb", 600, 3.0),
    Spot("贵州大学", 106.6660, 26.4450, "school", "suburb", 350, 2.0),
    Spot("花溪中心", 106.6700, 26.4330, "market", "suburb", 350, 2.5),
    Spot("白云中心", 106.6320, 26.6790, "market", "suburb", 450, 2.5),
    Spot("乌当新添寨", 106.7570, 26.6360, "market", "suburb", 400, 2.0),
    Spot("贵阳东站", 106.7980, 26.6270, "station", "suburb", 350, 1.5),
    Spot("龙洞堡机场", 106.8010, 26.5410, "station", "suburb", 400, 1.0),
)

_KIND_OF_LANDMARK = {"landmark": "park", "square": "commercial", "museum": "park"}

#: Relative weight of each 大类 (by code prefix) before boosts.
MAJOR_BASE = {
    "C01": 0.7,
    "C02": 0.9,
    "C03": 0.8,
    "C04": 0.5,
    "C05": 0.3,
    "C06": 0.3,
    "E01": 2.0,
    "E02": 1.4,
    "E03": 0.9,
    "E04": 0.12,
    "E05": 2.0,
    "E06": 0.7,
}
ZONE_BOOST: dict[str, dict[str, float]] = {
    "old": {"E0501": 3.0, "E0101": 2.5, "E0202": 3.0, "E0203": 2.0, "E0503": 2.0, "E0508": 1.5, "E0502": 2.0},
    "new": {"E0504": 2.5, "E0505": 2.0, "C0201": 1.3, "E0303": 2.0, "E0304": 2.0, "E0201": 1.5},
    "suburb": {
        "E0107": 4.0,
        "E0302": 4.0,
        "C0201": 3.0,
        "E0109": 2.5,
        "E0306": 2.0,
        "E0604": 2.5,
        "E0102": 2.0,
    },
}
KIND_BOOST: dict[str, dict[str, float]] = {
    "market": {"E0501": 4.0, "E0502": 3.0, "E0101": 2.0, "E0503": 3.0, "E0509": 2.0, "E0507": 2.0},
    "station": {"E0505": 3.0, "E0504": 3.0, "E0502": 2.0, "E0506": 3.0, "E0203": 2.0, "C0206": 2.0},
    "school": {"E0502": 2.0, "E0505": 2.0, "C0202": 2.0, "C0204": 2.0, "E0507": 1.5},
    "commercial": {"E0201": 2.0, "E0202": 2.0, "E0205": 3.0, "E0206": 2.0, "E0504": 2.0, "E0503": 2.0},
    "residential": {"E0508": 2.0, "E0601": 2.0, "E0603": 2.0, "E0102": 2.0, "E0604": 1.5},
    "park": {"E0104": 3.0, "C0401": 2.0, "C0402": 2.0, "C0403": 2.0, "C0404": 2.0, "C0302": 2.0},
    "background": {},
}
KINDS = tuple(KIND_BOOST)
#: Month factors (1-12) for weather-bound categories.
SEASONAL: dict[str, tuple[float, ...]] = {
    "E0407": (6, 5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0.5, 4),  # 道路结冰: winter only
    "E0404": (0.3, 0.3, 0.6, 1.5, 3, 4, 4, 3, 2, 1, 0.5, 0.3),  # 道路积水: the rainy season
}
SEASONS = 12

Array = npt.NDArray[np.float64]


def landmark_spots() -> list[Spot]:
    with LANDMARKS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Spot(
            r["name_zh"],
            float(r["lon"]),
            float(r["lat"]),
            _KIND_OF_LANDMARK.get(r["kind"], "park"),
            "old",
            200,
            0.8,
        )
        for r in rows
    ]


def all_spots() -> list[Spot]:
    return list(SPOTS) + landmark_spots()


def category_weights(codes: list[str], zone: str, kind: str, month: int) -> Array:
    """Probabilities over ``codes`` (the active 小类) for reports in a zone, near a kind of place, in a month."""
    w = np.array([MAJOR_BASE.get(c[:3], 0.5) for c in codes], dtype=np.float64)
    for boosts in (ZONE_BOOST.get(zone, {}), KIND_BOOST.get(kind, {})):
        for k, c in enumerate(codes):
            w[k] *= boosts.get(c, 1.0)
    for k, c in enumerate(codes):
        if c in SEASONAL:
            w[k] *= SEASONAL[c][month - 1]
    return w / w.sum()


@dataclass
class Points:
    """Sampled report locations (metric and lon/lat) with the place kind and zone used for the category mix."""

    x: Array
    y: Array
    lon: Array
    lat: Array
    kind: npt.NDArray[np.int64]  # index into KINDS
    zone: npt.NDArray[np.int64]  # index into ZONES
    address: npt.NDArray[np.int64]  # index into the spot names, -1 for none


def _square_keys(i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return i * 1_000_000 + j


class PointSampler:
    """Report locations: ``1 - BACKGROUND_SHARE`` around hot spots, the rest uniform over grid cells weighted by
    zone density. Hot-spot points whose 100 m square holds no grid cell are drawn again (closer to their spot).
    Built once (it indexes the grid), then :meth:`sample` as often as needed."""

    def __init__(
        self,
        cells_i: npt.NDArray[np.int64],
        cells_j: npt.NDArray[np.int64],
        cells_zone: npt.NDArray[np.int64],
    ) -> None:
        spots = all_spots()
        sx, sy = get_transformer(STORAGE_SRID, METRIC_SRID).transform(
            np.array([s.lon for s in spots]), np.array([s.lat for s in spots])
        )
        # sorted and deduplicated by a sort (numpy 2's hash-based np.unique takes about a second here)
        keys = np.sort(_square_keys(cells_i, cells_j))
        self.keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
        self.sx, self.sy = np.asarray(sx), np.asarray(sy)
        # spots whose centre lies outside the grid are dropped (a landmark in an outer county)
        self.spot_idx = np.flatnonzero(self.on_grid(self.sx, self.sy))
        w = np.array([spots[k].weight for k in self.spot_idx])
        self.spot_cdf = np.cumsum(w) / w.sum()
        self.sigma = np.array([s.sigma_m for s in spots])
        self.kind = np.array([KINDS.index(s.kind) for s in spots], dtype=np.int64)
        self.zone = np.array([ZONES.index(s.zone) for s in spots], dtype=np.int64)
        self.names = [s.name for s in spots]
        dens = np.array([BACKGROUND_DENSITY[z] for z in ZONES])[cells_zone]
        self.cell_cdf = np.cumsum(dens) / dens.sum()
        self.cells_i, self.cells_j, self.cells_zone = cells_i, cells_j, cells_zone

    def on_grid(self, x: Array, y: Array) -> npt.NDArray[np.bool_]:
        """Whether the 100 m square of each metric point ``(x, y)`` holds a grid cell."""
        keys = _square_keys(
            np.floor(x / CELL_SIZE_M).astype(np.int64), np.floor(y / CELL_SIZE_M).astype(np.int64)
        )
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[pos] == keys

    def sample(self, rng: np.random.Generator, n: int) -> Points:
        x = np.empty(n)
        y = np.empty(n)
        kind = np.empty(n, dtype=np.int64)
        zone = np.empty(n, dtype=np.int64)
        address = np.full(n, -1, dtype=np.int64)
        is_spot = rng.random(n) >= BACKGROUND_SHARE
        m = int(is_spot.sum())
        pick = self.spot_idx[
            np.minimum(np.searchsorted(self.spot_cdf, rng.random(m)), len(self.spot_idx) - 1)
        ]
        sig = self.sigma[pick]
        px = self.sx[pick] + rng.normal(0, 1, m) * sig
        py = self.sy[pick] + rng.normal(0, 1, m) * sig
        for _ in range(20):
            bad = ~self.on_grid(px, py)
            if not bad.any():
                break
            sig[bad] *= 0.8
            px[bad] = self.sx[pick[bad]] + rng.normal(0, 1, int(bad.sum())) * sig[bad]
            py[bad] = self.sy[pick[bad]] + rng.normal(0, 1, int(bad.sum())) * sig[bad]
        x[is_spot], y[is_spot] = px, py
        kind[is_spot] = self.kind[pick]
        zone[is_spot] = self.zone[pick]
        address[is_spot] = pick
        bg = ~is_spot
        cell = np.minimum(np.searchsorted(self.cell_cdf, rng.random(n - m)), len(self.cell_cdf) - 1)
        x[bg] = (self.cells_i[cell] + rng.random(n - m)) * CELL_SIZE_M
        y[bg] = (self.cells_j[cell] + rng.random(n - m)) * CELL_SIZE_M
        kind[bg] = KINDS.index("background")
        zone[bg] = self.cells_zone[cell]
        lon, lat = get_transformer(METRIC_SRID, STORAGE_SRID).transform(x, y)
        # six decimals (about 0.1 m), as a phone app sends them
        return Points(x, y, np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6), kind, zone, address)


def jitter_near(
    rng: np.random.Generator, x: Array, y: Array, radius_m: Array
) -> tuple[Array, Array, Array, Array]:
    """Points uniformly within 70 % of ``radius_m`` of ``(x, y)`` (a duplicate report of the same problem)."""
    r = 0.7 * radius_m * np.sqrt(rng.random(len(x)))
    a = rng.random(len(x)) * 2 * np.pi
    nx, ny = x + r * np.cos(a), y + r * np.sin(a)
    lon, lat = get_transformer(METRIC_SRID, STORAGE_SRID).transform(nx, ny)
    return nx, ny, np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)
