"""`aftersales runs` and `undo`: a sheet's run history, and undoing one run."""

from __future__ import annotations

import json
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import JsonOpt, Now, SheetOpt, WorkbookOpt, fail, out, parse_now, runtime
from app.errors import AftersalesError
from app.store import RunRecord


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
    rt = runtime(workbook, sheet)
    moment = parse_now(now, rt.team.timezone)
    try:
        result = rt.undo(run_id, moment)
    except AftersalesError as exc:
        fail(exc.message)
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
        fail(
            f"{text!r} is not a run number: give the number a sync printed "
            '("run 7: …"), e.g. `aftersales undo 7`.'
        )
    return int(digits)


def runs(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List the sheet's runs, newest first: id, trigger, start, cells written and state."""
    if limit < 1:
        fail(f"--limit must be at least 1, got {limit}")
    rt = runtime(workbook, sheet)
    try:
        records = rt.store.list_runs(rt.sheet_key, limit=limit)
    except AftersalesError as exc:
        fail(exc.message)
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
    elif run.queued:
        state = "queued"  # a press was answered before its sync could start
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
