"""`curator serve`: the week's review page on a loopback port (issue 18).

starlette, uvicorn and curator.web load when the command runs, never for `--help`.
The socket is bound here, before the app is made, so that the app knows the port its
Host check must accept.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

from curator.cli.app import Command, app, state, stderr

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

LOOPBACK = "127.0.0.1"


@app.command(cls=Command)
def serve(
    ctx: typer.Context,
    port: Annotated[
        int | None,
        typer.Option(metavar="N", help="Port to listen on (default: a free one)."),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Listen on this address instead of 127.0.0.1: anyone who can reach it "
            "can read the queue.",
        ),
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the page in a browser.")
    ] = False,
) -> None:
    """Review the week in a browser: triage with the keyboard, edit in place, see the draft.

    Serves a page on 127.0.0.1 showing the window's candidates grouped as the draft
    groups them, beside the draft itself, updated after every change. Keys: j/k move,
    p pick, n pin, s skip, f feature, r reset, e edit, u edit the URL, Alt+Up/Down move
    within a section, ? lists them. Stop it with Ctrl-C.

    Example: curator serve --port 8765 --open
    """
    from curator.web.app import Settings, create_app

    obj = state(ctx)
    sock = bind(host or LOOPBACK, port or 0)
    bound = sock.getsockname()[1]
    settings = Settings(
        obj.db, obj.config_path, obj.config_is_explicit, host or LOOPBACK, bound, obj.editor
    )
    if host:
        stderr.print(f"warning: listening on {host}: anyone who can reach it can read the queue")
    server = _server(create_app(settings))
    stderr.print(f"curator serve: {settings.url} (Ctrl-C stops it)")
    if open_browser:
        threading.Thread(target=_open_when_up, args=(server, settings.url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled once it has stopped
        pass
    stderr.print("curator serve: stopped")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one)."""
    from curator.errors import UsageError

    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named as TCP, asyncio turns Nagle's algorithm off on every accepted connection
    # (it checks `proto`); with proto 0 each answer on a kept-alive connection waited for
    # the browser's delayed ACK, 40 ms on Linux (RFC 1122, 4.2.3.2; issue 18, item 9).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(128)
    return sock


def _server(asgi: Starlette) -> uvicorn.Server:
    import uvicorn

    config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="on")
    return uvicorn.Server(config)


def _open_when_up(server: uvicorn.Server, url: str) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.05)
    if server.started:
        import webbrowser

        webbrowser.open(url)
