"""Read models of the public map: the ONLY queries public pages and endpoints use.

Read-only by construction: nothing here selects a person's fields (name, phone, account, email, home), a case's
description or address, nor a case_event's note, actor or payload. Reports appear only when both the case and its
小类 are public, at a coarsened position (the point on the surface of the case's unit-grid cell, or the centre
of a 50 m square when the case has no cell; coarser blocks and district label points when zoomed out), with their
status in plain words (:data:`ops.states.PUBLIC_STAGE`). Photos appear only when approved and attached to an
approved 最美贵阳 post or a public report.

Map layers come back as GeoJSON text, built in the database (``json_agg``) or, for reports, cut from one
city-wide snapshot per TTL (so the database works once however many viewports are asked for).

This module is the one door public code imports (``from db.queries import public as q``); the queries live in
single-purpose modules beside it, and every rule above binds each of them:

- :mod:`db.queries.public_common`: the public stages of a status and the SQL that builds GeoJSON;
- :mod:`db.queries.public_layers`: 最美贵阳 posts, service points, basemap, street-level grid, public photos;
- :mod:`db.queries.public_reports`: the reports layer (the city-wide snapshot and the viewports cut from it);
- :mod:`db.queries.public_summary`: the city's recent performance, counts only;
- :mod:`db.queries.public_track`: a report's progress by its ticket.
"""

from __future__ import annotations

from db.queries.public_common import COORD_DP, STAGE_OF, STAGE_STATUS, STAGES
from db.queries.public_layers import (
    GRID_LIMIT,
    GRID_MIN_ZOOM,
    SERVICE_KINDS,
    NearPoint,
    PublicPhoto,
    basemap_geojson,
    beauty_geojson,
    clean_kinds,
    grid_bbox,
    grid_geojson,
    nearest_service_points,
    public_photo,
    service_points_geojson,
)
from db.queries.public_position import SNAP_M
from db.queries.public_reports import (
    CITY_BBOX,
    ITEMS_PER_CELL,
    LEVELS,
    MAX_REPORT_FEATURES,
    REPORT_WINDOW_DAYS,
    ZOOM_LEVELS,
    ReportSnapshot,
    category_names,
    render_reports,
    report_level,
    report_snapshot,
    reports_geojson,
)
from db.queries.public_summary import summary
from db.queries.public_track import TICKET_RE, normalize_ticket, track

__all__ = [
    "CITY_BBOX",
    "COORD_DP",
    "GRID_LIMIT",
    "GRID_MIN_ZOOM",
    "ITEMS_PER_CELL",
    "LEVELS",
    "MAX_REPORT_FEATURES",
    "REPORT_WINDOW_DAYS",
    "SERVICE_KINDS",
    "SNAP_M",
    "STAGES",
    "STAGE_OF",
    "STAGE_STATUS",
    "TICKET_RE",
    "ZOOM_LEVELS",
    "NearPoint",
    "PublicPhoto",
    "ReportSnapshot",
    "basemap_geojson",
    "beauty_geojson",
    "category_names",
    "clean_kinds",
    "grid_bbox",
    "grid_geojson",
    "nearest_service_points",
    "normalize_ticket",
    "public_photo",
    "render_reports",
    "report_level",
    "report_snapshot",
    "reports_geojson",
    "service_points_geojson",
    "summary",
    "track",
]
