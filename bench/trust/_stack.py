"""A private stack for trust measurements: a PostgreSQL cluster of its own in a temporary folder (so it can be
stopped without touching the project's or the tests' cluster), its database migrated (and, when asked, the
reference data loaded), and the app served by uvicorn against it, its log kept in a file.

Not a measurement itself (the leading underscore keeps ``python -m bench.trust`` from running it)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.app_process import AppProcess, free_port
from db import migrate
from db.cluster import LocalCluster
from db.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    tmp: Path
    cluster: LocalCluster
    url: str
    base: str = ""
    log_path: Path | None = None
    app: AppProcess | None = None
    owner_url: str = ""

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "GUIYANG_VAR_DIR": str(self.tmp / "var"),
            "GUIYANG_MEDIA_DIR": str(self.tmp / "media"),
            "GUIYANG_DEMO_MODE": "1",
            "GUIYANG_SECRET_KEY": "trust-secret-" + "z" * 32,
            "GUIYANG_LOG_LEVEL": "INFO",
            **extra,
        }

    def serve(self, **extra: str) -> None:
        """The app against the stack's database, its output in ``server.log``; ``extra``: settings to add."""
        self.log_path = self.tmp / "server.log"
        self.app = AppProcess(self.env(**extra), stdout=self.log_path.open("wb"), cwd=ROOT)
        try:
            self.base = self.app.start()
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {self.log_text()[-2000:]}") from exc

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop_server(self) -> None:
        if self.app is not None:
            self.app.stop()


@contextmanager
def private_stack(*, reference: bool = False, serve: bool = True) -> Iterator[Stack]:
    """The whole stack in a temporary folder; everything is stopped and removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="gy-trust-"))
    os.chmod(tmp, 0o755)  # the postgres user must reach the cluster's folder when we run as root
    cluster = LocalCluster(tmp / "pg", port=free_port())
    stack = Stack(tmp, cluster, "")
    try:
        cluster.up()  # created, started and secured: scram, the owner and app roles
        cluster.ensure_database("trust")
        stack.owner_url = owner_url = cluster.url("trust", cluster.owner)
        migrate.upgrade(owner_url, app_role=cluster.app)
        stack.url = cluster.url("trust", cluster.app)  # the app connects as in production: the app role
        if reference:
            from db.seed.reference import load_reference

            engine = make_engine(owner_url, pool_size=1)
            with engine.begin() as conn:
                load_reference(conn)
            engine.dispose()
        if serve:
            stack.serve()
        yield stack
    finally:
        stack.stop_server()
        try:
            cluster.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
