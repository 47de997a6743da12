"""Loading a workbook with openpyxl, its inline-string cells parsed without the rich-text model.

Why: openpyxl writes every text cell as an inline string (`<c t="inlineStr"><is><t>…</t></is>`),
so after the first save every text cell of the file is one; openpyxl reads each through its
rich-text model (`Text.from_tree(...).content`), which for a plain `<is><t>text</t></is>` is
just that text, at some 40% of the load. Here such a cell (one `<t>` child, no formula) is read
as that text directly; any other cell is parsed by openpyxl as before, so the cells hold exactly
what openpyxl's own load gives.

The parser is swapped in for the duration of the load only, under a lock (another load in the
process meanwhile would get the same values).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import (
    FORMULA_TAG,
    INLINE_STRING,
    WorkSheetParser,
    coordinate_to_tuple,
)
from openpyxl.xml.constants import SHEET_MAIN_NS

_TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
_OPENPYXL_PARSE_CELL = WorkSheetParser.parse_cell
_SWAP = threading.Lock()


def load_workbook(data: bytes) -> Workbook:
    """`openpyxl.load_workbook` of the file's bytes (see the module doc)."""
    with _plain_inline_strings():
        return openpyxl.load_workbook(BytesIO(data))


@contextmanager
def _plain_inline_strings() -> Iterator[None]:
    with _SWAP:
        WorkSheetParser.parse_cell = _parse_cell
        try:
            yield
        finally:
            WorkSheetParser.parse_cell = _OPENPYXL_PARSE_CELL


def _parse_cell(parser: Any, element: Any) -> dict[str, Any]:
    """openpyxl's `WorkSheetParser.parse_cell`, a plain inline string read directly."""
    if element.get("t") == "inlineStr" and not parser.rich_text:
        inline = element.find(INLINE_STRING)
        if (
            inline is not None
            and len(inline) == 1
            and inline[0].tag == _TEXT_TAG
            and element.find(FORMULA_TAG) is None
        ):
            style_id = element.get("s", 0)
            if style_id:
                style_id = int(style_id)
            coordinate = element.get("r")
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                parser.col_counter = column
            else:
                parser.col_counter += 1
                row, column = parser.row_counter, parser.col_counter
            text = inline[0].text or ""  # Text(...).content of a lone <t>
            return {
                "row": row,
                "column": column,
                "value": text,
                "data_type": "s",
                "style_id": style_id,
            }
    cell: dict[str, Any] = _OPENPYXL_PARSE_CELL(parser, element)
    return cell
