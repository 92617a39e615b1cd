"""``guiyang-ops alerts list [--state live|all|STATE] [--limit N] [--json]``: the alerts the analysis cycle
raised, newest first, city-wide (the command line reads as the operator). ``--json`` prints a JSON list whose
items carry at least ``id``, ``kind``, ``category_code``, ``district_code``, ``lat``, ``lon``, ``window_start``,
``window_end``, ``observed``, ``expected``, ``score``, ``state``, ``explanation_zh``."""

from __future__ import annotations

import argparse
import json

from cli.commands.analysis_read import read_once
from dashboard.settings import Settings
from ops.analysis.alert_reads import as_json, list_alerts
from ops.analysis.alert_states import STATE_NAMES
from ops.analysis.scope import AnalysisScope


def cmd_alerts_list(settings: Settings, args: argparse.Namespace) -> int:
    rows = read_once(
        settings,
        lambda conn: list_alerts(
            conn, AnalysisScope.city(), state=args.state, limit=args.limit, geometry=False
        ),
    )
    if args.json:
        print(json.dumps([as_json(r) for r in rows], ensure_ascii=False, indent=1), flush=True)
        return 0
    en = settings.default_lang == "en"
    for r in rows:
        state = STATE_NAMES[r.state][1 if en else 0]
        print(
            f"{r.id:>6}  {r.created_at:%Y-%m-%d %H:%M}  {state:<8}  {r.kind:<7}  "
            f"{r.observed:>4} / {r.expected:6.1f}  {r.explanation_en if en else r.explanation_zh}"
        )
    if not rows:
        print("No alerts." if en else "暂无预警。")
    return 0
