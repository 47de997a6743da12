"""`aftersales` commands for running the service: the sheet registry, serve, openapi, addon.

Registered on the main `cli` app (see `app.cli`); shares its helpers and exit-code rules.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.auth import derive_sheet_secret
from app.cli import JsonOpt, WorkbookOpt, _bold, _fail, _runtime, _workbook_file, cli, out
from app.errors import AftersalesError
from app.registry import SheetKind, SheetRegistry
from app.runtime import Runtime
from app.settings import Settings

sheets_cli = typer.Typer(no_args_is_help=True, help="The sheets the service manages.")
cli.add_typer(sheets_cli, name="sheets")


@sheets_cli.command("add")
def sheets_add(
    sheet_id: Annotated[
        str, typer.Argument(help="Google spreadsheet id, or a name for a workbook")
    ],
    workbook: WorkbookOpt = None,
    timezone: Annotated[str, typer.Option(help="The team's time zone.")] = "Asia/Shanghai",
    allow: Annotated[
        list[str] | None, typer.Option("--allow", help="Email or @domain allowed (repeatable).")
    ] = None,
    title: Annotated[str, typer.Option(help="A name people recognise.")] = "",
    replace: Annotated[bool, typer.Option(help="Replace an existing entry.")] = False,
) -> None:
    """Register a sheet (a Google spreadsheet, or with --workbook a local file)."""
    workbook = _workbook_file(workbook)
    rt = _runtime(None)
    kind: SheetKind = "workbook" if workbook is not None else "google"
    location = str(workbook.resolve()) if workbook is not None else sheet_id
    try:
        entry = SheetRegistry(rt.store).add(
            sheet_id,
            kind=kind,
            location=location,
            title=title,
            timezone=timezone,
            allowed=allow or (),
            replace=replace,
        )
    except AftersalesError as exc:
        _fail(exc.message)
    out.print(f"Registered {entry.kind} sheet {_bold(entry.id)} ({escape(entry.location)}).")
    master = rt.settings.auth.hmac_master_secret
    if master is not None:
        secret = derive_sheet_secret(master.get_secret_value(), entry.id, entry.key_version)
        out.print(f"Its HMAC secret for the add-on's Set up: {secret}")


@sheets_cli.command("list")
def sheets_list(as_json: JsonOpt = False) -> None:
    """List the registered sheets."""
    rt = _runtime(None)
    entries = SheetRegistry(rt.store).list()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "kind": e.kind,
                        "location": e.location,
                        "timezone": e.timezone,
                        "allowed": list(e.allowed),
                        "key_version": e.key_version,
                    }
                    for e in entries
                ]
            )
        )
        return
    table = Table("Id", "Kind", "Where", "Time zone", "Allowed")
    for e in entries:
        table.add_row(
            *(escape(v) for v in (e.id, e.kind, e.location, e.timezone)),
            escape(", ".join(e.allowed) or "-"),
        )
    out.print(table)


@sheets_cli.command("secret")
def sheets_secret(sheet_id: str) -> None:
    """Print a sheet's HMAC secret for the add-on's Set up (derived from the master secret)."""
    from app.api.app import DEV_SECRET_FILE

    rt = _runtime(None)
    if not _known(rt, sheet_id):
        _fail(f"No sheet {sheet_id!r} is registered; add it with `aftersales sheets add`.")
    version = SheetRegistry(rt.store).key_version(sheet_id)
    master = rt.settings.auth.hmac_master_secret
    if master is not None:
        print(derive_sheet_secret(master.get_secret_value(), sheet_id, version))
    elif rt.settings.environment == "development" and DEV_SECRET_FILE.exists():
        dev_master = DEV_SECRET_FILE.read_text(encoding="utf-8").strip()
        print(derive_sheet_secret(dev_master, sheet_id, version))
    else:
        _fail("No HMAC master secret is configured (AFTERSALES_AUTH__HMAC_MASTER_SECRET).")


@sheets_cli.command("rotate")
def sheets_rotate(sheet_id: str) -> None:
    """Give one sheet a new HMAC secret; its old secret is refused from now on, other sheets
    keep theirs. Print the new one with `aftersales sheets secret ID`."""
    rt = _runtime(None)
    try:
        entry = SheetRegistry(rt.store).rotate_key(sheet_id)
    except AftersalesError as exc:
        _fail(f"{exc.message} See `aftersales sheets list`.")
    out.print(
        f"Rotated the HMAC key of sheet [bold]{entry.id}[/] to version {entry.key_version}: its "
        "old secret is refused from now on; other sheets keep theirs. Put the new secret "
        f"(`aftersales sheets secret {entry.id}`) into the add-on's Set up."
    )


def _known(rt: Runtime, sheet_id: str) -> bool:
    return sheet_id in {e.id for e in SheetRegistry(rt.store).list()}


@sheets_cli.command("remove")
def sheets_remove(sheet_id: str) -> None:
    """Stop managing a sheet (its run history stays in the store)."""
    rt = _runtime(None)
    try:
        SheetRegistry(rt.store).remove(sheet_id)
    except AftersalesError as exc:
        _fail(exc.message)
    out.print(f"Removed {escape(sheet_id)}.")


@cli.command()
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
        _fail(exc.message)
    base = f"http://{host}:{port}"
    out.print(f"After-sales Desk on {_bold(base)}")
    out.print(
        f"API reference: `aftersales openapi` prints it; {base}/openapi.json serves it to "
        "signed callers (every endpoint but /healthz needs credentials)."
    )
    if settings.environment == "development" and settings.auth.hmac_master_secret is None:
        out.print(
            "Development sign-in: HMAC master secret in var/dev-hmac-secret; "
            "`aftersales sheets add` prints a sheet's secret for the add-on."
        )
    out.print(f"Workbook: {_bold(settings.workbook)}  Store: {escape(_masked(settings))}")
    config = uvicorn.Config(application, host=host, port=port, workers=1, log_level="info")
    uvicorn.Server(config).run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or exit 2 saying why (taken, not this machine's address)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        _fail(f"--host {host!r} is not an address this machine can listen on ({exc.strerror}).")
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as exc:
        listener.close()
        _fail(
            f"Cannot listen on {host}:{port} ({exc.strerror}): another server may be using "
            f"port {port}; stop it or give a free one with --port."
        )
    return listener


@cli.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON)."""
    from app.api.app import create_app
    from app.settings import Settings

    application = create_app(Settings(environment="test"), start_scheduler=False)
    print(json.dumps(application.openapi(), indent=2))


