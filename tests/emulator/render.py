"""spreadsheets.get output: properties, sheets with their objects, and grid data for
``includeGridData`` / ``ranges`` / field masks."""

from __future__ import annotations

import copy
from typing import Any

from .a1 import Bounds
from .bu_charts import charts_out
from .bu_objects import conditional_out, named_out, protected_out
from .bu_sheets import sheet_props_out
from .calc import Calc
from .cells_io import cell_output
from .fieldmask import MaskTree
from .model import COL_PIXELS, ROW_PIXELS, Sheet, Spreadsheet
from .normalize import dimension_range_out, grid_range_out, sync_colors
from .ranges import resolve_a1

SPREADSHEET_URL = "https://docs.google.com/spreadsheets/d/{}/edit"


def wants_grid_data(mask: MaskTree | None, include_grid: bool) -> bool:
    """Google ignores includeGridData when a field mask is given."""
    if mask is None:
        return include_grid
    if "*" in mask:
        return True
    sheets = mask.get("sheets", {})
    return sheets is None or (isinstance(sheets, dict) and ("data" in sheets or "*" in sheets))


def _dimension_meta(meta: dict[int, dict[str, Any]], start: int, end: int, default: int) -> list:
    out = []
    for index in range(start, end):
        item = {"pixelSize": default}
        extra = meta.get(index, {})
        if extra.get("hiddenByUser"):
            item = {"hiddenByUser": True, "pixelSize": default}
        if "pixelSize" in extra:
            item["pixelSize"] = extra["pixelSize"]
        for key, value in extra.items():
            if key not in ("pixelSize", "hiddenByUser"):
                item[key] = copy.deepcopy(value)
        out.append(item)
    return out


def grid_data(calc: Calc, sheet: Sheet, bounds: Bounds) -> dict[str, Any]:
    """One GridData block: rows up to the last non-empty one, trailing empty cells trimmed."""
    b = bounds.clip(sheet.rows, sheet.cols)
    assert b.end_row is not None and b.end_col is not None
    found: dict[int, dict[int, dict[str, Any]]] = {}
    for r, row in sheet.cells.items():
        if b.start_row <= r < b.end_row:
            for c in row:
                if b.start_col <= c < b.end_col:
                    data = cell_output(calc, sheet, r, c)
                    if data:
                        found.setdefault(r, {})[c] = data
    out: dict[str, Any] = {}
    if b.start_row:
        out["startRow"] = b.start_row
    if b.start_col:
        out["startColumn"] = b.start_col
    if found:
        rows = []
        for r in range(b.start_row, max(found) + 1):
            cells = found.get(r)
            if not cells:
                rows.append({})
                continue
            rows.append({"values": [cells.get(c, {}) for c in range(b.start_col, max(cells) + 1)]})
        out["rowData"] = rows
    out["rowMetadata"] = _dimension_meta(sheet.row_meta, b.start_row, b.end_row, ROW_PIXELS)
    out["columnMetadata"] = _dimension_meta(sheet.col_meta, b.start_col, b.end_col, COL_PIXELS)
    return out


def sheet_output(
    calc: Calc, sheet: Sheet, data_bounds: list[Bounds] | None, email: str | None
) -> dict[str, Any]:
    book = calc.book
    out: dict[str, Any] = {"properties": sync_colors(sheet_props_out(sheet.props))}
    if data_bounds is not None:
        out["data"] = [grid_data(calc, sheet, b) for b in data_bounds]
    if sheet.merges:
        out["merges"] = [grid_range_out(m) for m in sheet.merges]
    if sheet.cond_formats:
        out["conditionalFormats"] = [conditional_out(rule) for rule in sheet.cond_formats]
    if sheet.protected:
        out["protectedRanges"] = [protected_out(p, book.owner, email) for p in sheet.protected]
    if sheet.basic_filter is not None:
        spec = copy.deepcopy(sheet.basic_filter)
        spec["range"] = grid_range_out(spec["range"])
        out["basicFilter"] = spec
    if sheet.charts:
        out["charts"] = charts_out(sheet)
    if sheet.banded:
        out["bandedRanges"] = copy.deepcopy(sheet.banded)
    for key, groups in (("rowGroups", sheet.row_groups), ("columnGroups", sheet.col_groups)):
        if groups:
            ordered = sorted(groups, key=lambda g: (g["range"]["startIndex"], g["depth"]))
            out[key] = [
                {"range": dimension_range_out(g["range"]), "depth": g["depth"]}
                | ({"collapsed": True} if g.get("collapsed") else {})
                for g in ordered
            ]
    return out


def render_spreadsheet(
    calc: Calc,
    include_grid: bool,
    ranges: list[str],
    email: str | None,
) -> dict[str, Any]:
    """The Spreadsheet resource; with ranges only the sheets (and data) they touch."""
    book: Spreadsheet = calc.book
    selected: dict[int, list[Bounds]] = {}
    for text in ranges:
        sheet, bounds = resolve_a1(book, text)
        selected.setdefault(sheet.sheet_id, []).append(bounds)
    sheets_out = []
    for sheet in book.sheets:
        if ranges and sheet.sheet_id not in selected:
            continue
        data_bounds = None
        if include_grid:
            data_bounds = selected.get(sheet.sheet_id) or [Bounds(0, 0, None, None)]
        sheets_out.append(sheet_output(calc, sheet, data_bounds, email))
    out: dict[str, Any] = {
        "spreadsheetId": book.id,
        "properties": sync_colors(copy.deepcopy(book.props)),
        "sheets": sheets_out,
    }
    if book.named_ranges:
        out["namedRanges"] = [named_out(n) for n in book.named_ranges]
    out["spreadsheetUrl"] = SPREADSHEET_URL.format(book.id)
    return out
