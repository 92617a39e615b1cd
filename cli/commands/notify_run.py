"""``notify run``: the outbox's delivery worker, once (``--once``) or until SIGTERM/Ctrl-C."""

from __future__ import annotations

import argparse

from cli.progress import ok
from cli.stopping import until_signal
from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from ops.notify.worker import Round, WorkerConfig, run_forever, run_once


def worker_config(settings: Settings) -> WorkerConfig:
    return WorkerConfig(
        base_url=settings.base_url,
        max_attempts=settings.notify_max_attempts,
        backoff_s=settings.notify_backoff_s,
        backoff_max_s=settings.notify_backoff_max_s,
        timeout_s=settings.notify_timeout_s,
        poll_s=settings.notify_poll_s,
        light_interval_s=settings.notify_light_interval_s,
        mail_url=settings.subscriptions_mail_url,
    )


def _summary(r: Round) -> str:
    return f"notifications: {r.delivered:,} delivered, {r.retried:,} to retry, {r.failed:,} failed"


def cmd_notify_run(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(database_url(settings), pool_size=2, working_periods=settings.working_periods)
    config = worker_config(settings)
    try:
        if args.once:
            print(_summary(run_once(engine, config)), flush=True)
            return 0
        with until_signal() as should_stop:
            total = run_forever(
                engine, config, should_stop, on_round=lambda r: print(_summary(r), flush=True)
            )
        ok(f"notification worker stopped; {_summary(total)}")
        return 0
    finally:
        engine.dispose()
