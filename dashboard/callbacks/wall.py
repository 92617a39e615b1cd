"""Callbacks of the wall screen (/wall). Thin: parse inputs, call ``db.queries``, format with
:mod:`dashboard.components.wall_panels`. Every callback that reads case data is guarded by ``require_user``.

Data flow
---------
- the map's viewport (``VIEW``) → :func:`heat_view` (heatmap geometry + counts, level chosen from the zoom) and
  :func:`base_pins` (open cases of the viewport, columnar, with the event id the snapshot includes);
- the heatmap window or the fallback timer → :func:`heat_counts` (counts only: the geometry stays in the browser,
  the style reads the counts from ``hideout``);
- the doorbell or the fallback timer → the live catch-up of :mod:`dashboard.callbacks.wall_live` (events the
  screen's snapshot did not see → ticker, live pins, cursor), whose cursor moves the KPI tiles here;
- clientside (``assets/wall.js``): viewport, rotation, pins → GeoJSON, live layer, heat hideout, clock.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection

from dashboard import auth, ids, runtime
from dashboard.callbacks.heat_filter import with_category
from dashboard.components import wall_browser as _browser  # noqa: F401  (registers the clientside callbacks)
from dashboard.components.wall_panels import (
    DEFAULT_PALETTE,
    PALETTES,
    class_breaks,
    heat_legend,
    kpi_tiles,
    pin_legend,
    pins_capped,
    response_table,
)
from dashboard.components.wall_wire import districts_compact, pin_columns
from dashboard.ids import heat_filter as hf
from dashboard.ids import wall as w
from db.accounts import StaffIdentity
from db.queries.geo_layers import district_labels
from db.queries.grid_geometry import geometry
from db.queries.grid_levels import MAX_FEATURES, WINDOWS, coarser, level_for
from db.queries.live import (
    district_outlines,
    kpis,
    view_presets,
    viewport_pins,
)
from geo.bbox import bbox_of_view
from ops.policy import Screen, roles_for
from ops.response_panel import response_panel

ROLES = roles_for(Screen.WALL)
PANEL_DAYS = 30
T = TypeVar("T")


async def shared(name: str, want: int, ttl: float, fn: Callable[[Connection], T]) -> T:
    """One computation for every screen, one at a time: reused for ``ttl`` seconds unless a screen asks for a
    newer version than the value was read for (``want``; the KPI tiles use the count of doorbells the process had
    heard: a new event recomputes them once, for all screens, however many ask while it is read)."""
    value: T = await runtime.services().caches.wall.get(name, want, lambda: runtime.aview(fn), ttl=ttl)
    return value


def warm_up() -> None:
    """Build the heatmap index in the background (called by the layout, so the first screen finds it ready)."""
    app = runtime.services()  # the thread is handed the app object: it runs outside the request
    if app.heat.ready or not app.warming.acquire(blocking=False):
        return

    def build() -> None:
        try:
            app.view(app.heat.refresh)
        except Exception:  # noqa: BLE001 - the first heat callback retries and reports  # nosec B110 # deliberate: the caller retries and reports
            pass
        finally:
            app.warming.release()

    threading.Thread(target=build, name="wall-heat-warm-up", daemon=True).start()


def palette(config: dict[str, Any] | None) -> list[str]:
    return PALETTES.get((config or {}).get("scale", DEFAULT_PALETTE), PALETTES[DEFAULT_PALETTE])


def _window(value: object) -> str:
    return value if isinstance(value, str) and value in WINDOWS else "7d"


# --- gate, static layers and texts ------------------------------------------------------------------------------


@callback(
    Output(w.REDIRECT, "href"),
    Input(w.SIGNIN, "id"),
    State(w.REDIRECT, "pathname"),
    State(w.REDIRECT, "search"),
)
async def gate(_: str, path: str | None, search: str | None) -> Any:
    """Not signed in (or the session has expired): to the sign-in page, and back to this wall afterwards."""
    if await auth.acurrent_user() is not None:
        return no_update
    return "/login?next=" + quote((path or "/wall") + (search or ""), safe="")


def _static(conn: Connection) -> tuple[Any, ...]:
    return districts_compact(district_outlines(conn)), district_labels(conn), view_presets(conn)


def cached_presets() -> list[dict[str, Any]] | None:
    """The preset views if a screen loaded them already: the layout then carries them, and the map goes to the
    first one without waiting for a round trip."""
    hit = runtime.services().caches.wall.peek("static")
    return None if hit is None else hit[2]


@callback(
    Output(w.DISTRICT_GEO, "data"),
    Output(w.LABELS, "data"),
    Output(w.PRESETS, "data"),
    Input(w.MAP, "id"),
    State(w.PRESETS, "data"),
)
@auth.require_user(*ROLES)
async def load_static(_: str, known: Any, *, user: StaffIdentity) -> tuple[Any, ...]:
    outlines, labels, presets = await shared("static", 0, 600, _static)
    return outlines, labels, no_update if known else presets


# --- heatmap ---------------------------------------------------------------------------------------------------


async def _heat_payload(
    level: str,
    window: str,
    counts: dict[str, int],
    config: dict[str, Any] | None,
    lang: str,
    category: str | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    breaks = class_breaks(list(counts.values()))
    data = {"level": level, "window": window, "category": category, "counts": counts, "breaks": breaks}
    legend = heat_legend(counts, breaks, level, palette(config), lang)
    return data, await with_category(legend, category, lang)


def _category(store: dict[str, Any] | None) -> str | None:
    """The 大类 / 小类 code chosen beside the time window (:mod:`dashboard.callbacks.heat_filter`), or None."""
    code = (store or {}).get("code")
    return code if isinstance(code, str) and code else None


def _signature(keys: list[str]) -> str:
    return hashlib.blake2b("|".join(keys).encode(), digest_size=8).hexdigest()


@callback(
    Output(w.HEAT_GEO, "data"),
    Output(w.HEAT_LEVEL, "data"),
    Output(w.HEAT_COUNTS, "data"),
    Output(w.LEGEND, "children"),
    Input(w.VIEW, "data"),
    State(w.WINDOW, "value"),
    State(ids.LANG, "data"),
    State(w.CONFIG, "data"),
    State(hf.WALL_CATEGORY, "data"),
    prevent_initial_call=True,  # the view arrives once the map shows the first preset
)
@auth.require_user(*ROLES)
async def heat_view(
    view: dict[str, Any] | None,
    window: str,
    lang: str,
    config: dict[str, Any] | None,
    category: dict[str, Any] | None,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """Geometry (only here and when new cells appear: viewport or level changed) and counts of the heatmap."""
    box = bbox_of_view(view)
    if box is None:
        raise PreventUpdate
    win, cat = _window(window), _category(category)
    first = level_for(float((view or {}).get("zoom", 11)), (box[1] + box[3]) / 2)

    heat, features = runtime.services().heat, runtime.services().features

    def work(conn: Connection) -> tuple[str, list[str], dict[str, Any], dict[str, int]]:
        level, keys = first, heat.keys(conn, first, box)
        while len(keys) > MAX_FEATURES and level != "district":
            level = coarser(level)
            keys = heat.keys(conn, level, box, refresh=False)
        counts = heat.counts(conn, level, win, box, refresh=False, category=cat)
        return level, keys, geometry(conn, level, keys, features), counts

    level, keys, geo, counts = await runtime.aview(work)
    data, legend = await _heat_payload(level, win, counts, config, lang, cat)
    return geo, {"level": level, "bbox": list(box), "sig": _signature(keys)}, data, legend


@callback(
    Output(w.HEAT_COUNTS, "data", allow_duplicate=True),
    Output(w.LEGEND, "children", allow_duplicate=True),
    Output(w.HEAT_GEO, "data", allow_duplicate=True),
    Output(w.HEAT_LEVEL, "data", allow_duplicate=True),
    Input(w.WINDOW, "value"),
    Input(w.FALLBACK, "n_intervals"),
    Input(ids.LANG, "data"),
    Input(hf.WALL_CATEGORY, "data"),
    State(w.HEAT_LEVEL, "data"),
    State(w.CONFIG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def heat_counts(
    window: str,
    _n: Any,
    lang: str,
    category: dict[str, Any] | None,
    drawn: dict[str, Any] | None,
    config: dict[str, Any] | None,
    *,
    user: StaffIdentity,
) -> tuple[Any, ...]:
    """Counts only (window or category changed, or the periodic refresh): the browser restyles, no geometry is sent, unless
    cells got their first report since the geometry was drawn."""
    if not drawn:
        raise PreventUpdate
    level, box, win, cat = drawn["level"], tuple(drawn["bbox"]), _window(window), _category(category)
    heat, features = runtime.services().heat, runtime.services().features

    def work(conn: Connection) -> tuple[dict[str, int], list[str]]:
        return heat.counts(conn, level, win, box, category=cat), heat.keys(conn, level, box, refresh=False)

    counts, keys = await runtime.aview(work)
    data, legend = await _heat_payload(level, win, counts, config, lang, cat)
    if _signature(keys) == drawn.get("sig"):
        return data, legend, no_update, no_update
    geo = await runtime.aview(lambda c: geometry(c, level, keys, features))
    return data, legend, geo, {**drawn, "sig": _signature(keys)}


# --- pins ------------------------------------------------------------------------------------------------------


@callback(
    Output(w.BASE, "data"),
    Output(w.BASE_AS_OF, "data"),
    Output(w.PIN_CAPPED, "children"),
    Input(w.VIEW, "data"),
    Input(w.BASE_RELOAD, "data"),
    Input(w.FALLBACK, "n_intervals"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def base_pins(
    view: dict[str, Any] | None, _reload: Any, _n: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    box = bbox_of_view(view)
    if box is None:
        raise PreventUpdate
    zoom = float((view or {}).get("zoom", 11))
    pins = await runtime.aview(lambda c: viewport_pins(c, box, zoom))
    return pin_columns(pins), pins.as_of, pins_capped(len(pins), pins.capped, lang, pins.dense)


# --- KPI tiles, department panel -------------------------------------------------------------------------------


@callback(
    Output(w.KPIS, "children"),
    Output(w.PIN_LEGEND, "children"),
    Input(w.KPI_BELL, "data"),
    Input(w.FALLBACK, "n_intervals"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def kpi_panel(_bell: Any, _n: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, Any]:
    # the same numbers for every screen until a new doorbell, or for 20 s (overdue counts move with time); the
    # legend's 在办 comes from the same snapshot as the tile's. Rung by wall.js after a catch-up brought something
    # new (no callback writes that store, so the first tiles are asked for with the first ticker, not after it)
    rings = runtime.services().push_hub().rings
    k = await shared("kpis", rings, 20, kpis)
    return kpi_tiles(k, lang), pin_legend(k, lang)


@callback(Output(w.PANEL, "children"), Input(w.FALLBACK, "n_intervals"), Input(ids.LANG, "data"))
@auth.require_user(*ROLES)
async def department_panel(_n: Any, lang: str, *, user: StaffIdentity) -> list[Any]:
    rows = await shared("panel", 0, 30, lambda c: response_panel(c, days=PANEL_DAYS))
    return response_table(rows, lang, PANEL_DAYS)
