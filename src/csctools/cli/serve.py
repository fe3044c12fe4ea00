"""`csc serve`: the local web page."""

from __future__ import annotations

import signal
import webbrowser
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from csctools.cli.common import fail


def serve_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port)")] = 8765,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the page in the browser")] = True,
    settings: Annotated[
        Path | None, typer.Option(help="Settings file (default: settings-<LA>.yaml in the config folder)")
    ] = None,
) -> None:
    """Start the web page on this computer only (127.0.0.1); uploads are deleted when it stops (Ctrl+C)."""
    from csctools.web.server import CscServer
    from csctools.web.workspace import Workspace

    if settings is not None and not settings.exists():
        fail(f"{settings}: no such settings file")
    try:
        server = CscServer(port, Workspace(settings=settings))
    except OSError as error:
        fail(f"cannot listen on 127.0.0.1:{port} ({error.strerror or error}); try --port 0")
    typer.echo(f"csctools is running at {server.page_url}")
    typer.echo("Only you can use it: the address holds a secret made for this start. Ctrl+C stops it.")
    signal.signal(signal.SIGTERM, _stop)
    if open_browser:  # through a private file, so the secret is not on the browser's command line
        webbrowser.open(server.launcher().as_uri())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopping; your uploaded files have been removed")
    finally:
        server.server_close()


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server like Ctrl+C, so the uploaded files are still removed."""
    raise KeyboardInterrupt
