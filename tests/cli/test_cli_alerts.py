"""``guiyang-ops alerts list``: city-wide (as the operator), newest first, by state, and with ``--json`` a list
whose items carry the issue's fields under exactly their names, the point in WGS-84."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.accounts import load_identity
from db.engine import make_engine
from geo.crs import TZ
from ops.analysis.alert_actions import act
from tests.support.an_alertui import raise_alert
from tests.support.db import as_app

FIELDS = (
    "id",
    "kind",
    "category_code",
    "district_code",
    "lat",
    "lon",
    "window_start",
    "window_end",
    "observed",
    "expected",
    "score",
    "state",
    "explanation_zh",
)


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def _list(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["alerts", "list", *args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list)
    return out


def test_alerts_list_json(use_test_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(TZ)
    with engine.begin() as conn:
        older, _ = raise_alert(conn, "520103", "C0101", now=now - timedelta(hours=1))
        newer, mark = raise_alert(conn, "520102", "E0201", now=now, observed=9, expected=0.8)
        done, _ = raise_alert(conn, "520103", "C0101", now=now)
        lead = load_identity(
            conn, conn.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        )
        assert lead is not None
        act(conn, lead, done, "escalate", version=1, now=now)

    live = _list(capsys)
    ids = [a["id"] for a in live]
    assert ids.index(newer) < ids.index(older) and done not in ids  # newest first, live only
    item = next(a for a in live if a["id"] == newer)
    for key in FIELDS:
        assert key in item, key
    assert (
        item["kind"] == "anomaly" and item["category_code"] == "E0201" and item["district_code"] == "520102"
    )
    assert (item["lon"], item["lat"]) == pytest.approx((106.7119, 26.5716))
    assert (item["observed"], item["expected"], item["state"]) == (9, 0.8, "new")
    assert isinstance(item["explanation_zh"], str) and mark in item["explanation_zh"]
    start = datetime.fromisoformat(str(item["window_start"]))
    end = datetime.fromisoformat(str(item["window_end"]))
    assert end - start == timedelta(hours=2) and end.tzinfo is not None

    assert [a["id"] for a in _list(capsys, "--state", "escalated")] == [done]
    assert newer in [a["id"] for a in _list(capsys, "--state", "new")]
    assert len(_list(capsys, "--state", "all", "--limit", "2")) == 2
    with pytest.raises(SystemExit) as refused:  # refused before anything connects
        main(["alerts", "list", "--state", "bogus"])
    assert refused.value.code == 2
