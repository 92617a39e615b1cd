"""Test modules share helpers only through ``tests.support``: no test module or conftest imports another test
module or a conftest (fixtures reach tests through pytest, not through imports)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(path: Path) -> list[str]:
    """The ``tests.*`` modules ``path`` imports, other than ``tests.support`` (any import, at any depth)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            found.append("." * node.level + (node.module or ""))  # relative imports reach other test modules
            continue
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [n for n in names if n == "tests" or n.startswith("tests.")]
    return [n for n in found if n != "tests.support" and not n.startswith("tests.support.")]


def test_only_tests_support_is_imported_from_tests() -> None:
    offenders = {
        str(p.relative_to(TESTS)): bad
        for p in sorted(TESTS.rglob("*.py"))
        if (bad := imported_test_modules(p))
    }
    assert offenders == {}


def test_the_check_sees_the_imports_it_forbids(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "import tests.db.test_citizen\nfrom tests.conftest import TEST_DB\nfrom . import conftest\n"
        "def f():\n    from tests.api.test_signin import server\n"
        "from tests.support.cases import MON\nimport tests.support\n"
    )
    assert imported_test_modules(bad) == [
        "tests.db.test_citizen",
        "tests.conftest",
        ".",
        "tests.api.test_signin",
    ]
