"""The area-subscription extension of the Open311 API (区域订阅): subscribe with a GeoJSON area or lat/long/radius,
list, remove; a report inside the area then makes one outbox message holding only the public view; every
refusal is a 400/403/404 in the Open311 error form and writes nothing; documented in the OpenAPI document."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.support.api import BASE, YUNYAN, account, report, ticket_of
from tests.support.subscriptions import square

HOOK = "https://hooks.example.cn/gy/secret-path-123"


def _count(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM subscription")).scalar_one())


@pytest.fixture
def citizen(client: httpx.Client, api_key: str, api_engine: Engine) -> Iterator[str]:
    """A registered account; its subscriptions are removed after the test (so other tests' reports tell no one)."""
    acct = account(client, api_key)
    yield acct
    with api_engine.begin() as c:
        c.execute(
            text(
                "UPDATE subscription SET active = false, removed_at = now(), channel = NULL "
                "WHERE person_id = (SELECT id FROM person WHERE account_id = :a) AND removed_at IS NULL"
            ),
            {"a": acct},
        )


def _subscribe(client: httpx.Client, key: str, acct: str, fmt: str = "json", **fields: Any) -> httpx.Response:
    data = {"api_key": key, "account_id": acct, "delivery_url": HOOK, **fields}
    lang = (
        {"Accept-Language": "en"} if fields.get("locale") == "en" else None
    )  # errors follow Accept-Language
    return client.post(f"{BASE}/subscriptions.{fmt}", data=data, headers=lang)


def test_subscribe_list_get_told_and_remove(
    client: httpx.Client, api_key: str, api_engine: Engine, citizen: str
) -> None:
    area = square(YUNYAN[0] + 0.004, YUNYAN[1] + 0.004, half=0.001)
    resp = _subscribe(
        client, api_key, citizen, area=json.dumps(area), service_code="C01,E0501", label="我家楼下"
    )
    assert resp.status_code == 201, resp.text
    sub = resp.json()
    assert sub["service_code"] == ["C01", "E0501"] and sub["events"] == ["new", "closed"]
    assert sub["delivery_type"] == "webhook" and sub["delivery"] == "jsons://hooks.example.cn/****"
    assert sub["area"]["type"] == "MultiPolygon" and sub["radius"] is None and sub["active"] is True
    listed = client.get(
        f"{BASE}/subscriptions.json", params={"api_key": api_key, "account_id": citizen}
    ).json()
    assert [s["subscription_id"] for s in listed] == [sub["subscription_id"]]
    assert "secret-path" not in json.dumps(listed)

    spot = {"lat": YUNYAN[1] + 0.004, "long": YUNYAN[0] + 0.004}
    other = account(client, api_key)
    ticket = ticket_of(
        report(client, api_key, service_code="C0102", account_id=other, phone="13985012345",
               description="井盖坏了 联系人王秘密", address_string="中华北路 9 号", **spot)
    )  # fmt: skip
    with api_engine.connect() as c:
        (row,) = c.execute(
            text("SELECT kind, title, body, link FROM notify_outbox WHERE subscription_id = :s"),
            {"s": sub["subscription_id"]},
        ).all()
    assert row.kind == "area_new" and ticket in row.title and "我家楼下" in row.body
    for secret in ("13985012345", "王秘密", "中华北路", "井盖坏了", other):
        assert secret not in row.title + row.body, secret

    gone = client.delete(
        f"{BASE}/subscriptions/{sub['subscription_id']}.json",
        params={"api_key": api_key, "account_id": citizen},
    )
    assert gone.status_code == 200 and gone.json() == {
        "subscription_id": sub["subscription_id"],
        "removed": True,
    }
    assert (
        client.get(f"{BASE}/subscriptions.json", params={"api_key": api_key, "account_id": citizen}).json()
        == []
    )
    again = client.delete(
        f"{BASE}/subscriptions/{sub['subscription_id']}.json",
        params={"api_key": api_key, "account_id": citizen},
    )
    assert again.status_code == 404 and again.json()[0]["code"] == 404


def test_a_circle_in_gcj02_and_xml(client: httpx.Client, api_key: str, citizen: str) -> None:
    resp = _subscribe(
        client, api_key, citizen, "xml", lat=26.58, long=106.72, radius=800, coordinate_system="gcj02",
        events="closed", locale="en",
    )  # fmt: skip
    assert resp.status_code == 201, resp.text
    root = ET.fromstring(resp.content)
    assert root.tag == "subscription" and root.findtext("radius") == "800" and root.findtext("locale") == "en"
    assert [e.text for e in root.find("events") or []] == ["closed"]
    lat, lon = float(root.findtext("lat") or 0), float(root.findtext("long") or 0)
    assert (
        (lat, lon) != (26.58, 106.72) and abs(lat - 26.58) < 0.01 and abs(lon - 106.72) < 0.01
    )  # GCJ-02 shifted


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"area": "{not json"}, 400, "GeoJSON"),
        ({"area": json.dumps({"type": "Point", "coordinates": [106.71, 26.58]})}, 400, "Polygon"),
        ({"area": json.dumps(square(*YUNYAN)), "lat": 26.58, "long": 106.71, "radius": 500}, 400, "either"),
        ({"lat": 26.58, "long": 106.71}, 400, "radius"),
        ({"lat": 26.58, "long": 106.71, "radius": 5}, 400, "radius"),
        ({"lat": 27.06, "long": 106.97, "radius": 500}, 400, "outside"),
        (
            {"lat": 26.58, "long": 106.71, "radius": 500, "delivery_url": "http://hooks.example.cn/x"},
            400,
            "HTTPS",
        ),
        ({"lat": 26.58, "long": 106.71, "radius": 500, "delivery_url": "https://127.0.0.1/x"}, 400, "HTTPS"),
        ({"lat": 26.58, "long": 106.71, "radius": 500, "delivery_url": ""}, 400, "delivery_url"),
        (
            {"lat": 26.58, "long": 106.71, "radius": 500, "delivery_email": "a@example.cn"},
            400,
            "delivery_url",
        ),
        ({"lat": 26.58, "long": 106.71, "radius": 500, "service_code": "C0101,NOPE"}, 400, "NOPE"),
        ({"lat": 26.58, "long": 106.71, "radius": 500, "events": "new,opened"}, 400, "opened"),
        ({"lat": 26.58, "long": 106.71, "radius": 500, "api_key": "wrong"}, 403, "api_key"),
        ({"lat": 26.58, "long": 106.71, "radius": 500, "account_id": "nobody-here"}, 403, "not registered"),
    ],
)
def test_refusals_say_why_and_write_nothing(
    client: httpx.Client,
    api_key: str,
    api_engine: Engine,
    citizen: str,
    fields: dict[str, Any],
    status: int,
    words: str,
) -> None:
    before = _count(api_engine)
    resp = _subscribe(client, api_key, citizen, locale="en", **fields)
    assert resp.status_code == status, resp.text
    (err,) = resp.json()
    assert err["code"] == status and words in err["description"], err
    assert _count(api_engine) == before


