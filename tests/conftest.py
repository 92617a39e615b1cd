"""Test harness: a real PostGIS test database built from the migrations once per session, and one
rolled-back transaction per test. Nothing is skipped: a missing database is an error, and with
GUIYANG_FAIL_ON_SKIP=1 (CI, `make test`) any skipped test fails the run.

Roles, as in production: the template is built (migrations, reference data) as the owner role; ``db_url``,
``engine`` and ``conn`` are the **app role**'s, so every test that works through them proves the app's grants are
enough; ``owner_db_url``, ``owner_engine`` and ``owner_conn`` are the owner role's, for admin operations (loading
layers, seeding, changing reference data) and for the tests that show the append-only triggers refuse even the
owner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from dashboard.database import app_role, database_url
from dashboard.settings import Settings, get_settings
from db import migrate
from db.engine import make_engine
from db.seed.reference import load_reference
from demo.public import load_demo_public
from demo.users import ensure_demo_users
from ops.workflow import Actor
from tests.support.cases import staff_actors
from tests.support.db import (
    TEST_DB,
    admin_exec,
    admin_url,
    as_app,
    copy_template,
    owner_clause,
    prepare_database,
    private_copy,
    restore_demo_media,
    template_name,
)

pytest_plugins = ["pytester", "tests.support.skips"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    media = tmp_path_factory.mktemp("media")
    return get_settings(
        database_name=TEST_DB, media_dir=media, demo_mode=True, secret_key="test-secret-" + "x" * 32
    )


@pytest.fixture(scope="session")
def owner_db_url(settings: Settings) -> str:
    """A fresh test database, copied from a template built from the migrations with the reference and demo
    public data (as the owner role, with the app role's grants); its URL as the owner role. The template is
    rebuilt whenever a migration, loader, data file, the grants or the grid scheme changes."""
    admin = admin_url(settings)
    url = database_url(settings, dbname=TEST_DB, role="owner", ensure=False)
    template = template_name()
    eng = make_engine(admin, pool_size=1)
    with eng.connect() as c:
        exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template}).first()
    eng.dispose()
    if not exists:
        building = f"{template}_build_{os.getpid()}"  # sessions building at once must not drop each other
        admin_exec(
            admin,
            f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)',
            f'CREATE DATABASE "{building}"{owner_clause(settings)}',
        )
        prepare_database(settings, building)
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
            admin_exec(admin, f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        except Exception:  # noqa: BLE001 - another session built the same template meanwhile
            admin_exec(admin, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    copy_template(settings, TEST_DB)
    # the template's photos live in the session's media folder: restore the demo pictures there
    if not any(settings.media_path.iterdir()):
        eng = make_engine(url, pool_size=1)
        with eng.begin() as conn:
            restore_demo_media(conn, settings.media_path)
        eng.dispose()
    return url


@pytest.fixture(scope="session")
def db_url(owner_db_url: str, settings: Settings) -> str:
    """The test database's URL as the app role (what the app itself connects as)."""
    return as_app(settings, owner_db_url)


@pytest.fixture(scope="module")
def private_owner_db_url(
    owner_db_url: str, settings: Settings, request: pytest.FixtureRequest
) -> Iterator[str]:
    """For a module whose tests commit: a database of its own, copied from the template and dropped after the
    module, as the owner role, so the shared test database never holds what a test committed. The module
    overrides ``engine`` (and whatever else it needs) with engines on it (tests/ops/test_workflow_concurrency.py);
    tests/browser/conftest.py does the same for the whole folder with one copy per session."""
    name = request.path.stem.removeprefix("test_")[:24]
    with private_copy(owner_db_url, settings, name) as url:
        yield url


@pytest.fixture(scope="module")
def private_engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    """An engine as the app role on the module's own database (:func:`private_owner_db_url`): for tests whose
    steps commit."""
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=3)
    yield eng
    eng.dispose()


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


@pytest.fixture
def staff(conn: Connection) -> dict[str, Actor]:
    """The demo staff as actors, by user name: lead, dispatcher, yunyan (officer 520103), cgj (department CGJ),
    admin, moderator."""
    return staff_actors(conn)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


#: fixtures that put a test in the ``server`` lane: the real app under uvicorn in a child process
SERVER_FIXTURES = {"app_server", "api_server"}


@pytest.hookimpl(tryfirst=True)  # the markers must be there before -m selects by them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers by place and need, so the lanes select by marker: ``browser`` for tests/browser, ``server`` for a
    test that needs the real app server (a fixture of :data:`SERVER_FIXTURES`, or marked in its module), ``db``
    for every test that uses the test database. ``make test-fast`` deselects ``browser``, ``server``,
    ``process`` (a test that starts a PostgreSQL cluster or CLI process of its own) and ``fuzz`` (generated
    requests by the hundred); ``make test`` runs all."""
    browser_dir = Path(__file__).resolve().parent / "browser"
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if browser_dir in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
        if names & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
        if "owner_db_url" in names:
            item.add_marker(pytest.mark.db)
