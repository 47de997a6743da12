"""`aftersales`: the command line.

Exit codes: 0 when the command ran (problems in rows are reported in the sheet, not here),
1 when `check` found errors, 2 when it could not run at all (the message says why).
`--json` prints one JSON object as the last line of stdout.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from app.auth import derive_sheet_secret
from app.errors import AftersalesError
from app.registry import SheetKind, SheetRegistry
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.sheets.google import GoogleBackend
from app.sync.report import SyncReport

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
# soft_wrap: never hard-wrap messages (paths and commands must stay copyable in logs).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

Now = Annotated[
    str | None,
    typer.Option("--now", help="Fix the clock (ISO-8601, e.g. 2025-10-03T10:00:00+08:00)."),
]
WorkbookOpt = Annotated[Path | None, typer.Option("--workbook", help="Local .xlsx workbook.")]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Google spreadsheet id (instead of --workbook).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON summary as the last line.")]


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--now {text!r} is not an ISO-8601 time like 2025-10-03T10:00:00+08:00")
    if moment.tzinfo is None:
        _fail(f"--now {text!r} needs a UTC offset, e.g. {text}+08:00")
    return moment


def _fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _runtime(workbook: Path | None, sheet: str | None = None) -> Runtime:
    if workbook is not None and sheet is not None:
        _fail("give --workbook or --sheet, not both")
    try:
        return open_runtime(workbook=workbook, sheet=sheet)
    except AftersalesError as exc:
        _fail(exc.message)


@cli.command()
def demo(
    workbook: WorkbookOpt = None,
    now: Now = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the demo workbook (if missing), sync it and show the cases."""
    from app.demo import build_demo_workbook

    moment = _now(now)
    rt = _runtime(workbook)
    if not rt.workbook.exists():
        build_demo_workbook(rt.workbook, moment)
        out.print(f"Created demo workbook [bold]{rt.workbook}[/] with 200 example cases.")
    report = _sync(rt, moment, "demo", dry_run=False)
    _show(report, limit=25)
    out.print(f"Open [bold]{rt.workbook}[/] in LibreOffice or Excel to see the result.")
    _summary(report, as_json)


@cli.command()
def init(workbook: WorkbookOpt = None, sheet: SheetOpt = None) -> None:
    """Create the Cases, Timeline, Policies and Holidays tabs (a new workbook, or in a Google
    spreadsheet already shared with the service account)."""
    if workbook is None and sheet is None:
        _fail("give --workbook F (a new file) or --sheet ID")
    rt = _runtime(workbook, sheet)
    try:
        changes = rt.initialise()
    except AftersalesError as exc:
        _fail(exc.message)
    where = f"[bold]{workbook}[/]" if sheet is None else f"spreadsheet [bold]{sheet}[/]"
    out.print(f"Set up {where} ({changes} changes): type cases into the Cases tab, then sync.")


