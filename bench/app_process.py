"""The real app as a child process: uvicorn serving Dash's FastAPI app factory on a free loopback port, waited
for until ``/healthz`` answers 200. The benchmarks, the trust measurements and the API and browser tests start
the app only through :class:`AppProcess`."""

from __future__ import annotations

import os
import socket
import subprocess  # nosec B404 # starts our own interpreter, never through a shell
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppProcess:
    """``env`` is added to this process's environment (DATABASE_URL, GUIYANG_* ...); ``args`` go to uvicorn."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        log_level: str = "warning",
        args: Sequence[str] = (),
        stdout: IO[Any] | int | None = None,
        cwd: Path | str | None = None,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env: dict[str, str] = {**os.environ, **env}
        self.log_level = log_level
        self.args = list(args)
        self.stdout = stdout
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None  # nosec B101 # only asked of a started app
        return self.proc.pid

    def start(self, timeout_s: float = 60, *, what: str = "the app") -> str:
        """Start it and wait until it is healthy; its base URL. Raises RuntimeError if it exits or times out."""
        import httpx

        cmd = [sys.executable, "-m", "uvicorn", "--factory", "dashboard.asgi:make_server", "--host", "127.0.0.1",
               "--port", str(self.port), "--log-level", self.log_level, "--timeout-graceful-shutdown", "2",
               *self.args]  # fmt: skip
        stderr = subprocess.STDOUT if self.stdout not in (None, subprocess.DEVNULL) else self.stdout
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=self.cwd, stdout=self.stdout, stderr=stderr)  # nosec B603 # our own interpreter and arguments, no shell
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self.base
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"{what} exited during start-up (code {self.proc.returncode})")
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{what} did not become healthy in {timeout_s:.0f} s")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, wait_s: float = 10) -> None:
        """Terminate it (SIGTERM: uvicorn's graceful shutdown), kill it if it has not ended after ``wait_s``."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@contextmanager
def running_app(
    env: Mapping[str, str], *, timeout_s: float = 60, what: str = "the app", **kw: Any
) -> Iterator[AppProcess]:
    """An :class:`AppProcess` started for the block and stopped after it."""
    app = AppProcess(env, **kw)
    try:
        app.start(timeout_s, what=what)
        yield app
    finally:
        app.stop()
