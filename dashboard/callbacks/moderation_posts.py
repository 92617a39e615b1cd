"""The review queues of /moderation: 最美贵阳 posts and report photos, listed by state (pending, approved,
hidden) with approve / hide buttons. A click writes through :mod:`ops.moderation` (logged in
``moderation_log``), clears this process's public cache so the public map shows the change at once, and bumps
the page's refresh counter. Every callback is guarded by ``require_user(*ROLES)``."""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, html
from dash.exceptions import PreventUpdate

from dashboard import clicks, runtime
from dashboard import ids as app_ids
from dashboard.api.public import clear_public_cache
from dashboard.auth import require_user
from dashboard.callbacks.moderation_frame import (
    ROLES,
    log,
    notice,
    when,
)
from dashboard.i18n import t
from dashboard.ids.moderation import (
    ACT_CLICK,
    NOTICE,
    PHOTO_ACT,
    PHOTO_LIST,
    PHOTO_STATE,
    POST_ACT,
    POST_LIST,
    POST_STATE,
    REASON,
    REFRESH,
)
from db.accounts import StaffIdentity
from db.errors import DomainError
from ops import moderation as m


def _actions(kind: str, target: int, state: str, lang: str) -> list[Any]:
    buttons = []
    if state != "approved":
        buttons.append(
            dmc.Button(
                t("mod.approve", lang),
                id={"type": kind, "id": target, "act": "approve"},
                color="teal",
                size="xs",
                n_clicks=0,
            )
        )
    if state != "hidden":
        buttons.append(
            dmc.Button(
                t("mod.hide", lang),
                id={"type": kind, "id": target, "act": "hide"},
                color="red",
                variant="light",
                size="xs",
                n_clicks=0,
            )
        )
    return buttons


@callback(
    Output(POST_LIST, "children"),
    Input(POST_STATE, "value"),
    Input(REFRESH, "data"),
    Input(app_ids.LANG, "data"),
)
@require_user(*ROLES)
async def posts(state: str, _: int, lang: str, *, user: StaffIdentity) -> Any:
    rows = await runtime.aread(lambda c: m.posts_for_review(c, state))
    if not rows:
        return html.P(t("mod.empty", lang), className="mod-empty")
    return [
        html.Div(
            className="mod-card",
            children=[
                html.Img(src=f"/media/staff/{r.photo_id}/thumb", alt=r.title, className="mod-thumb")
                if r.photo_id
                else html.Div(className="mod-thumb"),
                html.Div(
                    className="mod-card-body",
                    children=[
                        html.B(r.title),
                        html.P(r.body, className="mod-text"),
                        html.Div(
                            f"#{r.id} · {t('mod.submitted', lang, t=when(r.created_at))} · "
                            f"{r.lon:.5f}, {r.lat:.5f}",
                            className="mod-meta",
                        ),
                        dmc.Group(_actions(POST_ACT, r.id, r.state, lang), gap="xs"),
                    ],
                ),
            ],
        )
        for r in rows
    ]


@callback(
    Output(PHOTO_LIST, "children"),
    Input(PHOTO_STATE, "value"),
    Input(REFRESH, "data"),
    Input(app_ids.LANG, "data"),
)
@require_user(*ROLES)
async def photos(which: str, _: int, lang: str, *, user: StaffIdentity) -> Any:
    rows = await runtime.aread(lambda c: m.report_photos_for_review(c, which))
    if not rows:
        return html.P(t("mod.empty", lang), className="mod-empty")
    state = which if which in ("approved", "hidden") else "pending"
    return [
        html.Div(
            className="mod-card",
            children=[
                html.Img(src=f"/media/staff/{r.id}/thumb", alt="", className="mod-thumb"),
                html.Div(
                    className="mod-card-body",
                    children=[
                        html.B(
                            t(
                                "mod.case_photo",
                                lang,
                                ticket=r.ticket,
                                category=r.category_en if lang == "en" else r.category,
                            )
                        ),
                        html.Div(
                            f"#{r.id} · {t(f'wb.photo.{r.kind}', lang)} · {when(r.created_at)}",
                            className="mod-meta",
                        ),
                        dmc.Group(_actions(PHOTO_ACT, r.id, state, lang), gap="xs"),
                    ],
                ),
            ],
        )
        for r in rows
    ]


clicks.relay(ACT_CLICK, {"type": POST_ACT, "id": ALL, "act": ALL}, {"type": PHOTO_ACT, "id": ALL, "act": ALL})


@callback(
    Output(NOTICE, "children"),
    Output(REFRESH, "data"),
    Input(ACT_CLICK, "data"),
    State(REASON, "value"),
    State(REFRESH, "data"),
    State(app_ids.LANG, "data"),
    prevent_initial_call=True,
)
@require_user(*ROLES)
async def moderate(
    click: Any, reason: str | None, refresh: int, lang: str, *, user: StaffIdentity
) -> tuple[Any, int]:
    trig = clicks.clicked(click, POST_ACT, PHOTO_ACT)
    if trig is None or not isinstance(trig.get("id"), int):
        raise PreventUpdate
    target, act = int(trig["id"]), str(trig["act"])
    try:
        if trig["type"] == POST_ACT:
            state = "approved" if act == "approve" else "hidden"
            changed = await runtime.awrite(lambda c: m.set_post_state(c, user.id, target, state, reason))
        else:
            approved = act == "approve"
            changed = await runtime.awrite(lambda c: m.set_photo_public(c, user.id, target, approved, reason))
    except DomainError as exc:
        return notice(exc.message(lang), ok=False), refresh
    await clear_public_cache()
    log.info("%s: %s %s #%s", user.username, act, trig["type"], target)
    what = f"{t('mod.approve' if act == 'approve' else 'mod.hide', lang)} #{target}"
    return notice(t("mod.done", lang, what=what) if changed else t("mod.nochange", lang)), (refresh or 0) + 1
