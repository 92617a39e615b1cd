"""Case replay (案件回放) on the workbench: the panel, its map layer, and the wire format of a replay.

Layout and formatting only (data in, components and plain dicts out); callbacks in
:mod:`dashboard.callbacks.replay`, playback in ``assets/replay.js``."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.components.wall_panels import data_attrs
from dashboard.i18n import t
from dashboard.ids import replay as rp
from db.queries.grid_levels import EMPTY
from ops.replay import Replay
from ops.states import ACTION_LABELS, LABELS, Action, CaseStatus

ns = Namespace("gyReplay", "map")
SPEEDS = (1, 4, 16)


def layer() -> dl.GeoJSON:
    """The replay's markers (one per case, shown from its first event, coloured by its status as events pass)."""
    return dl.GeoJSON(id=rp.LAYER, data=EMPTY, pointToLayer=ns("point"))


def open_button() -> html.Button:
    return html.Button(t("replay.open"), id=rp.OPEN, className="rp-open", n_clicks=0, type="button")


def panel() -> html.Div:
    xs: dict[str, Any] = {"size": "xs"}
    return html.Div(
        id=rp.PANEL,
        className="rp-panel",
        hidden=True,
        children=[
            html.Div(t("replay.title"), className="rp-title", id=rp.PANEL_TITLE),
            html.Div(
                className="rp-pick",
                children=[
                    dmc.SegmentedControl(id=rp.MODE, value="case", data=[], **xs),
                    dmc.TextInput(id=rp.CASE, w=170, **xs),
                    dmc.Select(id=rp.DISTRICT, data=[], w=130, comboboxProps={"zIndex": 2000}, **xs),
                    dcc.DatePickerSingle(id=rp.DATE, display_format="YYYY-MM-DD", className="rp-date"),
                    dmc.Button(t("replay.load"), id=rp.LOAD, n_clicks=0, **xs),
                ],
            ),
            html.Div(id=rp.MSG, className="rp-msg", role="status"),
            html.Div(
                id=rp.CONTROLS,
                className="rp-controls",
                hidden=True,
                children=[
                    html.Button(t("replay.play"), id=rp.PLAY, className="rp-play", type="button"),
                    html.Div(
                        id=rp.SPEEDS,
                        className="rp-speeds",
                        children=[
                            html.Button(
                                f"{s}×",
                                className="rp-speed" + (" is-on" if s == 1 else ""),
                                type="button",
                                **data_attrs(speed=str(s)),
                            )
                            for s in SPEEDS
                        ],
                    ),
                    html.Div(id=rp.SCRUB, className="rp-scrub"),
                    html.Span(id=rp.CLOCK, className="rp-clock"),
                ],
            ),
            html.Div(id=rp.LABEL, className="rp-label", **data_attrs(frame="-1")),
            html.Div(id=rp.LEGEND, className="rp-legend"),
            dcc.Store(id=rp.DATA),
            dcc.Store(id=rp.READY),
        ],
    )


def _label(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def wire(replay: Replay, lang: str, *, day: bool) -> dict[str, Any]:
    """What ``assets/replay.js`` plays: frames (playback time, clock, case, action, actor, status), the cases as
    GeoJSON points, the bounds to show, and the texts of the controls."""
    frames = []
    for f in replay.frames:
        e = f.event
        role = t(f"wb.role.{e.actor_role}", lang)
        who = (
            role
            if not e.actor_name
            else (e.actor_name if role in e.actor_name else f"{e.actor_name} ({role})")
        )
        frames.append(
            {
                "t": f.t,
                "at": e.at.strftime("%H:%M:%S" if day else "%Y-%m-%d %H:%M"),
                "c": e.case_id,
                "tk": e.ticket,
                "a": _label(ACTION_LABELS[Action(e.action)], lang),
                "s": e.to_status,
                "sl": _label(LABELS[CaseStatus(e.to_status)], lang),
                "who": who,
            }
        )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": cid, "tk": tk},
        }
        for cid, (lon, lat, tk) in replay.cases.items()
    ]
    lons = [c[0] for c in replay.cases.values()] or [0.0]
    lats = [c[1] for c in replay.cases.values()] or [0.0]
    return {
        "frames": frames,
        "duration": replay.duration,
        "cases": {"type": "FeatureCollection", "features": features},
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
        "texts": {
            "play": t("replay.play", lang),
            "pause": t("replay.pause", lang),
            "by": t("replay.by", lang),
            "step": t("replay.step", lang, k="{k}", n="{n}"),
            "statuses": {st.value: _label(LABELS[st], lang) for st in CaseStatus},
        },
    }
