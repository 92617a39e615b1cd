"""What every ``guiyang-ops analyze …`` / ``alerts list`` report shares: one read on a short-lived engine (as the
operator, city-wide) and the filters from ``--days`` / ``--category`` / ``--district``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from dashboard.database import database_url
from dashboard.settings import Settings
from db.engine import make_engine
from ops.analysis.filters import Filters, parse_filters

T = TypeVar("T")


def read_once(settings: Settings, fn: Callable[[Connection], T]) -> T:
    """``fn`` on one connection of an engine made for this command and disposed after."""
    engine = make_engine(database_url(settings), pool_size=1)
    try:
        with engine.connect() as conn:
            return fn(conn)
    finally:
        engine.dispose()


def filters_of(args: argparse.Namespace) -> Filters:
    return parse_filters(
        {"days": args.days, "category": getattr(args, "category", None), "district": args.district}
    )
