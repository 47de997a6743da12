"""spreadsheets.values.append: Google's table detection and where appended rows land."""

from __future__ import annotations

from typing import Any

from .a1 import Bounds, format_range
from .calc import Calc
from .errors import bad_request
from .model import Sheet
from .ranges import resolve_a1
from .values import (
    Params,
    add_updated_data,
    input_option_of,
    json_repr,
    major_of,
    param,
    write_matrix,
)


def _table_region(sheet: Sheet, bounds: Bounds) -> tuple[int, int, int, int] | None:
    """Google's 'table' for append: the region around the last data cell in the range."""
    clipped = bounds.clip(sheet.rows, sheet.cols)
    assert clipped.end_row is not None and clipped.end_col is not None
    seed: tuple[int, int] | None = None
    for r in sorted(sheet.cells, reverse=True):
        if not clipped.start_row <= r < clipped.end_row:
            continue
        cols = [c for c, cell in sheet.cells[r].items() if cell.value]
        cols = [c for c in cols if clipped.start_col <= c < clipped.end_col]
        if cols:
            seed = (r, max(cols))
            break
    if seed is None:
        return None

    def filled(r: int, c: int) -> bool:
        return bool(sheet.get(r, c).value)

    r0, c0, r1, c1 = seed[0], seed[1], seed[0] + 1, seed[1] + 1
    changed = True
    while changed:
        changed = False
        if r0 > 0 and any(filled(r0 - 1, c) for c in range(max(c0 - 1, 0), c1 + 1)):
            r0, changed = r0 - 1, True
        if r1 < sheet.rows and any(filled(r1, c) for c in range(max(c0 - 1, 0), c1 + 1)):
            r1, changed = r1 + 1, True
        if c0 > 0 and any(filled(r, c0 - 1) for r in range(max(r0 - 1, 0), r1 + 1)):
            c0, changed = c0 - 1, True
        if c1 < sheet.cols and any(filled(r, c1) for r in range(max(r0 - 1, 0), r1 + 1)):
            c1, changed = c1 + 1, True
    return r0, c0, r1, c1


def values_append(
    calc: Calc, range_text: str, body: dict[str, Any], params: Params, email: str | None
) -> dict[str, Any]:
    option = input_option_of(params)
    sheet, bounds = resolve_a1(calc.book, range_text)
    major = major_of(body.get("majorDimension"))
    values = body.get("values") or []
    if not isinstance(values, list):
        raise bad_request(
            "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "
            f"{json_repr(values)}",
            "data.values",
        )
    table = _table_region(sheet, bounds)
    out: dict[str, Any] = {"spreadsheetId": calc.book.id}
    if table is None:
        start_row, start_col = bounds.start_row, bounds.start_col
    else:
        out["tableRange"] = format_range(sheet.title, table[0], table[1], table[2], table[3])
        start_row, start_col = table[2], table[1]
    height = len(values) if major == "ROWS" else max((len(v or []) for v in values), default=0)
    width = max((len(v or []) for v in values), default=0) if major == "ROWS" else len(values)
    if param(params, "insertDataOption") == "INSERT_ROWS" and start_row < sheet.rows and height:
        sheet.insert("ROWS", start_row, height)
    if start_row + height > sheet.rows:
        sheet.set_size(start_row + height, sheet.cols)
    if start_col + width > sheet.cols:
        sheet.set_size(sheet.rows, start_col + width)
    target = Bounds(start_row, start_col, None, None)
    result = write_matrix(calc, sheet, target, values, major, option, email, range_text)
    updates = result.response(calc.book.id)
    add_updated_data(calc, result, updates, params)
    out["updates"] = updates
    return out
