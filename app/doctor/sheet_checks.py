"""The sheet itself: registered with the service, a workbook that opens and can be written, and
the cases tab with every required column found the way a sync finds them (the adopt check)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from app.adopt import propose
from app.doctor.check import Check, failed, passed
from app.errors import AftersalesError
from app.registry import SheetEntry, SheetRegistry
from app.sheets.backend import SheetData
from app.sheets.workbook import WorkbookBackend
from sheet_schema import ParseContext, load_schema
from sheet_schema.messages import text


def registered_entry(
    registry: SheetRegistry, *, sheet: str | None, workbook: Path | None
) -> SheetEntry | None:
    """The registry's entry for `--sheet ID` (its id) or `--workbook F` (its file)."""
    if sheet is not None:
        return next((e for e in registry.list() if e.id == sheet), None)
    assert workbook is not None
    path = workbook.resolve()
    return next(
        (e for e in registry.list() if e.kind == "workbook" and Path(e.location).resolve() == path),
        None,
    )


def registered(
    entry: SheetEntry | None, *, sheet: str | None, workbook: Path | None, language: str = "en"
) -> Check:
    name = "sheet: registered"
    if entry is not None:
        allowed = ", ".join(entry.allowed) or text("doctor.registered_nobody", language)
        return passed(
            name,
            text(
                "doctor.registered_ok",
                language,
                id=entry.id,
                timezone=entry.timezone,
                allowed=allowed,
            ),
        )
    if workbook is not None:
        return failed(
            name,
            text("doctor.registered_no_workbook_detail", language, workbook=workbook),
            text("doctor.registered_no_workbook_fix", language, workbook=workbook),
        )
    return failed(
        name,
        text("doctor.registered_no_sheet_detail", language, sheet=sheet),
        text("doctor.registered_no_sheet_fix", language, sheet=sheet),
    )


def workbook_opens(path: Path, language: str = "en") -> tuple[Check, SheetData | None]:
    """The workbook file exists and reads (every tab)."""
    name = "sheet: opens"
    if not path.exists():
        return failed(
            name,
            text("doctor.workbook_missing_detail", language, path=path),
            text("doctor.workbook_missing_fix", language, path=path),
        ), None
    try:
        data = WorkbookBackend(path).read(list)
    except AftersalesError as exc:
        return failed(name, exc.message, text("doctor.workbook_unreadable_fix", language)), None
    return passed(
        name, text("doctor.workbook_opens", language, path=path, tabs=len(data.titles))
    ), data


def workbook_writable(path: Path, language: str = "en") -> Check:
    """The service saves a workbook atomically: a new file beside it, renamed over it."""
    name = "sheet: can edit"
    folder = path.resolve().parent
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        return failed(
            name,
            text("doctor.writable_detail", language, path=path, folder=folder),
            text("doctor.writable_fix", language, path=path, folder=folder),
        )
    return passed(name, text("doctor.writable_ok", language, path=path))


def cases_tab(
    data: SheetData,
    timezone: str,
    tab_names: Mapping[str, str],
    *,
    sheet_arg: str,
    language: str = "en",
) -> Check:
    """The adopt check: the cases tab and every required column are found as a sync finds
    them (a tab or header found only by its look needs the mapping written first)."""
    name = "sheet: cases tab and columns"
    ctx = ParseContext(tz=ZoneInfo(timezone), date_order=data.date_order)
    proposal = propose(data, load_schema(), tab_names, ctx)
    adopt = f"aftersales adopt {sheet_arg} --yes"
    tab = proposal.cases_tab
    if tab is None:
        return failed(
            name,
            " ".join(proposal.needs_person),
            text("doctor.cases_no_tab_fix", language, adopt=adopt),
        )
    if proposal.missing:
        how_many = "one" if len(proposal.missing) == 1 else "many"
        return failed(
            name,
            text(
                "doctor.cases_missing_detail",
                language,
                tab=tab,
                missing=", ".join(proposal.missing),
            ),
            text(f"doctor.cases_missing_fix_{how_many}", language, tab=tab, sheet_arg=sheet_arg),
        )
    if proposal.settings_rows:
        rows = ", ".join(f"{key} = {value}" for key, value in proposal.settings_rows)
        return failed(
            name,
            text("doctor.cases_look_detail", language, rows=rows),
            text("doctor.cases_look_fix", language, adopt=adopt),
        )
    return passed(name, text("doctor.cases_ok", language, tab=tab, count=len(proposal.columns)))
