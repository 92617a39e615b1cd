"""What the wall's HTTP and browser figures run on: a copy of the bench database (``<db>_wallpush``, created
from it as a template and dropped afterwards, so the bench database keeps its case count while reports are
added) and the real app (uvicorn) on it. No ``run()``: part of :mod:`bench.map`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.app_process import running_app
from bench.common import BenchContext
from db.engine import make_engine


@contextmanager
def database_copy(ctx: BenchContext) -> Iterator[str]:
    src = make_url(ctx.url)  # the app role's: the app on the copy connects as it
    name = f"{src.database}_wallpush"
    admin_src = make_url(ctx.admin_url or ctx.url)
    admin = make_engine(admin_src.set(database="postgres").render_as_string(hide_password=False), pool_size=1)
    ctx.engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(  # other sessions on the source would block the copy
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": src.database},
        )
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{src.database}" STRATEGY FILE_COPY'))
    try:
        yield src.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def app_server(url: str, media_dir: str) -> Iterator[str]:
    """The real app on ``url`` for the block; its base URL."""
    env = {
        "DATABASE_URL": url,
        "GUIYANG_DEMO_MODE": "1",
        "GUIYANG_LOG_LEVEL": "WARNING",
        "GUIYANG_MEDIA_DIR": media_dir,
    }
    with running_app(env, timeout_s=90, what="the app for the wall benchmark") as app:
        yield app.base
