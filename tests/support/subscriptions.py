"""Area subscriptions for the tests: squares and circles around a point, owners, and the outbox rows they made."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from ops.subscriptions import store
from ops.subscriptions.areas import AreaInput


def square(lon: float, lat: float, half: float = 0.002) -> dict[str, Any]:
    """A GeoJSON square of ±``half`` degrees around (lon, lat) (0.002° ≈ 200 m)."""
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def staff_owner(conn: Connection, username: str) -> store.Owner:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
    return store.Owner(staff_user_id=int(uid), name=username)


def citizen_owner(conn: Connection, person_id: int) -> store.Owner:
    pseudonym = conn.execute(
        text("SELECT pseudonym FROM person WHERE id = :i"), {"i": person_id}
    ).scalar_one()
    return store.Owner(person_id=person_id, name=str(pseudonym))


def subscribe(
    conn: Connection,
    owner: store.Owner,
    *,
    polygon: dict[str, Any] | None = None,
    circle: tuple[float, float, float] | None = None,
    channel: str = "json://127.0.0.1:9/sub",
    kind: str = "url",
    allow_local: bool = True,
    **kw: Any,
) -> int:
    area = (
        AreaInput(geometry=polygon)
        if polygon is not None
        else AreaInput(*(None, *circle))
        if circle
        else AreaInput()
    )
    draft = store.Draft(area=area, channel=channel, channel_kind=kind, **kw)
    return store.add(conn, owner, draft, allow_local=allow_local, mail_ready=True)


def sub_rows(conn: Connection) -> list[Any]:
    """The outbox rows of area subscriptions, oldest first."""
    return list(
        conn.execute(
            text(
                "SELECT id, idem_key, subscription_id, route_id, kind, case_id, event_id, title, body, link, status "
                "FROM notify_outbox WHERE subscription_id IS NOT NULL ORDER BY id"
            )
        )
    )
