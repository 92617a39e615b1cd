"""Clicks on a list's buttons (pattern-matching ids), relayed through a store in the browser.

Dash keeps only the newest call of a callback: a call asked for while an earlier one is on its way drops the
earlier one's answer. A list drawn anew (a re-read on a timer or a push, a language change) brings new buttons,
and Dash calls the callback on their clicks again for them, with no click in it. Had that call come while a real
click's answer was on its way, the click was done on the server and never told on the page (the alarm banner's
确认 during its 2-second re-read did exactly that).

:func:`relay` writes the store only for a real click (``gy.clicked`` in ``assets/gy.js``), so buttons drawn anew
set nothing off; the server callback takes the store as its input and :func:`clicked` reads the button's id."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, clientside_callback


def relay(store: str, *buttons: dict[str, Any]) -> None:
    """Write ``store`` with ``{"id": <the clicked button's id>, "at": <ms>}`` when one of ``buttons`` (pattern
    ids with ``ALL``) is clicked; never for buttons just drawn. ``store`` must be a ``dcc.Store`` on the page."""
    clientside_callback(
        ClientsideFunction(namespace="gy", function_name="clicked"),
        Output(store, "data"),
        *[Input(b, "n_clicks") for b in buttons],
        prevent_initial_call=True,
    )


def clicked(data: Any, *kinds: str) -> dict[str, Any] | None:
    """The id of the button whose click wrote ``data`` (the relay store's), if its pattern type is one of
    ``kinds``; None for anything else."""
    bid = data.get("id") if isinstance(data, dict) else None
    return bid if isinstance(bid, dict) and bid.get("type") in kinds else None


def clicked_id(data: Any, *kinds: str) -> int | None:
    """The ``id`` of the row whose button (of pattern type one of ``kinds``) was clicked, when it is an int."""
    button = clicked(data, *kinds)
    row = button.get("id") if button else None
    return row if isinstance(row, int) and not isinstance(row, bool) else None
