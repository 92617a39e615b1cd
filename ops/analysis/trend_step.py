"""The trend step of the cycle: weekly counts from the hourly table per area level × area × category, the
quasi-Poisson slope test of :mod:`ops.analysis.trend`, Benjamini–Hochberg over the pass, no echo up the
hierarchy (:func:`ops.analysis.trend.without_echoes`), and at most one live trend alert per area × category (:func:`ops.analysis.alert_write.upsert`).

Weekly counts change slowly, so a pass runs at most every ``trend_every_s`` seconds (the ``analysis_cursor`` row
``'trend'`` remembers when the last one ran); the other cycles skip it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from ops.analysis import alert_config, alert_write, hourly, trend
from ops.analysis.anomaly_step import _by_area, parents
from ops.analysis.fdr import bh_p_cutoff, bh_qvalues

CURSOR = "trend"


def detect(conn: Connection, now: datetime, config: alert_config.AlertConfig) -> pd.DataFrame:
    """The rising area × category series at ``now`` (nothing written)."""
    weeks = config.trend_weeks
    end = hourly.floor_hour(now)
    wk = hourly.weekly(conn, end, weeks)
    if wk.empty:
        return wk
    wk["col"] = "w" + (weeks - 1 - wk["age"]).astype(str)  # w0 = oldest, w{N-1} = the last 7 days
    base = wk.pivot_table(
        index=["area_key", "district_code", "category_code"], columns="col", values="n", aggfunc="sum"
    ).fillna(0.0)
    cols = [f"w{k}" for k in range(weeks)]
    for c in cols:
        if c not in base:
            base[c] = 0.0
    areas = _by_area(base[cols].reset_index(), parents(conn))
    y = areas[cols].to_numpy()
    tested = areas[y.sum(axis=1) >= config.trend_min_total].reset_index(drop=True)
    if tested.empty:
        return tested
    y = tested[cols].to_numpy()
    group = pd.factorize(tested["area_level"] + "|" + tested["category_code"])[0].astype(np.int64)
    phi = trend.dispersion(y, group)
    z, p, ratio = trend.slope_test(y, phi)
    s = trend.mann_kendall_s(y)
    tested = tested.assign(z=z, p=p, ratio=ratio, mk_s=s, q=bh_qvalues(p), phi=phi)
    tested["observed"] = y[:, -1].astype(np.int64)
    tested["expected"] = y[:, :-1].mean(axis=1)
    keep = (
        (tested["q"] <= config.fdr)
        & (tested["mk_s"] > 0)
        & (tested["observed"] >= config.trend_min_count)
        & (tested["ratio"] >= 1.0 + config.trend_min_weekly_rise)
    )
    found = trend.without_echoes(
        tested[keep],
        cols,
        cutoff=bh_p_cutoff(p, config.fdr),
        min_count=config.trend_min_count,
        min_ratio=1.0 + config.trend_min_weekly_rise,
    ).copy()
    found["window_start"] = end - timedelta(days=7 * weeks)
    found["window_end"] = end
    return found


def trend_step(conn: Connection, now: datetime) -> int:
    """Run a trend pass if the last one is older than ``trend_every_s``; returns the alerts raised or grown."""
    config = alert_config.current()
    conn.execute(
        text("INSERT INTO analysis_cursor (name, last_id) VALUES (:n, 0) ON CONFLICT (name) DO NOTHING"),
        {"n": CURSOR},
    )
    last = conn.execute(
        text("SELECT last_at FROM analysis_cursor WHERE name = :n FOR UPDATE"), {"n": CURSOR}
    ).scalar_one()
    if last is not None and timedelta(0) <= now - last < timedelta(seconds=config.trend_every_s):
        return 0
    found = detect(conn, now, config)
    conn.execute(
        text("UPDATE analysis_cursor SET last_at = :now, updated_at = :now WHERE name = :n"),
        {"now": now, "n": CURSOR},
    )
    return alert_write.write_trends(conn, found, now, config.trend_weeks)
