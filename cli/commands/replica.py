"""``guiyang-ops db replica up|down|status|url``: the project's cluster's streaming standby (:mod:`db.replica`)."""

from __future__ import annotations

import argparse
import json

from cli.progress import console, fail, ok, progress_bars
from dashboard.database import local_replica
from dashboard.settings import Settings

_STEPS = ("primary settings", "base backup", "start")


def cmd_replica(settings: Settings, args: argparse.Namespace) -> int:
    action = args.replica_action
    if action is None:
        fail("缺少操作 / Missing action: guiyang-ops db replica up|down|status|url")
        return 2
    if settings.database_url:
        fail(
            "设置了 DATABASE_URL：副本仅用于本项目的集群 / DATABASE_URL is set: the replica is of the project's own cluster"
        )
        return 2
    replica = local_replica(settings)
    if action == "url":
        print(replica.url(settings.database_name))
        return 0
    if action == "up":
        with progress_bars() as bar:

            def step(name: str) -> None:
                i = _STEPS.index(name) if name in _STEPS else 0
                bar("standby", i, len(_STEPS))

            done = replica.up(rebuild=args.rebuild, on_step=step)
            bar("standby", len(_STEPS), len(_STEPS))
        ok(f"standby {done}: {replica.standby.data_dir} (port {replica.standby.port})")
        return 0
    if action == "down":
        ok("standby stopped" if replica.down() else "standby not running")
        return 0
    status = replica.status()
    if args.json:
        print(json.dumps(status))
    else:
        for key, value in status.items():
            console.print(f"{key}: {value}", highlight=False, soft_wrap=True)
    return 0 if status["state"] == "standby" else 1
