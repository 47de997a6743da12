"""`aftersales demo`, `init`, `sync` and `check`: set up a sheet, sync it, or dry-run it."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import (
    JsonOpt,
    Now,
    SheetOpt,
    WorkbookOpt,
    bold,
    cli_language,
    err,
    fail,
    out,
    parse_now,
    runtime,
    say,
)
from app.cli.progress import progress_bar
from app.demo import is_urgent, urgent_first
from app.errors import AftersalesError
from app.notify.dispatch import deliver_now
from app.runtime import Runtime
from app.sheets.google import GoogleBackend
from app.sync.progress import NO_PROGRESS, ProgressReporter
from app.sync.report import SyncReport
from policies.facts import SlaState
from sheet_schema.messages import text as catalogue_text

CASE_COLUMNS = ("case", "platform_ref", "deadline", "days", "sla", "pri", "next_action")
SLA_KEYS = {state: f"cli_sync.sla_{state.name.lower()}" for state in SlaState}


def demo(
    workbook: WorkbookOpt = None,
    now: Now = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the demo workbook (if missing), sync it and show the cases."""
    from app.demo_history import replay_demo

    rt = runtime(workbook)
    moment = parse_now(now, rt.team.timezone)
    if not rt.workbook.exists():
        try:
            report = replay_demo(rt.engine(), rt.workbook, moment)
        except AftersalesError as exc:
            fail(exc.message)
        out.print(say("cli.demo_created", workbook=bold(rt.workbook)))
    else:
        report = _sync(rt, moment, "demo", dry_run=False)
    _show(report, limit=25)
    out.print(say("cli_sync.demo_open", workbook=bold(rt.workbook)))
    _summary(report, as_json)


def init(workbook: WorkbookOpt = None, sheet: SheetOpt = None) -> None:
    """Create the Cases, Timeline, Policies and Holidays tabs (a new workbook, or in a Google
    spreadsheet already shared with the service account)."""
    if workbook is None and sheet is None:
        fail(say("cli_sync.init_needs_target"))
    rt = runtime(workbook, sheet)
    try:
        changes = rt.initialise()
    except AftersalesError as exc:
        fail(exc.message)
    if sheet is None:
        out.print(say("cli_sync.init_done_workbook", workbook=bold(workbook), changes=changes))
    else:
        out.print(say("cli_sync.init_done_sheet", sheet=bold(sheet), changes=changes))


def sync(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Sync the sheet: write deadlines, SLA state, next actions and validation."""
    _sync_and_show(workbook, sheet, now, as_json, trigger="manual", full=False)


def recalculate(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Recalculate all: a sync that also checks and repairs the sheet's layout (what the
    add-on's Recalculate all and the nightly run do)."""
    _sync_and_show(workbook, sheet, now, as_json, trigger="recalculate", full=True)


def _sync_and_show(
    workbook: WorkbookOpt, sheet: SheetOpt, now: Now, as_json: bool, *, trigger: str, full: bool
) -> None:
    """Sync with a progress bar on a terminal (never with --json), then the summary."""
    rt = runtime(workbook, sheet)
    moment = parse_now(now, rt.team.timezone)
    after = rt.settings.cli_progress_after_seconds
    with progress_bar(err, enabled=not as_json, after=after) as progress:
        report = _sync(rt, moment, trigger, dry_run=False, full=full, progress=progress)
    delivered = deliver_now(rt.store.engine, rt.settings.notify, rt.team, moment)
    if delivered is not None and delivered.attempted:
        # The note is part of the --json summary too, whose words stay English.
        language = "en" if as_json else cli_language()
        report.notes.append(
            catalogue_text(
                "cli_sync.notifications_note",
                language,
                sent=delivered.sent,
                retrying=delivered.retrying,
            )
        )
    if not as_json:
        _show(report, limit=15)
    _summary(report, as_json, rt)


def check(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Dry run: print every finding, write nothing; exit 1 when there are errors."""
    rt = runtime(workbook, sheet)
    report = _sync(rt, parse_now(now, rt.team.timezone), "check", dry_run=True)
    # a clean row's Validation is the catalogue's clean text in the sheet's language ("无误")
    clean = catalogue_text("case.validation_ok", report.language)
    problems = [r for r in report.results if r.validation != clean]
    if not as_json:
        table = Table(
            say("cli_sync.column_row"),
            say("cli_sync.column_case"),
            say("cli_sync.column_findings"),
            title=say("cli_sync.findings_title"),
        )
        for result in problems:
            table.add_row(str(result.row), escape(result.case_id), escape(result.validation))
        out.print(table)
    _summary(report, as_json, rt)
    if report.errors:
        raise typer.Exit(1)


def _sync(
    rt: Runtime,
    now: datetime,
    trigger: str,
    *,
    dry_run: bool,
    full: bool = False,
    progress: ProgressReporter = NO_PROGRESS,
) -> SyncReport:
    try:
        if dry_run:  # writes nothing: no need to wait for another process's run
            return rt.engine().sync(now=now, trigger=trigger, dry_run=True)
        # Holds the sheet's lock, as the service does.
        return rt.sync(now, trigger, full=full, progress=progress)
    except AftersalesError as exc:
        fail(exc.message)
    except Exception as exc:
        # A bug: the engine logged the traceback with the run id and noted what the run says.
        notes = getattr(exc, "__notes__", None)
        if not notes:
            raise
        fail(str(notes[-1]))


def _show(report: SyncReport, limit: int) -> None:
    table = Table(*(say(f"cli_sync.column_{name}") for name in CASE_COLUMNS))
    urgent = [r for r in report.results if is_urgent(r)]
    ranked = urgent_first(urgent or report.results)
    for result in ranked[:limit]:
        ev = result.evaluation
        if result.errors or ev is None:
            table.add_row(
                escape(result.case_id),
                "-",
                "-",
                "-",
                f"[red]{say('cli_sync.error_cell')}[/]",
                "-",
                escape(result.validation.splitlines()[0]),
            )
            continue
        deadline = ev.return_deadline_date.isoformat() if ev.return_deadline_date else "-"
        days = "-" if ev.days_left is None else str(ev.days_left)
        table.add_row(
            escape(result.case_id),
            escape(ev.policy_ref or "-"),
            deadline,
            days,
            say(SLA_KEYS[ev.sla_state]),
            escape(result.priority or "-"),
            escape(result.next_action or ""),
        )
    out.print(table)
    if len(ranked) > limit:
        out.print(say("cli_sync.more_urgent", more=len(ranked) - limit))


def _summary(report: SyncReport, as_json: bool, rt: Runtime | None = None) -> None:
    if as_json:
        payload = report.as_json()
        backend = rt.backend() if rt is not None else None
        if isinstance(backend, GoogleBackend):
            calls = backend.calls
            payload["api_calls"] = {"read": calls.read, "write": calls.write + calls.layout}
        print(json.dumps(payload))
        return
    what = say("cli_sync.would_write" if report.dry_run else "cli_sync.wrote")
    run = say("cli_sync.summary_run", run=report.run_id) if report.run_id else ""
    out.print(
        say(
            "cli_sync.summary",
            run=run,
            cases=report.cases,
            new=report.new_cases,
            what=what,
            cells=report.cells_written,
            events=report.timeline_events,
            errors=report.errors,
            warnings=report.warnings,
            ms=report.duration_ms,
        )
    )
    for note in report.all_notes:  # the core's own sentences, as it wrote them
        out.print(say("cli_sync.note", note=note), markup=False, highlight=False)
