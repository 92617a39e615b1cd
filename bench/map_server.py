"""What the wall's HTTP and browser figures run on: a copy of the bench database (``<db>_wallpush``, created
from it as a template and dropped afterwards, so the bench database keeps its case count while reports are
added) and the real app (uvicorn) on it. No ``run()``: part of :mod:`bench.map`."""

from __future__ import annotations

import os
import socket
import subprocess  # nosec B404 # runs our own tools, never through a shell
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "GUIYANG_DEMO_MODE": "1", "GUIYANG_LOG_LEVEL": "WARNING",
           "GUIYANG_MEDIA_DIR": media_dir}  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "dashboard.asgi:make_server", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--timeout-graceful-shutdown", "2"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)  # nosec B603 # our own argument list, no shell, no user input
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the app did not start for the wall benchmark")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(15)
