"""What the command-line tests share: the commands run on the private test database (the app role's URL in
``DATABASE_URL``, the owner's in ``GUIYANG_OWNER_DATABASE_URL``), and an owner engine to look at what they did."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from dashboard.settings import Settings
from db.engine import make_engine
from tests.support.db import as_app


@pytest.fixture
def use_test_db(private_owner_db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """Commands run in this test use the private test database; the app role's URL."""
    db_url = as_app(settings, private_owner_db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("GUIYANG_OWNER_DATABASE_URL", private_owner_db_url)
    return db_url


@pytest.fixture(scope="module")
def owner(private_owner_db_url: str) -> Iterator[Engine]:
    """The private test database as the owner role."""
    eng = make_engine(private_owner_db_url, pool_size=2)
    yield eng
    eng.dispose()
