"""The review page's routes: the page, its regions, the author's changes, capture, publish.

No state changes on a GET (issue 18, item 5). A change answers at once with what it
changed (each link's version and decision); the page then asks for the regions (the week
regrouped and the draft preview), so it never reloads and a triage key costs no replanning
(item 9). The work is the pipeline's (`review`, `queue.add_urls`, `compose.publish`), run
in a worker thread.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from markdown_it import MarkdownIt
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from curator.errors import NotReadyError, UsageError
from curator.pipeline.compose import WindowChoice
from curator.pipeline.compose import publish as publish_window
from curator.pipeline.queue import DECISIONS, add_urls
from curator.pipeline.review import (
    StaleError,
    View,
    Week,
    current,
    decide,
    edit,
    move,
    review_week,
    version,
)
from curator.statuses import STATUSES
from curator.web.guard import TOKEN_FIELD, TOKEN_HEADER, token_matches

if TYPE_CHECKING:
    from curator.web.app import Site

# Raw HTML in a title or summary shows as text in the rendered preview too.
MARKDOWN = MarkdownIt("commonmark", {"html": False})
EDITABLE = {"title": "user_title", "summary": "user_summary", "url": "user_url"}
MOVES = {"up": -1, "down": 1}
KEYS = (
    ("j / k", "next / previous item"),
    ("p", "pick"),
    ("n", "pin: in on top of the automatic selection"),
    ("s", "skip"),
    ("f", "feature"),
    ("r", "reset the decision"),
    ("e", "edit title and summary"),
    ("u", "edit the URL"),
    ("Alt+↑ / Alt+↓", "move the item up or down in its section"),
    ("?", "show these keys"),
)


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _choice_and_view(query: Mapping[str, str]) -> tuple[WindowChoice, View]:
    """The page's filters, checked by the same rules as `curator list` and `draft`."""
    choice = WindowChoice(week=query.get("week") or None)
    view = View(
        status=query.get("status") or None,
        kind=query.get("kind") or None,
        published=query.get("published") == "1",
    )
    return choice, view


def _week(site: Site, query: Mapping[str, str], view: View | None = None) -> Week:
    choice, shown = _choice_and_view(query)
    config = site.settings.config()
    return review_week(config, site.store, choice, view or shown, datetime.now(UTC))


def _regions(site: Site, query: Mapping[str, str], known: str | None) -> dict[str, Any]:
    """The week and the draft preview; only their digest while it equals `known` (a poll
    that finds nothing new renders no Markdown)."""
    week = _week(site, query)
    html = site.templates.get_template("week.html.j2").render(
        week=week, cards_of=lambda group: site.cards.group(site.templates, group)
    )
    text = week.draft.text
    digest = hashlib.sha256(f"{html}\0{text}".encode()).hexdigest()
    if digest == known:
        return {"digest": digest}
    return {
        "week": html,
        "draft": text,
        "draft_html": MARKDOWN.render(without_front_matter(text)),
        "warnings": week.draft.warnings,
        "digest": digest,
    }


def without_front_matter(text: str) -> str:
    """The Markdown body: a site generator reads the front matter, it shows no text."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text


async def page(request: Request) -> HTMLResponse:
    site = _site(request)
    regions = await run_in_threadpool(_checked_regions, site, request.query_params)
    query = request.query_params
    html = site.templates.get_template("page.html.j2").render(
        regions=regions,
        token=site.settings.token,
        poll_ms=int(site.settings.poll_seconds * 1000),
        bookmarklet=bookmarklet(site.settings.url),
        statuses=STATUSES,
        query=query,
        keys=KEYS,
    )
    return HTMLResponse(html)


def _checked_regions(
    site: Site, query: Mapping[str, str], known: str | None = None
) -> dict[str, Any]:
    try:
        return _regions(site, query, known)
    except UsageError as err:
        raise HTTPException(400, str(err)) from None


async def regions(request: Request) -> Response:
    """The regions as they are now; 204 while they equal the `known` digest (polling)."""
    site, known = _site(request), request.query_params.get("known")
    found = await run_in_threadpool(_checked_regions, site, request.query_params, known)
    if found["digest"] == known:
        return Response(status_code=204)
    return JSONResponse(found)


def bookmarklet(base: str) -> str:
    """Opens this server's confirm form for the page the author is reading."""
    return (
        "javascript:(()=>{window.open('" + base + "add?url='+encodeURIComponent(location.href)"
        "+'&title='+encodeURIComponent(document.title),'curator',"
        "'width=560,height=480');})()"
    )


