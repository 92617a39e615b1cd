"""Database commands: db up/down/status/url, migrate, load-reference, import-layer, setup (staff accounts: cli.commands.users)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import text

from cli.progress import console, fail, ok, progress_bars
from dashboard.database import app_role, database_url, local_cluster
from dashboard.settings import Settings
from db import migrate
from db.engine import make_engine
from db.errors import DomainError
from db.seed.layers import import_districts, import_grid
from db.seed.reference import is_loaded, load_reference
from demo.public import load_demo_public
from demo.users import DEMO_USERS, ensure_demo_users


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    cluster = local_cluster(settings)
    if args.action == "url":
        print(database_url(settings, ensure=False))
        return 0
    if settings.database_url and args.action in ("up", "down"):
        console.print("DATABASE_URL is set: the project's own cluster is not used.")
        return 0
    if args.action == "up":
        created, started = cluster.up()
        cluster.ensure_database(settings.database_name)  # a database of older code handed over and granted
        ok(
            ("created and " if created else "")
            + ("started" if started else "already running")
            + f": {cluster.data_dir}"
        )
    elif args.action == "down":
        ok("stopped" if cluster.stop() else "not running")
    elif args.action == "status":
        if settings.database_url:
            url = database_url(settings, ensure=False)
        else:
            print(f"cluster: {cluster.data_dir} ({'running' if cluster.running() else 'stopped'})")
            if not cluster.running():
                return 1
            url = cluster.url(settings.database_name, cluster.app)
        engine = make_engine(url)
        with engine.connect() as conn:
            version = conn.execute(text("SELECT postgis_full_version()")).scalar()
            print(f"database: {engine.url.render_as_string(hide_password=True)}")
            print(f"postgis: {str(version)[:60]}")
            print(f"migration: {migrate.current(url)}")
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    url = database_url(settings, role="owner")
    migrate.upgrade(url, args.revision, app_role=app_role(settings))
    ok(f"migrated to {migrate.current(url)}")
    return 0


def run_load_reference(url: str, *, demo: bool, media_dir: Path, force: bool = False) -> bool:
    engine = make_engine(url)
    with engine.begin() as conn:
        if is_loaded(conn) and not force:
            return False
        with progress_bars() as bar:
            counts = load_reference(conn, bar)
        if demo:
            counts.update(load_demo_public(conn, media_dir))
    ok("reference data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return True


def cmd_load_reference(settings: Settings, args: argparse.Namespace) -> int:
    if not run_load_reference(
        database_url(settings, role="owner"), demo=args.demo, media_dir=settings.media_path
    ):
        ok("reference data already loaded")
    return 0


def cmd_import_layer(settings: Settings, args: argparse.Namespace) -> int:
    if args.kind == "basemap":
        return run_import_basemap(database_url(settings, role="owner"), Path(args.file), args.attribution)
    engine = make_engine(database_url(settings, role="owner"))
    with engine.begin() as conn:
        n = (import_districts if args.kind == "districts" else import_grid)(conn, Path(args.file))
    ok(f"imported {n} {args.kind}")
    return 0


def run_import_basemap(url: str, path: Path, attribution: str | None) -> int:
    """``import-layer --kind basemap``: replace the city's basemap from ``path`` in one transaction."""
    from db.seed.basemap import import_basemap

    engine = make_engine(url)
    with engine.begin() as conn, progress_bars() as bar:
        done = import_basemap(conn, path, attribution=attribution, on_progress=bar)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(done.counts.items()))
    ok(f"imported basemap: {done.total} features ({counts}); {done.repaired} polygons repaired")
    return 0


def ensure_demo_basemap(url: str, var_dir: Path) -> None:
    """The demo city's generated street grid, written as a GeoPackage and imported like any city's basemap,
    once (only when no basemap was imported yet)."""
    from demo.basemap import ATTRIBUTION, write_demo_basemap

    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.execute(text("SELECT EXISTS (SELECT 1 FROM basemap_source)")).scalar():
            return
    path = write_demo_basemap(var_dir / "demo-basemap.gpkg")
    run_import_basemap(url, path, ATTRIBUTION)


def cmd_setup(settings: Settings, args: argparse.Namespace) -> int:
    """Everything ``make demo`` / ``make test`` need: cluster, migrations, reference data, demo accounts."""
    url = database_url(settings, dbname=args.database, role="owner")
    migrate.upgrade(url, app_role=app_role(settings))
    run_load_reference(url, demo=args.demo, media_dir=settings.media_path)
    if args.demo:
        engine = make_engine(url)
        with engine.begin() as conn:
            ensure_demo_users(conn)
        ensure_demo_basemap(url, settings.var_dir)
    ok(f"database ready: {make_engine(url).url.render_as_string(hide_password=True)}")
    return 0


def print_demo_logins(base: str) -> None:
    console.print(f"\n[bold]guiyang-ops[/bold] — {base}/  (public map) · {base}/login (staff)")
    for u in DEMO_USERS:
        console.print(f"  {u.username:<11} {u.password:<22} {u.role:<11} {u.display_name}")


def handle_domain_error(exc: DomainError, lang: str) -> int:
    fail(exc.message(lang))
    return 2
