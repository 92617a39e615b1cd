"""Every ``guiyang-ops`` command and argument, with its help text and default.

Light on purpose: ``guiyang-ops --help`` (and every refused argument) must answer without importing the app,
the database layer or geopandas. So this module imports only the standard library and :mod:`cli.args`,
and names each command's handler as ``"module:function"``, imported by :func:`cli.main.main` only when the
command runs.
"""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version

from cli import args as a
from cli.parser_audit import add_audit_commands
from cli.parser_backup import add_backup_commands
from cli.parser_exports import add_exports_commands
from cli.parser_ogc import add_ogc_commands
from cli.parser_partitions import add_partitions_commands
from cli.parser_reference import add_reference_commands
from cli.parser_replica import add_replica_commands
from cli.parser_report import add_report_commands
from cli.parser_rollups import add_rollups_commands
from cli.parser_users import add_users_commands
from db.vocabulary import STAFF_ROLES

#: Most cases ``--cases`` takes at all (a billion); what this machine can take is checked up front by the
#: command itself (``demo.city.sizing``: memory, disk, reports a week), before any work.
MAX_CASES = 1_000_000_000
#: Random seeds numpy accepts.
SEED = a.int_range(0, 2**32 - 1)

_SETUP = "cli.commands.setup"
_DEMO = "cli.commands.demo_city"
_NOTIFY_ROUTES = "cli.commands.notify_routes"
#: What a notification tells (``db.models.notify.NOTIFY_KINDS``, held equal by a test: not imported here, so
#: ``--help`` stays light).
_NOTIFY_KINDS = ("dispatch", "return", "rework", "yellow", "red", "escalate", "alert", "test")


HelpWithDefaults = a.HelpWithDefaults  # in cli.args, so the cli.parser_* modules use it too


def package_version() -> str:
    try:
        return version("guiyang-ops")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree that was never installed
        return "unknown"


_parser = a.command


def _db_commands(sub: argparse._SubParsersAction) -> None:
    db = _parser(sub, "db", "the project's own PostgreSQL cluster under var/pg")
    dsub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("up", "create (if needed) and start the cluster"),
        ("down", "stop the cluster"),
        ("status", "show the cluster and the database in use"),
        ("url", "print the URL of the database in use"),
    ):
        _parser(dsub, name, text).set_defaults(handler=f"{_SETUP}:cmd_db")
    add_backup_commands(dsub)
    add_partitions_commands(dsub)
    add_replica_commands(dsub)

    m = _parser(sub, "migrate", "apply database migrations")
    m.add_argument("--revision", type=a.revision, default="head", help="the Alembic revision to migrate to")
    m.set_defaults(handler=f"{_SETUP}:cmd_migrate")

    lr = _parser(sub, "load-reference", "load districts, grid, catalog, departments, holidays if empty")
    lr.add_argument("--demo", action="store_true", help="also demo service points and 最美贵阳 posts")
    lr.set_defaults(handler=f"{_SETUP}:cmd_load_reference")

    il = _parser(
        sub,
        "import-layer",
        "replace districts, grid cells or the city's basemap from GeoJSON/Shapefile/GeoPackage",
    )
    il.add_argument(
        "--kind",
        choices=["districts", "grid", "basemap"],
        required=True,
        help="which layer(s) the file holds",
    )
    il.add_argument(
        "--attribution", default=None, help="basemap: the source shown on the maps (default: the file name)"
    )
    il.add_argument("file", type=a.existing_file, help="the GeoJSON, Shapefile or GeoPackage to import")
    il.set_defaults(handler=f"{_SETUP}:cmd_import_layer")

    st = _parser(sub, "setup", "cluster + migrations + reference data (+ demo accounts)")
    st.add_argument("--demo", action="store_true", help="also the demo accounts and demo public data")
    st.add_argument(
        "--database", type=a.database_name, default=None, help="database name (default: the configured one)"
    )
    st.set_defaults(handler=f"{_SETUP}:cmd_setup")


def _serve_command(sub: argparse._SubParsersAction) -> None:
    sv = _parser(sub, "serve", "serve the app with uvicorn (Dash on FastAPI)")
    sv.add_argument("--host", default=None, help="address to listen on (default: GUIYANG_HOST, 127.0.0.1)")
    sv.add_argument(
        "--port", type=a.port, default=None, help="port to listen on (default: GUIYANG_PORT, 8050)"
    )
    sv.add_argument("--debug", action="store_true", help="development: auto-reload, Dash dev tools")
    sv.set_defaults(handler="cli.commands.serve:cmd_serve")