async def posted(request: Request) -> dict[str, str]:
    """The POST's fields (JSON or a form), once its CSRF token is checked (403 if not)."""
    body = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        loaded = json.loads(body or "{}")
        fields = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    else:
        fields = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
    sent = request.headers.get(TOKEN_HEADER) or fields.get(TOKEN_FIELD)
    if not token_matches(sent, _site(request).settings.token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page")
    return fields


async def change(request: Request) -> JSONResponse:
    """A decision, an edit or a move on one link; the links it changed come back."""
    fields = await posted(request)
    link_id: int = request.path_params["link_id"]
    action: str = request.path_params["action"]
    site = _site(request)
    return await run_in_threadpool(_change, site, request.query_params, link_id, action, fields)


def _change(
    site: Site, query: Mapping[str, str], link_id: int, action: str, fields: dict[str, str]
) -> JSONResponse:
    try:
        changed = _apply(site, query, link_id, action, fields)
    except StaleError as err:
        return _links(site, [link_id], {"error": str(err)}, 409)
    except UsageError as err:
        return _links(site, [link_id], {"error": str(err)}, 400)
    return _links(site, changed, {"message": f"{action}: link {link_id}"}, 200)


def _apply(
    site: Site, query: Mapping[str, str], link_id: int, action: str, fields: dict[str, str]
) -> list[int]:
    seen, editor = fields.get("version", ""), site.settings.editor
    if action in DECISIONS:
        return decide(site.store, link_id, action, seen, editor=editor)
    if action == "edit":
        changes = {EDITABLE[k]: v for k, v in fields.items() if k in EDITABLE}
        return edit(site.store, link_id, seen, changes, editor=editor)
    if action in MOVES:
        week = _week(site, query, View())
        return move(site.store, week, link_id, MOVES[action], seen, editor=editor)
    raise UsageError(f"no such action: {action}")


def _links(site: Site, link_ids: list[int], said: dict[str, str], status: int) -> JSONResponse:
    """The links as they are now (a refused change too: the page carries on from the
    current version), with what happened."""
    links = {
        str(link.id): {"version": version(link), "decision": link.decision}
        for link in current(site.store, link_ids)
    }
    return JSONResponse({"links": links, **said}, status_code=status)


async def add_form(request: Request) -> HTMLResponse:
    """The bookmarklet's window: a confirm form; nothing is added until it is posted."""
    site = _site(request)
    html = site.templates.get_template("add.html.j2").render(
        url=request.query_params.get("url", ""),
        title=request.query_params.get("title", ""),
        token=site.settings.token,
        done=None,
    )
    return HTMLResponse(html)


async def add(request: Request) -> Response:
    """Queue a URL (and a note) as `curator add` does, then enrich it in the background.
    The page's add box posts JSON and gets what happened (then asks for the regions);
    the bookmarklet's form gets a page saying it."""
    fields = await posted(request)
    site = _site(request)
    url, note = fields.get("url", "").strip(), fields.get("note", "").strip() or None
    try:
        report = await run_in_threadpool(_add, site, url, note)
        message = f"added {url}" if report else f"already queued: {url}"
        status = 200
    except UsageError as err:
        message, status = str(err), 400
    if request.headers.get("content-type", "").startswith("application/json"):
        key = "message" if status == 200 else "error"
        return JSONResponse({key: message}, status_code=status)
    html = site.templates.get_template("add.html.j2").render(
        url=url, title="", token=site.settings.token, done=message
    )
    return HTMLResponse(html, status_code=status)


def _add(site: Site, url: str, note: str | None) -> bool:
    report = add_urls(site.store, [url], note=note, now=datetime.now(UTC))
    if report.new:
        site.enricher.kick()
    return bool(report.new)


async def publish(request: Request) -> JSONResponse:
    """Record the issue, with `curator publish`'s checks and refusals; the page then asks
    for the regions."""
    await posted(request)
    site = _site(request)
    return await run_in_threadpool(_publish, site, request.query_params)


def _publish(site: Site, query: Mapping[str, str]) -> JSONResponse:
    choice, _ = _choice_and_view(query)
    try:
        issue = publish_window(site.settings.config(), site.store, choice, now=datetime.now(UTC))
    except (NotReadyError, UsageError) as err:
        return JSONResponse({"error": str(err)}, status_code=409)
    return JSONResponse({"message": f"published issue #{issue.number}"})


ROUTES = [
    Route("/", page),
    Route("/regions", regions),
    Route("/links/{link_id:int}/{action}", change, methods=["POST"]),
    Route("/add", add_form, methods=["GET"]),
    Route("/add", add, methods=["POST"]),
    Route("/publish", publish, methods=["POST"]),
]