@cli.command()
def sync(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Sync the sheet: write deadlines, SLA state, next actions and validation."""
    rt = _runtime(workbook, sheet)
    report = _sync(rt, _now(now), "manual", dry_run=False)
    if not as_json:
        _show(report, limit=15)
    _summary(report, as_json, rt)


@cli.command()
def check(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Dry run: print every finding, write nothing; exit 1 when there are errors."""
    rt = _runtime(workbook, sheet)
    report = _sync(rt, _now(now), "check", dry_run=True)
    problems = [r for r in report.results if r.validation != "OK"]
    if not as_json:
        table = Table("Row", "Case", "Findings", title="Findings (nothing was written)")
        for result in problems:
            table.add_row(str(result.row), result.case_id, result.validation)
        out.print(table)
    _summary(report, as_json, rt)
    if report.errors:
        raise typer.Exit(1)


@cli.command()
def undo(
    run_id: Annotated[int, typer.Argument(help="The run to undo (see the sync output).")],
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    now: Now = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore the cells a run wrote, where nobody changed them since."""
    rt = _runtime(workbook, sheet)
    try:
        result = rt.undo(run_id, _now(now))
    except AftersalesError as exc:
        _fail(exc.message)
    if as_json:
        print(json.dumps(result.as_json()))
        return
    out.print(f"Run {run_id} undone by run {result.run_id}: {result.restored} cells restored.")
    for line in result.skipped:
        out.print(f"  kept: {line}")


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
    out.print(f"Registered {entry.kind} sheet [bold]{entry.id}[/] ({entry.location}).")
    master = rt.settings.auth.hmac_master_secret
    if master is not None:
        secret = derive_sheet_secret(master.get_secret_value(), entry.id)
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
                    }
                    for e in entries
                ]
            )
        )
        return
    table = Table("Id", "Kind", "Where", "Time zone", "Allowed")
    for e in entries:
        table.add_row(e.id, e.kind, e.location, e.timezone, ", ".join(e.allowed) or "-")
    out.print(table)


@sheets_cli.command("secret")
def sheets_secret(sheet_id: str) -> None:
    """Print a sheet's HMAC secret for the add-on's Set up (derived from the master secret)."""
    from app.api.app import DEV_SECRET_FILE

    rt = _runtime(None)
    if not _known(rt, sheet_id):
        _fail(f"No sheet {sheet_id!r} is registered; add it with `aftersales sheets add`.")
    master = rt.settings.auth.hmac_master_secret
    if master is not None:
        print(derive_sheet_secret(master.get_secret_value(), sheet_id))
    elif rt.settings.environment == "development" and DEV_SECRET_FILE.exists():
        print(derive_sheet_secret(DEV_SECRET_FILE.read_text(encoding="utf-8").strip(), sheet_id))
    else:
        _fail("No HMAC master secret is configured (AFTERSALES_AUTH__HMAC_MASTER_SECRET).")


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
    out.print(f"Removed {sheet_id}.")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
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
    if demo:
        _seed_demo(settings.workbook)
    try:
        application = create_app(settings)
    except AftersalesError as exc:
        _fail(exc.message)
    base = f"http://{host}:{port}"
    out.print(f"After-sales Desk on [bold]{base}[/]")
    out.print(
        f"API reference: `aftersales openapi` prints it; {base}/openapi.json serves it to "
        "signed callers (every endpoint but /healthz needs credentials)."
    )
    if settings.environment == "development" and settings.auth.hmac_master_secret is None:
        out.print(
            "Development sign-in: HMAC master secret in var/dev-hmac-secret; "
            "`aftersales sheets add` prints a sheet's secret for the add-on."
        )
    out.print(f"Workbook: [bold]{settings.workbook}[/]  Store: {_masked(settings)}")
    uvicorn.run(application, host=host, port=port, workers=1, log_level="info")


@cli.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON)."""
    from app.api.app import create_app
    from app.settings import Settings

    application = create_app(Settings(environment="test"), start_scheduler=False)
    print(json.dumps(application.openapi(), indent=2))


@cli.command()
def addon(
    url: Annotated[str, typer.Option(help="The service's public URL.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the add-on into.")],
) -> None:
    """Write the Apps Script add-on, ready to paste into Extensions > Apps Script or push
    with clasp."""
    from app.addon.export import write_addon

    try:
        files = write_addon(url, out_dir)
    except ValueError as exc:
        _fail(str(exc))
    for path in files:
        out.print(f"wrote {path}")


def _seed_demo(workbook: Path) -> None:
    """The embedded default: a demo workbook registered as sheet 'demo'."""
    from app.demo import build_demo_workbook

    rt = _runtime(workbook)
    if not workbook.exists():
        build_demo_workbook(workbook, datetime.now(UTC))
        out.print(f"Created demo workbook [bold]{workbook}[/] with 200 example cases.")
    registry = SheetRegistry(rt.store)
    if "demo" not in {e.id for e in registry.list()}:
        registry.add("demo", kind="workbook", location=str(workbook.resolve()), title="Demo")
    rt.store.close()


def _masked(settings: Settings) -> str:
    from app.store.engine import mask_url

    return mask_url(settings.database_url.get_secret_value())


def _sync(rt: Runtime, now: datetime, trigger: str, *, dry_run: bool) -> SyncReport:
    try:
        return rt.engine().sync(now=now, trigger=trigger, dry_run=dry_run)
    except AftersalesError as exc:
        _fail(exc.message)


def _show(report: SyncReport, limit: int) -> None:
    table = Table("Case", "Platform ref", "Deadline", "Days", "SLA", "Pri", "Next action")
    ranked = sorted(report.results, key=lambda r: (r.priority or "P9", r.row))
    for result in ranked[:limit]:
        ev = result.evaluation
        if result.errors or ev is None:
            table.add_row(
                result.case_id,
                "-",
                "-",
                "-",
                "[red]error[/]",
                "-",
                result.validation.splitlines()[0],
            )
            continue
        deadline = ev.return_deadline_date.isoformat() if ev.return_deadline_date else "-"
        days = "-" if ev.days_left is None else str(ev.days_left)
        table.add_row(
            result.case_id,
            ev.policy_ref or "-",
            deadline,
            days,
            ev.sla_state.value,
            result.priority or "-",
            result.next_action or "",
        )
    out.print(table)


def _summary(report: SyncReport, as_json: bool, rt: Runtime | None = None) -> None:
    if as_json:
        payload = report.as_json()
        backend = rt.backend() if rt is not None else None
        if isinstance(backend, GoogleBackend):
            calls = backend.calls
            payload["api_calls"] = {"read": calls.read, "write": calls.write + calls.layout}
        print(json.dumps(payload))
        return
    what = "would write" if report.dry_run else "wrote"
    run = f"run {report.run_id}: " if report.run_id else ""
    out.print(
        f"{run}{report.cases} cases, {report.new_cases} new, {what} {report.cells_written} cells, "
        f"{report.timeline_events} timeline events, {report.errors} errors, "
        f"{report.warnings} warnings, {report.duration_ms} ms"
    )


def main() -> None:
    try:
        cli()
    except AftersalesError as exc:  # pragma: no cover - commands catch their own
        err.print(f"error: {exc.message}")
        sys.exit(2)
