"""`aftersales`: the command line.

Exit codes: 0 when the command ran (problems in rows are reported in the sheet, not here),
1 when `check` found errors, 2 when it could not run at all (the message says why).
`--json` prints one JSON object as the last line of stdout.

What the commands print for a person is in Chinese or English: `--language zh|en` before the
command, else the terminal's locale (LC_ALL, LC_MESSAGES, LANG: zh_CN.UTF-8 means Chinese).
--json output and --help stay as they are.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from enum import StrEnum
from typing import Annotated, NoReturn

import typer

from app.cli import addon, adopt, doctor, kpis, runs, serve, sheets, sync
from app.cli.common import choose_language, fail, say
from app.errors import AftersalesError


class CliLanguage(StrEnum):
    """The languages `--language` accepts (a typo exits 2 naming them)."""

    en = "en"
    zh = "zh"


def _language(
    language: Annotated[
        CliLanguage | None,
        typer.Option(
            "--language",
            case_sensitive=False,
            help="Language of the output for people: zh or en "
            "(default: the locale, LC_ALL / LC_MESSAGES / LANG).",
        ),
    ] = None,
) -> None:
    # Always set (None included): an in-process caller invoking the app twice starts afresh.
    choose_language(language.value if language is not None else None)


def build_cli() -> typer.Typer:
    """The `aftersales` app: every command, registered here in the order `--help` lists them."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
    app.callback()(_language)
    for command in (
        sync.demo,
        adopt.adopt,
        sync.init,
        sync.sync,
        sync.recalculate,
        sync.check,
        runs.undo,
        runs.runs,
        kpis.kpis,
        serve.serve,
        addon.openapi,
        addon.addon,
        doctor.doctor,
    ):
        app.command()(command)
    app.add_typer(sheets.sheets_app(), name="sheets")
    return app


cli = build_cli()


def main() -> None:
    """The console script: whatever escapes a command still ends as one sentence and exit 2."""
    try:
        cli()
    except AftersalesError as exc:  # commands catch their own; this is the net under them
        _last_resort(exc.message)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _last_resort(say("cli.os_error", where=where, problem=exc.strerror or exc))
    except Exception as exc:
        _last_resort(
            say("cli.unexpected", kind=type(exc).__name__, problem=exc, file=_save_traceback())
        )


def _last_resort(message: str) -> NoReturn:
    try:
        fail(message)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)


def _save_traceback() -> str:
    """Keep the traceback of a bug in a file (not on the screen) and return the file's name."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="aftersales-error-", suffix=".txt", delete=False, encoding="utf-8"
    ) as file:
        traceback.print_exc(file=file)
    return file.name
