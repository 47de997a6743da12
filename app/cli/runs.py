"""`aftersales runs` and `undo`: a sheet's run history, and undoing one run."""

from __future__ import annotations

import json
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import (
    JsonOpt,
    Now,
    SheetOpt,
    WorkbookOpt,
    fail,
    out,
    parse_now,
    runtime,
    say,
)
from app.errors import AftersalesError
from app.store import RunRecord
from app.sync.undo import UNDO_PREFIX


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
    finished = say("cli_runs.undo_resumed", resumed=result.resumed) if result.resumed else ""
    out.print(
        say(
            "cli_runs.undone",
            run=run_id,
            by=result.run_id,
            restored=result.restored,
            finished=finished,
        )
    )
    for line in result.skipped:  # the core's sentence about each cell it kept
        out.print(say("cli_runs.kept", line=escape(line)))


def _run_number(text: str) -> int:
    """A run id as typed ("7", "#7"); anything else is refused with where to find one."""
    digits = text.strip().removeprefix("#")
    if not digits.isdigit():
        fail(say("cli_runs.not_a_run_number", text=repr(text)))
    return int(digits)


def runs(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List the sheet's runs, newest first: id, trigger, start, cells written and state."""
    if limit < 1:
        fail(say("cli_runs.limit_too_small", limit=limit))
    rt = runtime(workbook, sheet)
    try:
        records = rt.store.list_runs(rt.sheet_key, limit=limit)
    except AftersalesError as exc:
        fail(exc.message)
    rows = [run_row(r, ZoneInfo(rt.team.timezone)) for r in records]
    if as_json:
        print(json.dumps({"runs": rows}, ensure_ascii=False))
        return
    table = Table(
        *(say(f"cli_runs.column_{name}") for name in RUN_COLUMNS), title=say("cli_runs.title")
    )
    for record, row in zip(records, rows, strict=True):
        table.add_row(
            str(row["id"]),
            escape(_words("trigger", str(row["trigger"]))),
            str(row["started"]).replace("T", " ")[:16],
            str(row["cells_written"]),
            escape(_state_words(record)),
        )
    out.print(table)
    if not rows:
        out.print(say("cli_runs.none_yet"))


RUN_COLUMNS = ("run", "trigger", "started", "cells_written", "state")
# The codes a run's trigger and outcome take, each with catalogue words; an unknown code (a
# newer service, a team's own trigger) is shown as stored.
TRIGGERS = ("manual", "recalculate", "sync_now", "sweep", "nightly", "demo")
STATES = ("ok", "nothing_to_do", "failed", "interrupted", "undone", "queued", "running")


def _words(kind: str, code: str) -> str:
    undone = code.removeprefix(UNDO_PREFIX)
    if kind == "trigger" and undone != code and undone.isdigit():
        return say("cli_runs.trigger_undo", run=undone)
    known = TRIGGERS if kind == "trigger" else STATES
    name = code.replace("-", "_")
    return say(f"cli_runs.{kind}_{name}") if name in known else code


def _state_words(run: RunRecord) -> str:
    """A run's state for a person: the same facts as `run_row`'s state, in the CLI's language."""
    if run.undone_by is not None:
        return say("cli_runs.state_undone_by", run=run.undone_by)
    if run.queued:
        return _words("state", "queued")
    return _words("state", run.outcome or "running")


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