def test_e_mail_without_a_mail_sender_is_refused_in_chinese(
    client: httpx.Client, api_key: str, citizen: str
) -> None:
    resp = client.post(
        f"{BASE}/subscriptions.json",
        data={"api_key": api_key, "account_id": citizen, "lat": 26.58, "long": 106.71, "radius": 500,
              "delivery_email": "me@example.cn"},
        headers={"Accept-Language": "zh-CN"},
    )  # fmt: skip
    assert resp.status_code == 400 and "邮件" in resp.json()[0]["description"]


def test_another_citizen_cannot_remove_or_see_mine(client: httpx.Client, api_key: str, citizen: str) -> None:
    sid = _subscribe(client, api_key, citizen, lat=26.58, long=106.71, radius=500).json()["subscription_id"]
    stranger = account(client, api_key)
    assert (
        client.get(f"{BASE}/subscriptions.json", params={"api_key": api_key, "account_id": stranger}).json()
        == []
    )
    resp = client.delete(
        f"{BASE}/subscriptions/{sid}.json", params={"api_key": api_key, "account_id": stranger}
    )
    assert resp.status_code == 404
    mine = client.get(f"{BASE}/subscriptions.json", params={"api_key": api_key, "account_id": citizen}).json()
    assert [s["subscription_id"] for s in mine] == [sid]


def test_the_extension_is_in_the_openapi_document(client: httpx.Client) -> None:
    doc = client.get(f"{BASE}/openapi.json").json()
    paths = doc["paths"]
    assert set(paths[f"{BASE}/subscriptions.json"]) == {"post", "get"}
    assert set(paths[f"{BASE}/subscriptions/{{subscription_id}}.json"]) == {"delete"}
    post = paths[f"{BASE}/subscriptions.json"]["post"]
    assert "区域订阅" in post["summary"] and {"201", "400", "403"} <= set(post["responses"])
