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
    err,
    fail,
    out,
    parse_now,
    runtime,
)
from app.cli.progress import progress_bar
from app.demo import is_urgent, urgent_first
from app.errors import AftersalesError
from app.notify.dispatch import deliver_now
from app.runtime import Runtime
from app.sheets.google import GoogleBackend
from app.sync.progress import NO_PROGRESS, ProgressReporter
from app.sync.report import SyncReport


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
        out.print(
            f"Created demo workbook {bold(rt.workbook)} with 200 example cases "
            "and five weeks of history."
        )
    else:
        report = _sync(rt, moment, "demo", dry_run=False)
    _show(report, limit=25)
    out.print(f"Open {bold(rt.workbook)} in LibreOffice or Excel to see the result.")
    _summary(report, as_json)


def init(workbook: WorkbookOpt = None, sheet: SheetOpt = None) -> None:
    """Create the Cases, Timeline, Policies and Holidays tabs (a new workbook, or in a Google
    spreadsheet already shared with the service account)."""
    if workbook is None and sheet is None:
        fail("give --workbook F (a new file) or --sheet ID")
    rt = runtime(workbook, sheet)
    try:
        changes = rt.initialise()
    except AftersalesError as exc:
        fail(exc.message)
    where = bold(workbook) if sheet is None else f"spreadsheet {bold(sheet)}"
    out.print(f"Set up {where} ({changes} changes): type cases into the Cases tab, then sync.")


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
        report.notes.append(f"notifications: {delivered.sent} sent, {delivered.retrying} retrying")
    if not as_json:
        _show(report, limit=15)
    _summary(report, as_json, rt)


def check(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Dry run: print every finding, write nothing; exit 1 when there are errors."""
    rt = runtime(workbook, sheet)
    report = _sync(rt, parse_now(now, rt.team.timezone), "check", dry_run=True)
    problems = [r for r in report.results if r.validation != "OK"]
    if not as_json:
        table = Table("Row", "Case", "Findings", title="Findings (nothing was written)")
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
    table = Table("Case", "Platform ref", "Deadline", "Days", "SLA", "Pri", "Next action")
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
                "[red]error[/]",
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
            ev.sla_state.value,
            escape(result.priority or "-"),
            escape(result.next_action or ""),
        )
    out.print(table)
    if len(ranked) > limit:
        out.print(f"+{len(ranked) - limit} more urgent cases (overdue, due soon, P1 or errors)")


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
    for note in report.all_notes:
        out.print(f"note: {note}", markup=False, highlight=False)
