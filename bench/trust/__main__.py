"""Run every trust measurement and print one table (``make trust``); exit 1 when any finding is not ok."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

import bench.trust as pkg
from bench.trust import Finding

console = Console()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make trust", description="trust measurements (issue 10)")
    p.add_argument("--only", default=None, help="run only the modules whose name contains this")
    p.add_argument(
        "--markdown",
        default="var/trust.md",
        help="also write the table as Markdown to this file (default: var/trust.md; '' for none)",
    )
    args = p.parse_args(argv)
    findings: list[tuple[str, Finding]] = []
    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        if mod.startswith("_") or (args.only and args.only not in mod):
            continue
        module = importlib.import_module(f"bench.trust.{mod}")
        measure = getattr(module, "measure", None)
        if measure is None:
            continue
        t0 = time.perf_counter()
        console.print(f"[bold]{mod}[/bold] …")
        found: list[Finding] = measure()
        console.print(f"  {len(found)} finding(s) in {time.perf_counter() - t0:.1f} s")
        findings.extend((mod, f) for f in found)
    table = Table(title="guiyang-ops trust measurements")
    for col in ("module", "tried", "seen", "expected", "ok"):
        table.add_column(col)
    for mod, f in findings:
        table.add_row(mod, f.what, f.seen, f.expected, "✔" if f.ok else "✘")
    console.print(table)
    if args.markdown:
        out = Path(args.markdown)
        out.parent.mkdir(parents=True, exist_ok=True)
        rows = [f"| {m} | {f.what} | {f.seen} | {f.expected} | {'✔' if f.ok else '✘'} |" for m, f in findings]
        out.write_text(
            "\n".join(["| module | tried | seen | expected | ok |", "|---|---|---|---|---|", *rows]) + "\n"
        )
        console.print(f"written: {out}")
    return 0 if all(f.ok for _, f in findings) else 1


if __name__ == "__main__":
    sys.exit(main())
