"""``seed-demo`` refuses a size this machine cannot take before any work: one line, exit 2, no traceback (the
database is unreachable: nothing may connect before the check)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.process


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--cases", "900000000", "--days", "3650"], ("memory", "内存")),  # 1.7 TB of memory by arithmetic
        (["--cases", "100000000", "--days", "1"], ("--days", "too dense")),  # a duplicate pass's week
    ],
)
def test_an_absurd_size_is_refused_up_front_in_one_line(args: list[str], words: tuple[str, str]) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "cli", "seed-demo", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{_closed_port()}/none"},
    )
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert all(w in lines[0] for w in words), lines[0]
