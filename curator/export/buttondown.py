"""Buttondown drafts (https://docs.buttondown.com/api-emails-create): `POST /emails` with
`Authorization: Token KEY`, the subject and the Markdown body without front matter (the
API refuses it: 400 body_contains_frontmatter), and always `"status": "draft"`: an email
created without a status is sent (its default is about_to_send)."""

from __future__ import annotations

from typing import Any

from curator.config import ButtondownConfig
from curator.export.api import DRAFT, Call, Remote
from curator.export.html import strip_front_matter
from curator.http import Fetcher

SERVICE = "Buttondown"


async def save_draft(
    fetcher: Fetcher,
    config: ButtondownConfig,
    key: str,
    *,
    subject: str,
    markdown: str,
    remote_id: str | None,
) -> Remote:
    """Create the draft email, or update `remote_id` (created again if it was deleted)."""
    call = Call(SERVICE, key)
    headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
    email = {"subject": subject, "body": strip_front_matter(markdown), "status": DRAFT}
    emails = config.api_url.rstrip("/") + "/emails"
    found = None
    if remote_id:
        url = f"{emails}/{remote_id}"
        found = await call.json(fetcher, "PATCH", url, headers, email, missing_ok=True)
    if found is None:
        found = await call.json(fetcher, "POST", emails, headers, email)
    assert found is not None  # missing_ok only on the update
    return _remote(call, found)


def _remote(call: Call, email: dict[str, Any]) -> Remote:
    if email.get("status") != DRAFT or not email.get("id"):
        raise call.error(f"the service did not keep the email as a draft ({email.get('status')})")
    return Remote(str(email["id"]), str(email.get("absolute_url") or email["id"]))
