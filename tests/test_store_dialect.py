"""The dialect seam: SQLite's own statements live in curator/store/sqlite.py (and in
sqlite_add.py, `curator add`'s quick path) alone, and PostgreSQL's in
curator/store/postgresql.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

STORE = Path(__file__).parent.parent / "curator" / "store"
# Statements and flags only SQLite understands (PRAGMA, BEGIN IMMEDIATE, its URIs, the
# AUTOINCREMENT bookkeeping) and the modules that speak it (sqlite3, SQLAlchemy's dialects).
SQLITE_ONLY = re.compile(
    r"PRAGMA|BEGIN IMMEDIATE|user_version|AUTOINCREMENT|sqlite|mode=ro|immutable"
    r"|on_conflict|dialects",
    re.IGNORECASE,
)
POSTGRESQL_ONLY = re.compile(
    r"postgres|psycopg|pg_|with_for_update|setval|to_regclass|sqlstate", re.IGNORECASE
)
# sqlite_add.py is SQLite's too: `curator add` on the standard library alone.
DIALECTS = ("sqlite.py", "sqlite_add.py", "postgresql.py")
# The Store's module chooses the dialect: it may name them, and nothing else of theirs.
CHOOSES = {"store.py": {"curator.store.sqlite", "SQLite", "curator.store.postgresql", "PostgreSQL"}}
PORTABLE = sorted(p for p in STORE.glob("*.py") if p.name not in DIALECTS)


def code_words(path: Path) -> list[str]:
    """The strings, names and imports of a module's code; docstrings left out."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    words: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words += [] if id(node) in docstrings else [node.value]
        elif isinstance(node, ast.Name | ast.Attribute):
            words.append(node.id if isinstance(node, ast.Name) else node.attr)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            words += [getattr(node, "module", None) or ""] + [a.name for a in node.names]
    return words


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.name)
def test_no_other_store_module_speaks_sqlite(path: Path) -> None:
    chosen = CHOOSES.get(path.name, set())
    assert [w for w in code_words(path) if SQLITE_ONLY.search(w) and w not in chosen] == []


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.name)
def test_no_other_store_module_speaks_postgresql(path: Path) -> None:
    chosen = CHOOSES.get(path.name, set())
    assert [w for w in code_words(path) if POSTGRESQL_ONLY.search(w) and w not in chosen] == []


def test_the_sqlite_module_speaks_it() -> None:
    """A positive control: the same reading finds the dialect's own statements."""
    found = {m.upper() for w in code_words(STORE / "sqlite.py") for m in SQLITE_ONLY.findall(w)}
    assert {"PRAGMA", "BEGIN IMMEDIATE", "SQLITE", "MODE=RO", "IMMUTABLE", "ON_CONFLICT"} <= found


def test_the_postgresql_module_speaks_it() -> None:
    words = code_words(STORE / "postgresql.py")
    found = {m.lower() for w in words for m in POSTGRESQL_ONLY.findall(w)}
    assert {"postgres", "psycopg", "pg_", "with_for_update", "setval"} <= found
