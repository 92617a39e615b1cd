"""Subscriptions as data: add (everything validated before the one INSERT), list (channels masked), pause and
resume, remove (the channel emptied: a token or a citizen's address is not kept once unused), each recorded in
the audit log (kind ``subscription``; never the channel, never a citizen's personal data). The /subscriptions
page and the Open311 extension both call these, for their owner only: another owner's subscription is "not
found", the same answer as one that does not exist."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from db.models.subscriptions import SUBSCRIPTION_EVENTS
from ops.audit import record
from ops.subscriptions import channels
from ops.subscriptions.areas import AreaInput, check_area

log = logging.getLogger("guiyang_ops.subscriptions")

AUDIT_KIND = "subscription"
LABEL_MAX = 80
MAX_CATEGORIES = 60
#: live subscriptions one owner may hold (each is a query's worth of matching per case event in its area)
MAX_PER_OWNER = 20


@dataclass(frozen=True, slots=True)
class Owner:
    """A staff user (``staff_user_id``) or a registered citizen (``person_id``); ``name`` is for the audit log
    (the staff user's name; for a citizen the person's pseudonym)."""

    staff_user_id: int | None = None
    person_id: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.staff_user_id is None) == (self.person_id is None):
            raise ValueError("an owner is a staff user or a citizen")

    @property
    def column(self) -> str:
        return "staff_user_id" if self.staff_user_id is not None else "person_id"

    @property
    def id(self) -> int:
        return int(self.staff_user_id if self.staff_user_id is not None else self.person_id)  # type: ignore[arg-type]


def citizen_owner(conn: Connection, person_id: int) -> Owner:
    """The registered citizen ``person_id`` as an owner (named by pseudonym in the audit log)."""
    pseudonym = conn.execute(text("SELECT pseudonym FROM person WHERE id = :i"), {"i": person_id}).scalar()
    return Owner(person_id=person_id, name=str(pseudonym) if pseudonym else None)


@dataclass(frozen=True, slots=True)
class Draft:
    area: AreaInput
    channel: str | None
    channel_kind: str = "url"  # "url" (an apprise URL), "webhook" (a citizen's https URL), "email"
    categories: tuple[str, ...] = ()  # empty: every category
    events: tuple[str, ...] = SUBSCRIPTION_EVENTS
    lang: str = "zh"
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    label: str | None
    categories: tuple[str, ...] | None
    events: tuple[str, ...]
    channel_kind: str
    channel: str  # masked
    lang: str
    active: bool
    created_at: datetime
    area: dict[str, Any]  # GeoJSON geometry (MultiPolygon)
    center: tuple[float, float] | None  # (lon, lat) of a circle
    radius_m: int | None


def _events(events: Iterable[str]) -> list[str]:
    given = {str(e).strip() for e in events if str(e).strip()}
    unknown = sorted(given - set(SUBSCRIPTION_EVENTS))
    if unknown or not given:
        raise ValidationError(
            f"事件应为 new（新上报）和/或 closed（结案）{'：不认识 ' + ', '.join(unknown) if unknown else ''}。",
            f"events must be new and/or closed{': unknown ' + ', '.join(unknown) if unknown else ''}.",
            field="events",
        )
    return [e for e in SUBSCRIPTION_EVENTS if e in given]


def _categories(conn: Connection, codes: Iterable[str]) -> list[str] | None:
    wanted = sorted({str(c).strip() for c in codes if str(c).strip()})
    if not wanted:
        return None
    if len(wanted) > MAX_CATEGORIES:
        raise ValidationError(
            f"最多选择 {MAX_CATEGORIES} 个类别。", f"At most {MAX_CATEGORIES} categories.", field="categories"
        )
    known = set(
        conn.execute(
            text("SELECT code FROM category WHERE code = ANY(CAST(:c AS varchar[])) AND active"),
            {"c": wanted},
        ).scalars()
    )
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValidationError(
            f"没有这些类别：{', '.join(unknown)}。",
            f"Unknown categories: {', '.join(unknown)}.",
            field="categories",
        )
    return wanted


def _channel(draft: Draft, *, mail_ready: bool, allow_local: bool) -> tuple[str, str]:
    if draft.channel_kind == "email":
        return "email", channels.check_email(draft.channel, mail_ready=mail_ready)
    if draft.channel_kind == "webhook":
        return "url", channels.webhook_to_apprise(draft.channel, allow_local=allow_local)
    if draft.channel_kind == "url":
        return "url", channels.check_staff_url(draft.channel)
    raise ValidationError("未知的通知方式。", "Unknown delivery kind.", field="channel")


_INSERT = text(
    """
    INSERT INTO subscription (staff_user_id, person_id, label, area, center, radius_m, categories, events,
                              channel_kind, channel, lang)
    VALUES (:uid, :pid, :label, ST_GeomFromEWKB(decode(:area, 'hex')),
            CASE WHEN CAST(:x AS float8) IS NULL THEN NULL
                 ELSE ST_SetSRID(ST_MakePoint(CAST(:x AS float8), CAST(:y AS float8)), 4326) END,
            :radius, :cats, :events, :kind, :channel, :lang)
    RETURNING id
    """
)


def add(
    conn: Connection,
    owner: Owner,
    draft: Draft,
    *,
    mail_ready: bool = False,
    allow_local: bool = False,
    client: str | None = None,
) -> int:
    """Validate everything, then insert the subscription and its audit row (in the caller's transaction)."""
    label = (draft.label or "").strip() or None
    if label is not None and (len(label) > LABEL_MAX or not label.isprintable()):
        raise ValidationError(
            f"名称最多 {LABEL_MAX} 个可打印字符。",
            f"The name has at most {LABEL_MAX} printable characters.",
            field="label",
        )
    if draft.lang not in ("zh", "en"):
        raise ValidationError("语言须为 zh 或 en。", "The language must be zh or en.", field="lang")
    events = _events(draft.events)
    kind, channel = _channel(draft, mail_ready=mail_ready, allow_local=allow_local)
    cats = _categories(conn, draft.categories)
    area = check_area(conn, draft.area)
    held = conn.execute(
        text(f"SELECT count(*) FROM subscription WHERE {owner.column} = :o AND removed_at IS NULL"),  # nosec B608 # column name from a two-value property
        {"o": owner.id},
    ).scalar_one()
    if held >= MAX_PER_OWNER:
        raise ValidationError(
            f"每人最多 {MAX_PER_OWNER} 个订阅，请先删除不用的。",
            f"At most {MAX_PER_OWNER} subscriptions each; remove one you no longer use.",
            field="limit",
        )
    sid = int(
        conn.execute(
            _INSERT,
            {
                "uid": owner.staff_user_id,
                "pid": owner.person_id,
                "label": label,
                "area": area.ewkb,
                "x": area.center[0] if area.center else None,
                "y": area.center[1] if area.center else None,
                "radius": area.radius_m,
                "cats": cats,
                "events": events,
                "kind": kind,
                "channel": channel,
                "lang": draft.lang,
            },
        ).scalar_one()
    )
    _audit(
        conn, owner, "add", sid, client, area_km2=round(area.area_m2 / 1e6, 3), events=events, categories=cats
    )
    log.info("subscription %s added by %s", sid, _who(owner))
    return sid


def _who(owner: Owner) -> str:
    return f"staff {owner.name}" if owner.staff_user_id is not None else f"citizen {owner.name or '-'}"


def _audit(conn: Connection, owner: Owner, action: str, sid: int, client: str | None, **more: Any) -> None:
    detail: dict[str, Any] = {"action": action, "subscription": sid, **more}
    if owner.person_id is not None:
        detail["citizen"] = owner.name  # the pseudonym: the only identifier that may leave the staff side
    record(
        conn,
        AUDIT_KIND,
        user_id=owner.staff_user_id,
        username=owner.name if owner.staff_user_id is not None else None,
        client=client,
        detail=detail,
    )


_LIST = """
    SELECT id, label, categories, events, channel_kind, channel, lang, active, created_at, radius_m,
           ST_AsGeoJSON(area, 6) AS area, ST_X(center) AS cx, ST_Y(center) AS cy
      FROM subscription
     WHERE {column} = :o AND removed_at IS NULL {one}
     ORDER BY id
"""


def list_for(conn: Connection, owner: Owner, sid: int | None = None) -> list[Subscription]:
    """The owner's subscriptions (not removed), oldest first, channels masked."""
    sql = _LIST.format(column=owner.column, one="AND id = :id" if sid is not None else "")
    return [
        Subscription(
            id=r.id,
            label=r.label,
            categories=tuple(r.categories) if r.categories else None,
            events=tuple(r.events),
            channel_kind=r.channel_kind,
            channel=channels.mask(r.channel_kind, r.channel),
            lang=r.lang,
            active=bool(r.active),
            created_at=r.created_at,
            area=json.loads(r.area),
            center=(float(r.cx), float(r.cy)) if r.cx is not None else None,
            radius_m=r.radius_m,
        )
        for r in conn.execute(text(sql), {"o": owner.id, "id": sid})  # nosec B608 # column from a two-value property
    ]


def missing(sid: int) -> NotFound:
    return NotFound(f"没有订阅 #{sid}。", f"There is no subscription #{sid}.", field="subscription")


def _lock(conn: Connection, owner: Owner, sid: int) -> Any:
    row = conn.execute(
        text(
            f"SELECT id, active, channel_kind, channel FROM subscription "  # nosec B608 # column from a two-value property
            f"WHERE id = :id AND {owner.column} = :o AND removed_at IS NULL FOR UPDATE"
        ),
        {"id": sid, "o": owner.id},
    ).one_or_none()
    if row is None:
        raise missing(sid)
    return row


def set_active(conn: Connection, owner: Owner, sid: int, active: bool, *, client: str | None = None) -> None:
    """Pause (``active`` False: nothing is told, messages waiting are not sent) or resume a subscription."""
    row = _lock(conn, owner, sid)
    if bool(row.active) == active:
        return
    conn.execute(text("UPDATE subscription SET active = :a WHERE id = :id"), {"a": active, "id": sid})
    _audit(conn, owner, "resume" if active else "pause", sid, client)


def remove(conn: Connection, owner: Owner, sid: int, *, client: str | None = None) -> None:
    """Remove it for good: inactive, ``removed_at`` set, the channel emptied (messages waiting are not sent)."""
    _lock(conn, owner, sid)
    conn.execute(
        text("UPDATE subscription SET active = false, removed_at = now(), channel = NULL WHERE id = :id"),
        {"id": sid},
    )
    _audit(conn, owner, "remove", sid, client)
    log.info("subscription %s removed by %s", sid, _who(owner))


def delivery_of(conn: Connection, owner: Owner, sid: int, mail_url: str | None) -> tuple[str, str]:
    """The apprise URL (a secret: to send with, never to show) and the language of the owner's subscription."""
    row = conn.execute(
        text(
            f"SELECT channel_kind, channel, lang FROM subscription "  # nosec B608 # column from a two-value property
            f"WHERE id = :id AND {owner.column} = :o AND removed_at IS NULL"
        ),
        {"id": sid, "o": owner.id},
    ).one_or_none()
    if row is None:
        raise missing(sid)
    try:
        return channels.delivery_url(row.channel_kind, row.channel, mail_url), row.lang
    except ValueError:
        raise ValidationError(
            "本系统未配置邮件发送。", "This server sends no e-mail.", field="channel"
        ) from None
