"""The base layers every map offers, built here once: the outline basemap (each map's own district outlines, drawn
from our data: always there), the city's own basemap (roads with their names, water, green space, buildings,
points of interest; imported by ``guiyang-ops import-layer --kind basemap``, served as vector tiles by
``/basemap/v1`` and drawn by ``assets/basemap.js``) when one was imported, Tianditu vector + labels when
``GUIYANG_TIANDITU_KEY`` is set, else OpenStreetMap when ``GUIYANG_OSM_TILES`` is on (:mod:`dashboard.tiles`).

``base_layers(key)`` goes among a ``dl.Map``'s children: nothing when the outline is the only base, else a layer
switch (``dl.LayersControl``, top right) with one base layer each. An outside source the administrator switched
on is chosen first, else the city's basemap, else the outline. The names are in both languages (the switch is
drawn by Leaflet, outside the language store). Works with no internet: the city's basemap is ours.
"""

from __future__ import annotations

import logging
from typing import Any

import dash_leaflet as dl
from dash_extensions.javascript import Namespace

from dashboard import runtime
from dashboard.i18n import t
from dashboard.ids import basemap as bid
from dashboard.tiles import TileSource, tile_sources
from db.queries.basemap import BasemapInfo, basemap_info

log = logging.getLogger("guiyang_ops.basemap")
bm = Namespace("gy", "basemap")


def name(key: str) -> str:
    """A base layer's name as the switch shows it: Chinese, then English."""
    return f"{t(key)} {t(key, 'en')}"


def _tile_layer(src: TileSource, tile_class: str | None) -> dl.TileLayer:
    return dl.TileLayer(
        url=src.url,
        maxZoom=src.max_zoom,
        attribution=src.attribution,
        **({"className": tile_class} if tile_class else {}),
        **({"subdomains": src.subdomains} if src.subdomains else {}),
    )


def _city_info(public: bool) -> BasemapInfo | None:
    try:
        services = runtime.services()
    except RuntimeError:  # the layout built outside a request (Dash's validation layout)
        return None
    if public and not services.settings.basemap_public:
        return None
    try:
        return services.read(basemap_info)
    except Exception as exc:  # noqa: BLE001 - the page still opens, on the outline basemap
        log.warning("basemap: cannot read the imported basemap: %r", exc)
        return None


def _outside() -> list[TileSource]:
    try:
        return tile_sources(runtime.services().settings)
    except RuntimeError:
        return []


def base_layers(
    key: str,
    *,
    dark: bool = False,
    public: bool = False,
    tile_class: str | None = None,
    attribution: bool = False,
) -> list[Any]:
    """The layer switch of the map ``key`` (a key of :data:`dashboard.ids.basemap.SWITCH`), or nothing when the
    outline is the only base. ``dark``: the city's basemap in the wall's colours; ``public``: a page anyone may
    open (the city's basemap only when ``GUIYANG_BASEMAP_PUBLIC``); ``tile_class``: a CSS class for outside
    tiles; ``attribution``: add Leaflet's attribution line (a map made without it still names its source)."""
    outside = _outside()
    city = _city_info(public)
    bases: list[tuple[str, Any]] = []
    if outside:
        tianditu = "tianditu" in outside[0].url
        bases.append(
            ("bm.tianditu" if tianditu else "bm.osm", [_tile_layer(src, tile_class) for src in outside])
        )
    if city is not None:
        group = dl.LayerGroup(eventHandlers={"add": bm("addDark" if dark else "add"), "remove": bm("remove")})
        bases.append(("bm.city", [group]))
    bases.append(("bm.outline", []))
    if len(bases) == 1:
        return []
    # a map without Leaflet's attribution line still says whose basemap it draws (a generated one says so)
    credit = [dl.AttributionControl(position="bottomright", prefix=False)] if attribution else []
    return credit + [
        dl.LayersControl(
            id=bid.SWITCH[key],
            position="topright",
            collapsed=True,
            children=[
                dl.BaseLayer(
                    layers[0] if len(layers) == 1 else dl.LayerGroup(children=layers),
                    name=name(k),
                    checked=i == 0,
                )
                for i, (k, layers) in enumerate(bases)
            ],
        )
    ]


def has_outside_tiles() -> bool:
    """Whether an outside tile source is switched on (and so the first, default base)."""
    return bool(_outside())
