"""How the attributes of a city's GIS layers map onto the basemap: the documented convention of
``guiyang-ops import-layer --kind basemap`` (pure functions, no I/O).

**Which layer.** A file's layer (a GeoPackage's table, a Shapefile's or GeoJSON's file name) is recognised by its
name (:data:`LAYER_NAMES`: ``roads``/``道路``, ``water``/``水系``, ``green``/``绿地``, ``buildings``/``建筑``,
``poi``/``兴趣点`` … as a word of the name, so ``gy_roads_2024`` is roads). A layer whose name says nothing may
carry the kind per feature in a column ``layer``/``kind``/``图层``/``类型``; failing both, points are points of
interest and lines are roads; polygons are refused (water, green space or buildings cannot be told apart).

**Which columns.** The first column present (case-insensitive) of :data:`NAME_COLUMNS` is the name and of
:data:`CLASS_COLUMNS` the class; others are ignored. Road classes (OSM ``highway``/``fclass`` values or the
Chinese road grades of CJJ 37) become a rank and the lowest zoom that shows the road (:data:`ROAD_CLASSES`);
an unknown or missing class is a minor road (``road``).
"""

from __future__ import annotations

import re

LAYER_NAMES: dict[str, tuple[str, ...]] = {
    "road": (
        "road",
        "roads",
        "street",
        "streets",
        "highway",
        "highways",
        "transport",
        "道路",
        "路网",
        "街道",
    ),
    "water": (
        "water",
        "waters",
        "waterway",
        "waterways",
        "river",
        "rivers",
        "lake",
        "hydro",
        "水系",
        "水体",
        "河流",
        "湖泊",
    ),
    "green": ("green", "greens", "park", "parks", "landuse", "greenspace", "绿地", "公园", "林地"),
    "building": ("building", "buildings", "bldg", "house", "houses", "建筑", "房屋", "建筑物"),
    "poi": ("poi", "pois", "place", "places", "兴趣点", "地名", "设施"),
}
KIND_COLUMNS = ("layer", "kind", "图层", "类型")
NAME_COLUMNS = ("name", "name_zh", "名称", "名字", "road_name", "道路名称", "路名", "名")
CLASS_COLUMNS = ("class", "fclass", "highway", "type", "等级", "道路等级", "类别", "grade")

#: road class → (normalised class, rank 0 = most important, lowest zoom that shows it)
ROAD_CLASSES: dict[str, tuple[str, int, int]] = {}
for _norm, _rank, _zoom, _words in (
    (
        "motorway",
        0,
        9,
        ("motorway", "motorway_link", "trunk", "trunk_link", "高速", "高速公路", "快速路", "城市快速路"),
    ),
    ("primary", 1, 11, ("primary", "primary_link", "主干路", "主干道", "国道")),
    ("secondary", 2, 12, ("secondary", "secondary_link", "次干路", "次干道", "省道")),
    ("tertiary", 3, 13, ("tertiary", "tertiary_link", "县道")),
    ("minor", 4, 14, ("residential", "unclassified", "living_street", "road", "支路", "街巷", "乡道")),
    ("service", 5, 15, ("service", "track", "小路", "内部道路")),
    ("path", 6, 16, ("footway", "path", "pedestrian", "cycleway", "steps", "步行", "步行街", "人行道")),
):
    for _w in _words:
        ROAD_CLASSES[_w] = (_norm, _rank, _zoom)
UNKNOWN_ROAD = ("minor", 4, 14)
#: other layers: (rank, lowest zoom)
LAYER_ZOOM: dict[str, tuple[int, int]] = {
    "water": (0, 9),
    "green": (0, 11),
    "building": (0, 15),
    "poi": (0, 16),
}


def layer_of_name(name: str) -> str | None:
    """The basemap layer a file layer's name says, or None.

    >>> layer_of_name("gy_roads_2024"), layer_of_name("水系"), layer_of_name("misc")
    ('road', 'water', None)
    """
    low = name.lower()
    words = set(re.split(r"[^a-z\u4e00-\u9fff]+", low))
    for layer, names in LAYER_NAMES.items():
        if words & set(names) or any(n in low for n in names if not n.isascii()):
            return layer
    return None


def layer_of_value(value: object) -> str | None:
    """The basemap layer a per-feature kind value names (``roads``, ``道路``, ``building`` …), or None."""
    if value is None:
        return None
    text = str(value).strip()
    return layer_of_name(text) if text else None


def road_class(value: object) -> tuple[str, int, int]:
    """(normalised class, rank, lowest zoom) of a road class value.

    >>> road_class("primary"), road_class("主干路"), road_class(None)
    (('primary', 1, 11), ('primary', 1, 11), ('minor', 4, 14))
    """
    if value is None:
        return UNKNOWN_ROAD
    return ROAD_CLASSES.get(str(value).strip().lower(), UNKNOWN_ROAD)


def feature_class(layer: str, value: object) -> tuple[str, int, int]:
    """(class, rank, lowest zoom) of a feature of ``layer`` whose class column holds ``value``."""
    if layer == "road":
        return road_class(value)
    rank, zoom = LAYER_ZOOM[layer]
    text = "" if value is None else str(value).strip()[:24]
    return (text or layer, rank, zoom)


def pick_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` among ``columns`` (case-insensitive), as the column is spelled, or None."""
    lower = {c.lower(): c for c in columns}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None
