"""`aftersales adopt`: map a team's own sheet once, in the sheet (logic in app/adopt.py).

Exit codes: 0 when the sheet can be synced with the mapping, 1 when something needs a person
(each named), 2 when it cannot run (no tab looks like a cases tab, or the sheet cannot be read).
"""

from __future__ import annotations

import json
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.adopt import Proposal, apply, propose
from app.cli.common import JsonOpt, SheetOpt, WorkbookOpt, fail, out, runtime
from app.errors import AftersalesError
from app.runtime import Runtime
from sheet_schema import ParseContext, load_schema


def adopt(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Write the mapping.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read a team's own sheet and propose how it maps (tab, headers, words); --yes writes
    the mapping into its Settings and Vocabulary tabs, and nothing else."""
    if (workbook is None) == (sheet is None):
        fail("give --workbook F or --sheet ID")
    try:
        proposal, written = adopt_sheet(runtime(workbook, sheet), yes=yes)
    except AftersalesError as exc:
        fail(exc.message)
    if as_json:
        print(json.dumps({**proposal.as_json(), "applied": yes, "cells_written": written}))
    else:
        _show(out, proposal, yes, written)
    raise typer.Exit(proposal.exit_code)


def adopt_sheet(rt: Runtime, *, yes: bool) -> tuple[Proposal, int]:
    """Read every tab of the runtime's sheet, propose its mapping and, with `yes`, write it."""
    backend = rt.backend()
    data = backend.read(list)
    schema = load_schema()
    ctx = ParseContext(tz=ZoneInfo(rt.team.timezone), date_order=data.date_order)
    proposal = propose(data, schema, rt.settings.tab_names, ctx)
    return proposal, apply(backend, data, schema, proposal) if yes else 0


def _show(out: Console, proposal: Proposal, yes: bool, written: int) -> None:
    if proposal.cases_tab is None:
        for line in proposal.needs_person:
            out.print(escape(line))
        return
    out.print(f"Cases tab: [bold]{escape(proposal.cases_tab)}[/] (found by {proposal.found_by})")
    columns = Table("Header", "Column", "How", title="Columns")
    for c in proposal.columns:
        columns.add_row(escape(c.header), escape(c.means), c.how)
    out.print(columns)
    if proposal.extra_columns:
        extra = ", ".join(proposal.extra_columns)
        out.print(f"The team's own columns (left alone): {escape(extra)}")
    words = Table("Column", "Word", "Rows", "Means", "How", title="Words")
    for w in proposal.words:
        words.add_row(escape(w.column), escape(w.word), str(w.rows), escape(w.means or "?"), w.how)
    out.print(words)
    writes = len(proposal.settings_rows) + len(proposal.vocabulary_rows)
    if yes:
        out.print(f"Wrote the mapping: {written} cells (Settings and Vocabulary tabs).")
    elif writes:
        out.print(f"{writes} mapping rows to write: run again with --yes (nothing was changed).")
    for line in proposal.needs_person:
        out.print(f"[yellow]needs a person:[/] {escape(line)}")
    if proposal.exit_code == 0:
        out.print("The sheet can be synced: aftersales sync")
