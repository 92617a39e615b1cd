"""``guiyang-ops export cases``: the cases a filter selects into a CSV, Excel or GeoJSON file, as a staff user
(``--as``: their scope, their right to personal data) or as the command line (city-wide, no personal data),
recorded in the audit log; refusals in one line with exit 2 (bad filter, unknown user, Excel too small)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from ops import workflow as wf
from ops.citizen.persons import ReporterIdentity, person_for_reporter
from tests.support.cases import MON, NANMING, YUNYAN
from tests.support.db import as_app

PHONE = "13800005678"


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def tickets(engine: Engine) -> dict[str, str]:
    """One 井盖破损 report in 云岩区 and one in 南明区, by a reporter with a phone: ticket by district."""
    out = {}
    with engine.begin() as conn:
        person = person_for_reporter(conn, ReporterIdentity(account_id="acct-cli-export", phone=PHONE))
        for point in (YUNYAN, NANMING):
            r = wf.report(
                conn,
                wf.Actor.system(),
                category_code="C0101",
                lon=point[0],
                lat=point[1],
                description="井盖破损",
                source="hotline",
                reporter_id=person,
                now=MON,
            )
            row = conn.execute(
                text('SELECT ticket, district_code FROM "case" WHERE id = :i'), {"i": r.id}
            ).one()
            out[row.district_code] = row.ticket
    return out


@pytest.fixture
def use_test_db(private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    db_url = as_app(settings, private_owner_db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("GUIYANG_DEMO_MODE", "1")
    return db_url


def _csv(path: Path) -> list[dict[str, str]]:
    body = path.read_text(encoding="utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


ARGS = ["export", "cases", "--category", "C0101", "--source", "hotline", "--since", "2026-03-02"]


def test_export_as_an_officer_and_as_the_command_line(
    use_test_db: str, tickets: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "yunyan.csv"
    assert main([*ARGS, "--as", "yunyan", "--out", str(out)]) == 0
    assert [r["工单号"] for r in _csv(out)] == [tickets["520103"]]
    out = tmp_path / "cli.csv"
    assert main([*ARGS, "--until", "2026-03-02", "--out", str(out), "--lang", "en"]) == 0
    rows = _csv(out)
    assert sorted(r["Ticket"] for r in rows) == sorted(tickets.values())
    assert "Reporter's phone" not in rows[0] and PHONE not in out.read_text(encoding="utf-8")
    out = tmp_path / "lead.csv"
    assert main([*ARGS, "--as", "lead", "--out", str(out)]) == 0
    assert {r["报告人电话"] for r in _csv(out)} == {PHONE}
    with engine.connect() as conn:
        audit = conn.execute(
            text("SELECT username, client, detail FROM audit_log WHERE kind = 'export' ORDER BY id")
        ).all()
    assert [a.username for a in audit][-3:] == ["yunyan", audit[-2].username, "lead"]
    assert audit[-2].username.startswith("cli:") and audit[-2].client == "cli"
    assert audit[-1].detail["personal_data"] is True and audit[-2].detail["personal_data"] is False
    assert audit[-1].detail["filter"]["since"] == "2026-03-02"


def test_xlsx_and_geojson_files(use_test_db: str, tickets: dict[str, str], tmp_path: Path) -> None:
    xlsx = tmp_path / "c.xlsx"
    assert main([*ARGS, "--format", "xlsx", "--out", str(xlsx)]) == 0
    ws = load_workbook(xlsx, read_only=True).active
    assert ws is not None
    assert sorted(r[0] for r in list(ws.iter_rows(values_only=True))[1:]) == sorted(tickets.values())
    geo = tmp_path / "c.geojson"
    assert main([*ARGS, "--format", "geojson", "--district", "520102", "--out", str(geo)]) == 0
    doc = json.loads(geo.read_text(encoding="utf-8"))
    assert [f["properties"]["ticket"] for f in doc["features"]] == [tickets["520102"]]
    assert doc["features"][0]["geometry"]["coordinates"] == [NANMING[0], NANMING[1]]


def test_refusals_are_one_line_and_exit_2(
    use_test_db: str, tickets: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    assert main([*ARGS, "--as", "nobody-such", "--out", str(out)]) == 2
    assert "nobody-such" in capsys.readouterr().err
    assert main([*ARGS, "--status", "bogus", "--out", str(out)]) == 2
    assert "status" in capsys.readouterr().err
    assert main([*ARGS, "--as", "moderator", "--out", str(out)]) == 2
    assert "您无权导出案件" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main([*ARGS, "--since", "2026-02-30", "--out", str(out)])
    assert exc.value.code == 2
    assert not out.exists() and not list(tmp_path.glob(".export-*"))
