"""`aftersales doctor [--sheet ID | --workbook F] [--json]`: is this deployment ready for the
sheet? One line per check, ✓ or ✗ (– when a check does not apply, saying why), and under each
✗ the exact fix. The checks are app/doctor; they read and never write (not even a migration).

Exit codes: 0 when every check holds, 1 when something needs a person, 2 when the doctor cannot
run (bad arguments, settings that do not parse).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from pydantic import ValidationError
from rich.markup import escape

from app.cli.common import (
    JsonOpt,
    SheetOpt,
    WorkbookOpt,
    cli_language,
    fail,
    out,
    say,
    workbook_file,
)
from app.composition import CompositionRoot
from app.doctor import Report, diagnose
from app.errors import AftersalesError
from app.settings import get_settings

COLOURS = {"✓": "green", "✗": "red", "–": "dim"}
TARGETS = ("workbook", "Google spreadsheet")  # how app/doctor names what it checked


def doctor(sheet: SheetOpt = None, workbook: WorkbookOpt = None, as_json: JsonOpt = False) -> None:
    """Check the settings, the store, Google and one sheet (default: the settings' workbook),
    one line each, with the fix for whatever fails."""
    if sheet is not None and workbook is not None:
        fail(say("cli_doctor.sheet_or_workbook_not_both"))
    try:
        settings = get_settings()
    except ValidationError as exc:
        fail(say("cli_doctor.settings_unreadable", problems=_problems(exc)))
    workbook = workbook_file(workbook)
    try:
        root = CompositionRoot.open(settings, migrate=False)
    except AftersalesError as exc:
        fail(exc.message)
    try:
        # --json is an API: its check names, details and fixes stay English.
        language = "en" if as_json else cli_language()
        report = diagnose(
            root, now=datetime.now(UTC), sheet=sheet, workbook=workbook, language=language
        )
    finally:
        root.close()
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _show(report)
    raise typer.Exit(report.exit_code)


def _show(report: Report) -> None:
    out.print(say("cli_doctor.heading", target=escape(_target(report.target))), highlight=False)
    for check in report.checks:
        mark = check.mark
        line = f"[{COLOURS[mark]}]{mark}[/] {escape(check.name)} — {escape(check.detail)}"
        out.print(line, highlight=False)
        if not check.ok:
            out.print(say("cli_doctor.fix", fix=escape(check.fix)), highlight=False)
    failures = len(report.failures)
    if failures:
        key = "cli_doctor.one_failure" if failures == 1 else "cli_doctor.failures"
        out.print(say(key, failures=failures), highlight=False)
    else:
        out.print(say("cli_doctor.all_hold"), highlight=False)


def _slug(code: str) -> str:
    return "_".join(code.replace(":", " ").lower().split())


def _target(target: str) -> str:
    """'workbook F' / 'Google spreadsheet ID' in the CLI's language."""
    for kind in TARGETS:
        if target.startswith(f"{kind} "):
            where = target.removeprefix(f"{kind} ")
            return say(f"cli_doctor.target_{_slug(kind)}", where=where)
    return target


def _problems(exc: ValidationError) -> str:
    """Each setting that failed and why, without its value (it may be a secret)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        where = "__".join(str(p) for p in error["loc"]).upper()
        parts.append(f"AFTERSALES_{where}: {error['msg']}")
    return "; ".join(parts)
