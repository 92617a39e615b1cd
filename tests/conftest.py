"""Test harness: a real PostGIS test database built from the migrations once per session, and one
rolled-back transaction per test. Nothing is skipped: a missing database is an error, and with
GUIYANG_FAIL_ON_SKIP=1 (CI, `make test`) any skipped test fails the run."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from dashboard.database import database_url, local_cluster
from dashboard.settings import Settings, get_settings
from db import migrate
from db.engine import make_engine
from db.seed.demo_public import load_demo_public
from db.seed.demo_users import ensure_demo_users
from db.seed.reference import load_reference

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


@pytest.fixture(scope="session")
def db_url(settings: Settings) -> str:
    """A fresh test database, copied from a template built from the migrations with the reference and demo
    public data. The template is rebuilt whenever a migration, loader, data file or the grid scheme changes."""
    if settings.database_url:
        admin_url = database_url(settings)
        url = database_url(settings, dbname=TEST_DB)
    else:
        cluster = local_cluster(settings)
        cluster.init()
        cluster.start()
        admin_url = cluster.url("postgres")
        url = cluster.url(TEST_DB)
    template = f"guiyang_ops_tmpl_{_template_fingerprint()}"
    eng = make_engine(admin_url, pool_size=1)
    with eng.connect() as c:
        exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template}).first()
    eng.dispose()
    if not exists:
        building = f"{template}_build_{os.getpid()}"  # sessions building at once must not drop each other
        _admin_exec(
            admin_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)', f'CREATE DATABASE "{building}"'
        )
        build_url = make_engine(url).url.set(database=building).render_as_string(hide_password=False)
        migrate.upgrade(build_url)
        eng = make_engine(build_url, pool_size=1)
        with eng.begin() as conn:
            load_reference(conn)
            load_demo_public(conn, settings.media_path)
            ensure_demo_users(conn)
            conn.execute(text("ANALYZE"))
        eng.dispose()
        try:
            _admin_exec(admin_url, f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        except Exception:  # noqa: BLE001 - another session built the same template meanwhile
            _admin_exec(admin_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    _admin_exec(
        admin_url,
        f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)',
        f'CREATE DATABASE "{TEST_DB}" TEMPLATE "{template}"',
    )
    # the template's photos live in the session's media folder: restore the demo pictures there
    if not any(settings.media_path.iterdir()):
        eng = make_engine(url, pool_size=1)
        with eng.begin() as conn:
            _restore_demo_media(conn, settings.media_path)
        eng.dispose()
    return url


def _restore_demo_media(conn: Connection, media_dir: Path) -> None:
    from db.media import clean_image, photo_paths
    from db.seed.demo_public import landmarks, placeholder_picture

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


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            trans.rollback()


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
