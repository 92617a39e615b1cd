"""The 百姓拍 extension for area subscriptions (区域订阅), authenticated like the others by ``api_key`` plus the
citizen's registered ``account_id``: subscribe to an area (GeoJSON, or lat/long/radius) and categories, to be
told of new reports and closures there through a webhook or e-mail (:mod:`ops.subscriptions`); list them; remove
one. A citizen's message holds only the public view of a case (ticket, 小类, district, the grid cell's point,
status in plain words)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from dashboard import runtime
from dashboard.api.open311_formats import iso, language, output_format, render
from dashboard.api.open311_routing import Api, both
from dashboard.api.open311_schemas import errors_doc
from db.errors import ValidationError
from ops.citizen.intake import to_wgs84
from ops.citizen.keys import check_key
from ops.citizen.persons import registered_person
from ops.subscriptions import store
from ops.subscriptions.areas import AreaInput

BASE = "/open311/v2"
Fmt = Depends(output_format)
ACCOUNT = Query(..., max_length=64, description="The citizen's account in your app (registered).")
MAX_AREA_CHARS = 200_000


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscription_id: int
    label: str | None
    service_code: list[str] | None = Field(description="小类 or 大类 codes; null: every category.")
    events: list[Literal["new", "closed"]]
    delivery_type: Literal["webhook", "email"]
    delivery: str = Field(description="Where messages go, masked (https://****… or a***@example.cn).")
    locale: Literal["zh", "en"]
    active: bool
    lat: float | None = Field(description="The circle's centre (WGS-84), when given as lat/long/radius.")
    long: float | None
    radius: int | None = Field(description="The circle's radius in metres.")
    area: dict[str, Any] = Field(description="The area as a GeoJSON MultiPolygon (WGS-84).")
    created_datetime: datetime


class SubscriptionRemoved(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscription_id: int
    removed: bool


def _out(s: store.Subscription) -> dict[str, Any]:
    return {
        "subscription_id": s.id,
        "label": s.label,
        "service_code": list(s.categories) if s.categories else None,
        "events": list(s.events),
        "delivery_type": "email" if s.channel_kind == "email" else "webhook",
        "delivery": s.channel,
        "locale": s.lang,
        "active": s.active,
        "lat": round(s.center[1], 7) if s.center else None,
        "long": round(s.center[0], 7) if s.center else None,
        "radius": s.radius_m,
        "area": s.area,
        "created_datetime": iso(s.created_at),
    }


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


def _area(
    area: str | None, lat: float | None, long: float | None, radius: float | None, crs: str
) -> AreaInput:
    if area is not None and area.strip():
        if any(v is not None for v in (lat, long, radius)):
            raise ValidationError(
                "请只给出 area 或 lat/long/radius 之一。",
                "Give either area or lat/long/radius, not both.",
                field="area",
            )
        try:
            return AreaInput(geometry=json.loads(area))
        except ValueError:
            raise ValidationError(
                "area 不是有效的 GeoJSON。",
                "area is not valid GeoJSON (a Polygon or MultiPolygon).",
                field="area",
            ) from None
    if lat is None or long is None or radius is None:
        raise ValidationError(
            "请给出 area（GeoJSON 多边形）或 lat、long 和 radius（米）。",
            "Give area (a GeoJSON polygon) or lat, long and radius (metres).",
            field="area",
        )
    lon, la = to_wgs84(long, lat, crs)
    return AreaInput(lon=lon, lat=la, radius_m=radius)


def _delivery(url: str | None, email: str | None) -> tuple[str, str]:
    url, email = (url or "").strip(), (email or "").strip()
    if bool(url) == bool(email):
        raise ValidationError(
            "请给出 delivery_url（Webhook）或 delivery_email 之一。",
            "Give exactly one of delivery_url (a webhook) and delivery_email.",
            field="channel",
        )
    return ("webhook", url) if url else ("email", email)


def add_routes(router: APIRouter, api: Api) -> None:
    async def subscribe(
        request: Request,
        fmt: str = Fmt,
        api_key: str | None = Form(None),
        account_id: str = Form(..., max_length=64),
        area: str | None = Form(
            None,
            max_length=MAX_AREA_CHARS,
            description="The area as GeoJSON (Polygon or MultiPolygon, or a Feature of one; WGS-84 lon/lat, "
            "at most 1,000 points). Or give lat, long and radius instead.",
        ),
        lat: float | None = Form(
            None, ge=-90, le=90, description="Centre of a circle (with long and radius)."
        ),
        long: float | None = Form(None, ge=-180, le=180),
        radius: float | None = Form(None, description="The circle's radius in metres (50 to 20,000)."),
        coordinate_system: Literal["wgs84", "gcj02"] = Form(
            "wgs84", description="Of lat/long (area is WGS-84)."
        ),
        service_code: str | None = Form(
            None, max_length=1000, description="Comma-separated 小类 or 大类 codes; empty: every category."
        ),
        events: str = Form(
            "new,closed", description="Comma-separated: new (new reports), closed (closures)."
        ),
        delivery_url: str | None = Form(
            None,
            max_length=2000,
            description="Your webhook (https://…): each message is POSTed as JSON {title, message, type}.",
        ),
        delivery_email: str | None = Form(None, max_length=160, description="Or an e-mail address."),
        label: str | None = Form(None, max_length=80, description="A name for the area (shown in messages)."),
        locale: str | None = Form(None, description="zh or en: the language of the messages (default: zh)."),
    ) -> Response:
        lang = language(request, locale, api.settings.default_lang)
        given = _area(area, lat, long, radius, coordinate_system)
        kind, channel = _delivery(delivery_url, delivery_email)
        draft = store.Draft(
            area=given,
            channel=channel,
            channel_kind=kind,
            categories=_split(service_code),
            events=_split(events),
            lang=lang,
            label=label,
        )
        settings = api.settings

        def work(c: Any) -> store.Subscription:
            key = check_key(c, api_key)
            owner = store.citizen_owner(c, registered_person(c, account_id))
            sid = store.add(
                c,
                owner,
                draft,
                mail_ready=bool(settings.subscriptions_mail_url),
                allow_local=settings.subscriptions_local_webhooks,
                client=f"api_key:{key}",
            )
            return store.list_for(c, owner, sid)[0]

        return render(_out(await runtime.awrite(work)), fmt, "subscription", 201)

    async def mine(
        request: Request, fmt: str = Fmt, api_key: str | None = Query(None), account_id: str = ACCOUNT
    ) -> Response:
        def work(c: Any) -> list[store.Subscription]:
            check_key(c, api_key)
            return store.list_for(c, store.citizen_owner(c, registered_person(c, account_id)))

        return render([_out(s) for s in await runtime.aread(work)], fmt, "subscriptions")

    async def unsubscribe(
        request: Request,
        subscription_id: int,
        fmt: str = Fmt,
        api_key: str | None = Query(None),
        account_id: str = ACCOUNT,
    ) -> Response:
        def work(c: Any) -> None:
            key = check_key(c, api_key)
            owner = store.citizen_owner(c, registered_person(c, account_id))
            store.remove(c, owner, subscription_id, client=f"api_key:{key}")

        await runtime.awrite(work)
        return render({"subscription_id": subscription_id, "removed": True}, fmt, "subscription")

    both(router, f"{BASE}/subscriptions", subscribe, methods=["POST"], status_code=201,
         response_model=SubscriptionOut, responses=errors_doc(400, 403),
         summary="Extension: subscribe to new reports and closures in an area (区域订阅)")  # fmt: skip
    both(router, f"{BASE}/subscriptions", mine, methods=["GET"], response_model=list[SubscriptionOut],
         responses=errors_doc(400, 403), summary="Extension: my area subscriptions")  # fmt: skip
    both(router, f"{BASE}/subscriptions/{{subscription_id}}", unsubscribe, methods=["DELETE"],
         response_model=SubscriptionRemoved, responses=errors_doc(400, 403, 404),
         summary="Extension: remove an area subscription")  # fmt: skip
