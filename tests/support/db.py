"""The test databases: the template built once from the migrations (named by a fingerprint of everything that
shapes it), the session's copy of it, and private copies for tests that commit. Each pytest-xdist worker gets
its own database names (``..._gw0``), so workers never share a database."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from dashboard.database import database_url, local_cluster
from dashboard.settings import Settings
from db.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent.parent
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEST_DB = os.environ.get("GUIYANG_TEST_DATABASE", "guiyang_ops_test") + (f"_{_WORKER}" if _WORKER else "")


def template_fingerprint() -> str:
    """A hash of everything that shapes the reference database: migrations, loaders, data files, grid scheme."""
    h = hashlib.sha256()
    for pattern in (
        "db/migrations/versions/*.py",
        "db/seed/*.py",
        "db/seed/data/*",
        "db/models/*.py",
        "db/privileges.py",
        "db/cluster_auth.py",
        "geo/grid.py",
        "demo/users.py",
        "geo/labels.py",
    ):
        for f in sorted(ROOT.glob(pattern)):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def template_name() -> str:
    return f"guiyang_ops_tmpl_{template_fingerprint()}"


def admin_exec(admin_url: str, *statements: str) -> None:
    eng = make_engine(admin_url, pool_size=1)
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for st in statements:
            c.execute(text(st))
    eng.dispose()


def admin_url(settings: Settings) -> str:
    """Who creates and drops the test databases: the local cluster's superuser, else the owner role's URL."""
    if settings.database_url:
        return database_url(settings, role="owner")
    cluster = local_cluster(settings)
    cluster.up()
    return cluster.url("postgres")


def owner_clause(settings: Settings) -> str:
    """``OWNER ...`` for CREATE DATABASE in the local cluster (the owner role owns the test databases too)."""
    return "" if settings.database_url else f" OWNER {local_cluster(settings).owner}"


def prepare_database(settings: Settings, name: str) -> None:
    """PostGIS in a fresh database of the local cluster (only a superuser may add it)."""
    if not settings.database_url:
        local_cluster(settings).ensure_database(name)


def as_app(settings: Settings, owner_url: str) -> str:
    """The same database's URL as the app role."""
    name = make_engine(owner_url).url.database
    return database_url(settings, dbname=name, ensure=False)


def copy_template(settings: Settings, name: str) -> None:
    """(Re)create database ``name`` as a copy of the template (which must exist)."""
    admin = admin_url(settings)
    for attempt in range(20):  # another session or worker may be copying the template at this very moment
        try:
            admin_exec(
                admin,
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{template_name()}"{owner_clause(settings)}',
            )
            return
        except Exception:  # noqa: BLE001 - "source database is being accessed by other users"
            if attempt == 19:
                raise
            time.sleep(0.5)


@contextmanager
def private_copy(db_url: str, settings: Settings, name: str) -> Iterator[str]:
    """A database ``name`` of its own, copied from the session's template, dropped afterwards: for tests that
    commit (cases must not land in the shared test database, where other tests count and look around).
    ``db_url`` says as which role (the session's app-role or owner-role URL); ``name`` is made this worker's."""
    name = private_name(name)
    copy_template(settings, name)
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin_exec(admin_url(settings), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def private_name(name: str) -> str:
    """``name`` under this worker's test database prefix (``guiyang_ops_test_gw0_...``)."""
    return name if name.startswith(TEST_DB) else f"{TEST_DB}_{name}"


def restore_demo_media(conn: Connection, media_dir: Path) -> None:
    """The template's demo photos, written again into a fresh media folder."""
    from db.media import clean_image, photo_paths
    from demo.public import landmarks, placeholder_picture

    for lm in landmarks():
        clean = clean_image(placeholder_picture(lm.name_zh), 10_000_000)
        sha = hashlib.sha256(clean.data).hexdigest()
        path, tpath = photo_paths(media_dir, sha, clean.mime)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(clean.data)
        tpath.write_bytes(clean.thumb)


T = TypeVar("T")


def committed(engine: Engine, fn: Callable[[Connection], T]) -> T:
    """``fn`` in a transaction of its own, committed (a private database's test: what another screen's snapshot
    sees only once committed)."""
    with engine.begin() as c:
        return fn(c)


def read(engine: Engine, fn: Callable[[Connection], T]) -> T:
    """``fn`` on a connection of its own (its own snapshot)."""
    with engine.connect() as c:
        return fn(c)
