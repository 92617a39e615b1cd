"""``guiyang-ops analyze peaks`` (时间峰值) and ``guiyang-ops analyze correlations`` (关联分析), city-wide (the
command center's scope) for the last ``--days`` days: a JSON list with ``--json``, else a short table."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from sqlalchemy import Connection

from cli.commands.analysis_read import filters_of, read_once
from dashboard.settings import Settings
from ops.analysis import correlation as co
from ops.analysis import peaks as pk
from ops.analysis.scope import AnalysisScope


def cmd_peaks(settings: Settings, args: argparse.Namespace) -> int:
    filters = filters_of(args)
    now = datetime.now(UTC)

    def run(conn: Connection) -> pk.PeakResult:
        return pk.peaks(conn, AnalysisScope.city(), filters, now)

    result = read_once(settings, run)
    items = pk.peak_items(result, filters.category)
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=1))
        return 0
    base = "the other reports" if result.baseline == "others" else "the weekly mean"
    print(f"{result.total:,} reports in {filters.days} days; peaks against {base}:")
    for r in pk.peak_ranges(result.peaks + result.category_peaks)[:20]:
        print(
            f"  {r.category_code or filters.category or '(all)':8} {pk.WEEKDAYS[r.weekday][1]} "
            f"{r.start:02d}–{r.end:02d}h  {r.observed:5d} vs {r.expected:7.1f}  q={r.q_value:.2g}"
        )
    return 0


def cmd_correlations(settings: Settings, args: argparse.Namespace) -> int:
    filters = filters_of(args)
    now = datetime.now(UTC)

    def run(conn: Connection) -> list[co.Pair]:
        return co.correlations(conn, AnalysisScope.city(), filters, now, window_days=args.window_days)

    pairs = co.significant(read_once(settings, run))
    if args.json:
        print(json.dumps(co.pair_items(pairs, args.window_days), ensure_ascii=False, indent=1))
        return 0
    print(
        f"{len(pairs)} related pairs (same 1 km square, ±{args.window_days} days, last {filters.days} days):"
    )
    for p in pairs[:30]:
        where = ", ".join(pl.area_key for pl in p.places)
        print(
            f"  {p.category_a:6} {p.category_b:6} {p.observed:5d} vs {p.expected:7.1f}  lift {p.lift:4.2f}"
            f"  q={p.q_value:.2g}  {where}"
        )
    return 0
