"""What every `aftersales` command shares: the consoles, the shared options, the one way to
fail (exit 2 with a sentence), and opening the runtime from --workbook/--sheet."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from app.errors import AftersalesError
from app.runtime import Runtime, open_runtime

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


def fail(message: str) -> NoReturn:
    """Every failure ends here: the message on stderr, exit 2.

    `message` is plain text (a sentence and its fix), never Rich markup: a workbook called
    `cases[old].xlsx` or a URL with `[/path]` is printed as typed."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def bold(value: object) -> str:
    """`value` as bold Rich markup, escaped so brackets in it print as typed."""
    return f"[bold]{escape(str(value))}[/]"


def parse_now(text: str | None, timezone: str) -> datetime:
    """The `--now` moment; without an offset it is a wall-clock time in the team's zone, and a
    date alone is that day's midnight there (what a person means by "--now 2025-10-03")."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        offset = datetime(2025, 10, 3, 10, tzinfo=ZoneInfo(timezone)).isoformat()[-6:]
        fail(
            f"--now {text!r} is not a time: give 2025-10-03T10:00 (read in {timezone}), "
            f"2025-10-03T10:00{offset} or 2025-10-03 (midnight)."
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def workbook_file(workbook: Path | None) -> Path | None:
    """--workbook names a file; a folder is refused with the fix (not IsADirectoryError)."""
    if workbook is not None and workbook.is_dir():
        fail(
            f"--workbook {workbook} is a folder; give the path of an .xlsx file, "
            f"e.g. --workbook {workbook / 'cases.xlsx'}"
        )
    return workbook


def runtime(workbook: Path | None, sheet: str | None = None) -> Runtime:
    """The runtime for --workbook or --sheet (settings' workbook when neither is given)."""
    if workbook is not None and sheet is not None:
        fail("give --workbook or --sheet, not both")
    try:
        return open_runtime(workbook=workbook_file(workbook), sheet=sheet)
    except AftersalesError as exc:
        fail(exc.message)
