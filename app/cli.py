"""`aftersales`: the command line.

Exit codes: 0 when the command ran (problems in rows are reported in the sheet, not here),
1 when `check` found errors, 2 when it could not run at all (the message says why).
`--json` prints one JSON object as the last line of stdout.
"""

from __future__ import annotations

import difflib
import json
import sys
import tempfile
import traceback
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, NoReturn, cast
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.demo import is_urgent, urgent_first
from app.errors import AftersalesError
from app.notify.service import deliver_now
from app.runtime import Runtime, open_runtime
from app.sheets.google import GoogleBackend
from app.store import RunRecord
from app.sync.report import SyncReport

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
# soft_wrap: never hard-wrap messages (paths and commands must stay copyable in logs).
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Fix the clock: 2025-10-03T10:00 (in the team's time zone), "
        "2025-10-03T10:00+08:00, or 2025-10-03 (midnight).",
    ),
]
WorkbookOpt = Annotated[Path | None, typer.Option("--workbook", help="Local .xlsx workbook.")]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Google spreadsheet id (instead of --workbook).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON summary as the last line.")]


def _now(text: str | None, timezone: str) -> datetime:
    """The `--now` moment; without an offset it is a wall-clock time in the team's zone, and a
    date alone is that day's midnight there (what a person means by "--now 2025-10-03")."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        offset = datetime(2025, 10, 3, 10, tzinfo=ZoneInfo(timezone)).isoformat()[-6:]
        _fail(
            f"--now {text!r} is not a time: give 2025-10-03T10:00 (read in {timezone}), "
            f"2025-10-03T10:00{offset} or 2025-10-03 (midnight)."
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def _fail(message: str) -> NoReturn:
    """Every failure ends here: the message on stderr, exit 2.

    `message` is plain text (a sentence and its fix), never Rich markup: a workbook called
    `cases[old].xlsx` or a URL with `[/path]` is printed as typed."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _bold(value: object) -> str:
    """`value` as bold Rich markup, escaped so brackets in it print as typed."""
    return f"[bold]{escape(str(value))}[/]"


def _workbook_file(workbook: Path | None) -> Path | None:
    """--workbook names a file; a folder is refused with the fix (not IsADirectoryError)."""
    if workbook is not None and workbook.is_dir():
        _fail(
            f"--workbook {workbook} is a folder; give the path of an .xlsx file, "
            f"e.g. --workbook {workbook / 'cases.xlsx'}"
        )
    return workbook


def _runtime(workbook: Path | None, sheet: str | None = None) -> Runtime:
    if workbook is not None and sheet is not None:
        _fail("give --workbook or --sheet, not both")
    try:
        return open_runtime(workbook=_workbook_file(workbook), sheet=sheet)
    except AftersalesError as exc:
        _fail(exc.message)


