"""The pipeline's Progress drawn with rich on stderr, only when stderr is a terminal.

Imported by the commands that run long (collect, enrich): rich.progress costs start-up time.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from curator.cli.app import stderr


class RichProgress:
    """done / total, failures so far, elapsed time."""

    def __init__(self, console: Console | None = None) -> None:
        console = console or stderr.console
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self._task: TaskID | None = None
        self._failed = 0

    def start(self, label: str, total: int) -> None:
        self._failed = 0
        self._task = self._bar.add_task(label, total=total, failed=0)
        self._bar.start()

    def advance(self, *, failed: bool = False) -> None:
        assert self._task is not None
        self._failed += failed
        self._bar.update(self._task, advance=1, failed=self._failed)

    def finish(self) -> None:
        self._bar.stop()
