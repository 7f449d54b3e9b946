"""`make demo`: curator's whole pipeline, offline, on the sample week in data/sample.

Serves data/sample from a loopback HTTP server on a free port (three feeds, their article
pages, a short link and a recorded arXiv API), runs `curator collect` and `curator draft`
against a throw-away directory, then shows the draft. Uses the standard library and the
installed `curator` command; rich, a curator dependency, renders the draft on a terminal.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

SAMPLE = Path(__file__).resolve().parent
SITE = SAMPLE / "site"
CONFIG = SAMPLE / "config.toml"
REDIRECTS = SAMPLE / "redirects.txt"
ARXIV_RECORDING = SAMPLE / "arxiv" / "query.xml"
API_PATH = "/api/query"
HF_PAPERS = SAMPLE / "huggingface"  # /hf/papers/{id}: what Hugging Face's API answers
HF_PATH = "/hf/papers/"
# Feeds, pages and the config name the server through this; it is replaced at run time,
# since the port is only known once the server is listening.
PLACEHOLDER = "{{BASE}}"
LAST_MODIFIED = "Fri, 12 Jan 2024 08:00:00 GMT"
CONTENT_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
NAMESPACES = {
    "": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
ATOM = "{" + NAMESPACES[""] + "}"
OPENSEARCH = "{" + NAMESPACES["opensearch"] + "}"
for _prefix, _uri in NAMESPACES.items():  # so answers keep arXiv's own prefixes
    ElementTree.register_namespace(_prefix, _uri)


class StepFailed(Exception):
    """A curator command exited non-zero; its own message is already on stderr."""

    def __init__(self, step: str, code: int) -> None:
        super().__init__(f"`curator {step}` failed (exit status {code})")
        self.code = code


# -- the sample server -------------------------------------------------------------------


class SampleServer(ThreadingHTTPServer):
    """Serves data/sample/site with the placeholder filled in, the short links, and a
    fake arXiv API answering from the recorded response."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SampleHandler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.redirects = read_redirects(REDIRECTS)


class SampleHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites answer
    server: SampleServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: curator reports what it fetched."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        if parts.path == API_PATH:
            body = arxiv_answer(parse_qs(parts.query))
            self.answer(200, body, {"Content-Type": "application/atom+xml; charset=utf-8"})
        elif parts.path.startswith(HF_PATH):
            self.send_paper(parts.path.removeprefix(HF_PATH))
        elif parts.path in self.server.redirects:
            target = self.server.base_url + self.server.redirects[parts.path]
            self.answer(301, b"", {"Location": target})
        else:
            self.send_file(parts.path)

    def send_file(self, path: str) -> None:
        file = (SITE / path.lstrip("/")).resolve()
        if not file.is_relative_to(SITE) or not file.is_file():
            self.answer(404, b"not found\n", {"Content-Type": "text/plain; charset=utf-8"})
            return
        text = file.read_text(encoding="utf-8").replace(PLACEHOLDER, self.server.base_url)
        body = text.encode("utf-8")
        # Validators, so a second `curator collect` gets 304 Not Modified for the feeds.
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if self.headers.get("If-None-Match") == etag:
            self.answer(304, b"", validators)
            return
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        self.answer(200, body, {"Content-Type": content_type, **validators})

    def send_paper(self, arxiv_id: str) -> None:
        """A recorded Hugging Face paper, or its API's 404 for a paper it does not know."""
        file = HF_PAPERS / f"{arxiv_id}.json"
        found = file.is_file() and file.parent == HF_PAPERS
        body = file.read_bytes() if found else b'{"error": "Paper not found"}'
        self.answer(200 if found else 404, body, {"Content-Type": "application/json"})

    def answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def read_redirects(path: Path) -> dict[str, str]:
    """`<path> <target path>` lines; blank lines and # comments ignored."""
    redirects = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            source, target = line.split()
            redirects[source] = target
    return redirects


def arxiv_answer(query: dict[str, list[str]]) -> bytes:
    """What export.arxiv.org would say, from the recording: every search query gets the
    recorded results; an id_list lookup gets the recorded entries with those ids."""
    feed = ElementTree.fromstring(ARXIV_RECORDING.read_bytes())
    entries = feed.findall(f"{ATOM}entry")
    wanted = {_versionless(i) for i in query.get("id_list", [""])[0].split(",") if i}
    if wanted:
        entries = [e for e in entries if _versionless(_entry_id(e)) in wanted]
    start = int(query.get("start", ["0"])[0])
    size = int(query.get("max_results", ["10"])[0])
    for entry in feed.findall(f"{ATOM}entry"):
        feed.remove(entry)
    feed.extend(entries[start : start + size])
    for name, value in (("totalResults", len(entries)), ("startIndex", start)):
        element = feed.find(f"{OPENSEARCH}{name}")
        if element is not None:
            element.text = str(value)
    body: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _entry_id(entry: ElementTree.Element) -> str:
    """'http://arxiv.org/abs/2401.04321v1' -> '2401.04321v1'."""
    return (entry.findtext(f"{ATOM}id") or "").split("/abs/")[-1]


