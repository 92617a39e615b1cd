"""``guiyang-ops analyze campaigns [--category CODE] [--district ADCODE] [--json]``: every 专项整治 campaign with
its effect (:mod:`ops.analysis.campaign_effect`), read city-wide as the command center reads it."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from cli.commands.analysis_read import read_once
from dashboard.settings import Settings
from geo.crs import TZ
from ops.analysis.campaign_effect import as_record, campaigns_with_effects
from ops.analysis.scope import AnalysisScope


def cmd_campaigns(settings: Settings, args: argparse.Namespace) -> int:
    found = read_once(
        settings,
        lambda conn: campaigns_with_effects(
            conn, AnalysisScope.city(), datetime.now(TZ), district=args.district, category=args.category
        ),
    )
    records = [as_record(k, eff) for k, eff in found]
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2), flush=True)
        return 0
    lang = settings.default_lang
    if not records:
        print("没有专项整治。" if lang != "en" else "No campaigns.")
    for r in records:
        sentence = r["effect_en"] if lang == "en" else r["effect_zh"]
        print(
            f"{r['id']:>4}  {r['starts_on']}–{r['ends_on']}  {r['name']}  {','.join(r['categories'])}  {sentence}"
        )
    return 0
