"""The review page's application: settings for one launch, the open queue, the routes.

One Store serves every request of a launch (SQLite's own locking orders its writes with
a cron `collect` and CLI commands); links added on the page are enriched by a
`curator enrich` process started beside it, the same command cron runs.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from curator.config import Config, load_config
from curator.store import Store, open_store
from curator.web import routes
from curator.web.cards import Cards
from curator.web.guard import Guard, allowed_hosts

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Settings:
    db: str  # a path, or a postgresql:// URL
    config_path: Path
    config_is_explicit: bool
    host: str
    port: int
    editor: str  # who decides and edits, as the CLI's --editor (issue 19, item 4)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    poll_seconds: float = 2.0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def config(self) -> Config:
        """Read at every request, as every CLI command reads it: an edit shows at once."""
        return load_config(self.config_path, required=self.config_is_explicit)

    def enrich_command(self) -> list[str]:
        config = ["--config", str(self.config_path)] if self.config_path.exists() else []
        return [sys.executable, "-m", "curator", "--db", str(self.db), *config, "enrich"]


class Enricher:
    """Runs `curator enrich` after links were added, one run at a time; a link added
    while a run goes on gets the run after it."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        with self._lock:
            self._wanted = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._thread = None
                    return
                self._wanted = False
            subprocess.run(
                self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, check=False,
            )  # fmt: skip


@dataclass
class Site:
    """What every route reads: the launch's settings, its queue, its templates."""

    settings: Settings
    store: Store
    enricher: Enricher
    templates: Environment
    cards: Cards = field(default_factory=Cards)


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def create_app(settings: Settings) -> Starlette:
    """The application for one launch; the queue opens when it starts serving."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = open_store(settings.db, create=True, write=True)
        app.state.site = Site(settings, store, Enricher(settings.enrich_command()), templates())
        try:
            yield
        finally:
            store.close()

    hosts = allowed_hosts(settings.host, settings.port)
    return Starlette(
        routes=[*routes.ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"))],
        middleware=[Middleware(Guard, hosts=hosts)],
        lifespan=lifespan,
    )
