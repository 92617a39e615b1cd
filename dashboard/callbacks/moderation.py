"""Callbacks of /moderation: approve or hide 最美贵阳 posts and report photos; add, move, edit and retire service
points. Every callback is guarded by ``require_user('moderator', 'admin', 'lead')``; writes go through
:mod:`ops.moderation` (each change logged in ``moderation_log``) and then clear the public cache of this process,
so the public map shows the change at once. Component IDs are in :mod:`dashboard.ids.moderation`.

This module holds the change-log tab; the page imports it and the others, which registers every callback once:

- :mod:`.moderation_frame` the roles and render helpers the tabs share, the sign-in gate and the texts in the
  chosen language;
- :mod:`.moderation_posts` the review queues of posts and report photos;
- :mod:`.moderation_service_points` the service-point map and form.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback, html

from dashboard import ids as app_ids
from dashboard import runtime
from dashboard.auth import require_user
from dashboard.callbacks.moderation_frame import ROLES, when
from dashboard.i18n import t
from dashboard.ids.moderation import LOG_TABLE, REFRESH
from db.accounts import StaffIdentity
from ops import moderation as m


@callback(Output(LOG_TABLE, "children"), Input(REFRESH, "data"), Input(app_ids.LANG, "data"))
@require_user(*ROLES)
async def change_log(_: int, lang: str, *, user: StaffIdentity) -> Any:
    rows = await runtime.aread(m.recent_log)
    head = html.Tr([html.Th(t(f"mod.log.{k}", lang)) for k in ("at", "actor", "action", "target", "reason")])
    body = [
        html.Tr(
            [
                html.Td(when(r.at)),
                html.Td(t("mod.citizen", lang) if r.actor == "citizen" else r.actor),
                html.Td(t(f"mod.action.{r.action}", lang)),
                html.Td(f"{t(f'mod.target.{r.target_kind}', lang)} #{r.target_id}"),
                html.Td(r.reason or ""),
            ]
        )
        for r in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="mod-log-table")
