"""The wall's 预警: the panel of live alerts (newest first) and their areas and markers on the wall map, for the
signed-in user's :class:`~ops.analysis.scope.AnalysisScope` (an officer sees only their district's alerts,
department staff only their categories, someone without analysis rights none).

Refreshed by the alerts doorbell (``assets/wall.js`` writes ``ana-wall-bell`` when the event stream says
``alerts``), by the wall's fallback timer and by a language change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import Input, Output, callback

from dashboard import auth, ids, runtime
from dashboard.callbacks.analysis import user_scope
from dashboard.components.an_alertui import areas, points, wall_panel
from dashboard.ids import an_alertui as aa
from dashboard.ids import wall as w
from db.accounts import StaffIdentity
from geo.crs import TZ
from ops.analysis.alert_reads import list_alerts
from ops.policy import Screen, roles_for

ROLES = roles_for(Screen.WALL)
#: live alerts one wall reads (panel and map)
WALL_LIMIT = 50


@callback(
    Output(aa.WALL_PANEL, "children"),
    Output(aa.WALL_AREAS, "data"),
    Output(aa.WALL_POINTS, "data"),
    Input(aa.WALL_BELL, "data"),
    Input(w.FALLBACK, "n_intervals"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def wall_alerts(_bell: Any, _n: Any, lang: str, *, user: StaffIdentity) -> tuple[Any, ...]:
    scope = await user_scope(user)
    app = runtime.services()
    # one read per alerts doorbell and scope, shared by every wall of the process (dashboard.delta_cache)
    rows = await app.caches.deltas.get(
        ("alerts", scope),
        app.push_hub().alerts,
        lambda: runtime.aview(lambda c: list_alerts(c, scope, state="live", limit=WALL_LIMIT)),
    )
    return wall_panel(rows, datetime.now(TZ), lang), areas(rows), points(rows, lang)