def _demo_commands(sub: argparse._SubParsersAction) -> None:
    sd = _parser(sub, "seed-demo", "the demo city: N cases with full histories over the last D days")
    sd.add_argument("--cases", type=a.int_range(1, MAX_CASES), default=50_000, help="number of cases")
    sd.add_argument("--days", type=a.int_range(1, 3650), default=90, help="days of history ending now")
    sd.add_argument("--seed", type=SEED, default=1, help="random seed: same seed, same city")
    sd.add_argument("--if-empty", action="store_true", help="do nothing when the database already has cases")
    sd.add_argument(
        "--replace",
        action="store_true",
        help="remove every existing case and its history first (admin-only demo operation)",
    )
    sd.set_defaults(handler=f"{_DEMO}:cmd_seed_demo")

    sm = _parser(sub, "simulate", "keep the demo city alive: reports and steps through the workflow")
    sm.add_argument(
        "--rate",
        type=a.positive_float(1000),
        default=None,
        help="steps per second, new reports among them (default: the history's own rhythm, see --speed)",
    )
    sm.add_argument(
        "--speed",
        type=a.positive_float(100),
        default=1.0,
        help="without --rate: reports and steps at this many times the history's rate in this hour of the "
        "week (default: 1.0, as busy as the city was)",
    )
    sm.add_argument(
        "--seconds",
        type=a.positive_float(),
        default=None,
        help="stop after this many seconds (default: never)",
    )
    sm.add_argument("--seed", type=SEED, default=None, help="random seed (default: a fresh one)")
    sm.add_argument("--verbose", action="store_true", help="print every step")
    sm.add_argument(
        "--burst",
        type=a.burst,
        default=None,
        metavar="CATEGORY@LAT,LON",
        help="also file a burst of reports of this 小类 around this point (latitude first), beside the "
        "normal steps, e.g. E0404@26.561,106.693",
    )
    sm.add_argument(
        "--burst-count", type=a.int_range(1, 1000), default=None, help="reports in the burst (default: 12)"
    )
    sm.add_argument(
        "--burst-minutes",
        type=a.positive_float(24 * 60),
        default=None,
        help="minutes the burst's reports are spread over (default: 20)",
    )
    sm.set_defaults(handler=f"{_DEMO}:cmd_simulate")


def _api_key_commands(sub: argparse._SubParsersAction) -> None:
    p = _parser(sub, "api-key", "API keys of the Open311 API's clients")
    ksub = p.add_subparsers(dest="api_key_command", required=True, metavar="{create,list,revoke}")
    c = _parser(ksub, "create", "create a key for a client and print it once")
    c.add_argument("name", help="who the key is for, e.g. 百姓拍 app")
    _parser(ksub, "list", "list the keys (never the keys themselves)")
    r = _parser(ksub, "revoke", "revoke a key at once")
    r.add_argument("id", type=a.int_range(1), help="the key's number, as api-key list shows it")
    p.set_defaults(handler="cli.commands.api_keys:cmd_api_key")