def _versionless(paper_id: str) -> str:
    head, _, version = paper_id.strip().rpartition("v")
    return head if head and version.isdigit() else paper_id.strip()


@contextmanager
def serve() -> Iterator[str]:
    """Run the sample server on 127.0.0.1 (a free port) and yield its base URL; the
    server is shut down and its port closed on the way out, whatever happened."""
    server = SampleServer()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- the demo ----------------------------------------------------------------------------


def curator_command() -> list[str]:
    """The `curator` script of this Python's environment, else `python -m curator`."""
    folder = Path(sys.executable).parent
    for name in ("curator", "curator.exe"):
        if (folder / name).is_file():
            return [str(folder / name)]
    return [sys.executable, "-m", "curator"]


def child_environment() -> dict[str, str]:
    """This environment, minus any chance of a proxy standing between curator and the
    loopback server (httpx and requests both honour HTTP_PROXY and NO_PROXY). Its Hugging
    Face is the recording, so HF_HUB_OFFLINE has nothing to keep it from."""
    env = dict(os.environ)
    env.pop("HF_HUB_OFFLINE", None)
    for name in ("NO_PROXY", "no_proxy"):
        env[name] = ",".join(filter(None, [env.get(name), "127.0.0.1", "localhost"]))
    return env


def run_curator(command: Sequence[str], workdir: Path, *args: str) -> None:
    say(f"\n$ curator {' '.join(args)}")
    global_options = [
        "--db",
        str(workdir / "curator.db"),
        "--config",
        str(workdir / "curator.toml"),
    ]
    done = subprocess.run([*command, *global_options, *args], env=child_environment())
    if done.returncode != 0:
        raise StepFailed(args[0], done.returncode)


def write_config(base_url: str, workdir: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url)
    (workdir / "curator.toml").write_text(text, encoding="utf-8")


def show(draft: Path) -> None:
    """The draft rendered by rich on a terminal; as plain text anywhere else."""
    text = draft.read_text(encoding="utf-8")
    try:
        from rich.console import Console
        from rich.markdown import Markdown
        from rich.syntax import Syntax
    except ImportError:  # curator installed without its dependencies' extras: plain text
        sys.stdout.write(text)
        return
    console = Console()
    if not console.is_terminal:
        sys.stdout.write(text)
        return
    front, body = split_front_matter(text)
    console.rule(draft.name)
    if front:
        console.print(Syntax(front, "yaml", background_color="default", word_wrap=True))
        console.print()
    console.print(Markdown(body))
    console.rule()


def split_front_matter(text: str) -> tuple[str, str]:
    """YAML front matter between --- lines, and the Markdown after it."""
    if text.startswith("---\n"):
        front, separator, body = text[4:].partition("\n---\n")
        if separator:
            return front, body
    return "", text


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    started = time.monotonic()
    command = curator_command()
    # Kept after the demo, so the draft's path stays valid and the queue can be inspected.
    workdir = Path(tempfile.mkdtemp(prefix="curator-demo-"))
    draft = workdir / "draft.md"
    try:
        with serve() as base_url:
            say(f"Serving the sample week (data/sample) at {base_url}")
            say(f"Working in {workdir} (a throw-away database and config)")
            write_config(base_url, workdir)
            run_curator(command, workdir, "collect")
            run_curator(command, workdir, "draft", "--out", str(draft))
        say(f"Stopped the sample server at {base_url}\n")
    except StepFailed as err:
        say(f"demo: {err}; the sample server is stopped. Files so far: {workdir}")
        return err.code
    except KeyboardInterrupt:
        say(f"demo: interrupted; the sample server is stopped. Files so far: {workdir}")
        return 130
    show(draft)
    say(finished(command, workdir, draft, time.monotonic() - started))
    return 0


def finished(command: Sequence[str], workdir: Path, draft: Path, seconds: float) -> str:
    curator = " ".join(command)
    options = f"--db {workdir / 'curator.db'} --config {workdir / 'curator.toml'}"
    return "\n".join(
        [
            f"\nDemo finished in {seconds:.1f} s.",
            f"Draft written to {draft}",
            f"The directory {workdir} is kept (delete it when you are done). Look around:",
            f"  {curator} {options} list",
            f"  {curator} {options} sources",
            f"  {curator} {options} draft",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
