"""Reading a workbook's values fast, with python-calamine, as openpyxl would have read them.

Why: openpyxl builds a Python object per cell with its style; for 10,000 cases that is most of
a sync's cost even when nothing changed. calamine (Rust) reads the values only, several times
faster. openpyxl is still what writes (WorkbookBackend loads it only when there is something to
write or a layout to check).

calamine gives values, not formulas, and a few values in another type than openpyxl. So:
- A tab holding a formula (an `<f>` element in its XML) is not read here (`formula_tabs`): the
  caller reads the whole workbook with openpyxl, which reports each formula cell and the value
  the office suite last saved with it.
- Text holding an OOXML character escape (`_x0000_`, how a control character is stored) is not
  read here either: calamine and openpyxl decode those differently, and a person's cell must read
  the same whichever path reads it.
- Values are brought to what openpyxl gives (`as_openpyxl`): a whole number stored without a
  decimal point is an int (openpyxl: int; calamine: float), a date-formatted cell at midnight is
  a datetime (calamine: date), an empty cell is None (calamine: '').
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from app.sheets.backend import CellValue, TabSelector

# A formula element (`<f>`, `<f t="shared" .../>`, or with a namespace prefix) in sheet XML.
# Conditional formats and data validations use <formula>, <formula1>: not matched. Plain
# substring tests first (fast); the prefixed form is looked for only where ":f" occurs. Cell
# text cannot hold "<" unescaped, so "<f" is never a customer's text.
_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b"<f\t", b"<f\n", b"<f\r")
_PREFIXED_FORMULA = re.compile(rb"<[A-Za-z0-9_]+:f[\s>/]")
# An OOXML escaped character in a text (ECMA-376 ST_Xstring): `_x` four hex digits `_`.
_ESCAPED_CHARACTER = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_SHARED_STRINGS = "xl/sharedStrings.xml"
# Python (and so openpyxl) writes a float of at least 1e16 with an exponent, which openpyxl
# reads back as a float; a whole number below it is written without a point and read as int.
_INT_LIMIT = 1e16


def formula_tabs(data: bytes, titles: Sequence[str]) -> set[str] | None:
    """Which of `titles` hold a formula (all of them when a text holds an escaped character, see
    the module doc); None when the package cannot be understood (the caller then reads with
    openpyxl, which reports what is wrong with the file)."""
    from openpyxl.reader.excel import ExcelReader  # its part lookup: workbook.xml and rels

    try:
        reader = ExcelReader(BytesIO(data), read_only=True)
        reader.read_manifest()
        reader.read_workbook()
        parts = {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets()}
        found = set()
        for title in titles:
            target = parts.get(title)
            if target is None:
                continue
            with reader.archive.open(target.lstrip("/")) as xml:
                if _contains_formula(xml):
                    found.add(title)
        escaped = _SHARED_STRINGS in reader.archive.namelist() and _contains(
            reader.archive, _SHARED_STRINGS, _ESCAPED_CHARACTER
        )
        escaped = escaped or any(
            _contains(reader.archive, parts[t].lstrip("/"), _ESCAPED_CHARACTER)
            for t in titles
            if t in parts
        )
        reader.archive.close()
        return set(titles) if escaped else found
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return None


def _contains(archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes]) -> bool:
    """Whether a part of the package matches `pattern`, read in chunks."""
    tail = b""
    with archive.open(name) as xml:
        while chunk := xml.read(1 << 20):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _contains_formula(xml: Any) -> bool:
    """Whether a sheet's XML has a formula element, read in chunks (a large tab is MBs)."""
    tail = b""
    while chunk := xml.read(1 << 20):
        window = tail + chunk
        if any(tag in window for tag in _FORMULA_TAGS):
            return True
        if b":f" in window and _PREFIXED_FORMULA.search(window):
            return True
        tail = chunk[-64:]
    return False


def fast_read(
    data: bytes, select: TabSelector
) -> tuple[tuple[str, ...], dict[str, list[list[CellValue]]]] | None:
    """Every sheet's title (in order, as openpyxl's `sheetnames`) and the selected worksheets'
    rows, as openpyxl would type them; None when openpyxl must read instead (a selected tab
    holds a formula, or calamine cannot read the file)."""
    try:
        book = CalamineWorkbook.from_filelike(BytesIO(data))
    except CalamineError:
        return None
    try:
        titles = tuple(book.sheet_names)
        worksheets = {m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet}
        chosen = [t for t in select(titles) if t in worksheets]
        with_formulas = formula_tabs(data, chosen)
        if with_formulas is None or with_formulas:
            return None
        rows: dict[str, list[list[CellValue]]] = {}
        for title in chosen:
            grid = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            rows[title] = [[as_openpyxl(v) for v in row] for row in grid]
        return titles, rows
    except CalamineError:
        return None
    finally:
        book.close()


def as_openpyxl(value: Any) -> CellValue:
    """A calamine value as openpyxl reads the same cell (see the module doc)."""
    if value == "" or value is None:
        return None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _INT_LIMIT:
            return int(value)
        return value
    if isinstance(value, str | bool | int | datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, time | timedelta):
        return str(value)  # as the workbook backend shows openpyxl's times and durations
    return str(value)
