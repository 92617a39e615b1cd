"""The paths that open one thing in the app, for every screen, export and message that names it: a case's card on
the workbench (``/workbench?case=GY…``) and an alert on /analysis (``/analysis?tab=alerts&alert=ID``). Messages sent
outside the browser prefix them with ``GUIYANG_BASE_URL``."""

from __future__ import annotations

from urllib.parse import quote


def case_path(ticket: str) -> str:
    return f"/workbench?case={quote(ticket, safe='')}"


def alert_path(alert_id: int) -> str:
    return f"/analysis?tab=alerts&alert={int(alert_id)}"
