"""`aftersales serve`: the HTTP service with its scheduler, on one bound socket."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from app.cli.common import bold, fail, out, runtime, say
from app.errors import AftersalesError
from app.registry import SheetRegistry
from app.settings import Settings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.", min=1, max=65535)] = None,
    demo: Annotated[
        bool, typer.Option(help="Seed and register the local demo workbook when missing.")
    ] = False,
) -> None:
    """Run the HTTP service (uvicorn, one worker) with the scheduler."""
    import uvicorn

    from app.api.app import create_app
    from app.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    # Bind before anything is printed or built: a taken port is one sentence, not a banner
    # followed by uvicorn's error; uvicorn then serves on this very socket (no race).
    listener = _listen(host, port)
    if demo:
        _seed_demo(settings.workbook)
    try:
        application = create_app(settings)
    except AftersalesError as exc:
        fail(exc.message)
    base = f"http://{host}:{port}"
    out.print(say("cli.serve_on", url=bold(base)))
    out.print(say("cli.serve_api_reference", url=base))
    if settings.environment == "development" and settings.auth.hmac_master_secret is None:
        out.print(say("cli.serve_development_sign_in"))
    out.print(
        say(
            "cli.serve_workbook_store",
            workbook=bold(settings.workbook),
            store=escape(_masked(settings)),
        )
    )
    config = uvicorn.Config(application, host=host, port=port, workers=1, log_level="info")
    uvicorn.Server(config).run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or exit 2 saying why (taken, not this machine's address)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        fail(say("cli.serve_bad_host", host=repr(host), problem=exc.strerror))
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as exc:
        listener.close()
        fail(say("cli.serve_port_taken", host=host, port=port, problem=exc.strerror))
    return listener


def _seed_demo(workbook: Path) -> None:
    """The embedded default: a demo workbook registered as sheet 'demo'."""
    from app.demo_history import replay_demo

    rt = runtime(workbook)
    if not workbook.exists():
        replay_demo(rt.engine(), workbook, datetime.now(UTC))
        out.print(say("cli.demo_created", workbook=bold(workbook)))
    registry = SheetRegistry(rt.store)
    if "demo" not in {e.id for e in registry.list()}:
        registry.add("demo", kind="workbook", location=str(workbook.resolve()), title="Demo")
    rt.store.close()


def _masked(settings: Settings) -> str:
    from app.store.engine import mask_url

    return mask_url(settings.database_url.get_secret_value())
