"""``analyze run``: the analysis cycle, once (``--once``) or every ``--interval`` seconds until SIGTERM/Ctrl-C."""

from __future__ import annotations

import argparse
import json

from cli.progress import ok
from cli.stopping import until_signal
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from ops.analysis.alert_config import AlertConfig
from ops.analysis.cycle import CycleReport, run_cycle, run_forever


def alert_config(settings: Settings) -> AlertConfig:
    return AlertConfig(
        fdr=settings.alert_fdr,
        min_count=settings.alert_min_count,
        baseline_weeks=settings.alert_baseline_weeks,
        trend_weeks=settings.alert_trend_weeks,
        trend_min_count=settings.alert_trend_min_count,
        trend_min_total=settings.alert_trend_min_total,
        recurrence_radius_m=settings.recurrence_radius_m,
        recurrence_days=settings.recurrence_days,
        recurrence_escalate_at=settings.recurrence_escalate_at,
    )


def _print(report: CycleReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False), flush=True)
    else:
        print(report.summary(), flush=True)


def cmd_analyze_run(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings), pool_size=1, working_periods=settings.working_periods)
    config = alert_config(settings)
    try:
        if args.once:
            report = run_cycle(engine, None, config)
            _print(report, args.json)
            return 0 if report.ok else 1
        with until_signal() as should_stop:
            interval = args.interval or settings.analysis_interval_s
            done = run_forever(engine, interval, should_stop, config, lambda r: _print(r, args.json))
        if not args.json:
            ok(f"analysis cycle stopped after {done:,} cycles")
        return 0
    finally:
        engine.dispose()
