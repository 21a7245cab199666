"""Progress bars with throughput (documents/s), silent with ``quiet``."""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task,
                           TextColumn, TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second since the start."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:,.1f} {self.unit}/s")


class _Null:
    def advance(self, n: float = 1) -> None:
        pass


class _Bar:
    def __init__(self, progress: Progress, task_id: int) -> None:
        self.progress, self.task_id = progress, task_id

    def advance(self, n: float = 1) -> None:
        self.progress.advance(self.task_id, n)


@contextmanager
def progress_bar(description: str, total: int, unit: str = "docs", quiet: bool = False) -> Iterator[_Bar | _Null]:
    """A rich progress bar on stderr showing done/total, rate and time left."""
    if quiet or total == 0:
        yield _Null()
        return
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(unit),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False) as p:
        yield _Bar(p, p.add_task(description, total=total))
