"""The workbench case card's hot-spot line: whether the case's 100 m cell is in a hot spot of the last 30 days,
for its 小类 and for all categories (the user's analysis scope), from results kept a few minutes
(:mod:`dashboard.hotspot_cache`); filled after the card is drawn, so the card never waits for it."""

from __future__ import annotations

import logging
from typing import Any

from dash import MATCH, Input, Output, State, callback
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, ids
from dashboard.callbacks.analysis import user_scope
from dashboard.callbacks.workbench import ROLES
from dashboard.components.an_hot import card_hot
from dashboard.hotspot_cache import case_hot
from dashboard.ids import an_hot as hid
from db.accounts import StaffIdentity

log = logging.getLogger(__name__)


@callback(
    Output({"type": hid.CARD_HOT, "case": MATCH}, "children"),
    Input({"type": hid.CARD_HOT, "case": MATCH}, "id"),
    State(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def card_hot_line(cid: Any, lang: str, *, user: StaffIdentity) -> list[Any]:
    case = cid.get("case") if isinstance(cid, dict) else None
    if isinstance(case, bool) or not isinstance(case, int):
        return []
    scope = await user_scope(user)
    if scope.empty:
        return []
    try:
        hot = await case_hot(scope, case)
    except SQLAlchemyError:
        log.exception("hot-spot line of case %s failed", case)
        return []
    if hot is None:
        return []
    return card_hot(hot.minor, hot.everything, scope.categories is not None, lang)
