"""Writing a sync's cells into openpyxl's workbook in one pass: what `cell.value = ...` and
`cell.number_format = ...` do, per cell, without their per-cell lookups.

Why: a first fill of 10,000 cases writes some 300,000 cells; per cell, openpyxl's public API
finds the sheet by title, creates the cell through two calls, infers the value's type and reads
the number format back through the workbook's format list before setting it. Here the sheet is
looked up once per tab, a plain value (text, number, boolean) is bound directly (the type
openpyxl would infer), and a cell whose style already has the wanted format id is left alone.
Anything else (dates, merged cells, a format never seen) goes through openpyxl as before, so the
cells hold exactly what the public API would have put there.

Text is written as text: a value starting with `=` gets data type "s", never a formula.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.sheets.backend import CellUpdate, CellValue
from app.sheets.workbook_layout import writable
from app.sheets.workbook_pending import (
    PENDING,
    Pending,
    deferrable,
    materialize,
    unique_places,
)

EXCEL_MAX_TEXT = 32_767
# The data type openpyxl infers for a value of exactly this type (openpyxl.cell.cell._TYPES).
_PLAIN_TYPES = {str: "s", int: "n", float: "n", bool: "b"}
_DATE_TYPES = (datetime, date)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while openpyxl builds or writes a workbook's cells.

    Why: each of the 100,000s of cells allocated is a tracked object, so the collector runs
    over and over, and each full pass walks every object the process holds (the sync's plan
    included): a third of a load's CPU. The cells form no garbage cycles; whatever cycles were
    made meanwhile are collected once the collector runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_cells(book: Workbook, updates: Sequence[CellUpdate], *, defer: bool = False) -> None:
    """Write every update into `book` (see the module doc). With `defer`, a new cell like one
    already made (same value type and format) is kept pending until the save (see
    workbook_pending.py)."""
    sheets: dict[str, Worksheet] = {}
    format_ids: dict[str, int] = {}  # number format -> the id openpyxl gave it in this book
    dated_ids: dict[tuple[type, str | None], int] = {}  # (date type, format) -> format id
    new_ids: dict[tuple[type, str | None], int] = {}  # (type, format) -> a new cell's format id
    if defer:
        for made in book.worksheets:  # a previous write's pending cells, if the book was kept
            materialize(made)
        defer = unique_places(updates)
    for update in updates:
        sheet = sheets.get(update.tab)
        if sheet is None:
            sheet = sheets[update.tab] = book[update.tab]
        row, col = update.row, update.col
        cell = sheet._cells.get((row, col))
        new = cell is None
        if cell is None:
            known_new = (type(update.value), update.number_format) in new_ids
            if defer and known_new and deferrable(update):
                _pending(sheet, new_ids).updates.append(update)
                continue
            cell = sheet.cell(row=row, column=col)
        elif isinstance(cell, MergedCell):
            cell = writable(sheet, row, col)
        value = to_cell(update.value)
        kind = type(value)
        data_type = _PLAIN_TYPES.get(kind)
        number_format = update.number_format
        if data_type is not None:
            # What `cell.value = value` does for these types (text is already storable: no
            # illegal character, within Excel's length); text is always text ("s").
            cell._value = value
            cell.data_type = data_type
        elif kind in _DATE_TYPES and cell._style is None:
            # A date in an unstyled cell: its format id depends on the value's type and the
            # format asked for only (openpyxl's default date format, then that one).
            known = dated_ids.get((kind, number_format))
            if known is None:
                cell.value = value
                if number_format:
                    _format(cell, number_format, format_ids)
                dated_ids[(kind, number_format)] = _format_id(cell)
            else:
                cell._value = value
                cell.data_type = "d"
                cell._style = style = StyleArray()
                style.numFmtId = known
            if new:
                new_ids[(type(update.value), number_format)] = _format_id(cell)
            continue
        else:
            cell.value = value  # a styled date, a time, None: openpyxl's own binding
        if number_format:
            _format(cell, number_format, format_ids)
        if new:
            style = cell._style
            new_ids[(type(update.value), number_format)] = 0 if style is None else style.numFmtId


def _pending(sheet: Worksheet, format_ids: dict[tuple[type, str | None], int]) -> Pending:
    """The sheet's pending cells, sharing this write's (type, format) -> format id table."""
    pending = PENDING.get(sheet)
    if pending is None:
        pending = PENDING[sheet] = Pending()
    pending.format_ids = format_ids
    return pending


def _format(cell: Any, number_format: str, format_ids: dict[str, int]) -> None:
    """`if cell.number_format != number_format: cell.number_format = number_format`, without
    the look-ups when the cell's style already holds the id this format was given."""
    known = format_ids.get(number_format)
    style = cell._style
    if known is not None and number_format != "General":
        if style is None:
            # A new cell reads "General", which differs: set, as the descriptor would.
            cell._style = style = StyleArray()
            style.numFmtId = known
            return
        if style.numFmtId == known:
            return
    if cell.number_format != number_format:
        cell.number_format = number_format
        format_ids[number_format] = _format_id(cell)


def _format_id(cell: Any) -> int:
    """The number format id the cell's style holds now."""
    return int(cell._style.numFmtId)


def to_cell(value: CellValue) -> Any:
    """A value as the workbook stores it: wall-clock datetimes (Excel has no time zones), text
    without the characters openpyxl refuses, within Excel's length."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        return text[: EXCEL_MAX_TEXT - 1] + "…" if len(text) > EXCEL_MAX_TEXT else text
    return value
