"""Test harness: a real PostGIS test database built from the migrations once per session, and one
rolled-back transaction per test. Nothing is skipped: a missing database is an error, and with
GUIYANG_FAIL_ON_SKIP=1 (CI, `make test`) any skipped test fails the run.

Roles, as in production: the template is built (migrations, reference data) as the owner role; ``db_url``,
``engine`` and ``conn`` are the **app role**'s, so every test that works through them proves the app's grants are
enough; ``owner_db_url``, ``owner_engine`` and ``owner_conn`` are the owner role's, for admin operations (loading
layers, seeding, changing reference data) and for the tests that show the append-only triggers refuse even the
owner."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from dashboard.database import app_role, database_url, local_cluster
from dashboard.settings import Settings, get_settings
from db import migrate
from db.engine import make_engine
from db.seed.reference import load_reference
from demo.public import load_demo_public
from demo.users import ensure_demo_users

TEST_DB = os.environ.get("GUIYANG_TEST_DATABASE", "guiyang_ops_test")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    media = tmp_path_factory.mktemp("media")
    return get_settings(
        database_name=TEST_DB, media_dir=media, demo_mode=True, secret_key="test-secret-" + "x" * 32
    )


def _template_fingerprint() -> str:
    """A hash of everything that shapes the reference database: migrations, loaders, data files, grid scheme."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for pattern in (
        "db/migrations/versions/*.py",
        "db/seed/*.py",
        "db/seed/data/*",
        "db/models/*.py",
        "db/privileges.py",
        "db/cluster_auth.py",
        "geo/grid.py",
    ):
        for f in sorted(root.glob(pattern)):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _admin_exec(admin_url: str, *statements: str) -> None:
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


def _prepare_database(settings: Settings, name: str) -> None:
    """PostGIS in a fresh database of the local cluster (only a superuser may add it)."""
    if not settings.database_url:
        local_cluster(settings).ensure_database(name)


@pytest.fixture(scope="session")
def owner_db_url(settings: Settings) -> str:
    """A fresh test database, copied from a template built from the migrations with the reference and demo
    public data (as the owner role, with the app role's grants); its URL as the owner role. The template is
    rebuilt whenever a migration, loader, data file, the grants or the grid scheme changes."""
    admin = admin_url(settings)
    url = database_url(settings, dbname=TEST_DB, role="owner", ensure=False)
    template = f"guiyang_ops_tmpl_{_template_fingerprint()}"
    eng = make_engine(admin, pool_size=1)
    with eng.connect() as c:
        exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template}).first()
    eng.dispose()
    if not exists:
        building = f"{template}_build_{os.getpid()}"  # sessions building at once must not drop each other
        _admin_exec(
            admin,
            f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)',
            f'CREATE DATABASE "{building}"{owner_clause(settings)}',
        )
        _prepare_database(settings, building)
        build_url = make_engine(url).url.set(database=building).render_as_string(hide_password=False)
        migrate.upgrade(build_url, app_role=app_role(settings))
        eng = make_engine(build_url, pool_size=1)
        with eng.begin() as conn:
            load_reference(conn)
            load_demo_public(conn, settings.media_path)
            ensure_demo_users(conn)
            conn.execute(text("ANALYZE"))
        eng.dispose()
        try:
            _admin_exec(admin, f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        except Exception:  # noqa: BLE001 - another session built the same template meanwhile
            _admin_exec(admin, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    _admin_exec(
        admin,
        f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)',
        f'CREATE DATABASE "{TEST_DB}" TEMPLATE "{template}"{owner_clause(settings)}',
    )
    # the template's photos live in the session's media folder: restore the demo pictures there
    if not any(settings.media_path.iterdir()):
        eng = make_engine(url, pool_size=1)
        with eng.begin() as conn:
            _restore_demo_media(conn, settings.media_path)
        eng.dispose()
    return url


def as_app(settings: Settings, owner_url: str) -> str:
    """The same database's URL as the app role."""
    name = make_engine(owner_url).url.database
    return database_url(settings, dbname=name, ensure=False)


@pytest.fixture(scope="session")
def db_url(owner_db_url: str, settings: Settings) -> str:
    """The test database's URL as the app role (what the app itself connects as)."""
    return as_app(settings, owner_db_url)


def _restore_demo_media(conn: Connection, media_dir: Path) -> None:
    from db.media import clean_image, photo_paths
    from demo.public import landmarks, placeholder_picture

    for lm in landmarks():
        clean = clean_image(placeholder_picture(lm.name_zh), 10_000_000)
        sha = hashlib.sha256(clean.data).hexdigest()
        path, tpath = photo_paths(media_dir, sha, clean.mime)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(clean.data)
        tpath.write_bytes(clean.thumb)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url, pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def owner_engine(owner_db_url: str) -> Iterator[Engine]:
    eng = make_engine(owner_db_url, pool_size=2)
    yield eng
    eng.dispose()


def _rolled_back(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            trans.rollback()


@pytest.fixture
def conn(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Connection]:
    """A connection as the app role inside a transaction that is rolled back after the test; as the owner role
    for a test marked ``as_owner`` (one whose setup changes reference data, as only admin commands may)."""
    if request.node.get_closest_marker("as_owner"):
        yield from _rolled_back(request.getfixturevalue("owner_engine"))
    else:
        yield from _rolled_back(engine)


@pytest.fixture
def owner_conn(owner_engine: Engine) -> Iterator[Connection]:
    """A connection as the owner role (admin operations) inside a transaction rolled back after the test."""
    yield from _rolled_back(owner_engine)


@pytest.fixture
def session(conn: Connection) -> Iterator[Session]:
    with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and os.environ.get("GUIYANG_FAIL_ON_SKIP") == "1":
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped; a skipped database or browser test proves nothing.",
            red=True,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and os.environ.get("GUIYANG_FAIL_ON_SKIP") == "1":
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
