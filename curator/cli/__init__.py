"""The command line: the only package importing typer or rich.

Commands parse arguments, call one pipeline function and render its report. stdout
carries only the product (the draft, `--json`, OPML); progress, summaries and errors go
to stderr, so `curator draft > week.md` stays clean.
"""

from curator.cli import collect, compose, db, enrich, export, queue, serve, summarize
from curator.cli.app import app, main

__all__ = [
    "app",
    "collect",
    "compose",
    "db",
    "enrich",
    "export",
    "main",
    "queue",
    "serve",
    "summarize",
]
