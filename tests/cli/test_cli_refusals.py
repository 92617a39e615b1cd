"""Every refused ``guiyang-ops`` invocation, run as the user runs it (a subprocess): ONE line on stderr, no
traceback, a non-zero exit (2 for a bad argument, 1 for an unreachable database)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.process

REFUSED = [
    ["seed-demo", "--cases", "-5"],
    ["seed-demo", "--cases", "many"],
    ["seed-demo", "--cases", "99999999999"],
    ["seed-demo", "--days", "0"],
    ["seed-demo", "--seed", "-1"],
    ["simulate", "--rate", "0"],
    ["simulate", "--rate", "nan"],
    ["simulate", "--rate", "fast"],
    ["simulate", "--seconds", "0"],
    ["simulate", "--burst", "E0404"],
    ["simulate", "--burst", "E0404@26.561"],
    ["simulate", "--burst", "E0404@106.693,26.561"],  # longitude first: no latitude is 106°
    ["simulate", "--burst", "@26.561,106.693"],
    ["simulate", "--burst", "E0404@26.561,east"],
    ["simulate", "--burst", "E0404@26.561,106.693", "--burst-count", "0"],
    ["simulate", "--burst", "E0404@26.561,106.693", "--burst-minutes", "-1"],
    ["serve", "--port", "70000"],
    ["user", "add", "x", "--role", "officer", "--district", "52", "--password-stdin"],
    ["user", "add", "x", "--role", "officer", "--district", "5201O3", "--password-stdin"],
    ["user", "add", "x", "--role", "department", "--department", "a/b", "--password-stdin"],
    ["user", "add", "x", "--role", "emperor", "--password-stdin"],
    ["user", "add", "x", "--role", "lead"],
    ["import-layer", "--kind", "grid", "/no/such/file.geojson"],
    ["import-layer", "--kind", "roads", "x.geojson"],
    ["api-key", "revoke", "0"],
    ["api-key"],
    ["migrate", "--revision", "a b"],
    ["setup", "--database", "bad/name"],
    ["db", "explode"],
    ["no-such-command"],
    [],
]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket goes


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **env},
    )


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("args", REFUSED, ids=[" ".join(a) or "(nothing)" for a in REFUSED])
def test_a_bad_argument_is_one_line_and_exit_2(args: list[str]) -> None:
    # the database is unreachable too: an argument must be refused before anything connects
    res = run(args, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_closed_port()}/none")
    line = one_line(res.stderr)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "error" in line


@pytest.mark.parametrize(
    "args",
    [
        ["api-key", "list"],
        ["seed-demo", "--cases", "10"],
        ["db", "status"],
        ["migrate"],
        ["api-key", "revoke", "3"],
        ["load-reference"],
        ["import-layer", "--kind", "grid", __file__],
        ["setup"],
        ["user", "unlock", "nobody"],
        ["user", "revoke", "nobody"],
        ["simulate", "--seconds", "1"],
    ],
)
def test_an_unreachable_database_is_one_line_and_exit_1(args: list[str]) -> None:
    res = run(args, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_closed_port()}/none")
    line = one_line(res.stderr)
    assert res.returncode == 1, (res.returncode, res.stderr)
    assert "Cannot reach the database" in line and "无法连接数据库" in line


def test_an_invalid_setting_is_one_line_and_exit_2() -> None:
    res = run(["db", "url"], GUIYANG_PUBLIC_EXACT_CATEGORIES="C0101,not a code")
    line = one_line(res.stderr)
    assert res.returncode == 2 and "public_exact_categories" in line
