"""New cells kept as their updates until the save writes them (the workbook backend's first fill).

Why: a first fill of 10,000 cases adds some 300,000 cells. As openpyxl `Cell` objects (with
their key in the sheet's cell map) they take some 60 MB and most of a write's time, only to be
serialised once and dropped. A new cell's XML depends only on its position, its value and its
number format id, and that id only on the value's type and the format asked for (what the first
such cell got through openpyxl, see workbook_cells.py). So after the first cell of each (type,
format), the others stay `CellUpdate`s, listed here per sheet, and workbook_save.py writes them
in their place among the sheet's cells. Anything that looks at a sheet's cells before the save
(the bold title rows) first turns its pending updates into cells (`materialize`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.sheets.backend import CellUpdate

# The value types a new cell may be deferred for, and the data type openpyxl gives each.
DEFERRABLE: dict[type, str] = {str: "s", int: "n", float: "n", bool: "b", datetime: "d", date: "d"}
LAST_ROW = 1_048_576


@dataclass(slots=True)
class Pending:
    """One sheet's deferred new cells, and the number format id each (type, format) gets."""

    updates: list[CellUpdate] = field(default_factory=list)
    format_ids: dict[tuple[type, str | None], int] = field(default_factory=dict)
    _styles: dict[int, StyleArray] = field(default_factory=dict)

    def style(self, update: CellUpdate) -> StyleArray | None:
        """The style a new cell of this update has (None: unstyled)."""
        format_id = self.format_ids[(type(update.value), update.number_format)]
        if not format_id:
            return None
        style = self._styles.get(format_id)
        if style is None:
            style = self._styles[format_id] = StyleArray()
            style.numFmtId = format_id
        return style


# Worksheet -> its pending cells; entries go with the workbook.
PENDING: WeakKeyDictionary[Worksheet, Pending] = WeakKeyDictionary()


def materialize(sheet: Worksheet, rows: tuple[int, ...] | None = None) -> None:
    """Turn the sheet's pending updates (of these rows; all: None) into openpyxl cells, in
    the order they were made."""
    pending = PENDING.get(sheet)
    if pending is None:
        return
    if rows is None:
        made, pending.updates = pending.updates, []
        del PENDING[sheet]
    else:
        wanted = set(rows)
        made = [u for u in pending.updates if u.row in wanted]
        pending.updates = [u for u in pending.updates if u.row not in wanted]
    if made:
        from app.sheets.workbook_cells import write_cells

        write_cells(sheet.parent, made)


def dimension(sheet: Worksheet, pending: Pending) -> str:
    """openpyxl's `calculate_dimension`, counting the pending cells."""
    rows = {row for row, _ in sheet._cells} | {u.row for u in pending.updates}
    cols = {col for _, col in sheet._cells} | {u.col for u in pending.updates}
    if not rows:
        return "A1:A1"
    first, last = get_column_letter(min(cols)), get_column_letter(max(cols))
    return f"{first}{min(rows)}:{last}{max(rows)}"


def deferrable(update: CellUpdate) -> bool:
    """Whether a new cell for this update may be kept pending (a plain value, a valid place)."""
    return type(update.value) in DEFERRABLE and 0 < update.row <= LAST_ROW and update.col > 0


def unique_places(updates: Any) -> bool:
    """Whether no two updates address the same cell (else none are deferred: a later update of
    the same cell must find the earlier one's cell)."""
    # Per (tab, row), the columns addressed, as one int's bits: a set of one int per cell
    # would hold some 17 MB at a 10,000-case first fill's 284,000 cells, the write's peak.
    columns: dict[tuple[str, int], int] = {}
    for u in updates:
        if not (0 < u.row <= LAST_ROW and 0 < u.col < 1 << 16):
            return False  # not a place openpyxl keeps: no deferring at all
        key = (u.tab, u.row)
        seen = columns.get(key, 0)
        bit = 1 << u.col
        if seen & bit:
            return False
        columns[key] = seen | bit
    return True
