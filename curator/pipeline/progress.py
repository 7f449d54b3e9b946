"""How long-running pipeline steps report progress without knowing about rich."""

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
