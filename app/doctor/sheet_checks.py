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


def registered(entry: SheetEntry | None, *, sheet: str | None, workbook: Path | None) -> Check:
    name = "sheet: registered"
    if entry is not None:
        allowed = ", ".join(entry.allowed) or "nobody by Google sign-in (HMAC only)"
        return passed(name, f"as {entry.id} ({entry.timezone}); allowed: {allowed}")
    if workbook is not None:
        return failed(
            name,
            f"no registered sheet is the workbook {workbook}",
            f"aftersales sheets add NAME --workbook {workbook} --allow EMAIL (NAME is what the "
            "add-on sends; --allow for each person or @domain).",
        )
    return failed(
        name,
        f"no sheet {sheet} is registered: the service refuses its Sync now",
        f"aftersales sheets add {sheet} --allow EMAIL --timezone TZ (--allow for each person "
        "or @domain who presses Sync now).",
    )


def workbook_opens(path: Path) -> tuple[Check, SheetData | None]:
    """The workbook file exists and reads (every tab)."""
    name = "sheet: opens"
    if not path.exists():
        return failed(
            name,
            f"there is no workbook at {path}",
            f"aftersales init --workbook {path} (a new one), or aftersales demo (the demo's).",
        ), None
    try:
        data = WorkbookBackend(path).read(list)
    except AftersalesError as exc:
        return failed(name, exc.message, "Fix the workbook as the message says."), None
    return passed(name, f"workbook {path}: {len(data.titles)} tabs"), data


def workbook_writable(path: Path) -> Check:
    """The service saves a workbook atomically: a new file beside it, renamed over it."""
    name = "sheet: can edit"
    folder = path.resolve().parent
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        return failed(
            name,
            f"this user cannot write {path} or its folder {folder}",
            f"Give the service's user write access to {path} and to {folder}.",
        )
    return passed(name, f"{path} and its folder are writable")


def cases_tab(
    data: SheetData, timezone: str, tab_names: Mapping[str, str], *, sheet_arg: str
) -> Check:
    """The adopt check: the cases tab and every required column are found as a sync finds
    them (a tab or header found only by its look needs the mapping written first)."""
    name = "sheet: cases tab and columns"
    ctx = ParseContext(tz=ZoneInfo(timezone), date_order=data.date_order)
    proposal = propose(data, load_schema(), tab_names, ctx)
    adopt = f"aftersales adopt {sheet_arg} --yes"
    if proposal.cases_tab is None:
        return failed(name, " ".join(proposal.needs_person), f"Or run {adopt} once a tab is set.")
    if proposal.missing:
        missing = ", ".join(proposal.missing)
        return failed(
            name,
            f"tab '{proposal.cases_tab}' has no {missing} column",
            f"Add {'it' if len(proposal.missing) == 1 else 'them'} to '{proposal.cases_tab}' "
            f"(any header from its aliases), or name yours in the Settings tab; `aftersales "
            f"adopt {sheet_arg}` lists how each header maps.",
        )
    if proposal.settings_rows:
        rows = ", ".join(f"{key} = {value}" for key, value in proposal.settings_rows)
        return failed(
            name,
            f"found only by their look, not yet written in the Settings tab: {rows}",
            f"{adopt} (writes those rows into the Settings tab, nothing else).",
        )
    return passed(
        name, f"'{proposal.cases_tab}' with every required column ({len(proposal.columns)} known)"
    )
