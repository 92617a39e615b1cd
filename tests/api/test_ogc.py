"""The OGC API – Features endpoint (/ogc/) read by a real OGC client (OWSLib) from the real app under uvicorn, on a
database of its own with known cases: landing page, conformance, collections, items with bbox, limit and paging
(next/prev), one item; a partner key (header) that sees only its 小类 and districts; no personal data in any
answer, JSON or HTML; the per-key rate limit (429 + Retry-After); the audit rows of every partner read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import owslib.ogcapi
import pytest
from owslib.ogcapi.features import Features
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.engine import make_engine
from db.queries.public_position import public_point_sql
from geo.crs import TZ
from ops import workflow as wf
from ops.citizen.persons import ReporterIdentity, register_account
from ops.partners import create_key
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.cases import NANMING, YUNYAN
from tests.support.db import as_app, private_copy

NAME = "欧阳秘"  # the reporter: none of these may appear in any answer
PHONE = "13911112222"
ACCOUNT = "ogc-secret-account-77"
EMAIL = "ouyang.secret@example.cn"
DESCRIPTION = f"井盖坏了，联系人：{NAME}，电话 {PHONE}，邮箱 {EMAIL}"
SECRETS = (NAME, PHONE, ACCOUNT, EMAIL, "1391111")
PUBLIC = ["photo_spots", "public_reports", "service_points"]


@pytest.fixture(scope="module")
def ogc_owner_url(owner_db_url: str, settings: Settings) -> Iterator[str]:
    with private_copy(owner_db_url, settings, "ogc") as url:
        yield url


@pytest.fixture(scope="module")
def ogc_engine(ogc_owner_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, ogc_owner_url), pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def city(ogc_engine: Engine) -> dict[str, Any]:
    """Three cases reported an hour ago by a citizen with a name, phone, account and e-mail: 井盖破损 C0101 in
    云岩区 (granted), C0101 in 南明区 and 占道经营 E0501 in 云岩区 (not granted); a key for C0101 in 云岩区 and one
    allowed 3 requests a minute."""
    now = datetime.now(TZ) - timedelta(hours=1)
    with ogc_engine.begin() as conn:
        pid = register_account(
            conn,
            ReporterIdentity(
                account_id=ACCOUNT, email=EMAIL, phone=PHONE, first_name=NAME[2:], last_name=NAME[:2]
            ),
        )
        conn.execute(text("UPDATE person SET name = :n WHERE id = :i"), {"n": NAME, "i": pid})
        cases = {}
        for label, cat, point in (("granted", "C0101", YUNYAN), ("other_district", "C0101", NANMING),
                                  ("other_category", "E0501", YUNYAN)):  # fmt: skip
            r = wf.report(conn, Actor.citizen(pid), category_code=cat, lon=point[0], lat=point[1],
                          description=DESCRIPTION, source="app", now=now)  # fmt: skip
            ticket = conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": r.id}).scalar_one()
            conn.execute(text('UPDATE "case" SET reporter_id = :p, address = :a WHERE id = :i'),
                         {"p": pid, "a": f"中华北路 12 号，报告人 {NAME}，手机 {PHONE}", "i": r.id})  # fmt: skip
            pub = conn.execute(
                text(f"SELECT ST_X(pos), ST_Y(pos) FROM (SELECT {public_point_sql('c')} AS pos "  # nosec B608
                     'FROM "case" c WHERE c.id = :i) x'),
                {"i": r.id, "public_exact": []},
            ).one()  # fmt: skip
            cases[label] = {
                "id": r.id,
                "ticket": ticket,
                "point": point,
                "public": (float(pub[0]), float(pub[1])),
            }
        grant, key = create_key(conn, name="交警支队", categories=["C0101"], districts=["520103"], per_minute=1000,
                                actor="tests")  # fmt: skip
        slow, slow_key = create_key(conn, name="慢速伙伴", categories=["all"], districts=["all"], per_minute=3,
                                    actor="tests")  # fmt: skip
        n_points = conn.execute(
            text("SELECT count(*) FROM service_point WHERE retired_at IS NULL")
        ).scalar_one()
    return {"cases": cases, "key": key, "key_id": grant.id, "slow_key": slow_key, "slow_id": slow.id,
            "service_points": n_points}  # fmt: skip


@pytest.fixture(scope="module")
def app_server(ogc_owner_url: str, settings: Settings, city: dict[str, Any]) -> Iterator[AppServer]:
    server = AppServer(as_app(settings, ogc_owner_url), settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def owslib_headers() -> Iterator[None]:
    """OWSLib keeps one module-wide headers dict and adds a client's headers to it: put it back after a test."""
    saved = dict(owslib.ogcapi.REQUEST_HEADERS)
    yield
    owslib.ogcapi.REQUEST_HEADERS.clear()
    owslib.ogcapi.REQUEST_HEADERS.update(saved)


