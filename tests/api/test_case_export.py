"""Case exports (``/export/cases.csv|.xlsx|.geojson``) against the app in process, on a database of their own
(the cases below are committed): scope as on the workbench, personal data by role, CSV with a BOM and defused
formulas, an Excel file openpyxl reads, GeoJSON points, 400s with a zh/en message for bad filters, 401 signed
out, the audit row; and the streamed export's memory, measured with tracemalloc on 20,000 rows."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, text

from dashboard.app import create_server
from dashboard.components.exports import file_layout
from dashboard.settings import Settings
from db.engine import make_engine
from db.errors import ValidationError
from db.queries.case_export import staff_by_username
from ops import workflow as wf
from ops.citizen.persons import ReporterIdentity, person_for_reporter
from ops.exports import csv_chunks, open_export, parse_filter
from tests.support.app import sign_in_client
from tests.support.cases import MON, NANMING, YUNYAN
from tests.support.db import private_copy

PASSWORDS = {
    "lead": "demo-lead-2026",
    "dispatcher": "demo-dispatch-2026",
    "yunyan": "demo-yunyan-2026",  # officer of 云岩区 (520103)
    "moderator": "demo-moderator-2026",
}
CATEGORY = "C0101"
FORMULA = '=HYPERLINK("http://evil.example","点我")'
PHONE = "13800001234"
DESC_PHONE = "井盖松动，联系电话 13912345678"
BULK = "C0201"  # the 20,000 rows of the memory test: another 小类, so they change no other test's answer


@pytest.fixture(scope="module")
def export_db(db_url: str, settings: Settings) -> Iterator[str]:
    with private_copy(db_url, settings, "exports") as url:
        yield url


@pytest.fixture(scope="module")
def export_engine(export_db: str) -> Iterator[Engine]:
    eng = make_engine(export_db, pool_size=4)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def cases(export_engine: Engine) -> dict[str, list[str]]:
    """Three 井盖破损 reports in 云岩区 (one with a formula, one with a phone in its text, all by a reporter with
    a name and a phone) and two in 南明区: tickets by district."""
    out: dict[str, list[str]] = {"520103": [], "520102": []}
    with export_engine.begin() as conn:
        system = wf.Actor.system()
        person = person_for_reporter(
            conn, ReporterIdentity(account_id="acct-export-1", phone=PHONE, first_name="三", last_name="张")
        )
        texts = [FORMULA, DESC_PHONE, "井盖缺失", "井盖破损", "井盖移位"]
        for i, desc in enumerate(texts):
            point = YUNYAN if i < 3 else NANMING
            lon = point[0] + 0.004 * i  # apart: no duplicate merging
            r = wf.report(
                conn,
                system,
                category_code=CATEGORY,
                lon=lon,
                lat=point[1],
                description=desc,
                source="app",
                reporter_id=person,
                now=MON,
            )
            row = conn.execute(
                text('SELECT ticket, district_code FROM "case" WHERE id = :i'), {"i": r.id}
            ).one()
            out[row.district_code].append(row.ticket)
    assert len(out["520103"]) == 3 and len(out["520102"]) == 2
    return out


@pytest.fixture(scope="module")
def app(export_db: str, settings: Settings) -> Iterator[FastAPI]:
    server = create_server(settings.model_copy(update={"database_url": export_db}))
    with TestClient(server):
        yield server


@pytest.fixture(scope="module")
def sessions(app: FastAPI) -> Iterator[dict[str | None, httpx.Client]]:
    clients: dict[str | None, httpx.Client] = {}
    try:
        clients[None] = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
        for user, password in PASSWORDS.items():
            c = clients[user] = TestClient(
                app, base_url="http://127.0.0.1", raise_server_exceptions=False, follow_redirects=False
            )
            resp = sign_in_client(c, user, password)
            assert resp.status_code == 303 and "error" not in resp.headers["location"], user
        yield clients
    finally:
        for c in clients.values():
            c.close()


def rows_of(resp: httpx.Response) -> list[dict[str, str]]:
    assert resp.status_code == 200, resp.text
    body = resp.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


Q = f"category={CATEGORY}&window=all"


def test_signed_out_is_401_with_a_message(sessions: dict[str | None, httpx.Client]) -> None:
    for fmt in ("csv", "xlsx", "geojson"):
        resp = sessions[None].get(f"/export/cases.{fmt}?{Q}")
        assert resp.status_code == 401
        assert resp.json()["message"] == "请先登录。"
    assert sessions[None].get(f"/export/cases.csv?{Q}&lang=en").json()["message"] == "Please sign in first."


def test_a_role_without_a_workbench_is_refused(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    resp = sessions["moderator"].get(f"/export/cases.csv?{Q}")
    assert resp.status_code == 403 and resp.json()["message"] == "您无权导出案件。"


def test_an_officer_exports_only_their_district(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    officer = rows_of(sessions["yunyan"].get(f"/export/cases.csv?{Q}"))
    assert sorted(r["工单号"] for r in officer) == sorted(cases["520103"])
    assert {r["区县"] for r in officer} == {"云岩区"}
    lead = rows_of(sessions["lead"].get(f"/export/cases.csv?{Q}"))
    assert sorted(r["工单号"] for r in lead) == sorted(cases["520103"] + cases["520102"])
    # the filter narrows within the scope: 南明区 asked by the 云岩区 officer gives nothing
    assert rows_of(sessions["yunyan"].get(f"/export/cases.csv?{Q}&district=520102")) == []
    resp = sessions["lead"].get(f"/export/cases.csv?{Q}&district=520102")
    assert sorted(r["工单号"] for r in rows_of(resp)) == sorted(cases["520102"])
    assert resp.headers["x-total-rows"] == "2"


def test_personal_data_only_for_the_roles_that_may_see_it(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    lead = rows_of(sessions["lead"].get(f"/export/cases.csv?{Q}"))
    assert {r["报告人电话"] for r in lead} == {PHONE}
    assert {r["报告人账号"] for r in lead} == {"acct-export-1"}
    assert any(DESC_PHONE == r["问题描述"] for r in lead)
    resp = sessions["dispatcher"].get(f"/export/cases.csv?{Q}")
    assert resp.headers["x-personal-data"] == "0"
    raw = resp.content.decode("utf-8")
    assert PHONE not in raw and "13912345678" not in raw and "acct-export-1" not in raw
    dispatcher = rows_of(resp)
    assert len(dispatcher) == 5 and "报告人电话" not in dispatcher[0]
    assert any(r["问题描述"] == "井盖松动，联系电话 ***" for r in dispatcher)
    geo = sessions["yunyan"].get(f"/export/cases.geojson?{Q}").text
    assert PHONE not in geo and "13912345678" not in geo


def test_csv_has_a_bom_and_no_formula_a_spreadsheet_would_run(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    resp = sessions["lead"].get(f"/export/cases.csv?{Q}")
    assert resp.content.startswith(b"\xef\xbb\xbf")
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    descs = [r["问题描述"] for r in rows_of(resp)]
    assert "'" + FORMULA in descs and FORMULA not in descs
    for r in rows_of(resp):
        assert all(not v.startswith(("=", "+", "@")) for v in r.values())
        assert r["上报时间"] == "2026-03-02 10:00:00"  # Asia/Shanghai
    en = sessions["lead"].get(f"/export/cases.csv?{Q}&lang=en")
    head = en.content.decode("utf-8")[1:].splitlines()[0]
    assert head.startswith("Ticket,Status,Light") and "Reporter's phone" in head


def test_xlsx_opens_with_openpyxl_and_holds_the_rows(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    resp = sessions["yunyan"].get(f"/export/cases.xlsx?{Q}")
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-total-rows"] == "3"
    ws = load_workbook(io.BytesIO(resp.content), read_only=True).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("工单号", "状态", "亮灯")
    assert sorted(r[0] for r in rows[1:]) == sorted(cases["520103"])
    assert {r[1] for r in rows[1:]} == {"待受理"}
    assert any(r[11] == "'" + FORMULA for r in rows[1:])


def test_geojson_is_a_feature_collection_of_points_in_the_city(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    resp = sessions["lead"].get(f"/export/cases.geojson?{Q}&district=520103")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/geo+json")
    doc = json.loads(resp.content)
    assert doc["type"] == "FeatureCollection"
    assert sorted(f["properties"]["ticket"] for f in doc["features"]) == sorted(cases["520103"])
    for f in doc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert 106.0 < lon < 107.5 and 26.0 < lat < 27.5  # longitude first, EPSG:4326
        assert abs(lat - YUNYAN[1]) < 1e-5
    assert doc["columns"]["ticket"] == "工单号"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bogus", "status"),
        ("light=purple", "light"),
        ("window=forever", "window"),
        ("since=2026-13-01", "since"),
        ("since=2026-03-05&until=2026-03-01", "until"),
        ("bbox=1,2", "bbox"),
        ("bbox=107,26,106,27", "bbox"),
        ("district=%27%3B%20DROP", "district"),
        ("focus=everything", "focus"),
    ],
)
def test_a_bad_filter_is_a_400_in_both_languages(
    sessions: dict[str | None, httpx.Client], query: str, field: str
) -> None:
    for fmt in ("csv", "xlsx", "geojson"):
        zh = sessions["lead"].get(f"/export/cases.{fmt}?{query}")
        assert zh.status_code == 400, zh.text
        assert (
            zh.json()["error"] == "invalid"
            and field in zh.json()["message"]
            and "无效" in zh.json()["message"]
        )
    en = sessions["lead"].get(f"/export/cases.csv?{query}&lang=en")
    assert en.status_code == 400 and en.json()["message"].startswith("Invalid filter")


def test_each_export_is_in_the_audit_log(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]], export_engine: Engine
) -> None:
    def last() -> Any:
        with export_engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT kind, username, client, detail FROM audit_log WHERE kind = 'export' ORDER BY id DESC"
                )
            ).first()

    sessions["yunyan"].get(f"/export/cases.geojson?{Q}&status=reported")
    row = last()
    assert row.username == "yunyan" and row.client
    assert row.detail == {
        "what": "cases",
        "format": "geojson",
        "filter": {"category": CATEGORY, "status": ["reported"], "window": "all"},
        "rows": 3,
        "personal_data": False,
    }
    sessions["lead"].get(f"/export/cases.csv?{Q}")
    row = last()
    assert row.username == "lead" and row.detail["personal_data"] is True and row.detail["rows"] == 5
    sessions["lead"].get("/export/cases.csv?status=bogus")  # refused: no export, no row
    assert last().detail["rows"] == 5 and last().username == "lead"


def test_a_streamed_export_of_20000_rows_keeps_memory_bounded(
    export_engine: Engine, cases: dict[str, list[str]]
) -> None:
    with export_engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "case" (ticket, source, category_code, description, geom, district_code, address, '
                "status, created_at) SELECT 'GYBULK-' || g, 'app', :cat, repeat('路面破损需要修补', 20), "
                "ST_SetSRID(ST_MakePoint(106.70 + g * 1e-6, 26.57), 4326), '520102', '南明区某路 ' || g || ' 号', "
                "'closed', timestamp '2026-02-01 08:00' + g * interval '1 minute' FROM generate_series(1, 20000) g"
            ),
            {"cat": BULK},
        )
    with export_engine.connect() as conn:
        lead = staff_by_username(conn, "lead")
    assert lead is not None
    layout = file_layout("zh", contact=True)

    def export(**params: str) -> tuple[int, int, int]:
        """(rows, bytes, peak traced memory) of a streamed CSV export."""
        f = parse_filter({"category": BULK, "window": "all", **params}, lead)
        tracemalloc.start()
        try:
            opened = open_export(export_engine, lead, f, fmt="csv", client="test", batch=500)
            size = lines = 0
            for chunk in csv_chunks(opened.batches(), layout):
                size += len(chunk)
                lines += chunk.count(b"\n")
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert lines == opened.rows + 1
        return opened.rows, size, peak

    rows, size, peak = export()
    few, few_size, few_peak = export(until="2026-02-03")
    assert rows == 20000 and size > 8_000_000 and 2000 < few < 4000
    # one batch at a time: five times the rows take no more memory, and the peak is a small part of the file
    assert peak < few_peak * 1.3 + 300_000, (peak, few_peak)
    assert peak < size / 4, (peak, size)


def test_a_signed_in_session_uses_the_workbench_url_names(
    sessions: dict[str | None, httpx.Client], cases: dict[str, list[str]]
) -> None:
    """The workbench's address names (status, light, source, window, focus, inview + bbox) are accepted."""
    box = f"{YUNYAN[0] - 0.001},{YUNYAN[1] - 0.001},{YUNYAN[0] + 0.001},{YUNYAN[1] + 0.001}"
    resp = sessions["lead"].get(
        f"/export/cases.csv?{Q}&status=reported&source=app&inview=1&bbox={box}&focus=all"
    )
    got = rows_of(resp)
    assert [r["工单号"] for r in got] == [cases["520103"][0]]  # only the first is in the box
    assert rows_of(sessions["lead"].get(f"/export/cases.csv?{Q}&window=open&status=closed")) == []


def test_more_rows_than_excel_holds_is_refused_before_anything_is_recorded(
    export_engine: Engine, cases: dict[str, list[str]]
) -> None:
    with export_engine.connect() as conn:
        lead = staff_by_username(conn, "lead")
        before = conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'export'")).scalar_one()
    assert lead is not None
    f = parse_filter({"category": CATEGORY, "window": "all"}, lead)
    with pytest.raises(ValidationError) as exc:
        open_export(export_engine, lead, f, fmt="xlsx", max_rows=4)
    assert "Excel" in exc.value.zh and "CSV" in exc.value.en
    with export_engine.connect() as conn:
        after = conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = 'export'")).scalar_one()
    assert after == before
