"""CI lints before it tests, and the pre-commit hooks run the same checks as ``make lint`` (issue #11)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _lint_commands() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "no lint target"
    return [line.strip().replace("$(BIN)/", ".venv/bin/") for line in recipe[1].splitlines()]


def test_ci_runs_make_lint_before_make_test() -> None:
    steps = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert "make lint" in steps and "make test" in steps
    assert steps.index("make lint") < steps.index("make test")
    assert "set -euo pipefail" in steps  # a lint failure stops the run


def test_pre_commit_runs_the_checks_of_make_lint() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [r["repo"] for r in config["repos"]] == ["local"]  # nothing to download
    entries = [h["entry"] for r in config["repos"] for h in r["hooks"]]
    lint = _lint_commands()
    for tool in ("ruff check", "ruff format --check", "mypy"):
        made = [c for c in lint if c.startswith(f".venv/bin/{tool}")]
        hooked = [e for e in entries if e.startswith(f".venv/bin/{tool}")]
        assert made and hooked, tool
        # ruff gets the changed files from pre-commit; mypy checks the same packages as make lint
        if tool == "mypy":
            assert hooked == made
