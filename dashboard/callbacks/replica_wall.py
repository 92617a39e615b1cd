"""The wall's discreet read-replica indicator: 副本延迟 N s when the replica is noticeably behind, 读主库 when
the views fell back to the primary; nothing otherwise (or without a replica)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from dashboard import auth, ids, runtime
from dashboard.i18n import t
from dashboard.ids import replica as rep
from db.accounts import StaffIdentity
from ops.policy import Screen, roles_for

ROLES = roles_for(Screen.WALL)
#: a lag shown from this many seconds (less is not worth a glance on a wall)
SHOW_LAG_S = 2.0


def indicator(state: dict[str, Any], lang: str) -> tuple[str, str, str]:
    """(text, CSS class, tooltip) of a read state (``Services.read_state``)."""
    if state.get("state") == "primary":
        reason = str(state.get("reason", ""))
        return (
            t("rep.primary", lang),
            "wall-replica wall-replica-primary",
            t("rep.primary.title", lang, reason=reason),
        )
    lag = state.get("lag_seconds")
    if state.get("state") == "replica" and isinstance(lag, int | float) and lag >= SHOW_LAG_S:
        s = f"{lag:.0f}"
        return (
            t("rep.lag", lang, seconds=s),
            "wall-replica wall-replica-lag",
            t("rep.lag.title", lang, seconds=s),
        )
    return "", "wall-replica", ""


@callback(
    Output(rep.LAG, "children"),
    Output(rep.LAG, "className"),
    Output(rep.LAG, "title"),
    Input(rep.TICK, "n_intervals"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def replica_indicator(_n: Any, lang: str, *, user: StaffIdentity) -> tuple[str, str, str]:
    return indicator(await runtime.aread_state(), lang)
