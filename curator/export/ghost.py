"""Ghost drafts through the Admin API (https://ghost.org/docs/admin-api/): a short-lived
JWT signed with the Admin API key, `POST /ghost/api/admin/posts/?source=html` with
`"status": "draft"`, and the email HTML wrapped in an HTML card so Ghost keeps it whole
instead of converting it to its own blocks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime
from typing import Any

from curator.config import GhostConfig
from curator.errors import UsageError
from curator.export.api import DRAFT, Call, Remote
from curator.http import Fetcher

SERVICE = "Ghost"
ACCEPT_VERSION = "v5.0"
TOKEN_SECONDS = 300  # Ghost refuses tokens that live longer than five minutes
_KEY = re.compile(r"([0-9a-f]{1,64}):((?:[0-9a-f]{2}){8,})", re.IGNORECASE)


def admin_token(key: str, now: datetime) -> str:
    """The Admin API JWT: HS256 over the hex-decoded secret, `kid` the key's id, audience
    /admin/, expiring in five minutes (Ghost's "Token authentication")."""
    key_id, secret = split_key(key)
    header = {"alg": "HS256", "typ": "JWT", "kid": key_id}
    issued = int(now.timestamp())
    claims = {"iat": issued, "exp": issued + TOKEN_SECONDS, "aud": "/admin/"}
    signing = f"{_b64(_json(header))}.{_b64(_json(claims))}"
    signature = hmac.new(bytes.fromhex(secret), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64(signature)}"


def split_key(key: str) -> tuple[str, str]:
    """An Admin API key reads `id:secret`, the secret in hex; the message never shows it."""
    match = _KEY.fullmatch(key.strip())
    if not match:
        raise UsageError("GHOST_ADMIN_API_KEY must be an Admin API key, id:secret (hex)")
    return match[1], match[2]


def html_card(html: str) -> str:
    """Ghost's marker for an HTML card: the content inside is kept as written."""
    return f"<!--kg-card-begin: html-->\n{html}\n<!--kg-card-end: html-->"


async def save_draft(
    fetcher: Fetcher,
    config: GhostConfig,
    key: str,
    *,
    title: str,
    html: str,
    remote_id: str | None,
    now: datetime,
) -> Remote:
    """Create the draft post, or update `remote_id` (created again if it was deleted)."""
    split_key(key)
    call = Call(SERVICE, key)
    posts = config.url.rstrip("/") + "/ghost/api/admin/posts/"
    post: dict[str, Any] = {"title": title, "html": html_card(html), "status": DRAFT}
    found = None
    if remote_id:
        found = await _update(fetcher, call, f"{posts}{remote_id}/", post, key, now)
    if found is None:
        body = {"posts": [post]}
        found = await call.json(fetcher, "POST", f"{posts}?source=html", _headers(key, now), body)
    return _remote(call, config, found)


async def _update(
    fetcher: Fetcher, call: Call, url: str, post: dict[str, Any], key: str, now: datetime
) -> dict[str, Any] | None:
    """PUT needs the post's current updated_at (Ghost refuses a stale one: 409)."""
    current = await call.json(fetcher, "GET", url, _headers(key, now), missing_ok=True)
    if current is None:
        return None
    stamp = _post(call, current).get("updated_at")
    body = {"posts": [{**post, "updated_at": stamp}]}
    return await call.json(fetcher, "PUT", f"{url}?source=html", _headers(key, now), body)


def _headers(key: str, now: datetime) -> dict[str, str]:
    return {"Authorization": f"Ghost {admin_token(key, now)}", "Accept-Version": ACCEPT_VERSION}


def _post(call: Call, answer: dict[str, Any]) -> dict[str, Any]:
    posts = answer.get("posts")
    if not isinstance(posts, list) or not posts or not isinstance(posts[0], dict):
        raise call.error("the answer holds no post")
    return posts[0]


def _remote(call: Call, config: GhostConfig, answer: dict[str, Any] | None) -> Remote:
    post = _post(call, answer or {})
    if post.get("status") != DRAFT or not post.get("id"):
        raise call.error(f"the service did not keep the post as a draft ({post.get('status')})")
    editor = f"{config.url.rstrip('/')}/ghost/#/editor/post/{post['id']}"
    return Remote(str(post["id"]), editor)


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
