"""How long-running pipeline steps report progress without knowing about rich, and how
they end on Ctrl-C: with what was done and what is left (issue 14, item 8)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, *, failed: bool = False) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """The default: report nothing."""

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, *, failed: bool = False) -> None:
        pass

    def finish(self) -> None:
        pass


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during enrich or collect, after every finished link was committed."""

    def __init__(self, done: int, pending: int) -> None:
        super().__init__(done, pending)
        self.done = done
        self.pending = pending

    def __str__(self) -> str:
        return f"interrupted: {self.done} links done, {self.pending} left pending for the next run"
