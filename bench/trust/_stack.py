"""A private stack for trust measurements: a PostgreSQL cluster of its own in a temporary folder (so it can be
stopped without touching the project's or the tests' cluster), its database migrated (and, when asked, the
reference data loaded), and the app served by uvicorn against it, its log kept in a file.

Not a measurement itself (the leading underscore keeps ``python -m bench.trust`` from running it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from db import migrate
from db.cluster import LocalCluster
from db.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    tmp: Path
    cluster: LocalCluster
    url: str
    base: str = ""
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

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
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = self.tmp / "server.log"
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "dashboard.asgi:make_server", "--host", "127.0.0.1",
             "--port", str(port), "--timeout-graceful-shutdown", "2", "--log-level", "warning"],
            env=self.env(**extra),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("the app exited during start-up: " + self.log_text()[-2000:])
            time.sleep(0.2)
        raise RuntimeError("the app did not become healthy in 60 s")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop_server(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


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
        owner_url = cluster.url("trust", cluster.owner)
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
