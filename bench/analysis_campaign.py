"""专项整治 campaign effects on the big demo city: how long one campaign's difference-in-differences takes (the
weekly counts of its categories in its area and in every candidate control square, the choice of controls and the
interval), as the campaigns tab and ``guiyang-ops analyze campaigns`` compute it for each campaign.

Two campaigns, defined through :func:`ops.analysis.campaigns.create` in a transaction that is rolled back: a drawn
1.2 km square in 云岩区 (controls from its district), and the whole of 云岩区 (controls from the whole city, the
heavier case). Both about 公用设施 (C01), 4 weeks ending the day before the newest case (4 weeks before)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import text

from bench.common import BenchContext, Figure, pct, timed
from db.accounts import load_identity
from geo.crs import TZ
from ops.analysis import campaigns as cmp
from ops.analysis.campaign_effect import campaign_effect, get_campaign
from ops.analysis.scope import AnalysisScope

RUNS = 10
TARGET_MS = 300.0
BOX = {
    "type": "Polygon",
    "coordinates": [
        [[106.707, 26.578], [106.719, 26.578], [106.719, 26.589], [106.707, 26.589], [106.707, 26.578]]
    ],
}


def run(ctx: BenchContext) -> list[Figure]:
    figures: list[Figure] = []
    with ctx.engine.connect() as conn:
        newest = conn.execute(text('SELECT max(created_at) FROM "case"')).scalar_one() or datetime.now(TZ)
        now = newest.astimezone(TZ)
        ends_on = (now - timedelta(days=1)).date()
        starts_on = ends_on - timedelta(days=27)
        uid = conn.execute(
            text("SELECT id FROM staff_user WHERE role = 'lead' ORDER BY id LIMIT 1")
        ).scalar_one()
        lead = load_identity(conn, uid)
        assert lead is not None  # nosec B101 # setup --demo made the lead
        city = AnalysisScope.city()
        try:  # everything below is in the connection's own transaction, rolled back at the end
            for label, draft in (
                (
                    "drawn 1.2 km square in 云岩区",
                    cmp.CampaignDraft("bench drawn", ("C01",), starts_on, ends_on, "drawn", geometry=BOX),
                ),
                (
                    "all of 云岩区",
                    cmp.CampaignDraft(
                        "bench district", ("C01",), starts_on, ends_on, "districts", ("520103",)
                    ),
                ),
            ):
                cid = cmp.create(conn, lead, draft, now=now)
                k = get_campaign(conn, city, cid)
                samples = timed(partial(campaign_effect, conn, city, k, now), RUNS, warmup=2)
                p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
                eff = campaign_effect(conn, city, k, now)
                figures.append(
                    Figure(
                        f"campaign effect (DiD), {label}",
                        p50,
                        "ms",
                        f"≤ {TARGET_MS:.0f} ms (a callback's p95)",
                        p95 <= TARGET_MS,
                        f"p50; p95 {p95:,.0f} ms over {RUNS} runs; {eff.n_controls} control squares from "
                        f"{eff.controls_from}; {eff.effect.status}; {ctx.cases:,} cases; "
                        f"load {os.getloadavg()[0]:.1f}",
                    )
                )
        finally:
            conn.rollback()
    return figures
