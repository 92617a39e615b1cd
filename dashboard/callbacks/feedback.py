"""/feedback: the sign-in gate (anonymous → sign in; a role without the policy row sees nothing of the inbox, and the
app's gate, :mod:`dashboard.access`, says 无权访问 and where to go), the
list (filters, search, counts, unhandled first) and the actions (answer, answer and mark handled, mark handled),
each in one transaction through :mod:`ops.citizen.feedback`."""

from __future__ import annotations

import logging
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback
from dash import no_update as nothing
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import auth, clicks, ids, runtime
from dashboard.components.feedback_inbox import FILTERS, empty, item
from dashboard.i18n import t
from dashboard.ids import feedback as fid
from dashboard.unavailable import log_failure
from db.accounts import StaffIdentity
from db.errors import DomainError
from ops.citizen import feedback as fb
from ops.policy import Screen, reach, roles_for, sees_contact

log = logging.getLogger("guiyang_ops.feedback")
ROLES = roles_for(Screen.FEEDBACK)
LOGIN_URL = "/login?next=/feedback"


@callback(
    Output(fid.REDIRECT, "href"),
    Output(fid.BODY, "hidden"),
    Output(fid.TITLE, "children"),
    Output(fid.SEARCH, "label"),
    Input(fid.PAGE, "id"),
    Input(ids.LANG, "data"),
)
async def gate(_: str, lang: str) -> tuple[Any, ...]:
    user = await auth.acurrent_user()
    if user is None:
        return LOGIN_URL, True, t("fb.title", lang), t("fb.search", lang)
    hidden = reach(user.role, Screen.FEEDBACK) is None
    return None, hidden, t("fb.title", lang), t("fb.search", lang)


@callback(
    Output(fid.LIST, "children"),
    Output(fid.COUNTS, "children"),
    Output(fid.FILTER, "data"),
    Input(fid.FILTER, "value"),
    Input(fid.SEARCH, "value"),
    Input(fid.REFRESH, "data"),
    Input(ids.LANG, "data"),
)
@auth.require_user(*ROLES)
async def inbox(
    shown: str | None, query: str | None, _refresh: Any, lang: str, *, user: StaffIdentity
) -> tuple[Any, ...]:
    which = shown if shown in FILTERS else "open"
    handled = {"open": False, "handled": True}.get(which)
    search = query.strip()[:100] if isinstance(query, str) and query.strip() else None

    def read(c: Any) -> tuple[list[fb.FeedbackRow], fb.FeedbackCounts]:
        return fb.list_feedback(c, handled=handled, query=search), fb.feedback_counts(c)

    rows, counts = await runtime.aread(read)
    unmasked = sees_contact(user.role)
    items: list[Any] = [item(r, lang, unmasked=unmasked) for r in rows] or [empty(which, lang)]
    n = {"open": counts.unhandled, "handled": counts.handled, "all": counts.total}
    data = [{"value": f, "label": t(f"fb.filter.{f}", lang, n=n[f])} for f in FILTERS]
    text = t("fb.counts", lang, open=counts.unhandled, handled=counts.handled, answered=counts.answered)
    return items, text, data


clicks.relay(
    fid.CLICK,
    {"type": fid.SEND, "id": ALL},
    {"type": fid.SEND_CLOSE, "id": ALL},
    {"type": fid.MARK, "id": ALL},
)


@callback(
    Output(fid.NOTICE, "children"),
    Output(fid.REFRESH, "data"),
    Input(fid.CLICK, "data"),
    State({"type": fid.ANSWER, "id": ALL}, "value"),
    State({"type": fid.ANSWER, "id": ALL}, "id"),
    State(fid.REFRESH, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
@auth.require_user(*ROLES)
async def act(
    click: Any,
    answers: list[Any],
    answer_ids: list[dict[str, Any]],
    refresh: Any,
    lang: str,
    *,
    user: StaffIdentity,
) -> tuple[Any, Any]:
    item_id = clicks.clicked_id(click, fid.SEND, fid.SEND_CLOSE, fid.MARK)
    if item_id is None:
        raise PreventUpdate
    kind = str(click["id"]["type"])
    typed = next((v for i, v in zip(answer_ids, answers, strict=False) if i.get("id") == item_id), None)
    n = (refresh if isinstance(refresh, int) else 0) + 1

    def work(c: Any) -> str:
        if kind == fid.MARK:
            fb.mark_handled(c, item_id, user.id)
            return t("fb.ok.handled", lang, id=item_id)
        fb.answer_feedback(
            c, item_id, user.id, typed if isinstance(typed, str) else "", handled=kind == fid.SEND_CLOSE
        )
        return t("fb.ok.answer", lang, id=item_id) + (
            " " + t("fb.ok.handled", lang, id=item_id) if kind == fid.SEND_CLOSE else ""
        )

    try:
        text = await runtime.awrite(work)
    except DomainError as exc:
        log.info("feedback %s: %s by %s refused: %s", item_id, kind, user.username, exc.en)
        message = t("fb.err", lang, id=item_id, message=exc.message(lang))
        return dmc.Alert(message, color="red", variant="light"), nothing
    except SQLAlchemyError as exc:
        log_failure(log, f"feedback {item_id}: {kind} by {user.username} failed", exc)
        return dmc.Alert(t("fb.err.db", lang), color="red", variant="light"), nothing
    log.info("feedback %s: %s by %s", item_id, kind, user.username)
    return dmc.Alert(text, color="teal", variant="light"), n
