"""`aftersales`: the command line.

Exit codes: 0 when the command ran (problems in rows are reported in the sheet, not here),
1 when `check` found errors, 2 when it could not run at all (the message says why).
`--json` prints one JSON object as the last line of stdout.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from typing import NoReturn

import typer

from app.cli import addon, adopt, doctor, kpis, runs, serve, sheets, sync
from app.cli.common import fail
from app.errors import AftersalesError


def build_cli() -> typer.Typer:
    """The `aftersales` app: every command, registered here in the order `--help` lists them."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
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
        _last_resort(f"{where}{exc.strerror or exc}. Check the path and its permissions.")
    except Exception as exc:
        _last_resort(f"unexpected {type(exc).__name__}: {exc}. {_save_traceback()}")


def _last_resort(message: str) -> NoReturn:
    try:
        fail(message)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)


def _save_traceback() -> str:
    """Keep the traceback of a bug in a file (not on the screen) and say where it is."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="aftersales-error-", suffix=".txt", delete=False, encoding="utf-8"
    ) as file:
        traceback.print_exc(file=file)
    return f"This is a bug: please report it with the details in {file.name}"
