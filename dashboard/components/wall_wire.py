"""The wall's compact wire formats: what the browser (``assets/wall.js``) receives, built from the plain read
models of :mod:`db.queries.live`.

- pins, columnar (small to send; the browser turns them into GeoJSON): ``id``, ``x`` and ``y`` (quantised:
  ``lon = o[0] + x / q``, about 1 m), ``l`` (one light letter per pin: g/y/r), ``u`` (ids of escalated cases),
  ``a`` (alarms: escalated and reported within ``ALERT_HOURS``);
- bubbles (zoomed out): ``x``, ``y``, ``n`` and the yellow, red and escalated counts ``ny``, ``nr``, ``nu`` of each
  bubble; the alarms single as ``id``, ``ax``, ``ay``, ``l``;
- a catch-up pin as a GeoJSON feature (``properties``: ``id``, ``t`` ticket, ``l``, ``u``, ``ev`` last event id);
- district outlines, quantised like the heatmap geometry (:func:`db.queries.grid_geometry.geometry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.queries.grid_geometry import ORIGIN, QUANTUM, quantize
from db.queries.live import DistrictOutline, Pin, Pins


def _q(values: Sequence[float], origin: float) -> list[int]:
    return [round((v - origin) * QUANTUM) for v in values]


def pin_columns(pins: Pins) -> dict[str, Any]:
    """The base layer of a viewport, columnar: single pins, or bubbles and the alarms (see the module)."""
    if pins.mode == "bubbles":
        bubbles, alarms = pins.bubbles, pins.pins
        return {
            "mode": "bubbles",
            "o": list(ORIGIN),
            "q": QUANTUM,
            "x": _q([b.lon for b in bubbles], ORIGIN[0]),
            "y": _q([b.lat for b in bubbles], ORIGIN[1]),
            "n": [b.n for b in bubbles],
            "ny": [b.yellow for b in bubbles],
            "nr": [b.red for b in bubbles],
            "nu": [b.escalated for b in bubbles],
            "id": [p.id for p in alarms],
            "ax": _q([p.lon for p in alarms], ORIGIN[0]),
            "ay": _q([p.lat for p in alarms], ORIGIN[1]),
            "l": "".join(p.light for p in alarms),
        }
    rows = pins.pins
    return {
        "mode": "pins",
        "o": list(ORIGIN),
        "q": QUANTUM,
        "id": [p.id for p in rows],
        "x": _q([p.lon for p in rows], ORIGIN[0]),
        "y": _q([p.lat for p in rows], ORIGIN[1]),
        "l": "".join(p.light for p in rows),
        "u": [p.id for p in rows if p.escalated],
        "a": [p.id for p in rows if p.alarm],
    }


def pin_feature(pin: Pin) -> dict[str, Any]:
    """One pin as a GeoJSON feature (a catch-up's changed case; ``ev``: its last event id, when known)."""
    props: dict[str, Any] = {"id": pin.id, "t": pin.ticket, "l": pin.light, "u": int(pin.escalated)}
    if pin.event_id is not None:
        props["ev"] = pin.event_id
    return {
        "type": "Feature",
        "id": pin.id,
        "geometry": {"type": "Point", "coordinates": [round(pin.lon, 6), round(pin.lat, 6)]},
        "properties": props,
    }


def districts_compact(outlines: Sequence[DistrictOutline]) -> dict[str, Any]:
    """District outlines, quantised, plus ``grid``: whether each district carries the unit grid."""
    return {
        "level": "district",
        "o": list(ORIGIN),
        "q": QUANTUM,
        "k": [d.code for d in outlines],
        "g": [quantize(d.coordinates) for d in outlines],
        "grid": [d.has_grid for d in outlines],
    }
