"""专项整治 campaigns: create, edit and end one, each validated first and written with its history row in one
transaction (a savepoint of the caller's: a refusal leaves the database as it was).

Only the roles of ``Screen.CAMPAIGN`` (shift lead, admin) may. A campaign needs a name (1–80 characters), at least
one existing category (大类 or 小类), a start and a later end date, and an area: the union of chosen districts
(``source = "districts"``) or a polygon (drawn on the map, or taken from a hot spot, a place or an alert) that lies
inside the city's serviced districts (it is clipped to them; more than 10 % outside is refused as a mistake).
Creating a campaign from an alert also moves the alert to ``campaign`` (:func:`ops.analysis.alert_states.transition`)
in the same transaction. Refusals are :class:`~db.errors.DomainError` with a message in zh and en and the form
field they are about.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffIdentity
from db.errors import DomainError, Forbidden, InvalidTransition, NotFound
from geo.crs import TZ
from ops.analysis import alert_states
from ops.analysis.campaign_checks import NOTE_MAX, CampaignDraft, _bad, parse_date, validate
from ops.policy import Screen, reach

__all__ = ["CampaignDraft", "StaleCampaign", "create", "edit", "end", "may_manage", "parse_date", "validate"]


class StaleCampaign(DomainError):
    status = 409
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            "该专项整治已被他人修改，请刷新后重试。",
            "Someone else changed this campaign; refresh and try again.",
        )


def may_manage(user: StaffIdentity) -> bool:
    return reach(user.role, Screen.CAMPAIGN) is not None


def _require(user: StaffIdentity) -> None:
    if not may_manage(user):
        raise Forbidden(
            "只有值班长和管理员可以设立或修改专项整治。",
            "Only shift leads and administrators may define or change campaigns.",
            detail=f"user={user.id} role={user.role}",
        )


_INSERT = text(
    """
    INSERT INTO campaign (name, note, categories, area, district_codes, starts_on, ends_on, source, alert_id,
                          created_by, created_at, updated_at)
    VALUES (:name, :note, :categories, ST_GeomFromEWKB(decode(:wkb, 'hex')), :districts, :starts_on, :ends_on,
            :source, :alert_id, :actor, :now, :now)
    RETURNING id
    """
)
_EVENT = text(
    "INSERT INTO campaign_event (campaign_id, at, kind, actor_id, changes)"
    " VALUES (:campaign_id, :at, :kind, :actor, CAST(:changes AS jsonb))"
)
_GET = text(
    """
    SELECT id, name, note, categories, district_codes, starts_on, ends_on, source, ended_at, version,
           ST_AsHEXEWKB(area) AS wkb, ST_Area(ST_Transform(area, 32648)) / 1e6 AS km2
      FROM campaign WHERE id = :id
    """
)


def _event(
    conn: Connection, campaign_id: int, kind: str, user: StaffIdentity, now: datetime, ch: Any
) -> None:
    conn.execute(
        _EVENT,
        {
            "campaign_id": campaign_id,
            "at": now,
            "kind": kind,
            "actor": user.id,
            "changes": json.dumps(ch, ensure_ascii=False),
        },
    )


def create(
    conn: Connection,
    user: StaffIdentity,
    draft: CampaignDraft,
    *,
    now: datetime,
    alert_version: int | None = None,
) -> int:
    """Define a campaign as ``user``; returns its id. From an alert (``draft.alert_id``, at ``alert_version``,
    or its current version when the caller read none) the alert moves to ``campaign`` in the same transaction."""
    _require(user)
    ok = validate(conn, draft, today=now.astimezone(TZ).date())
    if ok.alert_id is not None and alert_version is None:
        alert_version = conn.execute(
            text("SELECT version FROM analysis_alert WHERE id = :a"), {"a": ok.alert_id}
        ).scalar_one_or_none()
        if alert_version is None:
            raise NotFound("预警不存在。", "No such alert.", detail=str(ok.alert_id))
    with conn.begin_nested():
        cid = int(
            conn.execute(
                _INSERT,
                {
                    "name": ok.name,
                    "note": ok.note,
                    "categories": ok.categories,
                    "wkb": ok.area_wkb,
                    "districts": ok.district_codes,
                    "starts_on": ok.starts_on,
                    "ends_on": ok.ends_on,
                    "source": ok.source,
                    "alert_id": ok.alert_id,
                    "actor": user.id,
                    "now": now,
                },
            ).scalar_one()
        )
        _event(conn, cid, "created", user, now, {**ok.summary(), "alert_id": ok.alert_id})
        if ok.alert_id is not None and alert_version is not None:
            alert_states.transition(
                conn, user, ok.alert_id, "campaign", version=alert_version, now=now, campaign_id=cid
            )
    return cid


def _current(conn: Connection, campaign_id: int) -> Any:
    row = conn.execute(_GET, {"id": campaign_id}).one_or_none()
    if row is None:
        raise NotFound("专项整治不存在。", "No such campaign.", detail=str(campaign_id))
    if row.ended_at is not None:
        raise InvalidTransition(
            "该专项整治已结束，不能再修改。", "This campaign has ended; it cannot change."
        )
    return row


_UPDATE = text(
    """
    UPDATE campaign SET name = :name, note = :note, categories = :categories,
           area = ST_GeomFromEWKB(decode(:wkb, 'hex')), district_codes = :districts, starts_on = :starts_on,
           ends_on = :ends_on, source = :source, updated_at = :now, version = version + 1
     WHERE id = :id AND version = :version AND ended_at IS NULL
    """
)


def edit(
    conn: Connection,
    user: StaffIdentity,
    campaign_id: int,
    draft: CampaignDraft,
    *,
    version: int,
    now: datetime,
) -> int:
    """Change a running or planned campaign (compare-and-set on ``version``); returns the new version. The
    history row names each field that changed, old and new."""
    _require(user)
    row = _current(conn, campaign_id)
    ok = validate(conn, draft, today=now.astimezone(TZ).date())
    old = {
        "name": row.name,
        "note": row.note,
        "categories": sorted(row.categories),
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "source": row.source,
        "district_codes": sorted(row.district_codes),
        "area_km2": round(float(row.km2), 3),
    }
    new = ok.summary()
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    if row.wkb != ok.area_wkb and "area_km2" not in changes:
        changes["area"] = ["changed", "changed"]
    if not changes:
        raise _bad("没有任何修改。", "Nothing was changed.", "name")
    with conn.begin_nested():
        done = conn.execute(
            _UPDATE,
            {
                "name": ok.name,
                "note": ok.note,
                "categories": ok.categories,
                "wkb": ok.area_wkb,
                "districts": ok.district_codes,
                "starts_on": ok.starts_on,
                "ends_on": ok.ends_on,
                "source": ok.source,
                "now": now,
                "id": campaign_id,
                "version": version,
            },
        ).rowcount
        if done != 1:
            raise StaleCampaign()
        _event(conn, campaign_id, "edited", user, now, changes)
    return version + 1


_END = text(
    """
    UPDATE campaign SET ended_at = :now, ends_on = :ends_on, updated_at = :now, version = version + 1
     WHERE id = :id AND version = :version AND ended_at IS NULL
    """
)


def end(
    conn: Connection,
    user: StaffIdentity,
    campaign_id: int,
    *,
    version: int,
    now: datetime,
    note: str | None = None,
) -> int:
    """End a campaign today (its end date becomes today, or the day after its start when ended on its first day);
    returns the new version."""
    _require(user)
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise _bad(f"说明最多 {NOTE_MAX} 字。", f"The note is at most {NOTE_MAX} characters.", "note")
    row = _current(conn, campaign_id)
    today = now.astimezone(TZ).date()
    ends_on = max(row.starts_on + timedelta(days=1), min(row.ends_on, today))
    with conn.begin_nested():
        done = conn.execute(
            _END, {"now": now, "ends_on": ends_on, "id": campaign_id, "version": version}
        ).rowcount
        if done != 1:
            raise StaleCampaign()
        changes = {"ends_on": [row.ends_on.isoformat(), ends_on.isoformat()], "note": note}
        _event(conn, campaign_id, "ended", user, now, changes)
    return version + 1