def _ids(doc: dict[str, Any]) -> list[Any]:
    return [f["id"] for f in doc["features"]]


def _link(doc: dict[str, Any], rel: str) -> str | None:
    return next((lk["href"] for lk in doc["links"] if lk["rel"] == rel and "json" in lk["type"]), None)


def test_an_ogc_client_reads_the_public_collections(
    app_server: AppServer, city: dict[str, Any], owslib_headers: None
) -> None:
    api = Features(f"{app_server.base}/ogc/")
    assert {lk["rel"] for lk in api.links} >= {"self", "conformance", "data", "service-desc"}
    conforms = api.conformance()["conformsTo"]
    for c in ("core", "geojson", "html"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}" in conforms
    assert sorted(api.feature_collections()) == PUBLIC  # anonymous: no cases
    sp = api.collection("service_points")
    assert sp["itemType"] == "feature" and sp["title"] == "便民服务点"
    assert "kind" in api.collection_queryables("service_points")["properties"]

    # paging: limit 5, next and prev, numberMatched / numberReturned
    first = api.collection_items("service_points", limit=5)
    assert first["numberMatched"] == city["service_points"] and first["numberReturned"] == 5
    assert _link(first, "prev") is None and "offset=5" in (_link(first, "next") or "")
    second = httpx.get(_link(first, "next") or "").json()
    assert second["numberReturned"] == 5 and not set(_ids(first)) & set(_ids(second))
    assert "offset" not in (_link(second, "prev") or "x=offset")  # back to the first page
    assert (
        api.collection_items("service_points", limit=1000, offset=city["service_points"] - 2)[
            "numberReturned"
        ]
        == 2
    )
    default = api.collection_items("service_points")
    assert default["numberReturned"] == 10

    # bbox: every feature returned lies inside it, and it finds a known point
    one = api.collection_item("service_points", str(first["features"][0]["id"]))
    lon, lat = one["geometry"]["coordinates"]
    box = [lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02]
    inside = api.collection_items("service_points", bbox=box, limit=1000)
    assert one["id"] in _ids(inside)
    for f in inside["features"]:
        x, y = f["geometry"]["coordinates"]
        assert box[0] <= x <= box[2] and box[1] <= y <= box[3]
    assert inside["numberMatched"] < city["service_points"]


