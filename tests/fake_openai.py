"""A fake OpenAI-compatible chat completions server on loopback, for llm's
`extra-openai-models.yaml` (issue 20): it counts calls and answers each prompt with the
reply registered for a word in it (good text, an HTTP error, a slow answer, junk).

Like the real API it answers `POST /v1/chat/completions` with a `chat.completion` object
or an `{"error": ...}` body; it refuses a streamed request, which curator never makes.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.fakes import send_json
from tests.server import QuietHandler, QuietServer

MODEL_ID = "fake"


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering


class FakeOpenAI:
    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.default = Reply("It does one concrete thing. It finds another.")
        self.prompts: list[str] = []
        self._lock = threading.Lock()
        self._server = QuietServer(self._handler())
        self.api_base = self._server.base_url + "/v1"

    @property
    def calls(self) -> int:
        return len(self.prompts)

    def reply(self, word: str, reply: Reply) -> None:
        """Answer `reply` to every prompt that holds `word`."""
        self.replies[word] = reply

    def configure(self, user_dir: Path) -> None:
        """llm's config in `user_dir` (LLM_USER_PATH): one model at this server."""
        user_dir.mkdir(parents=True, exist_ok=True)
        (user_dir / "extra-openai-models.yaml").write_text(
            f"- model_id: {MODEL_ID}\n  model_name: fake-model\n  api_base: {self.api_base}\n"
        )

    def stop(self) -> None:
        self._server.stop()

    def _answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        if request.get("stream"):
            return 400, _error("this fake does not stream", "invalid_request_error"), 0.0
        prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
        with self._lock:
            self.prompts.append(prompt)
        reply = next((r for word, r in self.replies.items() if word in prompt), self.default)
        if reply.status != 200:
            return reply.status, _error(reply.text, "server_error"), reply.delay
        return 200, _completion(request.get("model", ""), reply.text), reply.delay

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/chat/completions":
                    status, body, delay = 404, _error("no such route", "not_found"), 0.0
                else:
                    status, body, delay = fake._answer(request)
                time.sleep(delay)
                send_json(self, status, body)

        return Handler


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1703000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}
