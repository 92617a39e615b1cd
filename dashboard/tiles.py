"""The optional outside tile layers (Tianditu with a key, else OpenStreetMap when allowed): what the wall draws and
which hosts the Content-Security-Policy lets images come from. One list, so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from dashboard.settings import Settings

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
TIANDITU_SUBDOMAINS = "01234567"
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@dataclass(frozen=True)
class TileSource:
    url: str  # a Leaflet URL template
    hosts: tuple[str, ...]  # every origin the template can expand to
    max_zoom: int
    attribution: str
    subdomains: str | None = None


def tile_sources(settings: Settings) -> list[TileSource]:
    """The outside base layers the settings switch on; empty by default (the base map is our own data)."""
    if settings.tianditu_key:
        key = quote(settings.tianditu_key)
        hosts = tuple(f"https://t{s}.tianditu.gov.cn" for s in TIANDITU_SUBDOMAINS)
        return [
            TileSource(
                TIANDITU.format(layer=layer, key=key, s="{s}"), hosts, 18, "天地图", TIANDITU_SUBDOMAINS
            )
            for layer in ("vec", "cva")
        ]
    if settings.osm_tiles:
        return [TileSource(OSM, ("https://tile.openstreetmap.org",), 19, "© OpenStreetMap contributors")]
    return []


def tile_hosts(settings: Settings) -> list[str]:
    """The origins of :func:`tile_sources`, each once, in order."""
    return list(dict.fromkeys(h for src in tile_sources(settings) for h in src.hosts))