def _analysis_filters(p: argparse.ArgumentParser) -> None:
    """The filters every ``analyze`` report takes (parsed again by ``ops.analysis.filters.parse_filters``)."""
    p.add_argument("--days", type=a.int_range(1, 365), default=30, help="the period: the last N days")
    p.add_argument(
        "--category", type=a.code, default=None, help="a 大类 or 小类 code (default: every category)"
    )
    p.add_argument("--district", type=a.code, default=None, help="a district code (default: the whole city)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _notify_commands(sub: argparse._SubParsersAction) -> None:
    """Notifications outside the browser (issue 14): ``notify run`` (the outbox's delivery worker), ``notify route
    add|list|remove`` and ``notify test``. Each handler lives in its own ``cli.commands.notify_*`` module."""
    nt = _parser(sub, "notify", "notifications to departments and roles: routes, delivery, a test message")
    nsub = nt.add_subparsers(dest="notify_command", required=True)
    route = _parser(nsub, "route", "where notifications go: one apprise URL per department or role")
    rsub = route.add_subparsers(dest="route_command", required=True)
    add = _parser(rsub, "add", "add a route: messages for a department or a role go to an apprise URL")
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--department", type=a.code, help="a department code, e.g. CGJ")
    target.add_argument("--role", choices=STAFF_ROLES, help="a staff role, e.g. lead")
    add.add_argument(
        "url",
        help="wecombot://KEY, dingtalk://TOKEN, mailto(s)://user:pass@host?to=addr, json(s)://host[:port]/path",
    )
    add.add_argument("--lang", choices=("zh", "en"), default="zh", help="the language of its messages")
    add.add_argument(
        "--kinds",
        default=None,
        help=f"comma-separated, among {','.join(_NOTIFY_KINDS)} (default: every kind)",
    )
    add.add_argument("--label", default=None, help="a note for admins, e.g. 城管局值班群")
    ls = _parser(rsub, "list", "list the routes in use (URLs masked)")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rm = _parser(rsub, "remove", "remove a route (what it delivered stays in the outbox)")
    rm.add_argument("id", type=a.int_range(1), help="the route's number, as notify route list shows it")
    route.set_defaults(handler=f"{_NOTIFY_ROUTES}:cmd_route")
    test = _parser(
        nsub, "test", "send one test message to an apprise URL now and say whether it was delivered"
    )
    test.add_argument("url", help="the apprise URL, as for notify route add")
    test.add_argument("--lang", choices=("zh", "en"), default="zh", help="the language of the test message")
    test.add_argument("--timeout", type=a.positive_float(120), default=10.0, help="seconds to wait for it")
    test.set_defaults(handler=f"{_NOTIFY_ROUTES}:cmd_test")
    run = _parser(
        nsub, "run", "deliver the outbox's notifications (retries with backoff) and tell deadline lights"
    )
    run.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    run.set_defaults(handler="cli.commands.notify_run:cmd_notify_run")


def _analysis_commands(sub: argparse._SubParsersAction) -> None:
    """研判预警 (issue 13): ``analyze run|hotspots|places|peaks|correlations`` and ``alerts list``. Each
    subcommand's handler lives in its own ``cli.commands.analysis_*`` module."""
    an = _parser(sub, "analyze", "研判预警: run the analysis cycle, or print one analysis")
    asub = an.add_subparsers(dest="analyze_command", required=True)
    al = _parser(sub, "alerts", "研判预警 alerts raised by the analysis cycle")
    alsub = al.add_subparsers(dest="alerts_command", required=True)
    hs = _parser(asub, "hotspots", "热点区域: Getis-Ord Gi* hot and cold spots (FDR) over grid units")
    _analysis_filters(hs)
    hs.add_argument(
        "--level", choices=("cell", "500m", "1km"), default="cell", help="grid unit: 100 m cell, 500 m, 1 km"
    )
    hs.add_argument(
        "--all", action="store_true", help="every unit of the study region, not only the significant"
    )
    hs.set_defaults(handler="cli.commands.analysis_hot:cmd_hotspots")
    pl = _parser(asub, "places", "多发地点: places with repeated reports of one 小类 in the period")
    _analysis_filters(pl)
    pl.set_defaults(handler="cli.commands.analysis_places:cmd_places")
    pk = _parser(
        asub, "peaks", "时间峰值: weekday × hour peaks of the reports (binomial/Poisson tests, BH FDR)"
    )
    _analysis_filters(pk)
    pk.set_defaults(handler="cli.commands.analysis_corr:cmd_peaks")
    co = _parser(
        asub,
        "correlations",
        "关联分析: pairs of 小类 reported in the same 1 km square within ±N days (Knox test)",
    )
    _analysis_filters(co)
    co.add_argument(
        "--window-days", type=a.int_range(0, 14), default=3, help="± days two reports count as together"
    )
    co.set_defaults(handler="cli.commands.analysis_corr:cmd_correlations")
    cp = _parser(asub, "campaigns", "专项整治 campaigns and their effect (difference-in-differences)")
    cp.add_argument("--category", type=a.code, default=None, help="only campaigns about this 大类 or 小类")
    cp.add_argument("--district", type=a.adcode, default=None, help="only campaigns touching this district")
    cp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cp.set_defaults(handler="cli.commands.analysis_campaign:cmd_campaigns")
    _analyze_run_command(asub)
    _alerts_list(alsub)


def _analyze_run_command(asub: argparse._SubParsersAction) -> None:
    run = _parser(asub, "run", "run the analysis cycle (异常/趋势预警 and the other incremental steps)")
    run.add_argument("--once", action="store_true", help="run one cycle now and exit")
    run.add_argument(
        "--interval",
        type=a.positive_float(3600),
        default=None,
        help="seconds between two cycles (default: GUIYANG_ANALYSIS_INTERVAL_S, 20)",
    )
    run.add_argument("--json", action="store_true", help="print each cycle's report as one JSON line")
    run.set_defaults(handler="cli.commands.analysis_alerts:cmd_analyze_run")


def _alerts_list(alsub: argparse._SubParsersAction) -> None:
    ls = _parser(alsub, "list", "list alerts, newest first (city-wide, as the operator)")
    ls.add_argument(
        "--state",
        choices=["live", "all", "new", "acknowledged", "dismissed", "campaign", "escalated"],
        default="live",
        help="live = new and acknowledged; all; or one state",
    )
    ls.add_argument("--limit", type=a.int_range(1, 1000), default=100, help="at most this many alerts")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(handler="cli.commands.analysis_alertui:cmd_alerts_list")


def build_parser() -> argparse.ArgumentParser:
    p = a.OneLineParser(
        prog="guiyang-ops", description="贵阳城市管理一张图 guiyang-ops", formatter_class=HelpWithDefaults
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    _db_commands(sub)
    _serve_command(sub)
    add_users_commands(sub)
    _demo_commands(sub)
    _api_key_commands(sub)
    _analysis_commands(sub)
    _notify_commands(sub)
    add_reference_commands(sub)
    add_report_commands(sub)
    add_exports_commands(sub)
    add_audit_commands(sub)
    add_ogc_commands(sub)
    add_rollups_commands(sub)
    return p
