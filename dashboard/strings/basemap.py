"""Strings of the base layers every map offers (components/basemap.py)."""

STRINGS: dict[str, tuple[str, str]] = {
    "bm.outline": ("轮廓底图", "Outline"),
    "bm.city": ("城市底图", "City map"),
    "bm.tianditu": ("天地图", "Tianditu"),
    "bm.osm": ("OpenStreetMap", "OpenStreetMap"),
}
