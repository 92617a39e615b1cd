"""Campaigns: defined by a lead over districts or a drawn area, refused clearly (and without a trace) when
something is wrong, turned from an alert in one transaction, edited and ended with history, read by scope; and
the effect on synthetic cases with a known before/after falls inside its interval."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from db.accounts import StaffIdentity, load_identity
from db.errors import DomainError, Forbidden, InvalidTransition, ValidationError
from geo.crs import TZ
from ops.analysis import campaigns as cmp
from ops.analysis.alert_states import NewAlert, record
from ops.analysis.campaign_effect import campaign_effect, get_campaign, history, list_campaigns
from ops.analysis.scope import AnalysisScope, analysis_scope

pytestmark = pytest.mark.db

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
#: about 1.2 km × 1.2 km in 云岩区 around 106.7135, 26.5838
BOX = {
    "type": "Polygon",
    "coordinates": [
        [[106.707, 26.578], [106.719, 26.578], [106.719, 26.589], [106.707, 26.589], [106.707, 26.578]]
    ],
}


def _user(conn: Connection, name: str) -> StaffIdentity:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return ident


def _draft(**kw: Any) -> cmp.CampaignDraft:
    base: dict[str, Any] = {
        "name": "井盖专项整治",
        "categories": ("C01",),
        "starts_on": TODAY - timedelta(days=10),
        "ends_on": TODAY + timedelta(days=20),
        "source": "districts",
        "district_codes": ("520103",),
        "note": "云岩区井盖",
    }
    return cmp.CampaignDraft(**(base | kw))


def _count(conn: Connection) -> tuple[int, int]:
    return tuple(
        conn.execute(
            text("SELECT (SELECT count(*) FROM campaign), (SELECT count(*) FROM campaign_event)")
        ).one()
    )


def test_lead_defines_a_campaign_over_districts(conn: Connection) -> None:
    lead = _user(conn, "lead")
    cid = cmp.create(conn, lead, _draft(district_codes=("520103", "520102")), now=NOW)
    k = get_campaign(conn, AnalysisScope.city(), cid)
    assert (k.name, k.categories, k.district_codes, k.source) == (
        "井盖专项整治",
        ["C01"],
        ["520102", "520103"],
        "districts",
    )
    districts_km2 = conn.execute(
        text(
            "SELECT sum(ST_Area(ST_Transform(geom, 32648))) / 1e6 FROM district WHERE code IN ('520102', '520103')"
        )
    ).scalar_one()
    assert k.area_km2 == pytest.approx(districts_km2, rel=1e-3)
    assert k.area_geojson is not None and k.area_geojson["type"] == "MultiPolygon"
    (event,) = history(conn, cid)
    assert event["kind"] == "created" and event["changes"]["name"] == "井盖专项整治"


def test_a_drawn_area_is_kept_with_the_districts_it_touches(conn: Connection) -> None:
    cid = cmp.create(
        conn, _user(conn, "admin"), _draft(source="drawn", geometry=BOX, district_codes=()), now=NOW
    )
    k = get_campaign(conn, AnalysisScope.city(), cid)
    assert k.source == "drawn" and "520103" in k.district_codes
    assert 1.0 < k.area_km2 < 1.8


OUTSIDE = {
    "type": "Polygon",
    "coordinates": [[[106.0, 27.5], [106.01, 27.5], [106.01, 27.51], [106.0, 27.5]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[106.70, 26.58], [106.72, 26.59], [106.72, 26.58], [106.70, 26.59], [106.70, 26.58]]],
}


@pytest.mark.parametrize(
    ("kw", "field", "zh"),
    [
        ({"name": "  "}, "name", "请填写整治名称"),
        ({"name": "长" * 81}, "name", "名称最多 80 字"),
        ({"categories": ()}, "categories", "请至少选择一个类别"),
        ({"categories": ("NOPE",)}, "categories", "类别不存在"),
        ({"ends_on": TODAY - timedelta(days=10)}, "ends_on", "结束日期应晚于开始日期"),
        ({"ends_on": TODAY - timedelta(days=11)}, "ends_on", "结束日期应晚于开始日期"),
        ({"district_codes": ()}, "districts", "请至少选择一个区县"),
        ({"district_codes": ("520121",)}, "districts", "不在网格化管理范围内"),
        ({"source": "drawn", "geometry": None}, "area", "请在地图上画出整治区域"),
        ({"source": "drawn", "geometry": OUTSIDE}, "area", "不在城市网格范围内"),
        ({"source": "drawn", "geometry": BOWTIE}, "area", "自相交"),
        ({"source": "drawn", "geometry": {"type": "Point", "coordinates": [106.7, 26.58]}}, "area", "多边形"),
        ({"source": "drawn", "geometry": {"type": "Polygon", "coordinates": "x"}}, "area", "无法识别"),
        ({"note": "x" * 1001}, "note", "说明最多"),
    ],
)
def test_refusals_name_the_field_and_leave_nothing(
    conn: Connection, kw: dict[str, Any], field: str, zh: str
) -> None:
    before = _count(conn)
    with pytest.raises(ValidationError) as err:
        cmp.create(conn, _user(conn, "lead"), _draft(**kw), now=NOW)
    assert err.value.field == field
    assert zh in err.value.zh and err.value.en
    assert _count(conn) == before


@pytest.mark.parametrize("who", ["dispatcher", "yunyan", "cgj", "moderator"])
def test_only_leads_and_admins_define_campaigns(conn: Connection, who: str) -> None:
    with pytest.raises(Forbidden) as err:
        cmp.create(conn, _user(conn, who), _draft(), now=NOW)
    assert "值班长" in err.value.zh and "shift leads" in err.value.en


def _alert(conn: Connection) -> int:
    return record(
        conn,
        NewAlert(
            kind="anomaly",
            area_level="1km",
            area_key="1km:1:2",
            district_code="520103",
            category_code="C0101",
            geom_wkt="POLYGON((106.707 26.578, 106.719 26.578, 106.719 26.589, 106.707 26.589, 106.707 26.578))",
            point_wkt="POINT(106.713 26.583)",
            window_start=NOW - timedelta(hours=2),
            window_end=NOW,
            observed=14,
            expected=1.2,
            score=9.5,
            p_value=1e-9,
            explanation_zh="近2小时云岩区井盖破损上报 14 件，往常约 1.2 件",
            explanation_en="14 reports in the last 2 hours; usually about 1.2",
        ),
        NOW,
    )


def test_a_campaign_from_an_alert_moves_the_alert_in_the_same_transaction(conn: Connection) -> None:
    a = _alert(conn)
    lead = _user(conn, "lead")
    draft = _draft(source="alert", geometry=BOX, district_codes=(), alert_id=a, categories=("C0101",))
    cid = cmp.create(conn, lead, draft, now=NOW, alert_version=1)
    state, campaign_id = conn.execute(
        text("SELECT state, campaign_id FROM analysis_alert WHERE id = :a"), {"a": a}
    ).one()
    assert (state, campaign_id) == ("campaign", cid)
    assert get_campaign(conn, AnalysisScope.city(), cid).alert_id == a


def test_a_stale_alert_leaves_no_campaign(conn: Connection) -> None:
    a = _alert(conn)
    before = _count(conn)
    draft = _draft(source="alert", geometry=BOX, district_codes=(), alert_id=a)
    with pytest.raises(DomainError) as err:
        cmp.create(conn, _user(conn, "lead"), draft, now=NOW, alert_version=7)
    assert err.value.code == "stale"
    assert _count(conn) == before
    assert (
        conn.execute(text("SELECT state FROM analysis_alert WHERE id = :a"), {"a": a}).scalar_one() == "new"
    )


def test_edit_records_what_changed_then_end_freezes_it(conn: Connection) -> None:
    lead = _user(conn, "lead")
    cid = cmp.create(conn, lead, _draft(), now=NOW)
    v = cmp.edit(
        conn, lead, cid, _draft(name="井盖整治（第二期）", categories=("C01", "C02")), version=1, now=NOW
    )
    assert v == 2
    with pytest.raises(cmp.StaleCampaign):
        cmp.edit(conn, lead, cid, _draft(name="又改"), version=1, now=NOW)
    with pytest.raises(ValidationError):
        cmp.edit(
            conn, lead, cid, _draft(name="井盖整治（第二期）", categories=("C01", "C02")), version=2, now=NOW
        )
    v = cmp.end(conn, lead, cid, version=2, now=NOW, note="提前完成")
    k = get_campaign(conn, AnalysisScope.city(), cid)
    assert k.ends_on == TODAY and k.ended_at is not None and k.version == v == 3
    with pytest.raises(InvalidTransition):
        cmp.edit(conn, lead, cid, _draft(), version=3, now=NOW)
    with pytest.raises(InvalidTransition):
        cmp.end(conn, lead, cid, version=3, now=NOW)
    kinds = [(e["kind"], e["changes"]) for e in history(conn, cid)]
    assert [k for k, _ in kinds] == ["created", "edited", "ended"]
    assert kinds[1][1] == {
        "name": ["井盖专项整治", "井盖整治（第二期）"],
        "categories": [["C01"], ["C01", "C02"]],
    }
    assert kinds[2][1]["ends_on"] == [(TODAY + timedelta(days=20)).isoformat(), TODAY.isoformat()]


def test_history_is_append_only(conn: Connection) -> None:
    cid = cmp.create(conn, _user(conn, "lead"), _draft(), now=NOW)
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("UPDATE campaign_event SET kind = 'edited' WHERE campaign_id = :c"), {"c": cid})
    with pytest.raises(DBAPIError), conn.begin_nested():
        conn.execute(text("DELETE FROM campaign_event WHERE campaign_id = :c"), {"c": cid})


def test_readers_see_the_campaigns_of_their_scope(conn: Connection) -> None:
    lead = _user(conn, "lead")
    yunyan = cmp.create(conn, lead, _draft(), now=NOW)
    nanming = cmp.create(conn, lead, _draft(district_codes=("520102",), categories=("C0104",)), now=NOW)
    officer = analysis_scope(conn, _user(conn, "yunyan"))
    ids = {k.id for k in list_campaigns(conn, officer)}
    assert yunyan in ids and nanming not in ids
    department = analysis_scope(conn, _user(conn, "cgj"))
    ids = {k.id for k in list_campaigns(conn, department)}
    assert yunyan in ids and nanming not in ids
    city = {k.id for k in list_campaigns(conn, analysis_scope(conn, lead))}
    assert {yunyan, nanming} <= city


def _insert_cases(conn: Connection, cells: list[int], weekly: np.ndarray, t0: datetime, tag: str) -> None:
    """``weekly[c, w]`` cases of C0101 in cell ``cells[c]`` during week ``w`` after ``t0``."""
    rows = [(cell, w, int(n)) for ci, cell in enumerate(cells) for w, n in enumerate(weekly[ci]) if n > 0]
    conn.execute(
        text(
            """
            INSERT INTO "case" (ticket, source, category_code, geom, district_code, cell_id, status, created_at)
            SELECT :tag || '-' || r.cell || '-' || r.w || '-' || k, 'app', 'C0101', ST_PointOnSurface(g.geom),
                   g.district_code, g.id, 'closed',
                   CAST(:t0 AS timestamptz) + (r.w * 7 + k % 7) * interval '1 day' + interval '9 hours'
              FROM unnest(CAST(:cells AS int[]), CAST(:ws AS int[]), CAST(:ns AS int[])) AS r(cell, w, n)
              JOIN grid_cell g ON g.id = r.cell, generate_series(1, r.n) AS k
            """
        ),
        {
            "tag": tag,
            "t0": t0,
            "cells": [r[0] for r in rows],
            "ws": [r[1] for r in rows],
            "ns": [r[2] for r in rows],
        },
    )


def test_effect_of_a_known_drop_falls_inside_its_interval(conn: Connection) -> None:
    lead = _user(conn, "lead")
    start = date(2026, 4, 6)
    cid = cmp.create(
        conn,
        lead,
        _draft(
            source="drawn",
            geometry=BOX,
            district_codes=(),
            starts_on=start,
            ends_on=start + timedelta(days=55),
        ),
        now=NOW,
    )
    k = get_campaign(conn, AnalysisScope.city(), cid)
    inside = (
        conn.execute(
            text(
                "SELECT g.id FROM grid_cell g, campaign k WHERE k.id = :k AND ST_Intersects(k.area, ST_PointOnSurface(g.geom))"
                " ORDER BY g.id"
            ),
            {"k": cid},
        )
        .scalars()
        .all()
    )
    squares = (
        conn.execute(
            text(
                """
            SELECT min(g.id) FROM grid_cell g, campaign k
             WHERE k.id = :k AND g.district_code = '520103'
             GROUP BY floor(g.i / 10.0), floor(g.j / 10.0)
            HAVING count(*) = 100 AND NOT bool_or(ST_Intersects(g.geom, k.area))
             ORDER BY 1 LIMIT 12
            """
            ),
            {"k": cid},
        )
        .scalars()
        .all()
    )
    assert len(inside) > 50 and len(squares) == 12
    rng = np.random.default_rng(13)
    t0 = datetime.combine(start - timedelta(weeks=8), datetime.min.time(), tzinfo=TZ)
    km2 = len(inside) * 0.01
    per_cell = np.r_[np.full(8, 30.0), np.full(8, 15.0)] * km2 / len(inside)  # 30 a week before, 15 after
    _insert_cases(conn, list(inside), rng.poisson(np.tile(per_cell, (len(inside), 1))), t0, "anc-t")
    ctrl_rate = np.full(16, 30.0 / km2)  # the same rate per km² in each full control square
    _insert_cases(conn, list(squares), rng.poisson(np.tile(ctrl_rate, (len(squares), 1))), t0, "anc-c")
    result = campaign_effect(conn, AnalysisScope.city(), k, NOW)
    e = result.effect
    assert (e.weeks_pre, e.weeks_post) == (8, 8)
    assert result.n_controls == 12 and result.controls_from == "districts"
    assert e.ratio_low is not None and e.ratio_high is not None
    assert e.ratio_low <= 0.5 <= e.ratio_high, e
    assert e.status == "fell"
    assert sum(result.treated) == e.treated_pre + e.treated_post
    assert e.sentence("zh").startswith("整治后同类上报下降")
    # an officer of another district reads no case of this one: not enough data, never 云岩's counts
    other = campaign_effect(conn, AnalysisScope(district="520102"), k, NOW)
    assert other.effect.treated_pre == 0 and other.effect.status == "insufficient"


def test_a_new_campaign_has_not_enough_weeks(conn: Connection) -> None:
    lead = _user(conn, "lead")
    cid = cmp.create(conn, lead, _draft(starts_on=TODAY - timedelta(days=3)), now=NOW)
    e = campaign_effect(conn, AnalysisScope.city(), get_campaign(conn, AnalysisScope.city(), cid), NOW).effect
    assert (e.status, e.reason) == ("insufficient", "post_weeks")
    assert (
        e.sentence("en")
        == "Not enough data to judge the effect (the campaign started less than 2 weeks ago)."
    )


def test_from_an_alert_without_a_version_takes_its_current_one(conn: Connection) -> None:
    """The page's seed carries no alert version: the alert as it is now moves to ``campaign``."""
    a = _alert(conn)
    draft = _draft(source="alert", geometry=BOX, district_codes=(), alert_id=a)
    cid = cmp.create(conn, _user(conn, "admin"), draft, now=NOW)
    row = conn.execute(
        text("SELECT state, campaign_id, version FROM analysis_alert WHERE id = :a"), {"a": a}
    ).one()
    assert tuple(row) == ("campaign", cid, 2)
    with pytest.raises(
        InvalidTransition
    ):  # a final state: a second campaign from it is refused, nothing written
        before = _count(conn)
        cmp.create(conn, _user(conn, "admin"), draft, now=NOW)
    assert _count(conn) == before
