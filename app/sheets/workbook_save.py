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
from typing import Any
from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import LXML
from openpyxl.cell._writer import _set_attributes, etree_write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter


def save_workbook(book: Workbook, filename: Any) -> None:
    """`book.save(filename)`, with the faster cell serialisation (openpyxl's save_workbook)."""
    if book.read_only:
        raise TypeError("""Workbook is read-only""")
    if book.write_only and not book.worksheets:
        book.create_sheet()
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
    def write_row(self, xf: Any, row: list[Any], row_idx: int) -> None:
        """openpyxl's `write_row`: the plain cells of the row written as one string."""
        write = getattr(xf, "_file", None)
        if LXML or not callable(write):
            super().write_row(xf, row, row_idx)
            return
        attrs = {"r": f"{row_idx}"}
        attrs.update(self.ws.row_dimensions.get(row_idx, {}))
        with xf.element("row", attrs):
            parts: list[str] = []
            for cell in row:
                if cell._comment is not None:
                    self.ws._comments.append(CommentRecord.from_cell(cell))
                styled = cell.has_style
                if cell._value is None and not styled and not cell._comment:
                    continue
                text = _cell_xml(cell, styled)
                if text is None:  # a formula or rich text: openpyxl's own writer
                    if parts:
                        write("".join(parts))
                        parts.clear()
                    etree_write_cell(xf, self.ws, cell, styled)
                else:
                    parts.append(text)
            if parts:
                write("".join(parts))


def _cell_xml(cell: Any, styled: bool) -> str | None:
    """The cell's XML exactly as openpyxl's `etree_write_cell` writes it; None for a cell that
    is not plain (a formula, rich text)."""
    data_type = cell.data_type
    if data_type == "f" or (data_type == "s" and not isinstance(cell._value, str | None)):
        return None
    value, attrs = _set_attributes(cell, styled)
    head = "<c" + "".join([f' {k}="{v}"' for k, v in attrs.items()])
    if value is None or value == "":
        return head + " />"
    if data_type == "s":
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""
        return f"{head}><is><t{space}>{_escape_cdata(value)}</t></is></c>"
    text = safe_string(value)
    if not text:
        return head + "><v /></c>"
    return f"{head}><v>{_escape_cdata(text)}</v></c>"
