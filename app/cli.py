"""`aftersales`: the command line.

Exit codes: 0 when the command ran (problems in rows are reported in the sheet, not here),
1 when `check` found errors, 2 when it could not run at all (the message says why).
`--json` prints one JSON object as the last line of stdout.
"""

from __future__ import annotations

import json
import sys
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
from app.sync.report import SyncReport

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
# soft_wrap: never hard-wrap messages (paths and commands must stay copyable in logs).
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
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
    from app.demo_history import replay_demo

    moment = _now(now)
    rt = _runtime(workbook)
    if not rt.workbook.exists():
        try:
            report = replay_demo(rt.engine(), rt.workbook, moment)
        except AftersalesError as exc:
            _fail(exc.message)
        out.print(
            f"Created demo workbook [bold]{rt.workbook}[/] with 200 example cases "
            "and five weeks of history."
        )
    else:
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
    moment = _now(now)
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


@cli.command()
def kpis(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    by: Annotated[
        str, typer.Option(help="platform, assignee, platform_assignee, week or all")
    ] = "all",
    now: Now = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV rows.")] = False,
) -> None:
    """Team KPIs (definitions: docs/kpis.md), computed from the sheet; writes nothing."""
    from app.analytics import GROUP_KINDS, GroupKind, default_period

    if by != "all" and by not in GROUP_KINDS:
        _fail(f"--by must be one of all, {', '.join(GROUP_KINDS)}")
    rt = _runtime(workbook, sheet)
    moment = _now(now)
    period = None
    if start or end:
        first, last = default_period(moment, ZoneInfo(rt.team.timezone))
        try:
            period = (
                date.fromisoformat(start) if start else first,
                date.fromisoformat(end) if end else last,
            )
        except ValueError as exc:
            _fail(f"--from/--to: {exc}")
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
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(flat[0]) if flat else ["group"])
        writer.writeheader()
        for item in flat:
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                    for k, v in item.items()
                }
            )
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
                label,
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


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _sync(rt: Runtime, now: datetime, trigger: str, *, dry_run: bool) -> SyncReport:
    try:
        return rt.engine().sync(now=now, trigger=trigger, dry_run=dry_run)
    except AftersalesError as exc:
        _fail(exc.message)


def _show(report: SyncReport, limit: int) -> None:
    table = Table("Case", "Platform ref", "Deadline", "Days", "SLA", "Pri", "Next action")
    urgent = [r for r in report.results if is_urgent(r)]
    ranked = urgent_first(urgent or report.results)
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
        out.print(escape(note))


def main() -> None:
    try:
        cli()
    except AftersalesError as exc:  # pragma: no cover - commands catch their own
        err.print(f"error: {exc.message}")
        sys.exit(2)


# The service's commands (sheets, serve, openapi, addon) live in their own module.
from app import cli_admin  # noqa: E402,F401  (registers its commands on `cli`)

# `adopt` (map a team's own sheet) lives in its own module.
from app.adopt_command import register as _register_adopt  # noqa: E402

_register_adopt(cli, out, err)