@cli.command()
def addon(
    url: Annotated[
        str,
        typer.Option(help="The service's public https:// URL (http:// only on loopback)."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the add-on into.")],
) -> None:
    """Write the Apps Script add-on pinned to URL (Config.gs and the manifest's
    urlFetchWhitelist), ready to push with clasp as the add-on's own project."""
    from app.addon.export import whitelist_prefix, write_addon

    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir} is a file; give a folder (it is created if missing).")
    try:
        files = write_addon(url, out_dir)
    except ValueError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(
            f"Cannot write the add-on into {out_dir}: {exc.strerror}. Give a folder you can write."
        )
    for path in files:
        out.print(f"wrote {path}", markup=False, highlight=False)
    out.print(
        f"The add-on calls only {whitelist_prefix(url)} (urlFetchWhitelist); editors of a "
        "spreadsheet cannot change it. Deploy it from its own Apps Script project, not pasted "
        "into a spreadsheet's bound script.",
        markup=False,
        highlight=False,
    )


def _seed_demo(workbook: Path) -> None:
    """The embedded default: a demo workbook registered as sheet 'demo'."""
    from app.demo_history import replay_demo

    rt = _runtime(workbook)
    if not workbook.exists():
        replay_demo(rt.engine(), workbook, datetime.now(UTC))
        out.print(
            f"Created demo workbook {_bold(workbook)} with 200 example cases "
            "and five weeks of history."
        )
    registry = SheetRegistry(rt.store)
    if "demo" not in {e.id for e in registry.list()}:
        registry.add("demo", kind="workbook", location=str(workbook.resolve()), title="Demo")
    rt.store.close()


def _masked(settings: Settings) -> str:
    from app.store.engine import mask_url

    return mask_url(settings.database_url.get_secret_value())
