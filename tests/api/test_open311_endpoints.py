"""Open311 GeoReport v2 against the running app: every endpoint in JSON and XML, every documented error,
statuses and their notes by language, GCJ-02 at intake, identity never in a GET, the Idempotency-Key retry."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, text

from dashboard.api.open311_routing import Api
from dashboard.api.open311_settings import get_open311_settings
from dashboard.settings import Settings
from db.errors import NotFound, ValidationError
from geo.crs import TZ, wgs84_to_gcj02
from ops import workflow as wf
from ops.citizen.keys import create_key, revoke_key
from tests.support.api import (
    BASE,
    YUNYAN,
    case_row,
    cell_point,
    counts,
    public_read_paths,
    report,
    staff,
    ticket_of,
)
from tests.support.app import OpenClient

XML = "text/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"


def xml(resp: httpx.Response) -> ET.Element:
    assert resp.headers["content-type"] == XML
    assert resp.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(resp.content)


def errors(resp: httpx.Response, fmt: str) -> list[tuple[int, str]]:
    """The spec's error answer, whatever the format: [(code, description)]."""
    if fmt == "xml":
        root = xml(resp)
        assert root.tag == "errors"
        return [
            (int(e.findtext("code") or 0), e.findtext("description") or "") for e in root.findall("error")
        ]
    assert resp.headers["content-type"] == JSON
    body = resp.json()
    assert isinstance(body, list) and all(set(e) == {"code", "description"} for e in body)
    return [(e["code"], e["description"]) for e in body]


def test_discovery(client: httpx.Client) -> None:
    body = client.get(f"{BASE}/discovery.json").json()
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and set(endpoint["formats"]) == {
        "application/json",
        "text/xml",
    }
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]


