"""Imports go one way, cli -> pipeline -> stages -> store, http, urls, models, values:
checked on the source with ast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "curator"
STAGES = ("curator.collect", "curator.enrich", "curator.compose", "curator.export")
UI = ("typer", "rich")
# module prefix -> what it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "curator.text": ("curator",),
    "curator.charsets": ("curator",),
    "curator.xmltree": ("curator",),
    "curator.models": ("curator",),
    "curator.values": ("curator", "sqlalchemy", "sqlmodel", "pydantic"),
    "curator.errors": ("curator",),
    "curator.urls": ("curator.store", "curator.http", "curator.pipeline", "curator.cli", *UI),
    "curator.config": ("curator.store", "curator.http", "curator.pipeline", "curator.cli", *UI),
    "curator.store": (
        "curator.http",
        "curator.pipeline",
        "curator.cli",
        *STAGES,
        *UI,
        "sqlite3",
        "psycopg",
        "sqlalchemy.dialects",  # behind the dialects: curator.store.sqlite, .postgresql
    ),
    # `curator add`'s quick path (issue 14, item 10): the standard library's sqlite3 alone.
    "curator.store.sqlite_add": ("sqlalchemy", "sqlmodel", "pydantic", "curator.models"),
    # Pure rules on values: no store, no database.
    "curator.merging": ("curator", "sqlalchemy", "sqlite3"),
    "curator.statuses": ("curator", "sqlalchemy", "sqlite3"),
    "curator.http": ("curator.store", "curator.pipeline", "curator.cli", *STAGES, *UI),
    "curator.arxiv_api": ("curator.store", "curator.pipeline", "curator.cli", *STAGES, *UI),
    "curator.pipeline": ("curator.cli", "curator.web", *UI),
    # The review page sits beside the CLI (issue 18): it opens the queue as the app does.
    "curator.web": ("curator.cli", *UI),
    # Commands parse, call the pipeline and render (issue 13, item 3).
    "curator.cli": ("curator.store",),
    # A stage takes values and returns values; the pipeline passes them between stages.
    **{
        stage: (
            "curator.cli",
            "curator.web",
            "curator.pipeline",
            "curator.store",
            *UI,
            *set(STAGES) - {stage},
        )
        for stage in STAGES
    },
}
# module prefix -> what it may import all the same: the values clean their text as they
# are made, with pure functions on strings; the pure rules read the values (and name the
# Link table in type hints); the SQLite
# dialect is where the store speaks SQLite.
ALLOWED: dict[str, tuple[str, ...]] = {
    "curator.models": ("curator.text", "curator.values"),
    "curator.values": ("curator.text",),
    "curator.merging": ("curator.values", "curator.models", "curator.urls", "curator.text"),
    "curator.statuses": ("curator.values",),
    "curator.store.sqlite": ("sqlite3", "sqlalchemy.dialects.sqlite"),
    "curator.store.sqlite_add": ("sqlite3",),
    "curator.store.postgresql": ("sqlalchemy.dialects.postgresql",),
    "curator.cli.app": ("curator.store",),  # the app opens the store for every command
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (module := imported_module(path, node)):
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imported_module(path: Path, node: ast.ImportFrom) -> str:
    """The absolute name `from ... import` names, relative imports resolved against the
    module's package (`from ..store import Store` in a stage is curator.store)."""
    if node.level == 0:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p))
def test_module_imports_follow_the_layering(path: Path) -> None:
    name = module_name(path)
    rules = [bad for prefix, bad in FORBIDDEN.items() if within(name, prefix)]
    allowed = [ok for prefix, oks in ALLOWED.items() if within(name, prefix) for ok in oks]
    imported = {t for t in imports_of(path) if not any(within(t, ok) for ok in allowed)}
    wrong = sorted(
        target
        for target in imported
        for forbidden in rules
        for prefix in forbidden
        if within(target, prefix) and not within(target, name)
    )
    assert wrong == [], f"{name} must not import {wrong}"


def test_only_the_cli_imports_typer_or_rich() -> None:
    offenders = [
        module_name(path)
        for path in PACKAGE.rglob("*.py")
        if not within(module_name(path), "curator.cli")
        and any(within(t, ui) for t in imports_of(path) for ui in UI)
    ]
    assert offenders == []


def test_draft_and_list_do_not_load_the_network_stack(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from curator.store import Store\n"
        "Store(Path(sys.argv[1])).close()\n"
        "from curator.cli import app\n"
        "for args in (['list'], ['draft']):\n"
        "    try:\n"
        "        app(['--db', sys.argv[1], *args], standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = {'httpx', 'feedparser', 'trafilatura', 'arxiv', 'requests', 'ftfy',\n"
        "         'charset_normalizer'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "q.db")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
