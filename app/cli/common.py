"""What every `aftersales` command shares: the consoles, the shared options, the language
people read (`say`), the one way to fail (exit 2 with a sentence), and opening the runtime from
--workbook/--sheet."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from app.errors import AftersalesError
from app.runtime import Runtime, open_runtime
from sheet_schema.messages import DEFAULT_LANGUAGE, Language, team_language
from sheet_schema.messages import text as catalogue_text

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


# The language of what the CLI prints for a person (never of --json, whose keys are an API):
# `--language` when given (set by the app's callback), else the terminal's locale.
_chosen: Language | None = None
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence, first set one wins


def choose_language(language: str | None) -> None:
    """Fix the language for this invocation (`None`: follow the environment)."""
    global _chosen
    _chosen = team_language(language) if language else None


def locale_language(environ: Mapping[str, str]) -> Language:
    """The language a terminal's locale asks for: LC_ALL, else LC_MESSAGES, else LANG
    (zh_CN.UTF-8, zh_TW, zh -> Chinese; C, POSIX, en_US.UTF-8 or nothing -> English)."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name)
        if value:
            return team_language(value)
    return DEFAULT_LANGUAGE


def cli_language() -> Language:
    return _chosen or locale_language(os.environ)


def say(key: str, /, **params: object) -> str:
    """The catalogue text `key` (areas cli, cli_*) in the CLI's language, filled in."""
    return catalogue_text(key, cli_language(), **params)


def fail(message: str) -> NoReturn:
    """Every failure ends here: the message on stderr, exit 2.

    `message` is plain text (a sentence and its fix, already in the CLI's language, or the
    core's own sentence), never Rich markup: a workbook called `cases[old].xlsx` or a URL with
    `[/path]` is printed as typed."""
    err.print(f"[bold red]{say('cli.error')}[/]{escape(message)}", highlight=False)
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
        fail(say("cli.now_not_a_time", text=repr(text), timezone=timezone, offset=offset))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def workbook_file(workbook: Path | None) -> Path | None:
    """--workbook names a file; a folder is refused with the fix (not IsADirectoryError)."""
    if workbook is not None and workbook.is_dir():
        fail(say("cli.workbook_is_folder", folder=workbook, example=workbook / "cases.xlsx"))
    return workbook


def runtime(workbook: Path | None, sheet: str | None = None) -> Runtime:
    """The runtime for --workbook or --sheet (settings' workbook when neither is given)."""
    if workbook is not None and sheet is not None:
        fail(say("cli.workbook_or_sheet_not_both"))
    try:
        return open_runtime(workbook=workbook_file(workbook), sheet=sheet)
    except AftersalesError as exc:
        fail(exc.message)