def test_services_in_both_languages_and_formats(client: httpx.Client) -> None:
    zh = client.get(f"{BASE}/services.json").json()
    en = client.get(f"{BASE}/services.json", headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    assert len(zh) == len(en) > 50
    c0101 = next(s for s in zh if s["service_code"] == "C0101")
    assert c0101["service_name"] == "井盖破损" and c0101["group"] == "公用设施" and c0101["metadata"] is True
    assert "井盖" in c0101["keywords"].split(",") and c0101["type"] == "realtime"
    assert next(s for s in en if s["service_code"] == "C0101")["group"] == "Public utilities"
    root = xml(client.get(f"{BASE}/services.xml", params={"locale": "en"}))
    assert root.tag == "services" and len(root.findall("service")) == len(zh)
    assert root.find("service/metadata") is not None


def test_service_definition(client: httpx.Client) -> None:
    body = client.get(f"{BASE}/services/C0101.json").json()
    assert body["service_code"] == "C0101"
    first = body["attributes"][0]
    assert (first["code"], first["datatype"], first["required"], first["order"], first["variable"]) == (
        "manhole_type",
        "singlevaluelist",
        True,
        1,
        True,
    )
    assert {"key": "rain", "name": "雨水"} in first["values"]
    root = xml(client.get(f"{BASE}/services/C0101.xml", params={"locale": "en"}))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/values/value/name") == "Storm water"
    plain = client.get(f"{BASE}/services/C0104.json").json()  # a 小类 without questions
    assert plain == {"service_code": "C0104", "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_then_get_a_request(client: httpx.Client, api_key: str, api_engine: Engine, fmt: str) -> None:
    resp = report(
        client,
        api_key,
        fmt,
        service_code="C0101",
        description="井盖缺失，很危险",
        address_string="中华北路 1 号",
        **{
            "attribute[manhole_type]": "rain",
            "attribute[damage_type]": "missing",
            "jurisdiction_id": "guiyang.gov.cn",
        },
    )
    assert resp.status_code == 201
    if fmt == "xml":
        ticket = xml(resp).findtext("request/service_request_id") or ""
        assert "GY" in (xml(resp).findtext("request/service_notice") or "")
    else:
        ticket = ticket_of(resp)
    case = case_row(api_engine, ticket)
    assert (
        case.status == "reported"
        and case.description == "井盖缺失，很危险"
        and case.address == "中华北路 1 号"
    )
    with api_engine.connect() as conn:
        attrs = conn.execute(
            text("SELECT attributes FROM case_intake WHERE case_id = :i"), {"i": case.id}
        ).scalar()
    assert attrs == {"manhole_type": "rain", "damage_type": "missing"}

    one = client.get(f"{BASE}/requests/{ticket}.json").json()
    assert len(one) == 1
    got = one[0]
    assert (got["service_request_id"], got["status"], got["status_notes"], got["service_code"]) == (
        ticket,
        "open",
        "已受理",
        "C0101",
    )
    lon, lat = cell_point(api_engine, ticket)  # the public sees the grid cell's point, as on the public map
    assert (got["long"], got["lat"]) == pytest.approx((lon, lat), abs=1e-5)
    assert datetime.fromisoformat(got["requested_datetime"]).utcoffset() == timedelta(hours=8)
    root = xml(client.get(f"{BASE}/requests/{ticket}.xml", params={"locale": "en"}))
    assert root.tag == "service_requests"
    assert root.findtext("request/status_notes") == "Received" and root.findtext("request/status") == "open"
    listed = client.get(f"{BASE}/requests.json", params={"service_request_id": f"{ticket},GY000000-0"}).json()
    assert [r["service_request_id"] for r in listed] == [ticket]


BAD_POSTS = [
    ({"api_key": None}, 403),
    ({"api_key": "gy_not-a-key"}, 403),
    ({"service_code": None}, 400),
    ({"service_code": "NOPE"}, 404),
    ({"lat": None}, 400),
    ({"long": "east"}, 400),
    ({"lat": 91}, 400),
    ({"lat": 39.9, "long": 116.4}, 400),  # Beijing: outside the service area
    ({"jurisdiction_id": "beijing.gov.cn"}, 404),
    ({"description": "长" * 4001}, 400),
    ({"service_code": "C0101"}, 400),  # its required attribute manhole_type is missing
    ({"service_code": "C0101", "attribute[manhole_type]": "lava"}, 400),
    ({"coordinate_system": "bd09"}, 400),
    ({"email": "not-an-email"}, 400),
    ({"media_url": "ftp://example.org/x.jpg"}, 400),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("change", "status"), BAD_POSTS)
def test_post_errors_in_the_spec_form(
    client: httpx.Client, api_key: str, api_engine: Engine, fmt: str, change: dict[str, object], status: int
) -> None:
    fields = {"api_key": api_key, "service_code": "C0102", "lat": YUNYAN[1], "long": YUNYAN[0], **change}
    before = counts(api_engine)
    resp = client.post(f"{BASE}/requests.{fmt}", data={k: v for k, v in fields.items() if v is not None})
    assert resp.status_code == status, resp.text
    ((code, description),) = errors(resp, fmt)
    assert code == status and description
    assert counts(api_engine) == before  # nothing partially written


def test_revoked_key_is_refused(client: httpx.Client, api_engine: Engine) -> None:
    with api_engine.begin() as conn:
        info, key = create_key(conn, "to revoke")
    assert report(client, key).status_code == 201
    with api_engine.begin() as conn:
        revoke_key(conn, info.id)
    resp = report(client, key)
    assert resp.status_code == 403 and errors(resp, "json")[0][0] == 403


def test_jurisdiction_is_required_only_if_configured(settings: Settings) -> None:
    Api(settings, get_open311_settings()).check_jurisdiction(None)
    strict = Api(settings, get_open311_settings(require_jurisdiction=True, jurisdiction_id="guiyang.gov.cn"))
    strict.check_jurisdiction("guiyang.gov.cn")
    with pytest.raises(ValidationError):
        strict.check_jurisdiction(None)
    with pytest.raises(NotFound):
        strict.check_jurisdiction("other.gov.cn")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        (
            {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
            400,
        ),  # > 90 days
        ({"start_date": "2026-06-01T00:00:00+08:00", "end_date": "2026-05-01T00:00:00+08:00"}, 400),
        ({"start_date": "yesterday"}, 400),
        ({"status": "pending"}, 400),
        ({"page": 0}, 400),
        ({"page_size": 1001}, 400),
        ({"jurisdiction_id": "x.gov.cn"}, 404),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_errors(client: httpx.Client, params: dict[str, object], status: int, fmt: str) -> None:
    resp = client.get(f"{BASE}/requests.{fmt}", params=params)  # type: ignore[arg-type]
    assert resp.status_code == status
    assert errors(resp, fmt)[0][0] == status


def test_unknown_ids_and_paths_answer_404_in_the_spec_form(client: httpx.Client) -> None:
    for path, fmt in [
        (f"{BASE}/requests/GY000101-999999999.json", "json"),
        (f"{BASE}/requests/GY000101-999999999.xml", "xml"),
        (f"{BASE}/services/NOPE.json", "json"),
        (f"{BASE}/services/NOPE.xml", "xml"),
        (f"{BASE}/tokens/abc.json", "json"),  # we answer synchronously and issue no tokens
        (f"{BASE}/nothing-here.xml", "xml"),
        ("/open311/v3/services.json", "json"),
        ("/open311", "json"),
        ("/media/photo/1", "json"),
    ]:
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert errors(resp, fmt)[0][0] == 404
    resp = client.delete(f"{BASE}/services.json")
    assert resp.status_code == 405 and resp.headers["allow"] == "GET"
    assert errors(resp, "json") == [(405, "Method not allowed.")]


def test_get_requests_filters_and_pages(client: httpx.Client, api_key: str) -> None:
    tickets = [
        ticket_of(report(client, api_key, service_code="E0101", description=f"第 {i} 件")) for i in range(3)
    ]
    got = client.get(f"{BASE}/requests.json", params={"service_code": "E0101", "status": "open"}).json()
    assert [r["service_request_id"] for r in got][:3] == tickets[::-1]  # newest first
    assert {r["service_code"] for r in got} == {"E0101"} and {r["status"] for r in got} == {"open"}
    page2 = client.get(
        f"{BASE}/requests.json", params={"service_code": "E0101", "page": 2, "page_size": 1}
    ).json()
    assert [r["service_request_id"] for r in page2] == [tickets[1]]
    assert (
        client.get(f"{BASE}/requests.json", params={"service_code": "E0101", "status": "closed"}).json() == []
    )
    now = datetime.now(TZ)
    window = {
        "start_date": (now - timedelta(days=1)).isoformat(),
        "end_date": (now + timedelta(hours=1)).isoformat(),
    }
    got = client.get(f"{BASE}/requests.json", params={**window, "service_code": "E0101"}).json()
    assert set(tickets) <= {r["service_request_id"] for r in got}
    old = {"end_date": (now - timedelta(days=2)).isoformat(), "service_code": "E0101"}
    assert not set(tickets) & {
        r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params=old).json()
    }
    root = xml(client.get(f"{BASE}/requests.xml", params={"service_code": "E0101"}))
    assert [r.findtext("service_request_id") for r in root.findall("request")][:3] == tickets[::-1]


def test_stages_map_to_open_closed_with_notes_agency_and_deadline(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    ticket = ticket_of(report(client, api_key))
    rejected = ticket_of(report(client, api_key, lat=YUNYAN[1] + 0.01))
    with api_engine.begin() as conn:
        lead = staff(conn)
        case = case_row(api_engine, ticket)
        r = wf.file_case(conn, lead, case.id, case.version)
        r = wf.dispatch(conn, lead, r.id, r.version)
        other = case_row(api_engine, rejected)
        wf.reject(conn, lead, other.id, other.version, reason="重复举报")
        dept = conn.execute(
            text("SELECT name_zh, name_en FROM department WHERE code = :c"), {"c": r.department_code}
        ).one()
    zh = client.get(f"{BASE}/requests/{ticket}.json").json()[0]
    en = client.get(f"{BASE}/requests/{ticket}.json", params={"locale": "en"}).json()[0]
    assert (zh["status"], zh["status_notes"], en["status_notes"]) == ("open", "处理中", "In progress")
    assert (zh["agency_responsible"], en["agency_responsible"]) == tuple(dept)
    # The API gives the deadline to the second; within working hours it carries the dispatch's microseconds.
    assert r.deadline is not None
    assert datetime.fromisoformat(zh["expected_datetime"]) == r.deadline.replace(microsecond=0)
    no = client.get(f"{BASE}/requests/{rejected}.json", headers={"Accept-Language": "en"}).json()[0]
    assert (no["status"], no["status_notes"]) == ("closed", "Not accepted")
    assert client.get(f"{BASE}/requests/{rejected}.json").json()[0]["status_notes"] == "不予受理"


def test_private_cases_are_not_public_requests(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    with api_engine.connect() as conn:
        private = conn.execute(
            text(
                "SELECT code FROM category WHERE level = 2 AND NOT public "
                "AND NOT questions @> '[{\"required\": true}]' ORDER BY code LIMIT 1"
            )
        ).scalar_one()
    ticket = ticket_of(report(client, api_key, service_code=private))
    assert client.get(f"{BASE}/requests/{ticket}.json").status_code == 404
    assert client.get(f"{BASE}/requests.json", params={"service_request_id": ticket}).json() == []


def test_reporter_identity_never_appears_in_a_get(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    secrets = {
        "email": "zhang.secret@example.cn",
        "phone": "13912345678",
        "first_name": "秘密名",
        "last_name": "隐私姓",
        "account_id": "acct-never-shown-7f3a",
        "device_id": "device-never-shown-91",
    }
    ticket = ticket_of(report(client, api_key, description="路灯不亮", **secrets))
    with api_engine.connect() as conn:
        person = conn.execute(
            text('SELECT p.* FROM person p JOIN "case" c ON c.reporter_id = p.id WHERE c.ticket = :t'),
            {"t": ticket},
        ).one()
    assert (person.email, person.phone, person.account_id, person.name) == (
        "zhang.secret@example.cn",
        "13912345678",
        "acct-never-shown-7f3a",
        "隐私姓秘密名",
    )
    needles = [*secrets.values(), person.name, person.pseudonym, str(person.id)]
    for path in public_read_paths(ticket):
        body = client.get(path).text
        assert ticket in body
        for needle in needles[:-1]:
            assert needle not in body, (path, needle)
        assert f'"{needles[-1]}"' not in body


def test_gcj02_points_are_stored_as_wgs84(client: httpx.Client, api_key: str, api_engine: Engine) -> None:
    gcj = wgs84_to_gcj02(*YUNYAN)
    assert gcj == pytest.approx(
        (106.7172724, 26.5802771), abs=1e-6
    )  # known pair (see tests/ops/test_citizen.py)
    ticket = ticket_of(report(client, api_key, lat=gcj[1], long=gcj[0], coordinate_system="gcj02"))
    case = case_row(api_engine, ticket)
    assert (case.lon, case.lat) == pytest.approx(YUNYAN, abs=1e-7)
    got = client.get(f"{BASE}/requests/{ticket}.json").json()[0]
    assert (got["long"], got["lat"]) == pytest.approx(cell_point(api_engine, ticket), abs=1e-5)
    plain = ticket_of(report(client, api_key, lat=gcj[1], long=gcj[0]))  # the same numbers, said to be WGS-84
    assert (case_row(api_engine, plain).lon, case_row(api_engine, plain).lat) == pytest.approx(gcj)


def test_idempotency_key_retry_creates_one_case(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    headers = {"Idempotency-Key": "retry-abc-1"}
    first = report(client, api_key, description="重试", headers=headers)
    before = counts(api_engine)
    again = report(client, api_key, description="重试", headers=headers)
    assert again.status_code == 201 and ticket_of(again) == ticket_of(first)
    assert counts(api_engine) == before
    other = report(client, api_key, description="另一件事", headers=headers)
    assert other.status_code == 400 and errors(other, "json")[0][0] == 400
    xml_again = report(client, api_key, "xml", description="重试", headers=headers)
    assert xml(xml_again).findtext("request/service_request_id") == ticket_of(first)


def test_concurrent_retries_create_one_case(
    client: httpx.Client, open_client: OpenClient, api_key: str, api_engine: Engine
) -> None:
    headers = {"Idempotency-Key": "retry-concurrent-1"}
    before = counts(api_engine)[0]

    def post(_: int) -> str:
        with open_client(timeout=60) as c:
            return ticket_of(report(c, api_key, description="并发重试", headers=headers))

    with ThreadPoolExecutor(6) as pool:
        tickets = set(pool.map(post, range(6)))
    assert len(tickets) == 1
    assert counts(api_engine)[0] == before + 1


def test_openapi_document_lists_the_json_endpoints(client: httpx.Client) -> None:
    doc = client.get(f"{BASE}/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    paths = set(doc["paths"])
    assert {
        f"{BASE}/discovery.json",
        f"{BASE}/services.json",
        f"{BASE}/services/{{service_code}}.json",
        f"{BASE}/requests.json",
        f"{BASE}/requests/{{service_request_id}}.json",
        f"{BASE}/verifications.json",
        f"{BASE}/verifications/{{task_id}}.json",
        f"{BASE}/points.json",
        f"{BASE}/feedback.json",
        f"{BASE}/account.json",
        f"{BASE}/subscriptions.json",
        f"{BASE}/subscriptions/{{subscription_id}}.json",
    } == paths
    for item in doc["paths"].values():
        for op in item.values():
            assert "422" not in op["responses"]
    post = doc["paths"][f"{BASE}/requests.json"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "multipart/form-data"}
    assert {"201", "400", "403", "404"} <= set(post["responses"])
