"""Loopback fakes of Buttondown's and Ghost's APIs that enforce their documented rules:
Buttondown refuses a body with front matter (400 body_contains_frontmatter) and sends an
email created without a status (about_to_send); Ghost checks its Admin JWT (HS256 over the
hex secret, kid, aud /admin/, at most five minutes) and updated_at on every update."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.fakes import send_json
from tests.server import QuietHandler, QuietServer

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeService:
    """A real HTTP server on 127.0.0.1; subclasses answer in `answer`. `busy` makes the
    next N requests answer 429 with Retry-After: 1."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.busy = 0
        self._lock = threading.Lock()
        self._server = QuietServer(self._handler())
        self.base_url = self._server.base_url

    def stop(self) -> None:
        self._server.stop()

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    def _respond(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            if self.busy:
                self.busy -= 1
                return 429, {"detail": "Too many requests."}, {"Retry-After": "1"}
            return self.answer(request)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(QuietHandler):
            def _any(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size) if size else b""
                body = json.loads(raw) if raw else None
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                send_json(self, *service._respond(request))

            do_GET = do_POST = do_PATCH = do_PUT = _any  # noqa: N815

        return Handler


@dataclass
class Email:
    id: str
    subject: str
    body: str
    status: str


class FakeButtondown(FakeService):
    """`/v1/emails` as api.buttondown.com serves it."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.emails: dict[str, Email] = {}
        self.api_url = self.base_url + "/v1"

    def answer(self, request: Request) -> Answer:
        if request.headers.get("Authorization") != f"Token {self.key}":
            return 401, {"detail": "Invalid token."}, {}
        path = urlsplit(request.path).path.rstrip("/")
        if request.method == "POST" and path == "/v1/emails":
            return self._save(request.body, f"em_{len(self.emails) + 1}", 201)
        email_id = path.removeprefix("/v1/emails/")
        if request.method == "PATCH" and email_id in self.emails:
            return self._save({**vars(self.emails[email_id]), **request.body}, email_id, 200)
        return 404, {"detail": "Not found."}, {}

    def _save(self, data: dict[str, Any], email_id: str, status: int) -> Answer:
        body = str(data.get("body", ""))
        if body.lstrip().startswith("---"):
            detail = "Your email body contains front matter; remove it before sending."
            return 400, {"code": "body_contains_frontmatter", "detail": detail}, {}
        state = data.get("status") or "about_to_send"  # Buttondown's default sends it
        self.emails[email_id] = Email(email_id, str(data.get("subject", "")), body, state)
        shown = {"id": email_id, "subject": data.get("subject"), "body": body, "status": state}
        return status, {**shown, "absolute_url": f"https://buttondown.example/{email_id}"}, {}

    @property
    def sent(self) -> list[Email]:
        return [email for email in self.emails.values() if email.status != "draft"]


@dataclass
class Post:
    id: str
    title: str
    html: str
    status: str
    updated_at: str


class FakeGhost(FakeService):
    """`/ghost/api/admin/posts/` as a Ghost 5 site serves it."""

    def __init__(self, key_id: str = "6489d2ab1f0a7e0001a5f0c1", secret: str = "a1" * 32) -> None:
        super().__init__()
        self.key_id, self.secret = key_id, secret
        self.posts: dict[str, Post] = {}

    @property
    def key(self) -> str:
        return f"{self.key_id}:{self.secret}"

    def answer(self, request: Request) -> Answer:
        refusal = self._refuse_token(request.headers.get("Authorization", ""))
        if refusal:
            return 401, {"errors": [{"type": "UnauthorizedError", "message": refusal}]}, {}
        if not request.headers.get("Accept-Version"):
            return 400, {"errors": [{"type": "BadRequestError", "message": "No version"}]}, {}
        parts = urlsplit(request.path)
        post_id = parts.path.removeprefix("/ghost/api/admin/posts/").strip("/")
        if request.method == "POST" and not post_id:
            return self._create(request.body["posts"][0], parts.query)
        if post_id not in self.posts:
            return 404, {"errors": [{"type": "NotFoundError", "message": "Post not found."}]}, {}
        if request.method == "GET":
            return 200, {"posts": [vars(self.posts[post_id])]}, {}
        if request.method == "PUT":
            return self._update(self.posts[post_id], request.body["posts"][0], parts.query)
        return 405, {"errors": [{"type": "MethodNotAllowedError", "message": "No"}]}, {}

    def _refuse_token(self, header: str) -> str | None:
        scheme, _, token = header.partition(" ")
        if scheme != "Ghost" or token.count(".") != 2:
            return "Authorization header format is Authorization: Ghost [token]"
        head, claims, signature = token.split(".")
        expected = hmac.new(
            bytes.fromhex(self.secret), f"{head}.{claims}".encode(), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(_unb64(signature), expected):
            return "Invalid token: invalid signature"
        header_data, claim_data = json.loads(_unb64(head)), json.loads(_unb64(claims))
        if header_data.get("kid") != self.key_id or header_data.get("alg") != "HS256":
            return "Unknown Admin API Key"
        if claim_data.get("aud") != "/admin/":
            return "Invalid token: jwt audience invalid"
        lifetime = claim_data["exp"] - claim_data["iat"]
        if lifetime > 300 or claim_data["exp"] < time.time():
            return "Invalid token: jwt expired"
        return None

    def _create(self, data: dict[str, Any], query: str) -> Answer:
        post_id = f"{len(self.posts) + 1:024x}"
        post = Post(post_id, data["title"], self._html(data, query), data.get("status") or "draft",
                    f"2024-01-05T10:00:0{len(self.posts)}.000Z")  # fmt: skip
        self.posts[post_id] = post
        return 201, {"posts": [vars(post)]}, {}

    def _update(self, post: Post, data: dict[str, Any], query: str) -> Answer:
        if data.get("updated_at") != post.updated_at:
            message = "Saving failed! Someone else is editing this post."
            return 409, {"errors": [{"type": "UpdateCollisionError", "message": message}]}, {}
        post.title, post.html = data["title"], self._html(data, query)
        post.status = data.get("status") or post.status
        post.updated_at = post.updated_at.replace(".000Z", ".500Z")
        return 200, {"posts": [vars(post)]}, {}

    def _html(self, data: dict[str, Any], query: str) -> str:
        # Without ?source=html Ghost ignores `html` and keeps an empty post.
        return str(data.get("html", "")) if "source=html" in query else ""

    @property
    def published(self) -> list[Post]:
        return [post for post in self.posts.values() if post.status != "draft"]


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
