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
from app.cli.common import JsonOpt, SheetOpt, WorkbookOpt, fail, out, runtime, say
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
        fail(say("cli_adopt.needs_target"))
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
    found_by = _how(proposal.found_by)
    out.print(
        say("cli_adopt.cases_tab", tab=f"[bold]{escape(proposal.cases_tab)}[/]", found_by=found_by)
    )
    columns = Table(
        say("cli_adopt.column_header"),
        say("cli_adopt.column_column"),
        say("cli_adopt.column_how"),
        title=say("cli_adopt.columns_title"),
    )
    for c in proposal.columns:
        columns.add_row(escape(c.header), escape(c.means), _how(c.how))
    out.print(columns)
    if proposal.extra_columns:
        extra = ", ".join(proposal.extra_columns)
        out.print(say("cli_adopt.own_columns", columns=escape(extra)))
    words = Table(
        say("cli_adopt.column_column"),
        say("cli_adopt.column_word"),
        say("cli_adopt.column_rows"),
        say("cli_adopt.column_means"),
        say("cli_adopt.column_how"),
        title=say("cli_adopt.words_title"),
    )
    for w in proposal.words:
        words.add_row(
            escape(w.column), escape(w.word), str(w.rows), escape(w.means or "?"), _how(w.how)
        )
    out.print(words)
    writes = len(proposal.settings_rows) + len(proposal.vocabulary_rows)
    if yes:
        out.print(say("cli_adopt.wrote_mapping", cells=written))
    elif writes:
        out.print(say("cli_adopt.rows_to_write", rows=writes))
    for line in proposal.needs_person:  # the core's sentences, as app/adopt wrote them
        out.print(f"[yellow]{say('cli_adopt.needs_person')}[/] {escape(line)}")
    if proposal.exit_code == 0:
        out.print(say("cli_adopt.can_sync"))


# How a tab, header or word was recognised (app/adopt's codes), in words.
HOW_CODES = ("name", "settings", "headers", "built in", "suggested", "team", "unknown")


def _how(code: str | None) -> str:
    if code in HOW_CODES:
        return say(f"cli_adopt.how_{code.replace(' ', '_')}")
    return str(code)
