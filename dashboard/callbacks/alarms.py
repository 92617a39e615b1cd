"""The alarm banner's callbacks (wall and workbench): read the open alarms the signed-in user is concerned with
(:func:`ops.alarms.open_alarms`: the center all, an officer their district, department staff their department) on
a pushed ``alarm`` event (``assets/alarms.js`` writes the bell store from the page's "gy-push" events), on the
safety-net interval, after an acknowledgement and on a language change; and acknowledge one (shift leads and
admins: :func:`ops.alarms.acknowledge` refuses anyone else, and a second acknowledgement, with a clear message).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, html
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.components import alarms as ui
from dashboard.i18n import t
from dashboard.ids import alarms as ai
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError
from geo.crs import TZ
from ops.alarms import AlarmView, acknowledge, acknowledged, may_acknowledge, open_alarms, open_counts
from ops.policy import Screen, roles_for

log = logging.getLogger("guiyang_ops.alarms")
ROLES = roles_for(Screen.ALARMS)
#: open alarms one screen reads (the banner lists the first few; with this many or more it counts them all)
READ_LIMIT = 50
HISTORY_LIMIT = 8


@callback(
    Output(ai.LIST, "children"),
    Output(ai.COUNT, "children"),
    Output(ai.DATA, "data"),
    Output(ai.HISTORY, "children"),
    Output(ai.ROOT, "className"),
    Input(ai.BELL, "data"),
    Input(ai.POLL, "n_intervals"),
    Input(ai.REFRESH, "data"),
    Input(ids.LANG, "data"),
    State(ai.WHERE, "data"),
)
@auth.require_user(*ROLES)
async def read_alarms(
    _bell: Any, _n: Any, _refresh: Any, lang: str, where: Any, *, user: StaffIdentity
) -> tuple[Any, ...]:
    lead = may_acknowledge(user)

    def work(c: Any) -> tuple[list[AlarmView], dict[str, int], list[AlarmView]]:
        rows = open_alarms(c, user, limit=READ_LIMIT)
        counts = open_counts(c, user) if len(rows) >= READ_LIMIT else {}
        done = acknowledged(c, user, limit=HISTORY_LIMIT) if lead else []
        return rows, counts or _by_kind(rows), done

    # each screen reads its own: alarms are rare and the read small; a read shared by the alarm doorbell's
    # counter left a shift lead's banner without a new alarm
    rows, counts, done = await runtime.aread(work)
    now = datetime.now(TZ)
    place = (where or {}).get("where") if isinstance(where, dict) else None
    classes = ["alm-root", f"alm-{place or 'page'}"]
    if lead:
        classes.append("alm-lead")
    if rows:
        classes.append("alm-ringing")
    return (
        ui.items(rows, now, lang, can_ack=lead, limit=ui.shown(place), total=sum(counts.values())),
        ui.count_line(counts, lang),
        ui.browser_data(rows, lang),
        ui.history(done, lang) if lead else [],
        " ".join(classes),
    )


def _by_kind(rows: list[AlarmView]) -> dict[str, int]:
    return dict(Counter(a.kind for a in rows))


clicks.relay(ai.CLICK, {"type": ai.ACK, "id": ALL})


@callback(
    Output(ai.NOTICE, "children"),
    Output(ai.REFRESH, "data"),
    Output(ai.NOTE, "value"),
    Input(ai.CLICK, "data"),
    State(ai.NOTE, "value"),
    State(ai.REFRESH, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def on_acknowledge(
    click: Any, note: Any, refresh: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    alarm_id = clicks.clicked_id(click, ai.ACK)
    if alarm_id is None:
        raise PreventUpdate
    bump = (refresh if isinstance(refresh, int) else 0) + 1
    text = note if isinstance(note, str) else None

    def work(c: Any) -> AlarmView:
        return acknowledge(c, user, alarm_id, now=datetime.now(TZ), note=text)

    try:
        done = await runtime.awrite(work)
    except DomainError as exc:
        log.info("alarm %s: acknowledgement by %s refused: %s", alarm_id, user.username, exc.en)
        return _notice(t("alm.err", lang, id=alarm_id, message=exc.message(lang)), False), bump, nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"alarm {alarm_id}: acknowledgement by {user.username} failed", exc)
        return _notice(t("alm.err.db", lang), False), nothing, nothing
    log.info("alarm %s acknowledged by %s", alarm_id, user.username)
    return _notice(t("alm.acked", lang, id=alarm_id, what=ui.what(done, lang)), True), bump, ""


def _notice(text: str, ok: bool) -> Any:
    return html.Span(text, className="alm-ok" if ok else "alm-err")


@callback(
    Output(ai.ENABLE, "children"),
    Output(ai.ENABLE, "title"),
    Output(ai.NOTE, "placeholder"),
    Output(ai.HISTORY_TITLE, "children"),
    Input(ids.LANG, "data"),
)
def relabel(lang: str) -> tuple[str, str, str, str]:
    """The banner's own words in the page's language (the alarms themselves come with each read)."""
    return t("alm.enable", lang), t("alm.enable.title", lang), t("alm.note", lang), t("alm.history", lang)


# the chime and the notifications follow the open alarms (assets/alarms.js)
clientside_callback(
    ClientsideFunction(namespace="alarms", function_name="update"),
    Output(ai.SOUND, "data"),
    Input(ai.DATA, "data"),
    State(ai.WHERE, "data"),
)
