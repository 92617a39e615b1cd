"""The anomaly step of the cycle: read counts (recent cases, the hourly table), build one test per area level ×
area × category × window, run :mod:`ops.analysis.expectation` and :mod:`ops.analysis.anomaly`, and raise the
alerts (:mod:`ops.analysis.alert_write`).

Areas: every 1 km square of the unit grid (``'1km:I:J'``, credited to the district most of its reports are in) and
every district; categories: every 小类 and its 大类 (the sum of its 小类). A test exists for every combination
with a report in the window, the baseline weeks or the area's baseline period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from ops.analysis import alert_config, alert_write, expectation, hourly
from ops.analysis.anomaly import Thresholds, add_p_q, select

KEY = ["area_key", "district_code", "category_code"]
OUT = ["area_level", "area_key", "district_code", "category_code", "cat_level", "parent_code"]


def parents(conn: Connection) -> dict[str, str | None]:
    return {str(c): p for c, p in conn.execute(text("SELECT code, parent_code FROM category")).all()}


def _base(
    conn: Connection, now: datetime, windows: tuple[int, ...], weeks: int
) -> tuple[pd.DataFrame, float]:
    """Per (1 km square, district, 小类): ``obs_h``, ``past_h`` (summed over the baseline weeks), ``level``; and
    the level's length in hours."""
    parts: list[pd.DataFrame] = []
    recent = hourly.recent_cases(conn, now, max(windows))
    for h in windows:
        since = now - timedelta(hours=h)
        sub = recent[recent["created_at"] >= since]
        parts.append(sub.groupby(KEY).size().rename(f"obs_{h}").astype(float).to_frame())
    shifted = hourly.shifted_windows(conn, now, windows, weeks)
    if not shifted.empty:
        shifted["col"] = "past_" + shifted["h"].astype(str)
        parts.append(shifted.pivot_table(index=KEY, columns="col", values="n", aggfunc="sum"))
    end = hourly.floor_hour(now) - timedelta(days=1)
    start = hourly.floor_hour(now) - timedelta(days=7 * weeks)
    lv = hourly.levels(conn, start, end)
    parts.append(lv.set_index(KEY)["n"].rename("level").to_frame())
    base = pd.concat(parts, axis=1).fillna(0.0)
    for h in windows:
        for col in (f"obs_{h}", f"past_{h}"):
            if col not in base:
                base[col] = 0.0
    if "level" not in base:
        base["level"] = 0.0
    return base.reset_index(), (end - start).total_seconds() / 3600.0


def _by_area(base: pd.DataFrame, cats: dict[str, str | None]) -> pd.DataFrame:
    """The base rows summed to 1 km × (小类, 大类) and district × (小类, 大类)."""
    values = [c for c in base.columns if c not in KEY]
    minor = base.assign(cat_level=2, parent_code=base["category_code"].map(cats))
    major = base.assign(category_code=minor["parent_code"], cat_level=1, parent_code=None)
    both = pd.concat([minor, major.dropna(subset=["category_code"])], ignore_index=True)
    both["parent_code"] = both["parent_code"].fillna("")
    # a 1 km square (which may straddle a border) belongs to the district with most of its reports in the
    # windows being tested (a burst is its district's), else over its history
    obs = [c for c in values if c.startswith("obs_")]
    w = base[obs].sum(axis=1) * 1e6 + base[values].sum(axis=1)
    weight = base.assign(w=w).groupby(["area_key", "district_code"])["w"].sum()
    ranked = weight.reset_index().sort_values(["w", "district_code"], ascending=[False, True])
    owner = ranked.drop_duplicates("area_key").set_index("area_key")["district_code"]
    grp = ["area_key", "category_code", "cat_level", "parent_code"]
    km = both[both["area_key"] != ""].groupby(grp, as_index=False)[values].sum()
    km["district_code"] = km["area_key"].map(owner)
    km["area_level"] = "1km"
    dgrp = ["district_code", "category_code", "cat_level", "parent_code"]
    di = both[both["district_code"] != ""].groupby(dgrp, as_index=False)[values].sum()
    di["area_key"] = di["district_code"]
    di["area_level"] = "district"
    city = both.groupby("category_code")[values].sum().add_suffix("_city")
    out = pd.concat([km, di], ignore_index=True)
    return out.join(city, on="category_code")


def build_tests(conn: Connection, now: datetime, windows: tuple[int, ...], weeks: int) -> pd.DataFrame:
    """One row per area level × area × category × window with the observed count and its predictive."""
    base, level_hours = _base(conn, now, windows, weeks)
    if base.empty:
        return pd.DataFrame(columns=[*OUT, "window_hours", "observed", "expected", "nb_n", "nb_p"])
    areas = _by_area(base, parents(conn))
    frames = []
    for h in windows:
        past_sum = areas[f"past_{h}"].to_numpy()
        city_slots = areas[f"past_{h}_city"].to_numpy()
        season = expectation.seasonal_factor(
            city_slots, areas["level_city"].to_numpy(), h, weeks, level_hours
        )
        mu0 = expectation.prior_mean(areas["level"].to_numpy(), level_hours, h, season)
        group = pd.factorize(areas["area_level"] + "|" + areas["category_code"])[0].astype(np.int64)
        alpha = expectation.prior_shape(past_sum, mu0, weeks, group)
        mean, n, p = expectation.predictive(past_sum, mu0, alpha, weeks)
        t = areas[OUT].copy()
        t["window_hours"] = h
        t["observed"] = areas[f"obs_{h}"].to_numpy().astype(np.int64)
        t["expected"], t["nb_n"], t["nb_p"] = mean, n, p
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


_LIVE = text(
    """
    SELECT a.area_level, a.area_key, COALESCE(a.district_code, '') AS district_code, a.category_code,
           c.level AS cat_level, COALESCE(c.parent_code, '') AS parent_code, a.observed, a.expected
      FROM analysis_alert a JOIN category c ON c.code = a.category_code
     WHERE a.kind = 'anomaly' AND a.state IN ('new', 'acknowledged') AND a.window_end > :since
    """
)


def live_alerts(conn: Connection, since: datetime) -> pd.DataFrame:
    rows = conn.execute(_LIVE, {"since": since}).all()
    cols = ["area_level", "area_key", "district_code", "category_code", "cat_level", "parent_code"]
    return pd.DataFrame([tuple(r) for r in rows], columns=[*cols, "observed", "expected"])


def detect(
    conn: Connection, now: datetime, config: alert_config.AlertConfig, *, live: bool | pd.DataFrame = True
) -> pd.DataFrame:
    """The anomalies of the cycle at ``now`` (nothing written). ``live``: let the live alerts of the database
    explain coarser excess (True, as the cycle does), or these (a frame like :func:`live_alerts`', for a replay
    that writes nothing), or none (False)."""
    tests = build_tests(conn, now, config.windows_hours, config.baseline_weeks)
    if tests.empty:
        return tests
    tests = add_p_q(tests)
    if isinstance(live, pd.DataFrame):
        lv: pd.DataFrame | None = live
    else:
        lv = live_alerts(conn, now - timedelta(hours=max(config.windows_hours))) if live else None
    found = select(tests, Thresholds(config.fdr, config.min_count), lv)
    found = found.assign(
        window_end=now, window_start=[now - timedelta(hours=int(h)) for h in found["window_hours"]]
    )
    return found


def anomaly_step(conn: Connection, now: datetime) -> int:
    """Detect and raise (or update) anomaly alerts; returns how many alerts were raised or updated."""
    found = detect(conn, now, alert_config.current())
    return alert_write.write_anomalies(conn, found, now)
