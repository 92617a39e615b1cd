"""Map bounds: the one ``BBox`` type (``west, south, east, north`` in WGS-84 degrees) and the one parser of the
two forms bounds arrive in — a ``"west,south,east,north"`` query string (the public API) and a dash-leaflet
viewport ``{"bounds": [[south, west], [north, east]]}`` (the wall, the workbench, the benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BBox = tuple[float, float, float, float]  # west, south, east, north


def checked(west: float, south: float, east: float, north: float) -> BBox | None:
    """The box if it is one on the globe (west < east, south < north, inside ±180/±90); else None."""
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


def parse_bbox(value: str | None) -> BBox | None:
    """``west,south,east,north`` in degrees, inside sane bounds; None if it is not one."""
    try:
        parts = [float(v) for v in (value or "").split(",")]
    except ValueError:
        return None
    if len(parts) != 4:
        return None
    return checked(*parts)


def bbox_of_view(view: Mapping[str, Any] | None) -> BBox | None:
    """The box of a dash-leaflet viewport (``view["bounds"]`` is ``[[south, west], [north, east]]``), or None."""
    try:
        bounds: Sequence[Sequence[Any]] = view["bounds"]  # type: ignore[index]
        (south, west), (north, east) = bounds
        return checked(float(west), float(south), float(east), float(north))
    except (TypeError, KeyError, ValueError):
        return None
