"""Progress bars and messages for long commands (rich), in the user's language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    """Yield ``on_progress(step, done, total)`` drawing one bar per step."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as prog:
        tasks: dict[str, TaskID] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = prog.add_task(step, total=max(total, 1))
            prog.update(tasks[step], completed=done, total=max(total, 1))

        yield update


def ok(msg: str) -> None:
    console.print(f"[green]✔[/green] {msg}")


def fail(msg: str) -> None:
    """One line on stderr, however long (no wrapping) and whatever brackets it holds."""
    console.print(f"[red]✘[/red] {escape(msg)}", soft_wrap=True)
