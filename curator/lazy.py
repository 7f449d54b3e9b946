"""A package's entry points loaded on first use (PEP 562, a module's `__getattr__`): a
command that never needs a module never pays for importing it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def attributes(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """The `__getattr__` of `package`: each name of `homes` from its module there."""

    def load(name: str) -> object:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)

    return load
