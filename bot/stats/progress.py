"""A progress bar for long runs on a terminal; silence in pipes and logs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


@contextmanager
def progress_bar(description: str, total: int, *, stream: TextIO | None = None
                 ) -> Iterator[Callable[[int], None] | None]:
    """Yields ``update(done)`` on a terminal, ``None`` otherwise (callers then report nothing)."""
    out = stream or sys.stderr
    if total <= 0 or not out.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(file=out), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
