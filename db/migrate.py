"""Run the Alembic migrations programmatically (no alembic.ini needed), then the app role's grants."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from db.engine import normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head", *, app_role: str | None = None) -> None:
    """Migrate the database at ``url`` (the owner role's) to ``revision``; with ``app_role``, give that role its
    grants (:mod:`db.privileges`) on every table there is now."""
    command.upgrade(alembic_config(url), revision)
    ensure_partitions(url)
    if app_role:
        grant(url, app_role)


def ensure_partitions(url: str, months: int | None = None) -> int:
    """Make the history tables' monthly partitions up to ``months`` ahead (:mod:`db.partitions`), when the
    schema has them (migration 0032 and later)."""
    from sqlalchemy import create_engine, pool, text

    from db import partitions

    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            if conn.execute(text("SELECT to_regproc('gy_ensure_partitions')")).scalar() is None:
                return 0
            return partitions.ensure_ahead(conn, partitions.AHEAD_MONTHS if months is None else months)
    finally:
        engine.dispose()


def grant(url: str, app_role: str) -> int:
    from sqlalchemy import create_engine, pool

    from db.privileges import apply_grants

    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            return apply_grants(conn, app_role)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
