"""`curator add` on an SQLite queue at this curator's schema, on the standard library's
sqlite3 alone (issue 14, item 10): importing SQLAlchemy, SQLModel and pydantic takes
longer than the whole command may. The rules are Links.add's for links added by hand
(urls.identify, merging.shown_url, a sighting for every arrival); only the SQL is written
out here, and tests/test_quick_add.py keeps its rows identical to the Store's. A queue it
does not write (none yet, one to refuse or to migrate) it declines with None.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Self

from curator import urls
from curator.merging import shown_url
from curator.store.batches import chunks
from curator.values import LINK, PAPER, PENDING, AddResult, Candidate

BUSY_TIMEOUT_MS = 30_000
# The first 16 bytes of every SQLite database (https://sqlite.org/fileformat.html, 1.3).
HEADER = b"SQLite format 3\x00"
# Set on every connection to the queue, the Store's engine's included.
PRAGMAS = (
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
# The schema version (len(schema.MIGRATIONS)) the SQL below is written for: a queue at
# any other goes through the Store, which migrates or refuses it.
SCHEMA_VERSION = 8
# Errors the Store reports in its own words: a busy, read-only, damaged or vanished file.
# Any other (SQLITE_ERROR: a statement this module got wrong) is a bug, raised.
_DECLINED = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_NOTADB,
    }
)
_INSERT_LINK = (
    "INSERT INTO link (key, url, canonical_url, arxiv_id, kind, title, summary, published, "
    "authors, first_seen, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
    "ON CONFLICT DO NOTHING RETURNING key, id"
)
_INSERT_SIGHTING = (
    "INSERT INTO sighting (link_id, source, url, seen_at, note, entry_id) "
    "VALUES (?, ?, ?, ?, ?, NULL)"
)


class QuickAdd:
    """An open connection to a queue this module writes: made by `open`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._intact: bool | None = None  # quick_check's verdict, once asked

    @classmethod
    def open(cls, where: str) -> QuickAdd | None:
        """The queue at `where` if it is an SQLite file that exists, may be written,
        starts with SQLite's header, is in WAL mode and at SCHEMA_VERSION; else None."""
        path = Path(where)
        if "://" in where or not _writable_database(path):
            return None
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            if _is_current(conn):
                return cls(conn)
        except sqlite3.Error as err:
            _decline(err)
        conn.close()
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def add(
        self, candidates: Sequence[Candidate], now: datetime, *, repeat_sightings: bool = False
    ) -> AddResult | None:
        """Queue links added by hand as Links.add(..., repeat_sightings=True) does, in one
        transaction that first runs the check every writer runs. None, with nothing
        written, for a damaged or busy file, and for what is not a link added by hand (a
        feed's entry, an arXiv query's result, a sighting that may not repeat)."""
        if not repeat_sightings or any(c.entry_id or c.is_enriched for c in candidates):
            return None
        try:
            return self._transaction(candidates, now)
        except sqlite3.Error as err:
            _decline(err)
        return None

    def _transaction(self, candidates: Sequence[Candidate], now: datetime) -> AddResult | None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            result = self._add(candidates, now) if self._is_intact() else None
        except BaseException:
            self._conn.rollback()
            raise
        if result is None:
            self._conn.rollback()
        else:
            self._conn.commit()
        return result

    def _is_intact(self) -> bool:
        """The check every writer runs (it reads every page), once per command: `add URL
        --file F` writes twice."""
        if self._intact is None:
            self._intact = self._conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
        return self._intact

    def _add(self, candidates: Sequence[Candidate], now: datetime) -> AddResult:
        stamp = timestamp(now)
        arrivals = [(c, urls.identify(c.url)) for c in candidates]
        known, shown = self._ids_by_key({place.key for _, place in arrivals})
        earlier = self._earlier_links({c.url for c, place in arrivals if place.key not in known})
        owners = [known.get(place.key) or earlier.get(c.url) for c, place in arrivals]
        new = self._insert_links(arrivals, owners, stamp)
        self._show_better_urls(arrivals, known, shown)
        ids = {**known, **new}
        self._conn.executemany(
            _INSERT_SIGHTING,
            [
                (owner or ids[place.key], c.via, c.url, stamp, c.note)
                for (c, place), owner in zip(arrivals, owners, strict=True)
            ],
        )
        return AddResult(new=len(new), known=len(arrivals) - len(new), new_ids=sorted(new.values()))

    def _ids_by_key(self, keys: set[str]) -> tuple[dict[str, int], dict[str, str]]:
        """Ids and shown URLs of the links already queued under these keys."""
        ids: dict[str, int] = {}
        shown: dict[str, str] = {}
        for chunk in chunks(sorted(keys)):
            marks = ", ".join("?" * len(chunk))
            stmt = f"SELECT key, id, url FROM link WHERE key IN ({marks})"
            for key, link_id, url in self._conn.execute(stmt, chunk):
                ids[key], shown[key] = link_id, url
        return ids, shown

    def _earlier_links(self, original_urls: set[str]) -> dict[str, int]:
        """The links earlier sightings of these original URLs belong to: a link whose key
        changed after enrichment followed a redirect (issue 12, item 5)."""
        found: dict[str, int] = {}
        for chunk in chunks(sorted(original_urls)):
            marks = ", ".join("?" * len(chunk))
            stmt = f"SELECT url, min(link_id) FROM sighting WHERE url IN ({marks}) GROUP BY url"
            found.update(self._conn.execute(stmt, chunk))
        return found

    def _insert_links(
        self,
        arrivals: list[tuple[Candidate, urls.Identity]],
        owners: list[int | None],
        stamp: str,
    ) -> dict[str, int]:
        """The first arrival of each key no queued link owns, inserted; a key another
        writer took meanwhile is skipped, not doubled."""
        fresh: dict[str, tuple[Candidate, urls.Identity]] = {}
        for (candidate, place), owner in zip(arrivals, owners, strict=True):
            if owner is None:
                fresh.setdefault(place.key, (candidate, place))
        new: dict[str, int] = {}
        for candidate, place in fresh.values():
            meta = candidate.meta
            row = (
                place.key, place.url, place.canonical_url, place.arxiv_id,
                PAPER if place.arxiv_id else LINK, meta.title, meta.summary,
                timestamp(meta.published) if meta.published else None,
                json.dumps([]), stamp, PENDING,
            )  # fmt: skip
            new.update(self._conn.execute(_INSERT_LINK, row).fetchall())
        return new

    def _show_better_urls(
        self,
        arrivals: list[tuple[Candidate, urls.Identity]],
        known: dict[str, int],
        shown: dict[str, str],
    ) -> None:
        """A queued link shows the better of its URL and the one arriving (https)."""
        for _, place in arrivals:
            url = shown.get(place.key)
            if url is not None and shown_url(url, place.url) != url:
                shown[place.key] = place.url
                self._conn.execute(
                    "UPDATE link SET url = ? WHERE id = ?", (place.url, known[place.key])
                )


def timestamp(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite DateTime stores it: its fields as they are."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _writable_database(path: Path) -> bool:
    """A file we may write (with its -wal and -shm beside it) that starts as SQLite's do."""
    if not (path.is_file() and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return False
    try:
        with path.open("rb") as file:
            return file.read(len(HEADER)) == HEADER
    except OSError:
        return False


def _is_current(conn: sqlite3.Connection) -> bool:
    for pragma in PRAGMAS:
        conn.execute(pragma)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    return bool(version == SCHEMA_VERSION and mode == "wal")


def _decline(err: sqlite3.Error) -> None:
    """Return to let the Store report `err` in its words; raise what is a bug here."""
    code = getattr(err, "sqlite_errorcode", None)  # None: an error of the sqlite3 module's own
    if code is None or code & 0xFF not in _DECLINED:
        raise err
