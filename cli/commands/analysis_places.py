"""``guiyang-ops analyze places [--days N] [--category CODE] [--district ADCODE] [--json]``: the multi-occurrence
places (多发地点) of the period, city-wide (the command line is the administrator's), largest first."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from cli.commands.analysis_read import filters_of, read_once
from dashboard.settings import Settings
from geo.crs import TZ
from ops.analysis.places import places
from ops.analysis.scope import AnalysisScope


def cmd_places(settings: Settings, args: argparse.Namespace) -> int:
    filters = filters_of(args)
    found = read_once(
        settings,
        lambda conn: places(
            conn,
            AnalysisScope.city(),
            filters,
            datetime.now(TZ),
            radius_m=settings.places_radius_m,
            min_reports=settings.places_min_reports,
        ),
    )
    if args.json:
        print(json.dumps([p.as_json() for p in found], ensure_ascii=False))
        return 0
    print(f"{'#':>3}  {'count':>5}  {'open':>4}  {'recur':>5}  category  district  last seen         place")
    for i, p in enumerate(found, 1):
        print(
            f"{i:>3}  {p.count:>5}  {p.open:>4}  {p.recurred:>5}  {p.category_code:<8}  "
            f"{p.district_code or '—':<8}  {p.last_seen.astimezone(TZ):%Y-%m-%d %H:%M}  "
            f"{p.name('zh')} ({p.lat:.5f}, {p.lon:.5f})"
        )
    if not found:
        print("没有多发地点 / No multi-occurrence places in this period.")
    return 0