def test_public_reports_are_coarsened_and_filtered(
    app_server: AppServer, city: dict[str, Any], owslib_headers: None
) -> None:
    api = Features(f"{app_server.base}/ogc/")
    granted = city["cases"]["granted"]
    doc = api.collection_items("public_reports", limit=100)
    assert doc["numberMatched"] == 3
    feature = next(f for f in doc["features"] if f["id"] == granted["ticket"])
    x, y = feature["geometry"]["coordinates"]
    assert (round(granted["public"][0], 5), round(granted["public"][1], 5)) == (
        x,
        y,
    )  # the public map's point
    assert (round(YUNYAN[0], 5), round(YUNYAN[1], 5)) != (x, y)  # never the true point
    assert set(feature["properties"]) == {
        "category_code",
        "category_zh",
        "category_en",
        "stage",
        "district_code",
        "reported",
    }
    # a box around the true point that leaves the public point out finds nothing: bbox reads the public point
    gap = max(abs(x - YUNYAN[0]), abs(y - YUNYAN[1])) / 2
    assert gap > 0.0001
    near_true = [YUNYAN[0] - gap, YUNYAN[1] - gap, YUNYAN[0] + gap, YUNYAN[1] + gap]
    assert granted["ticket"] not in _ids(api.collection_items("public_reports", bbox=near_true))
    assert granted["ticket"] in _ids(
        api.collection_items("public_reports", bbox=[x - 0.001, y - 0.001, x + 0.001, y + 0.001])
    )
    # property filters and datetime intervals
    assert api.collection_items("public_reports", category_code="E0501")["numberMatched"] == 1
    assert api.collection_items("public_reports", district_code="520102,520103")["numberMatched"] == 3
    assert api.collection_items("public_reports", stage="resolved")["numberMatched"] == 0
    today = datetime.now(TZ)
    assert (
        api.collection_items("public_reports", datetime_=f"{(today - timedelta(days=1)).date()}/..")[
            "numberMatched"
        ]
        == 3
    )
    assert (
        api.collection_items("public_reports", datetime_=f"../{(today - timedelta(days=2)).date()}")[
            "numberMatched"
        ]
        == 0
    )
    bad = httpx.get(f"{app_server.base}/ogc/collections/public_reports/items", params={"reporter": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert httpx.get(f"{app_server.base}/ogc/collections/public_reports/items?bbox=1,2,3").status_code == 400
    assert httpx.get(f"{app_server.base}/ogc/collections/public_reports/items?limit=1001").status_code == 400


def test_a_partner_key_sees_only_its_grant(
    app_server: AppServer, city: dict[str, Any], owslib_headers: None
) -> None:
    base = f"{app_server.base}/ogc"
    anonymous = httpx.get(f"{base}/collections/cases/items")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "key_required"
    assert "X-API-Key" in anonymous.json()["description"]
    refused = httpx.get(f"{base}/collections/cases/items", headers={"X-API-Key": "gyp_not-a-key"})
    assert refused.status_code == 403 and refused.json()["code"] == "key_refused"

    api = Features(f"{base}/", headers={"X-API-Key": city["key"]})
    assert sorted(api.feature_collections()) == sorted([*PUBLIC, "cases"])
    doc = api.collection_items("cases", limit=1000)
    cases = city["cases"]
    assert _ids(doc) == [cases["granted"]["ticket"]] and doc["numberMatched"] == 1
    props = doc["features"][0]["properties"]
    assert props["category_code"] == "C0101" and props["district_code"] == "520103"
    assert props["description"] == "井盖坏了，联系人：***，电话 ***，邮箱 ***"
    assert props["address"] == "中华北路 12 号，报告人 ***，手机 ***"
    assert api.collection_item("cases", cases["granted"]["ticket"])["id"] == cases["granted"]["ticket"]
    for other in ("other_district", "other_category"):
        r = httpx.get(
            f"{base}/collections/cases/items/{cases[other]['ticket']}", headers={"X-API-Key": city["key"]}
        )
        assert r.status_code == 404
    # a filter cannot widen the grant
    widened = api.collection_items("cases", district_code="520102", category_code="E0501")
    assert widened["numberMatched"] == 0
    # the key as a query parameter works too, and the next link carries it
    by_param = httpx.get(
        f"{base}/collections/cases/items", params={"api_key": city["key"], "limit": 1}
    ).json()
    assert by_param["numberMatched"] == 1


def test_no_personal_data_in_any_answer(app_server: AppServer, city: dict[str, Any]) -> None:
    base = f"{app_server.base}/ogc"
    paths = ["/", "/conformance", "/collections", "/api"]
    for cid in [*PUBLIC, "cases"]:
        paths += [
            f"/collections/{cid}",
            f"/collections/{cid}/queryables",
            f"/collections/{cid}/items?limit=1000",
        ]
    for c in city["cases"].values():
        paths += [
            f"/collections/public_reports/items/{c['ticket']}",
            f"/collections/cases/items/{c['ticket']}",
        ]
    seen = 0
    for key in (None, city["key"]):
        headers = {"X-API-Key": key} if key else {}
        for path in paths:
            for f in ("json", "html"):
                sep = "&" if "?" in path else "?"
                r = httpx.get(
                    f"{base}{path}{sep}f={f}" if not path.endswith("/api") else f"{base}{path}",
                    headers=headers,
                )
                assert r.status_code in (200, 401, 404), (path, r.status_code)
                seen += r.status_code == 200
                for secret in SECRETS:
                    assert secret not in r.text, (path, f, secret)
    assert seen > 40


def test_html_pages_are_negotiated(app_server: AppServer, city: dict[str, Any]) -> None:
    r = httpx.get(f"{app_server.base}/ogc/collections/service_points/items", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "便民服务点" in r.text and r.text.count("<tr data-fid=") == 10
    r = httpx.get(
        f"{app_server.base}/ogc/collections/service_points/items?f=json", headers={"Accept": "text/html"}
    )
    assert r.headers["content-type"].startswith("application/geo+json")
    en = httpx.get(f"{app_server.base}/ogc/collections?f=html&lang=en")
    assert "Service points" in en.text and "Collections" in en.text
    assert httpx.get(f"{app_server.base}/ogc/nowhere").status_code == 404


def test_the_rate_limit_per_key(app_server: AppServer, city: dict[str, Any]) -> None:
    url = f"{app_server.base}/ogc/collections/cases/items?limit=1"
    headers = {"X-API-Key": city["slow_key"]}
    assert [httpx.get(url, headers=headers).status_code for _ in range(3)] == [200, 200, 200]
    over = httpx.get(url, headers=headers)
    assert over.status_code == 429 and over.json()["code"] == "rate_limited"
    assert 1 <= int(over.headers["Retry-After"]) <= 20
    # another key is not slowed down by it
    assert httpx.get(url, headers={"X-API-Key": city["key"]}).status_code == 200


def test_every_partner_read_is_audited(
    app_server: AppServer, city: dict[str, Any], ogc_engine: Engine
) -> None:
    with ogc_engine.connect() as conn:
        before = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE kind = 'partner_access' AND (detail->>'key_id')::int = :k"
            ),
            {"k": city["key_id"]},
        ).scalar_one()
    r = httpx.get(
        f"{app_server.base}/ogc/collections/cases/items?limit=5", headers={"X-API-Key": city["key"]}
    )
    assert r.status_code == 200
    httpx.get(
        f"{app_server.base}/ogc/collections/service_points/items?limit=7", headers={"X-API-Key": city["key"]}
    )
    with ogc_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT username, detail FROM audit_log WHERE kind = 'partner_access' AND "
                 "(detail->>'key_id')::int = :k ORDER BY id"),
            {"k": city["key_id"]},
        ).all()  # fmt: skip
        created = conn.execute(
            text("SELECT detail FROM audit_log WHERE kind = 'partner_key' AND (detail->>'key_id')::int = :k"),
            {"k": city["key_id"]},
        ).scalar_one()
    assert len(rows) == before + 2
    assert rows[-2].detail == {
        "key_id": city["key_id"],
        "partner": "交警支队",
        "collection": "cases",
        "rows": 1,
    }
    assert rows[-1].detail["collection"] == "service_points" and rows[-1].detail["rows"] == 7
    assert rows[-1].username == "partner:交警支队"
    assert created["action"] == "create" and created["categories"] == ["C0101"]
    for row in [*rows, created]:
        assert city["key"] not in str(row) and city["key"][4:20] not in str(row)
