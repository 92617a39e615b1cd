"""A pytest plugin: with ``GUIYANG_FAIL_ON_SKIP=1`` (``make test``, ``make test-fast``, CI) any skipped test fails
the run, in one process or under pytest-xdist (the controller sees every worker's reports): a skipped database or
browser test proves nothing. Registered by tests/conftest.py; tests/test_skips.py runs it in both lanes."""

from __future__ import annotations

import os

import pytest


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
