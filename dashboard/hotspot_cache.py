"""Hot-spot results kept for a few minutes (``runtime.Caches.hotspots``), for the /analysis 热点区域 tab and the
workbench card's hot-spot line: Gi* is computed at most once per scope, filters and level in that time, never per
card opened. The grid (``grid_cell`` as arrays, reference data) is kept for an hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard import runtime
from db.cache import MISSING
from geo.crs import TZ
from ops.analysis.filters import Filters
from ops.analysis.grid_units import Grid, load_grid
from ops.analysis.hotspots import HotSpots, Membership, case_cell, hotspots, membership
from ops.analysis.scope import AnalysisScope

GRID_SECONDS = 3600.0
#: The card's line: hot spots of the last 30 days on 100 m cells.
CARD_DAYS = 30


async def _grid() -> Grid:
    cache = runtime.services().caches.hotspots
    hit = cache.get(("grid",), MISSING, ttl=GRID_SECONDS)
    if hit is not MISSING:
        return hit
    return cache.put(("grid",), await runtime.aview(load_grid))


async def hot_result(scope: AnalysisScope, filters: Filters, level: str) -> HotSpots:
    """Hot spots for the scope, filters and level, computed at most every ``HOTSPOT_SECONDS``."""
    cache = runtime.services().caches.hotspots
    key = ("result", scope, filters, level)
    hit = cache.get(key, MISSING)
    if hit is not MISSING:
        return hit
    grid = await _grid()
    now = datetime.now(TZ)
    result = await runtime.aview(lambda c: hotspots(c, scope, filters, level, now, grid))
    return cache.put(key, result)


@dataclass(frozen=True, slots=True)
class CaseHot:
    """A case's cell in the hot spots of its 小类 and of all categories (the scope's), last 30 days."""

    category: str
    minor: Membership | None
    everything: Membership | None


async def case_hot(scope: AnalysisScope, case_id: int) -> CaseHot | None:
    """The hot-spot membership of a case the scope may read; ``None`` when it may not or the case has no cell."""
    found = await runtime.aview(lambda c: case_cell(c, scope, case_id))
    if found is None or found[0] is None:
        return None
    cell, category = found
    grid = await _grid()
    minor = await hot_result(scope, Filters(days=CARD_DAYS, category=category), "cell")
    every = await hot_result(scope, Filters(days=CARD_DAYS), "cell")
    return CaseHot(category, membership(minor, grid, cell), membership(every, grid, cell))
