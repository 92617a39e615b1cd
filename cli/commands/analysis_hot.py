"""``guiyang-ops analyze hotspots [--days N] [--category CODE] [--district ADCODE] [--level cell|500m|1km]
[--all] [--json]``: 热点区域, Getis-Ord Gi* hot and cold spots (FDR-controlled) city-wide (the command line is the
command center's). Prints the significant units, the strongest first (``--all``: every unit of the study region);
with ``--json`` a JSON list of ``{key, level, lat, lon, count, z, p, q, class, district_code}``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from cli.commands.analysis_read import filters_of, read_once
from dashboard.settings import Settings
from geo.crs import TZ
from ops.analysis.hotspots import hotspots
from ops.analysis.scope import AnalysisScope


def cmd_hotspots(settings: Settings, args: argparse.Namespace) -> int:
    filters = filters_of(args)
    res = read_once(
        settings, lambda conn: hotspots(conn, AnalysisScope.city(), filters, args.level, datetime.now(TZ))
    )
    units = res.all_units() if args.all else res.significant()
    if args.json:
        print(json.dumps([u.as_json() for u in units], ensure_ascii=False), flush=True)
        return 0
    print(
        f"{res.level}: {res.n_units} units, {res.total} reports in {filters.days} days; "
        f"{res.n_hot} hot, {res.n_cold} cold (Gi*, FDR ≤ 10 %)"
    )
    for u in units:
        print(
            f"{u.key:<18} {u.district_code}  class {u.cls:+d}  n={u.count:<5} z={u.z:7.2f}  q={u.q:.2g}"
            f"  {u.lat:.5f},{u.lon:.5f}"
        )
    return 0
