"""``guiyang-ops analyze campaigns --json``: every campaign with its effect figures, filtered by district and
category, on a test database of this module's own (the command reads committed rows)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from cli.main import main
from dashboard.settings import Settings
from db.accounts import load_identity
from db.engine import make_engine
from geo.crs import TZ
from ops.analysis import campaigns as cmp
from tests.support.db import as_app


@pytest.fixture
def campaigns(private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setenv("DATABASE_URL", as_app(settings, private_owner_db_url))
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    eng = make_engine(private_owner_db_url, pool_size=1)
    now = datetime.now(TZ)
    ids = []
    try:
        with eng.begin() as conn:
            lead = load_identity(
                conn, conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
            )
            assert lead is not None
            for code, cat in (("520103", "C01"), ("520102", "E05")):
                draft = cmp.CampaignDraft(
                    f"整治 {code}",
                    (cat,),
                    now.date() - timedelta(days=3),
                    now.date() + timedelta(days=30),
                    "districts",
                    (code,),
                )
                ids.append(cmp.create(conn, lead, draft, now=now))
    finally:
        eng.dispose()
    return ids


def test_analyze_campaigns_json(campaigns: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "campaigns", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    mine = {r["id"]: r for r in out if r["id"] in campaigns}
    assert set(mine) == set(campaigns)
    first = mine[campaigns[0]]
    assert (first["name"], first["categories"], first["district_codes"], first["source"]) == (
        "整治 520103",
        ["C01"],
        ["520103"],
        "districts",
    )
    assert first["effect"]["status"] == "insufficient" and first["effect"]["reason"] == "post_weeks"
    assert set(first["effect"]) >= {
        "ratio",
        "ratio_low",
        "ratio_high",
        "change_pct",
        "weeks_pre",
        "weeks_post",
    }
    assert first["effect_zh"].startswith("数据不足") and first["effect_en"].startswith("Not enough data")

    assert main(["analyze", "campaigns", "--json", "--district", "520102"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out) if r["id"] in campaigns] == [campaigns[1]]
    assert main(["analyze", "campaigns", "--json", "--category", "C0101"]) == 0  # a 小类 of C01
    assert [r["id"] for r in json.loads(capsys.readouterr().out) if r["id"] in campaigns] == [campaigns[0]]
