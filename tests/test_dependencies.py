"""Every machine gets the same versions (issue #11): ``constraints.txt`` pins every installed distribution
exactly, ``make venv`` installs through it, and the declared dependencies keep their floors and caps."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = PIN.match(line.strip())
        assert m, f"not an exact pin: {line!r}"
        pins[_norm(m[1])] = m[2]
    return pins


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def _name(requirement: str) -> str:
    m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert m, requirement
    return _norm(m[0])


def test_every_declared_dependency_is_pinned_and_installed_at_its_pin() -> None:
    pins = _pins()
    assert len(pins) > 50  # the whole environment, not only the direct dependencies
    for requirement in _declared():
        name = _name(requirement)
        assert name in pins, f"{name} is declared but not pinned in constraints.txt (run make lock)"
        try:
            installed = version(name)
        except PackageNotFoundError:  # pragma: no cover - the assertion below says what is wrong
            installed = "not installed"
        assert installed == pins[name], (name, installed, pins[name])


def test_floors_and_caps() -> None:
    declared = {_name(r): r for r in _declared()}
    assert re.search(r">=4\.4\.1,<5\b", declared["dash"]), declared["dash"]
    assert ">=3.3" in declared["sse-starlette"]
    assert "dash-extensions" in declared and "dash-ag-grid" in declared


def test_make_venv_installs_through_the_constraints() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'" in makefile
    assert "$(STAMP): pyproject.toml constraints.txt" in makefile
