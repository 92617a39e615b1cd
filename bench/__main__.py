"""``make bench``: the figures the issues ask for, on the 1M-case demo city, in one table.

Uses its own database (``guiyang_ops_bench``) in the project's cluster (or on the DATABASE_URL server), seeds it
with ``--cases`` cases when it does not hold that many (timing the seed), then runs every ``bench/*.py`` module
that defines ``run(ctx)``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess  # nosec B404 # runs our own tools, never through a shell
import sys
import time

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

import bench
from bench.common import BenchContext, Figure
from dashboard.database import app_role, database_url, local_cluster
from dashboard.settings import get_settings
from db import migrate
from db.engine import make_engine

console = Console()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make bench")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--database", default="guiyang_ops_bench")
    p.add_argument("--only", default=None, help="run only the benchmark modules whose name contains this")
    args = p.parse_args(argv)

    settings = get_settings(demo_mode=True)
    url = database_url(settings, dbname=args.database)  # the app role's
    owner_url = database_url(settings, dbname=args.database, role="owner", ensure=False)
    admin_url = owner_url if settings.database_url else local_cluster(settings).url(args.database)
    ops = [sys.executable, "-m", "cli"]
    env_db = {"GUIYANG_DATABASE_NAME": args.database}
    figures: list[Figure] = []
    failed = False
    subprocess.run([*ops, "setup", "--demo", "--database", args.database], check=True)
    migrate.upgrade(owner_url, app_role=app_role(settings))
    engine = make_engine(admin_url)
    with engine.connect() as conn:
        have = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
    if have != args.cases:
        import os

        t0 = time.perf_counter()
        subprocess.run(  # nosec B603 # our own argument list, no shell, no user input
            [
                *ops,
                "seed-demo",
                "--cases",
                str(args.cases),
                "--days",
                str(args.days),
                "--seed",
                "1",
                "--replace",
            ],
            check=True,
            env={**os.environ, **env_db, "DATABASE_URL": url, "GUIYANG_OWNER_DATABASE_URL": owner_url},
        )
        secs = time.perf_counter() - t0
        figures.append(
            Figure(
                "seed-demo: cases with their histories",
                secs,
                "s",
                f"{args.cases:,} cases ≤ 120 s",
                secs <= 120 if args.cases == 1_000_000 else None,
            )
        )
    ctx = BenchContext(
        url=url, engine=engine, cases=args.cases, media_dir=str(settings.media_path), admin_url=admin_url
    )
    try:
        for mod in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
            if mod.name in ("common",) or mod.name.startswith("_"):
                continue
            if args.only and args.only not in mod.name:
                continue
            module = importlib.import_module(f"bench.{mod.name}")
            if hasattr(module, "run"):
                console.print(f"[bold]bench {mod.name}[/bold] …")
                try:
                    figures.extend(module.run(ctx))
                except Exception as exc:  # noqa: BLE001 - one failing group must not hide the others' figures
                    console.print_exception(max_frames=4)
                    figures.append(Figure(f"bench {mod.name} FAILED", 0, "", ok=False, note=repr(exc)[:120]))
                    failed = True
    finally:
        ctx.close()

    table = Table(title=f"guiyang-ops benchmarks on {args.cases:,} cases")
    for col in ("figure", "value", "target", "ok", "note"):
        table.add_column(col)
    for f in figures:
        ok = "" if f.ok is None else ("✔" if f.ok else "✘")
        table.add_row(f.name, f"{f.value:,.1f} {f.unit}", f.target, ok, f.note)
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
