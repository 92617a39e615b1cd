"""What staff do to an alert from a screen: acknowledge (确认), dismiss (排除, a reason required), escalate (上报督办).
Turning an alert into a campaign (转专项整治) is the campaigns' own step: it creates the campaign and moves the
alert with :func:`ops.analysis.alert_states.transition` (``campaign_id=``) in the same transaction.

Every refusal is a :class:`db.errors.DomainError` with its message in zh and en, raised before anything is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from db.accounts import StaffIdentity
from db.errors import ValidationError
from ops.analysis.alert_states import transition
from ops.policy import Screen, reach

#: the screen's actions and the state each one moves an alert to
ACTIONS = {"ack": "acknowledged", "dismiss": "dismissed", "escalate": "escalated"}


def act(
    conn: Connection,
    user: StaffIdentity,
    alert_id: int,
    action: str,
    *,
    version: int,
    now: datetime,
    note: str | None = None,
) -> int:
    """Apply ``action`` (``ack``, ``dismiss``, ``escalate``) to alert ``alert_id`` at ``version``; returns the new
    version. Dismissing needs a reason; the state machine checks who may act, the move and the version."""
    if action not in ACTIONS:
        raise ValidationError("未知的操作。", "Unknown action.", detail=action)
    if action == "dismiss" and not (note or "").strip():
        raise ValidationError("排除预警须填写原因。", "Say why the alert is dismissed.", field="note")
    return transition(conn, user, alert_id, ACTIONS[action], version=version, now=now, note=note)


def may_start_campaign(user: StaffIdentity) -> bool:
    """Who may turn an alert into a campaign: whoever may define campaigns (the shift lead, the admin)."""
    return reach(user.role, Screen.CAMPAIGN) is not None
