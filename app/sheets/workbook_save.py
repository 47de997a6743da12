"""Saving a workbook as openpyxl saves it, with the cells of each row serialised in one string.

Why: openpyxl's own writer (without lxml) builds an ElementTree element per cell and serialises
it through et_xmlfile's pure-Python namespace-aware serialiser; for a 10,000-case workbook that
is most of a save. Here the plain cells (numbers, booleans, dates, text) are formatted directly
into the very XML openpyxl writes (same attributes in the same order, same escaping, same
`xml:space`), and everything else (formulas, rich text) is handed to openpyxl's own cell writer.
The rest of the package (styles, validations, conditional formats, comments, charts) is
openpyxl's unchanged. With lxml installed openpyxl writes through lxml instead and its writer is
used as it is.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import LXML
from openpyxl.cell._writer import etree_write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.writer.excel import ExcelWriter

from app.sheets.backend import CellUpdate
from app.sheets.workbook_cells import to_cell
from app.sheets.workbook_pending import DEFERRABLE, PENDING, Pending, dimension, materialize


def save_workbook(book: Workbook, filename: Any) -> None:
    """`book.save(filename)`, with the faster cell serialisation (openpyxl's save_workbook)."""
    if book.read_only:
        raise TypeError("""Workbook is read-only""")
    if book.write_only and not book.worksheets:
        book.create_sheet()
    if LXML or book.iso_dates:  # openpyxl's own cell writer: pending cells made cells first
        for sheet in book.worksheets:
            materialize(sheet)
    archive = ZipFile(filename, "w", ZIP_DEFLATED, allowZip64=True)
    now = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    book.properties.modified = now
    _ExcelWriter(book, archive).save()


class _ExcelWriter(ExcelWriter):  # type: ignore[misc]
    def write_worksheet(self, ws: Any) -> None:
        """openpyxl's `write_worksheet`, with the worksheet writer below."""
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _WorksheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


class _WorksheetWriter(WorksheetWriter):  # type: ignore[misc]
    def __init__(self, ws: Any, out: Any = None) -> None:
        super().__init__(ws, out)
        self.pending = PENDING.get(ws) or Pending()

    def write_dimensions(self) -> None:
        """openpyxl's `write_dimensions`, counting the pending cells."""
        if not self.pending.updates:
            super().write_dimensions()
            return
        self.xf.send(SheetDimension(dimension(self.ws, self.pending)).to_tree())

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """openpyxl's `rows`: the cells by row, in column order, the pending cells
        (`CellUpdate`s) in their places. Grouped by row, then each row sorted as it is written
        (far cheaper than sorting every cell's key at once, and no second map of the cells)."""
        by_row: dict[int, list[Any]] = defaultdict(list)
        for cell in self.ws._cells.values():
            by_row[cell.row].append(cell)
        for update in self.pending.updates:
            by_row[update.row].append(update)
        for row in self.ws.row_dimensions.keys() - by_row.keys():
            by_row[row] = []  # a row with styling but no cells
        for row in sorted(by_row):
            cells = by_row.pop(row)
            cells.sort(key=_column)
            yield row, cells

    def write_row(self, xf: Any, row: list[Any], row_idx: int) -> None:
        """openpyxl's `write_row`: the plain cells of the row written as one string."""
        write = getattr(xf, "_file", None)
        if LXML or not callable(write):
            super().write_row(xf, row, row_idx)
            return
        ws = self.ws
        attrs = {"r": f"{row_idx}"}
        attrs.update(ws.row_dimensions.get(row_idx, {}))
        book = ws.parent
        styles, epoch, iso_dates = book._cell_styles, book.epoch, book.iso_dates
        with xf.element("row", attrs):
            parts: list[str] = []
            for cell in row:
                if isinstance(cell, CellUpdate):  # a pending new cell (or a case cell)
                    parts.append(self._pending_cell(cell, styles, epoch))
                    continue
                if cell._comment is not None:
                    ws._comments.append(CommentRecord.from_cell(cell))
                style = cell._style
                styled = style is not None and any(style)
                value = cell._value
                if value is None and not styled and not cell._comment:
                    continue
                data_type = cell.data_type
                if (
                    data_type == "f"
                    or cell._hyperlink is not None
                    or (data_type == "s" and not isinstance(value, str | None))
                    or (data_type == "d" and (iso_dates or getattr(value, "tzinfo", None)))
                ):
                    # A formula, rich text, a link, an ISO or zoned date: openpyxl's own writer.
                    if parts:
                        write("".join(parts))
                        parts.clear()
                    etree_write_cell(xf, ws, cell, styled)
                    continue
                style_id = styles.add(style) if styled else None
                parts.append(_plain_cell(cell.row, cell.column, data_type, value, style_id, epoch))
            if parts:
                write("".join(parts))

    def _pending_cell(self, update: CellUpdate, styles: Any, epoch: Any) -> str:
        """A pending new cell's XML: what openpyxl writes for the cell workbook_cells.py makes."""
        style = self.pending.style(update)
        style_id = None if style is None else styles.add(style)
        data_type = DEFERRABLE[type(update.value)]
        value = to_cell(update.value)
        return _plain_cell(update.row, update.col, data_type, value, style_id, epoch)


def _plain_cell(
    row: int, col: int, data_type: str, value: Any, style_id: int | None, epoch: Any
) -> str:
    """A plain cell's XML as openpyxl's `_set_attributes` + `etree_write_cell` write it."""
    head = f'<c r="{_LETTERS[col]}{row}"'
    if style_id is not None:
        head += f' s="{style_id}"'
    if data_type == "s":
        head += ' t="inlineStr"'
    elif data_type == "d":
        head += ' t="n"'
        value = to_excel(value, epoch)
    else:
        head += f' t="{data_type}"'
    if value is None or value == "":
        return head + " />"
    if data_type == "s":
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""
        return f"{head}><is><t{space}>{_escape_cdata(value)}</t></is></c>"
    text = safe_string(value)
    return f"{head}><v>{_escape_cdata(text)}</v></c>" if text else head + "><v /></c>"


def _column(cell: Any) -> int:
    """A cell's column (an openpyxl cell's key in its sheet is its own row and column)."""
    column: int = cell.col if isinstance(cell, CellUpdate) else cell.column
    return column


class _Letters(dict[int, str]):
    """Column number -> letters, computed once per column."""

    def __missing__(self, col: int) -> str:
        letters: str = get_column_letter(col)
        self[col] = letters
        return letters


_LETTERS = _Letters()
