"""`aftersales sheets`: the sheets the service manages (add, list, secret, rotate, remove)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.auth import derive_sheet_secret
from app.cli.common import JsonOpt, WorkbookOpt, bold, fail, out, runtime, say, workbook_file
from app.errors import AftersalesError
from app.registry import SheetKind, SheetRegistry
from app.runtime import Runtime

SHEET_COLUMNS = ("id", "kind", "where", "timezone", "allowed")


def sheets_app() -> typer.Typer:
    """The `sheets` command group, added under the main app by `app.cli`."""
    group = typer.Typer(no_args_is_help=True, help="The sheets the service manages.")
    group.command("add")(sheets_add)
    group.command("list")(sheets_list)
    group.command("secret")(sheets_secret)
    group.command("rotate")(sheets_rotate)
    group.command("remove")(sheets_remove)
    return group


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
    language: Annotated[
        str | None,
        typer.Option(
            help="The team language the service writes the sheet in: zh (中文) or en "
            "(English). Default: the sheet's Settings tab, else its locale or headers."
        ),
    ] = None,
) -> None:
    """Register a sheet (a Google spreadsheet, or with --workbook a local file)."""
    workbook = workbook_file(workbook)
    rt = runtime(None)
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
            language=language,
        )
    except AftersalesError as exc:
        fail(exc.message)
    out.print(
        say(
            f"cli_sheets.registered_{entry.kind}",
            sheet=bold(entry.id),
            location=escape(entry.location),
        )
    )
    master = rt.settings.auth.hmac_master_secret
    if master is not None:
        secret = derive_sheet_secret(master.get_secret_value(), entry.id, entry.key_version)
        out.print(say("cli_sheets.its_secret", secret=secret))


def sheets_list(as_json: JsonOpt = False) -> None:
    """List the registered sheets."""
    rt = runtime(None)
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
    table = Table(*(say(f"cli_sheets.column_{name}") for name in SHEET_COLUMNS))
    for e in entries:
        table.add_row(
            escape(e.id),
            say(f"cli_sheets.kind_{e.kind}"),
            *(escape(v) for v in (e.location, e.timezone)),
            escape(", ".join(e.allowed) or "-"),
        )
    out.print(table)


def sheets_secret(sheet_id: str) -> None:
    """Print a sheet's HMAC secret for the add-on's Set up (derived from the master secret)."""
    from app.api.app import DEV_SECRET_FILE

    rt = runtime(None)
    if not _known(rt, sheet_id):
        fail(say("cli_sheets.not_registered", sheet=repr(sheet_id)))
    version = SheetRegistry(rt.store).key_version(sheet_id)
    master = rt.settings.auth.hmac_master_secret
    if master is not None:
        print(derive_sheet_secret(master.get_secret_value(), sheet_id, version))
    elif rt.settings.environment == "development" and DEV_SECRET_FILE.exists():
        dev_master = DEV_SECRET_FILE.read_text(encoding="utf-8").strip()
        print(derive_sheet_secret(dev_master, sheet_id, version))
    else:
        fail(say("cli_sheets.no_master_secret"))


def sheets_rotate(sheet_id: str) -> None:
    """Give one sheet a new HMAC secret; its old secret is refused from now on, other sheets
    keep theirs. Print the new one with `aftersales sheets secret ID`."""
    rt = runtime(None)
    try:
        entry = SheetRegistry(rt.store).rotate_key(sheet_id)
    except AftersalesError as exc:
        fail(say("cli_sheets.rotate_failed", problem=exc.message))
    out.print(
        say(
            "cli_sheets.rotated",
            sheet=f"[bold]{entry.id}[/]",
            id=entry.id,
            version=entry.key_version,
        )
    )


def _known(rt: Runtime, sheet_id: str) -> bool:
    return sheet_id in {e.id for e in SheetRegistry(rt.store).list()}


def sheets_remove(sheet_id: str) -> None:
    """Stop managing a sheet (its run history stays in the store)."""
    rt = runtime(None)
    try:
        SheetRegistry(rt.store).remove(sheet_id)
    except AftersalesError as exc:
        fail(exc.message)
    out.print(say("cli_sheets.removed", sheet=escape(sheet_id)))
