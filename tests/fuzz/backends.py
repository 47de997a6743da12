"""Puts a `HostileSheet` into each backend's spreadsheet, and reads a tab back cell by cell.

Workbook: an .xlsx written with openpyxl the way an office suite saves it. Control characters
cannot be stored in an .xlsx (XML forbids them); Excel saves them as `_xHHHH_` escapes, which
openpyxl reads back as that literal text, so that is what the workbook gets. Google: a
spreadsheet on the local Sheets API emulator, values typed RAW (text stays text, dates are
serial numbers as Sheets stores them), formulas typed as a person types them, merges made with
mergeCells. Grids are read with formulas as formulas, so a formula replaced by a value shows.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from sheet_schema import to_serial
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator
from tests.fuzz.hostile import Formula, HostileSheet

Grid = dict[tuple[int, int], Any]  # (row, col), 1-based -> value; blank cells left out


def _blank(value: Any) -> bool:
    return value is None or value == ""


def as_grid(rows: list[list[Any]]) -> Grid:
    return {
        (r, c): v
        for r, row in enumerate(rows, start=1)
        for c, v in enumerate(row, start=1)
        if not _blank(v)
    }


# -- workbook ----------------------------------------------------------------------------------


def _xlsx_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def write_workbook(path: Path, sheet: HostileSheet) -> None:
    book = openpyxl.Workbook()
    tab = book.active
    assert tab is not None
    tab.title = sheet.title
    for r, values in enumerate([sheet.headers, *([c.value for c in row] for row in sheet.rows)]):
        for c, value in enumerate(values, start=1):
            if _blank(value):
                continue
            cell = tab.cell(row=r + 1, column=c)
            if isinstance(value, Formula):
                cell.value = value.text  # openpyxl stores "=..." as a formula
            elif isinstance(value, str):
                cell.value = _xlsx_text(value)
                cell.data_type = "s"  # text that starts with "=" stays text
            else:
                cell.value = value
    for r0, c0, r1, c1 in sheet.merges:
        tab.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    book.save(path)


def workbook_grid(path: Path, title: str) -> Grid:
    """Every non-blank cell of a tab, formulas as their text."""
    tab = openpyxl.load_workbook(path)[title]
    return as_grid([list(r) for r in tab.iter_rows(values_only=True)])


# -- Google ------------------------------------------------------------------------------------


def _raw(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return to_serial(value)
    return "" if value is None else value


def _a1(title: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"'{title.replace(chr(39), chr(39) * 2)}'!{get_column_letter(col)}{row}"


def create_google_sheet(emulator: Emulator, account_email: str, sheet: HostileSheet) -> str:
    """A new spreadsheet shared with the service account, holding `sheet` as its only tab."""
    sid = emulator.create_spreadsheet("Hostile", shared_with={account_email: "writer"})
    book = emulator.spreadsheet(sid)
    tab_id = book.sheets[0].sheet_id
    rows, cols = len(sheet.rows) + 1, sheet.width
    setup: list[dict[str, Any]] = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": tab_id, "title": sheet.title},
                "fields": "title",
            }
        }
    ]
    if cols > 26:
        grow = {"sheetId": tab_id, "dimension": "COLUMNS", "length": cols - 26}
        setup.append({"appendDimension": grow})
    emulator.edit_now(Edit.requests(sid, setup))
    matrix = [
        [_raw(v) for v in sheet.headers],
        *(
            [_raw(None if isinstance(c.value, Formula) else c.value) for c in row]
            for row in sheet.rows
        ),
    ]
    if any(any(not _blank(v) for v in row) for row in matrix):
        emulator.set_values(sid, f"{_a1(sheet.title, 1, 1)}", matrix, input_option="RAW")
    for r, row in enumerate(sheet.rows, start=2):
        for c, cell in enumerate(row, start=1):
            if isinstance(cell.value, Formula):
                emulator.set_values(sid, _a1(sheet.title, r, c), [[cell.value.text]])
    if sheet.merges and rows and cols:
        merges = [
            {
                "mergeCells": {
                    "range": {
                        "sheetId": tab_id,
                        "startRowIndex": r0 - 1,
                        "endRowIndex": r1,
                        "startColumnIndex": c0 - 1,
                        "endColumnIndex": c1,
                    },
                    "mergeType": "MERGE_ALL",
                }
            }
            for r0, c0, r1, c1 in sheet.merges
        ]
        emulator.edit_now(Edit.requests(sid, merges))
    return sid


def google_grid(emulator: Emulator, sid: str, title: str, render: str = "FORMULA") -> Grid:
    """Every non-blank cell of a tab, formulas as their text (Sheets' FORMULA rendering), or
    with `render="UNFORMATTED_VALUE"` what they compute, as the Google backend reads them."""
    quoted = "'" + title.replace("'", "''") + "'"
    return as_grid(emulator.values(sid, quoted, render=render))


def google_book(emulator: Emulator, sid: str) -> dict[str, Grid]:
    """Every tab's grid, by title."""
    titles = [t.title for t in emulator.spreadsheet(sid).sheets]
    return {title: google_grid(emulator, sid, title) for title in titles}


def writes_made(emulator: Emulator) -> list[str]:
    """The kinds of the write requests the emulator served since its log was cleared."""
    writing = re.compile(r"batchUpdate|update|append|clear|create")
    return [r.kind for r in emulator.requests() if writing.search(r.kind or "")]
