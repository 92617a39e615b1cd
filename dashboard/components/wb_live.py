"""The workbench's live updates (push): the stores the doorbell and the catch-up use and the connection
indicator (实时 / 重连中 / 离线), in one block the page adds once. ``assets/gy_push.js`` finds the indicator by its
``data-gy-push-bell`` attribute and opens the page's one EventSource with the workbench's feed (``data-gy-push-feed``;
the stores a merged delta moves are named beside it, :mod:`dashboard.feeds`); the callbacks are in
:mod:`dashboard.callbacks.wb_live`."""

from __future__ import annotations

from dash import dcc, html

from dashboard import runtime
from dashboard.i18n import t
from dashboard.ids import wb_live as lid
from db import snapshots

STATES = ("open", "connecting", "offline")


def _snapshot_now() -> str | None:
    """The database's snapshot as the page is drawn (:mod:`db.snapshots`), so that the page's first reads and its
    cursor start from the same moment; ``None`` without a database (then the first doorbell sets it)."""
    try:
        return runtime.services().read(snapshots.current)
    except Exception:  # noqa: BLE001 - no services or no database (a layout drawn outside the app)
        return None


def components() -> html.Div:
    texts = {
        lang: {f"{k}.{s}": t(f"wbp.conn.{k}.{s}" if k == "title" else f"wbp.conn.{s}", lang) for s in STATES
               for k in ("label", "title")}
        for lang in ("zh", "en")
    }  # fmt: skip
    return html.Div(
        className="wbp-live",
        children=[
            dcc.Store(id=lid.DOORBELL),
            dcc.Store(id=lid.CURSOR, data=_snapshot_now()),
            dcc.Store(id=lid.CHANGED, data={"n": 0, "cases": [], "others": [], "full": False}),
            dcc.Store(id=lid.SETTLED),
            dcc.Store(id=lid.SLOW, data={"n": 0, "at": 0}),
            dcc.Store(id=lid.STATE, data="connecting"),
            dcc.Store(id=lid.I18N, data=texts),
            html.Span(
                t("wbp.conn.connecting"),
                id=lid.CONN,
                className="wbp-conn wbp-conn-connecting",
                role="status",
                title=t("wbp.conn.title.connecting"),
                **{
                    "data-gy-push-bell": lid.DOORBELL,
                    "data-gy-push-state": lid.STATE,  # type: ignore[arg-type]
                    "data-gy-push-feed": "workbench",
                    "data-gy-push-cursor": lid.CURSOR,
                    "data-gy-push-changed": lid.CHANGED,
                    "data-gy-push-slow": lid.SLOW,
                },  # fmt: skip
            ),
        ],
    )