@cli.command()
def demo(
    workbook: WorkbookOpt = None,
    now: Now = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the demo workbook (if missing), sync it and show the cases."""
    from app.demo_history import replay_demo

    rt = _runtime(workbook)
    moment = _now(now, rt.team.timezone)
    if not rt.workbook.exists():
        try:
            report = replay_demo(rt.engine(), rt.workbook, moment)
        except AftersalesError as exc:
            _fail(exc.message)
        out.print(
            f"Created demo workbook {_bold(rt.workbook)} with 200 example cases "
            "and five weeks of history."
        )
    else:
        report = _sync(rt, moment, "demo", dry_run=False)
    _show(report, limit=25)
    out.print(f"Open {_bold(rt.workbook)} in LibreOffice or Excel to see the result.")
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
    where = _bold(workbook) if sheet is None else f"spreadsheet {_bold(sheet)}"
    out.print(f"Set up {where} ({changes} changes): type cases into the Cases tab, then sync.")


@cli.command()
def sync(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Sync the sheet: write deadlines, SLA state, next actions and validation."""
    rt = _runtime(workbook, sheet)
    moment = _now(now, rt.team.timezone)
    report = _sync(rt, moment, "manual", dry_run=False)
    delivered = deliver_now(rt.store.engine, rt.settings.notify, rt.team, moment)
    if delivered is not None and delivered.attempted:
        report.notes.append(f"notifications: {delivered.sent} sent, {delivered.retrying} retrying")
    if not as_json:
        _show(report, limit=15)
    _summary(report, as_json, rt)


@cli.command()
def check(
    workbook: WorkbookOpt = None, sheet: SheetOpt = None, now: Now = None, as_json: JsonOpt = False
) -> None:
    """Dry run: print every finding, write nothing; exit 1 when there are errors."""
    rt = _runtime(workbook, sheet)
    report = _sync(rt, _now(now, rt.team.timezone), "check", dry_run=True)
    problems = [r for r in report.results if r.validation != "OK"]
    if not as_json:
        table = Table("Row", "Case", "Findings", title="Findings (nothing was written)")
        for result in problems:
            table.add_row(str(result.row), escape(result.case_id), escape(result.validation))
        out.print(table)
    _summary(report, as_json, rt)
    if report.errors:
        raise typer.Exit(1)


@cli.command()
def undo(
    run: Annotated[
        str, typer.Argument(metavar="RUN", help="The run to undo (see the sync output).")
    ],
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    now: Now = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore the cells a run wrote, where nobody changed them since."""
    run_id = _run_number(run)
    rt = _runtime(workbook, sheet)
    moment = _now(now, rt.team.timezone)
    try:
        result = rt.undo(run_id, moment)
    except AftersalesError as exc:
        _fail(exc.message)
    if as_json:
        print(json.dumps(result.as_json()))
        return
    finished = (
        f" ({result.resumed} of them by its earlier attempt, which had stopped midway)"
        if result.resumed
        else ""
    )
    out.print(
        f"Run {run_id} undone by run {result.run_id}: {result.restored} cells restored{finished}."
    )
    for line in result.skipped:
        out.print(f"  kept: {escape(line)}")


def _run_number(text: str) -> int:
    """A run id as typed ("7", "#7"); anything else is refused with where to find one."""
    digits = text.strip().removeprefix("#")
    if not digits.isdigit():
        _fail(
            f"{text!r} is not a run number: give the number a sync printed "
            '("run 7: …"), e.g. `aftersales undo 7`.'
        )
    return int(digits)


@cli.command()
def runs(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List the sheet's runs, newest first: id, trigger, start, cells written and state."""
    if limit < 1:
        _fail(f"--limit must be at least 1, got {limit}")
    rt = _runtime(workbook, sheet)
    try:
        records = rt.store.list_runs(rt.sheet_key, limit=limit)
    except AftersalesError as exc:
        _fail(exc.message)
    rows = [run_row(r, ZoneInfo(rt.team.timezone)) for r in records]
    if as_json:
        print(json.dumps({"runs": rows}, ensure_ascii=False))
        return
    table = Table("Run", "Trigger", "Started", "Cells written", "State", title="Runs")
    for row in rows:
        table.add_row(
            str(row["id"]),
            escape(str(row["trigger"])),
            str(row["started"]).replace("T", " ")[:16],
            str(row["cells_written"]),
            escape(str(row["state"])),
        )
    out.print(table)
    if not rows:
        out.print("No runs yet: sync the sheet first.")


def run_row(run: RunRecord, tz: ZoneInfo) -> dict[str, object]:
    """One run as `aftersales runs` shows it (times in the team's zone)."""
    if run.undone_by is not None:
        state = f"undone by run {run.undone_by}"
    else:
        state = run.outcome or "running"
    return {
        "id": run.id,
        "trigger": run.trigger,
        "started": run.started_at.astimezone(tz).isoformat(),
        "cells_written": run.counts.get("cells_written", 0),
        "state": state,
        "message": run.message,
    }


@cli.command()
def kpis(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    by: Annotated[
        str, typer.Option(help="all, platform, assignee, platform_assignee or week")
    ] = "all",
    now: Now = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV rows.")] = False,
) -> None:
    """Team KPIs (definitions: docs/kpis.md), computed from the sheet; writes nothing."""
    from app.analytics import GROUP_KINDS, GroupKind, default_period

    if by not in GROUP_KINDS:
        guess = difflib.get_close_matches(by, GROUP_KINDS, n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else ""
        _fail(f"--by {by!r} is not a grouping{hint}: use one of {', '.join(GROUP_KINDS)}.")
    rt = _runtime(workbook, sheet)
    moment = _now(now, rt.team.timezone)
    period = None
    if start or end:
        first, last = default_period(moment, ZoneInfo(rt.team.timezone))
        period = (_day("--from", start) or first, _day("--to", end) or last)
        if period[0] > period[1]:
            _fail(
                f"the period {period[0]} – {period[1]} ends before it starts: "
                "give --from on or before --to."
            )
    try:
        report = rt.engine().sync(now=moment, trigger="kpis", dry_run=True, kpi_period=period)
    except AftersalesError as exc:
        _fail(exc.message)
    assert report.kpis is not None
    kinds: list[GroupKind] = list(GROUP_KINDS) if by == "all" else [cast(GroupKind, by)]
    flat = [r.as_json() for kind in kinds for r in report.kpis.group(kind)]
    if as_json:
        data = report.kpis.as_json()
        data["groups"] = {k: v for k, v in dict(data["groups"]).items() if k in kinds}  # type: ignore[call-overload]
        print(json.dumps(data, ensure_ascii=False))
        return
    if as_csv:
        from app.analytics.csv_export import write_csv

        write_csv(sys.stdout, flat)
        return
    kpi = report.kpis
    out.print(f"KPIs {kpi.start} – {kpi.end} ({kpi.timezone}), {len(report.results)} cases")
    for kind in kinds:
        table = Table(
            "Group",
            "Cases",
            "FRT med h",
            "FRT p90 h",
            "Closed",
            "Resolution rate",
            "Within SLA",
            "Re-opened %",
            "CSAT",
            "Exceptions %",
            "Res. med days",
            title=kind,
        )
        for row in kpi.group(kind):
            label = " / ".join(str(x) for x in (row.platform, row.assignee, row.week) if x) or "all"
            table.add_row(
                escape(label),
                str(row.cases),
                _num(row.frt_median_hours),
                _num(row.frt_p90_hours),
                str(row.closed),
                _pct(row.resolution_rate),
                _pct(row.within_sla_rate),
                _pct(row.reopened_pct),
                _num(row.csat_mean),
                _pct(row.exception_pct),
                _num(row.resolution_median_days),
            )
        out.print(table)


def _day(option: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{option} {text!r} is not a day: give it as YYYY-MM-DD, e.g. 2025-10-01.")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _sync(rt: Runtime, now: datetime, trigger: str, *, dry_run: bool) -> SyncReport:
    try:
        if dry_run:  # writes nothing: no need to wait for another process's run
            return rt.engine().sync(now=now, trigger=trigger, dry_run=True)
        return rt.sync(now, trigger)  # holds the sheet's lock, as the service does
    except AftersalesError as exc:
        _fail(exc.message)
    except Exception as exc:
        # A bug: the engine logged the traceback with the run id and noted what the run says.
        notes = getattr(exc, "__notes__", None)
        if not notes:
            raise
        _fail(str(notes[-1]))


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


def main() -> None:
    """The console script: whatever escapes a command still ends as one sentence and exit 2."""
    try:
        cli()
    except AftersalesError as exc:  # commands catch their own; this is the net under them
        _last_resort(exc.message)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _last_resort(f"{where}{exc.strerror or exc}. Check the path and its permissions.")
    except Exception as exc:
        _last_resort(f"unexpected {type(exc).__name__}: {exc}. {_save_traceback()}")


def _last_resort(message: str) -> NoReturn:
    try:
        _fail(message)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)


def _save_traceback() -> str:
    """Keep the traceback of a bug in a file (not on the screen) and say where it is."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="aftersales-error-", suffix=".txt", delete=False, encoding="utf-8"
    ) as file:
        traceback.print_exc(file=file)
    return f"This is a bug: please report it with the details in {file.name}"


# The service's commands (sheets, serve, openapi, addon) live in their own module.
from app import cli_admin  # noqa: E402,F401  (registers its commands on `cli`)
