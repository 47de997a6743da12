"""batchUpdate requests on sheets and spreadsheet properties."""

from __future__ import annotations

import copy
from typing import Any

from .errors import RequestError
from .fieldmask import apply_mask
from .model import Sheet, new_int_id, new_sheet
from .normalize import strip_nulls, sync_colors
from .registry import BatchContext, Reply, handler, mask_of

_FALSY_DEFAULTS = ("hidden", "rightToLeft")
_GRID_FALSY = (
    "frozenRowCount",
    "frozenColumnCount",
    "hideGridlines",
    "rowGroupControlAfter",
    "columnGroupControlAfter",
)


def sheet_props_out(props: dict[str, Any]) -> dict[str, Any]:
    """SheetProperties as Google prints them (false / zero defaults omitted)."""
    out = copy.deepcopy(props)
    for key in _FALSY_DEFAULTS:
        if not out.get(key):
            out.pop(key, None)
    grid = out.get("gridProperties", {})
    for key in _GRID_FALSY:
        if not grid.get(key):
            grid.pop(key, None)
    return out


def _check_title(ctx: BatchContext, title: Any, exclude: Sheet | None = None) -> str:
    if not isinstance(title, str) or not title.strip():
        raise RequestError("Sheet name cannot be empty.")
    for sheet in ctx.book.sheets:
        if sheet is not exclude and sheet.title.lower() == title.lower():
            raise RequestError(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
    return title


def _next_title(ctx: BatchContext) -> str:
    n = len(ctx.book.sheets) + 1
    taken = {s.title.lower() for s in ctx.book.sheets}
    while f"sheet{n}" in taken:
        n += 1
    return f"Sheet{n}"


def _check_grid(props: dict[str, Any]) -> None:
    grid = props["gridProperties"]
    rows, cols = grid.get("rowCount", 0), grid.get("columnCount", 0)
    if rows < 1 or cols < 1:
        raise RequestError("Sheet must have at least one row and one column.")
    if rows * cols > 10_000_000:
        raise RequestError(
            "This action would increase the number of cells in the workbook above the limit of "
            "10000000 cells."
        )
    if grid.get("frozenRowCount", 0) > rows or grid.get("frozenColumnCount", 0) > cols:
        raise RequestError("Frozen rows or columns cannot exceed the grid size.")


@handler("addSheet")
def add_sheet(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    props = sync_colors(strip_nulls(req.get("properties") or {}))
    taken = ctx.book.sheet_ids()
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = new_int_id(taken)
    elif int(sheet_id) in taken:
        raise RequestError(f"A sheet with id {sheet_id} already exists.")
    elif int(sheet_id) < 0:
        raise RequestError("Sheet id must be non-negative.")
    title = props.get("title")
    title = _check_title(ctx, title) if title is not None else _next_title(ctx)
    grid = props.get("gridProperties") or {}
    sheet = new_sheet(
        int(sheet_id), title, 0, int(grid.get("rowCount", 1000)), int(grid.get("columnCount", 26))
    )
    for key, value in grid.items():
        sheet.props["gridProperties"][key] = value
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in props:
            sheet.props[key] = props[key]
    _check_grid(sheet.props)
    index = props.get("index")
    index = len(ctx.book.sheets) if index is None else max(0, min(int(index), len(ctx.book.sheets)))
    ctx.book.sheets.insert(index, sheet)
    ctx.book.reindex()
    return {"properties": sheet_props_out(sheet.props)}


@handler("deleteSheet")
def delete_sheet(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet = ctx.sheet(req.get("sheetId"), "sheet")
    if len(ctx.book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    if all(s.props.get("hidden") for s in ctx.book.sheets if s is not sheet):
        raise RequestError("You can't remove all the visible sheets in a document.")
    ctx.book.sheets.remove(sheet)
    ctx.book.reindex()
    ctx.book.named_ranges = [
        n for n in ctx.book.named_ranges if n["range"].get("sheetId", 0) != sheet.sheet_id
    ]
    return None


@handler("duplicateSheet")
def duplicate_sheet(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    source = ctx.sheet(req.get("sourceSheetId"), "sheet")
    copy_sheet = source.clone()
    new_id = req.get("newSheetId")
    taken = ctx.book.sheet_ids()
    if new_id is not None and int(new_id) in taken:
        raise RequestError(f"A sheet with id {new_id} already exists.")
    copy_sheet.props["sheetId"] = int(new_id) if new_id is not None else new_int_id(taken)
    title = req.get("newSheetName") or f"Copy of {source.title}"
    copy_sheet.props["title"] = _check_title(ctx, title)
    copy_sheet.protected = []
    taken_charts = {int(c["chartId"]) for s in ctx.book.sheets for c in s.charts}
    for chart in copy_sheet.charts:  # a copied chart is a new object with its own id
        chart["chartId"] = new_int_id(taken_charts)
        taken_charts.add(chart["chartId"])
    copy_sheet.retarget()
    index = req.get("insertSheetIndex")
    index = len(ctx.book.sheets) if index is None else max(0, min(int(index), len(ctx.book.sheets)))
    ctx.book.sheets.insert(index, copy_sheet)
    ctx.book.reindex()
    return {"properties": sheet_props_out(copy_sheet.props)}


@handler("updateSheetProperties")
def update_sheet_properties(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    props = sync_colors(strip_nulls(req.get("properties") or {}))
    sheet = ctx.sheet(props.get("sheetId"), "sheet")
    mask = mask_of(req)
    mask.pop("sheetId", None)
    before = copy.deepcopy(sheet.props)
    target = copy.deepcopy(sheet.props)
    apply_mask(target, props, mask)
    target["sheetId"] = before["sheetId"]
    grid = target.setdefault("gridProperties", {})
    for key in ("rowCount", "columnCount"):
        grid.setdefault(key, before["gridProperties"][key])
    target["title"] = _check_title(ctx, target.get("title", before["title"]), exclude=sheet)
    target.setdefault("sheetType", before.get("sheetType", "GRID"))
    if target.get("hidden") and all(
        s.props.get("hidden") for s in ctx.book.sheets if s is not sheet
    ):
        raise RequestError("You can't hide all the sheets in a document.")
    _check_grid(target)
    new_index = target.get("index", before["index"])
    target["index"] = before["index"]
    rows, cols = grid["rowCount"], grid["columnCount"]
    grid["rowCount"], grid["columnCount"] = (
        before["gridProperties"]["rowCount"],
        before["gridProperties"]["columnCount"],
    )
    sheet.props = sync_colors(target)
    if (rows, cols) != (sheet.rows, sheet.cols):
        sheet.set_size(rows, cols)
    if new_index != before["index"]:
        ctx.book.sheets.remove(sheet)
        ctx.book.sheets.insert(max(0, min(int(new_index), len(ctx.book.sheets))), sheet)
        ctx.book.reindex()
    return None


@handler("updateSpreadsheetProperties")
def update_spreadsheet_properties(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    props = sync_colors(strip_nulls(req.get("properties") or {}))
    target = copy.deepcopy(ctx.book.props)
    apply_mask(target, props, mask_of(req))
    if not target.get("title"):
        raise RequestError("Spreadsheet title cannot be empty.")
    for key in ("locale", "timeZone", "autoRecalc"):
        target.setdefault(key, ctx.book.props[key])
    ctx.book.props = target
    return None
