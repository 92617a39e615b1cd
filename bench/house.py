"""The shape of the house, measured from the code: lines per top-level package, and the import graph's layers and
cycles. ``python -m bench.house`` prints it; ``tests/test_house.py`` holds the code to it.

Layers, lowest first: ``geo`` (pure spatial and time logic) → ``db`` (storage) → ``ops`` (the domain) → ``demo``
(the demo city, on the domain) → ``dashboard`` (the web app) → ``cli`` (the command line) → ``bench``. A module may import
its own layer and the layers below it, never above. Cycles are counted between modules (an import inside a
function counts too: it is a dependency all the same).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("geo", "db", "ops", "demo", "dashboard", "cli", "bench")
#: No top-level package may hold more than this share of the code lines.
MAX_SHARE = 0.40
SKIP = ("db/migrations/versions",)


@dataclass
class House:
    lines: dict[str, int] = field(default_factory=dict)  # package -> non-blank lines
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> first-party modules it imports
    upward: list[tuple[str, str]] = field(default_factory=list)  # (importer, imported) against the layers
    cycles: list[list[str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.lines.values())

    def share(self, package: str) -> float:
        return self.lines.get(package, 0) / self.total if self.total else 0.0


def _modules(root: Path) -> Iterator[tuple[str, Path]]:
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if any(rel.startswith(s) for s in SKIP):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def measure(root: Path = ROOT) -> House:
    house = House()
    found = list(_modules(root))
    known = {m for m, _ in found}
    for module, path in found:
        source = path.read_text(encoding="utf-8")
        package = module.split(".")[0]
        house.lines[package] = house.lines.get(package, 0) + sum(
            1 for line in source.splitlines() if line.strip()
        )
        house.imports[module] = _imported(ast.parse(source), module, path.name == "__init__.py", known)
    rank = {p: i for i, p in enumerate(LAYERS)}
    for module, deps in sorted(house.imports.items()):
        for dep in sorted(deps):
            if rank[dep.split(".")[0]] > rank[module.split(".")[0]]:
                house.upward.append((module, dep))
    house.cycles = _cycles(house.imports)
    return house


def report(house: House) -> str:
    rows = ["| package | lines | share |", "|---|---:|---:|"]
    for package in LAYERS:
        flag = "  ✘ over 40 %" if house.share(package) > MAX_SHARE else ""
        rows.append(f"| {package} | {house.lines.get(package, 0):,} | {house.share(package):.1%}{flag} |")
    rows.append(f"| total | {house.total:,} | |")
    rows.append("")
    rows.append(f"imports against the layers ({' → '.join(LAYERS)}): {len(house.upward)}")
    rows += [f"  {a} → {b}" for a, b in house.upward]
    rows.append(f"import cycles: {len(house.cycles)}")
    rows += ["  " + " ↔ ".join(c) for c in house.cycles]
    return "\n".join(rows)


def main() -> int:
    house = measure()
    print(report(house))
    over = [p for p in LAYERS if house.share(p) > MAX_SHARE]
    return 1 if over or house.upward or house.cycles else 0


if __name__ == "__main__":
    sys.exit(main())
