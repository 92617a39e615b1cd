"""A skipped test fails the run under ``GUIYANG_FAIL_ON_SKIP=1``, in both lanes: one process (``make test``) and
two pytest-xdist workers (``make test-fast``); without a skip, or without the setting, the run passes."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUITE = """
import pytest

def test_ok():
    pass

def test_maybe():
    if {skip}:
        pytest.skip("no database")
"""


@pytest.mark.parametrize("lane", [[], ["-p", "xdist", "-n", "2"]], ids=["one process", "two workers"])
def test_a_skipped_test_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, lane: list[str]
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the plugins named here: ~1 s, not ~5 s
    args = ["-p", "tests.support.skips", "-p", "no:cacheprovider", *lane]
    pytester.makepyfile(test_suite=SUITE.format(skip=True))
    monkeypatch.setenv("GUIYANG_FAIL_ON_SKIP", "1")
    failed = pytester.runpytest_subprocess(*args)
    assert failed.ret == pytest.ExitCode.TESTS_FAILED
    failed.stdout.fnmatch_lines(["*FAILED: 1 test(s) skipped*"])
    pytester.makepyfile(test_suite=SUITE.format(skip=False))
    assert pytester.runpytest_subprocess(*args).ret == pytest.ExitCode.OK
    pytester.makepyfile(test_suite=SUITE.format(skip=True))
    monkeypatch.delenv("GUIYANG_FAIL_ON_SKIP")
    assert pytester.runpytest_subprocess(*args).ret == pytest.ExitCode.OK
