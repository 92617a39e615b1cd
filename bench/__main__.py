"""``make bench``: the figures the issues ask for, on the 1M-case demo city, in one table.

Each city has its own database in the project's cluster (or on the DATABASE_URL server): ``guiyang_ops_bench`` holds
the 1M-case city over a year. ``make bench CASES=10000000`` also builds ``guiyang_ops_bench_10m`` (a city of that
many cases over ``--big-days`` days, ~3 years) and runs every figure on both in the same run, printing the two values
side by side and how each grew (the ratio). A city is seeded (and the seed timed) only when its database does not
hold that many cases. Every ``bench/*.py`` module that defines ``run(ctx)`` is run on each city.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import subprocess  # nosec B404 # runs our own tools, never through a shell
import sys
import time
from dataclasses import dataclass

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
BASE_CASES = 1_000_000
BASE_DAYS = 365
BASE_DATABASE = "guiyang_ops_bench"
#: seconds a seed of that many cases may take on this 2-core machine (the issues' targets)
SEED_TARGETS = {1_000_000: 120.0, 10_000_000: 600.0}


@dataclass(frozen=True)
class City:
    cases: int
    days: int
    database: str

    @property
    def label(self) -> str:
        return f"{self.cases / 1e6:g}M" if self.cases >= 1_000_000 else f"{self.cases:,}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make bench")
    p.add_argument("--cases", type=int, default=BASE_CASES, help="cases of the city measured (default 1M)")
    p.add_argument("--days", type=int, default=None, help="days the city spans (default 365; 1095 above 1M)")
    p.add_argument("--database", default=None, help="its database (default guiyang_ops_bench[_<size>])")
    p.add_argument(
        "--only",
        default=None,
        help="run only the benchmark modules whose name contains one of these (comma-separated: map_http,stats)",
    )
    p.add_argument(
        "--no-base", action="store_true", help="above 1M cases: do not also measure the 1M city for the ratio"
    )
    args = p.parse_args(argv)
    if args.cases < 1:
        console.print("[red]--cases must be at least 1[/red]")
        return 2
    big = args.cases > BASE_CASES
    city = City(
        args.cases,
        args.days or (1095 if big else BASE_DAYS),
        args.database
        or (BASE_DATABASE if args.cases == BASE_CASES else f"{BASE_DATABASE}_{_size_name(args.cases)}"),
    )
    cities = [City(BASE_CASES, BASE_DAYS, BASE_DATABASE), city] if big and not args.no_base else [city]
    results: list[list[Figure]] = []
    failed = False
    for c in cities:
        console.rule(f"[bold]{c.label} cases over {c.days} days ({c.database})")
        figures, bad = _measure(c, args.only)
        results.append(figures)
        failed = failed or bad
    if len(results) == 2:
        _print_side_by_side(cities, results)
    else:
        _print_one(cities[0], results[0])
    return 1 if failed else 0


def _size_name(cases: int) -> str:
    return f"{cases // 1_000_000}m" if cases % 1_000_000 == 0 else str(cases)


def _measure(city: City, only: str | None) -> tuple[list[Figure], bool]:
    """Set up (and seed when needed) one city's database, then run every benchmark module on it."""
    settings = get_settings(demo_mode=True)
    url = database_url(settings, dbname=city.database)  # the app role's
    owner_url = database_url(settings, dbname=city.database, role="owner", ensure=False)
    admin_url = owner_url if settings.database_url else local_cluster(settings).url(city.database)
    ops = [sys.executable, "-m", "cli"]
    figures: list[Figure] = []
    failed = False
    subprocess.run([*ops, "setup", "--demo", "--database", city.database], check=True)  # nosec B603 # our own argv
    migrate.upgrade(owner_url, app_role=app_role(settings))
    engine = make_engine(admin_url)
    with engine.connect() as conn:
        have = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
    if have != city.cases:
        figures.append(_seed(city, ops, url, owner_url))
    ctx = BenchContext(
        url=url, engine=engine, cases=city.cases, media_dir=str(settings.media_path), admin_url=admin_url
    )
    try:
        for mod in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
            if mod.name in ("common",) or mod.name.startswith("_"):
                continue
            if only and not any(part.strip() and part.strip() in mod.name for part in only.split(",")):
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
    return figures, failed


def _seed(city: City, ops: list[str], url: str, owner_url: str) -> Figure:
    t0 = time.perf_counter()
    argv = [
        *ops,
        "seed-demo",
        "--cases",
        str(city.cases),
        "--days",
        str(city.days),
        "--seed",
        "1",
        "--replace",
    ]
    env = {**os.environ, "GUIYANG_DATABASE_NAME": city.database, "DATABASE_URL": url}
    env["GUIYANG_OWNER_DATABASE_URL"] = owner_url
    subprocess.run(argv, check=True, env=env)  # nosec B603 # our own argument list, no shell, no user input
    secs = time.perf_counter() - t0
    limit = SEED_TARGETS.get(city.cases)
    target = f"{city.cases:,} cases ≤ {limit:.0f} s" if limit else ""
    return Figure(
        "seed-demo: cases with their histories", secs, "s", target, secs <= limit if limit else None
    )


def _ok(f: Figure) -> str:
    return "" if f.ok is None else ("✔" if f.ok else "✘")


def _print_one(city: City, figures: list[Figure]) -> None:
    table = Table(title=f"guiyang-ops benchmarks on {city.cases:,} cases")
    for col in ("figure", "value", "target", "ok", "note"):
        table.add_column(col)
    for f in figures:
        table.add_row(f.name, f"{f.value:,.1f} {f.unit}", f.target, _ok(f), f.note)
    console.print(table)


def _print_side_by_side(cities: list[City], results: list[list[Figure]]) -> None:
    """One row per figure: its value on the base city and on the big one, the ratio (big / base); the target and
    the verdict are the big city's."""
    base = {f.name: f for f in results[0]}
    table = Table(
        title=f"guiyang-ops benchmarks: {cities[0].label} and {cities[1].label} cases, measured in one run"
    )
    for col in ("figure", cities[0].label, cities[1].label, "ratio", "target", "ok", "note"):
        table.add_column(col)
    seen = set()
    for f in results[1]:
        seen.add(f.name)
        b = base.get(f.name)
        ratio = f"×{f.value / b.value:.2f}" if b is not None and b.value else ""
        left = f"{b.value:,.1f} {b.unit}" if b is not None else "—"
        table.add_row(f.name, left, f"{f.value:,.1f} {f.unit}", ratio, f.target, _ok(f), f.note)
    for f in results[0]:
        if f.name not in seen:
            table.add_row(f.name, f"{f.value:,.1f} {f.unit}", "—", "", f.target, _ok(f), f.note)
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
