"""`curator export buttondown|ghost`: the week's draft -> a draft on the service, never a
sent email or a published post (issue 16, item 4).

The draft is the one `curator draft` writes for the same options. The key comes from the
environment only; the remote draft's id is kept with the window's start, so exporting
the same issue again updates that draft instead of creating another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from curator.compose import issue_title
from curator.config import Config
from curator.errors import UsageError
from curator.export import buttondown, ghost, html_fragment
from curator.export.api import Remote
from curator.http import Fetcher
from curator.models import Export
from curator.pipeline.compose import DraftResult, WindowChoice, build_draft
from curator.store import Store

BUTTONDOWN = "buttondown"
GHOST = "ghost"
KEYS = {BUTTONDOWN: "BUTTONDOWN_API_KEY", GHOST: "GHOST_ADMIN_API_KEY"}


@dataclass(frozen=True)
class Exported:
    remote: Remote
    is_update: bool  # an earlier export's draft was updated
    result: DraftResult


def export_draft(
    config: Config,
    store: Store,
    service: str,
    choice: WindowChoice,
    *,
    environ: Mapping[str, str],
    number: int | None = None,
    publish_date: date | None = None,
    now: datetime,
) -> Exported:
    """Send the draft to `service` as a draft and remember which one it made."""
    key = api_key(service, environ)
    if service == GHOST and not config.export.ghost.url:
        raise UsageError("set [export.ghost] url in curator.toml to your site's URL")
    result = build_draft(config, store, choice, number=number, publish_date=publish_date, now=now)
    draft = result.draft
    known = store.remote_draft(service, draft.since)
    remote_id = known.remote_id if known else None
    remote = asyncio.run(_save(config, service, key, result, remote_id, now))
    exported = Export(
        service=service,
        since=draft.since,
        until=draft.until,
        remote_id=remote.id,
        url=remote.url,
        exported_at=now,
    )
    store.keep_export(exported)
    return Exported(remote, remote_id == remote.id, result)


def api_key(service: str, environ: Mapping[str, str]) -> str:
    """The service's key, from the environment alone (never the config, never printed)."""
    name = KEYS[service]
    key = environ.get(name, "").strip()
    if not key:
        raise UsageError(f"set {name} in the environment to export to {service}")
    return key


async def _save(
    config: Config,
    service: str,
    key: str,
    result: DraftResult,
    remote_id: str | None,
    now: datetime,
) -> Remote:
    title = issue_title(result.draft, config.draft)
    async with Fetcher(config.fetch) as fetcher:
        if service == BUTTONDOWN:
            return await buttondown.save_draft(
                fetcher,
                config.export.buttondown,
                key,
                subject=title,
                markdown=result.text,
                remote_id=remote_id,
            )
        return await ghost.save_draft(
            fetcher,
            config.export.ghost,
            key,
            title=title,
            html=html_fragment(result.text),
            remote_id=remote_id,
            now=now,
        )
