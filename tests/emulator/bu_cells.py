"""batchUpdate requests that write cells: repeatCell, updateCells, appendCells,
setDataValidation, updateBorders, mergeCells / unmergeCells."""

from __future__ import annotations

from typing import Any

from .access import ensure_editable
from .cells_io import merge_cell
from .errors import RequestError
from .fieldmask import parse_mask
from .model import Cell, Sheet
from .normalize import strip_nulls, sync_colors
from .ranges import checked_bounds, sheet_for_grid
from .registry import BatchContext, Reply, handler, mask_of


def _cells(r0: int, r1: int, c0: int, c1: int) -> list[tuple[int, int]]:
    return [(r, c) for r in range(r0, r1) for c in range(c0, c1)]


@handler("repeatCell")
def repeat_cell(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    grid = req.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    mask = mask_of(req)
    source = req.get("cell") or {}
    targets = _cells(r0, r1, c0, c1)
    ensure_editable(ctx.book, sheet, targets, ctx.email)
    results: dict[int, Cell] = {}  # cells that are one object share one result object
    for r, c in targets:
        current = sheet.get(r, c)
        if id(current) not in results:
            results[id(current)] = merge_cell(current, source, mask)
        sheet.put(r, c, results[id(current)])
    return None


@handler("updateCells")
def update_cells(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    mask = mask_of(req)
    rows = req.get("rows") or []
    if "range" in req:
        grid = req["range"]
        sheet = sheet_for_grid(ctx.book, grid)
        r0, r1, c0, c1 = checked_bounds(sheet, grid)
    else:
        start = req.get("start") or {}
        sheet = sheet_for_grid(ctx.book, start)
        r0, c0 = int(start.get("rowIndex", 0) or 0), int(start.get("columnIndex", 0) or 0)
        r1 = r0 + len(rows)
        c1 = c0 + max((len((row or {}).get("values") or []) for row in rows), default=0)
        if r1 > sheet.rows or c1 > sheet.cols:
            raise RequestError(
                f"Attempting to write row: {r1 - 1}, beyond the last requested row of: "
                f"{sheet.rows - 1}"
                if r1 > sheet.rows
                else f"Attempting to write column: {c1 - 1}, beyond the last requested column "
                f"of: {sheet.cols - 1}"
            )
    covered: dict[tuple[int, int], dict[str, Any]] = {}
    for i, row in enumerate(rows):
        for j, data in enumerate((row or {}).get("values") or []):
            if r0 + i >= r1 or c0 + j >= c1:
                raise RequestError(
                    f"Attempting to write row: {r0 + i}, beyond the last requested row of: {r1 - 1}"
                )
            covered[(r0 + i, c0 + j)] = data or {}
            source = ((data or {}).get("pivotTable") or {}).get("source")
            if source is not None:  # a pivot table must read an existing sheet
                checked_bounds(sheet_for_grid(ctx.book, source), source)
    targets = _cells(r0, r1, c0, c1) if "range" in req else list(covered)
    ensure_editable(ctx.book, sheet, targets, ctx.email)
    for r, c in targets:
        sheet.put(r, c, merge_cell(sheet.get(r, c), covered.get((r, c), {}), mask))
    return None


def last_data_row(sheet: Sheet) -> int:
    rows = [r for r, row in sheet.cells.items() if any(cell.value for cell in row.values())]
    return max(rows) + 1 if rows else 0


@handler("appendCells")
def append_cells(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet = ctx.sheet(req.get("sheetId"))
    mask = mask_of(req)
    rows = req.get("rows") or []
    start = last_data_row(sheet)
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    if start + len(rows) > sheet.rows:
        sheet.set_size(start + len(rows), sheet.cols)
    if width > sheet.cols:
        sheet.set_size(sheet.rows, width)
    for i, row in enumerate(rows):
        for j, data in enumerate((row or {}).get("values") or []):
            sheet.put(start + i, j, merge_cell(sheet.get(start + i, j), data or {}, mask))
    return None


@handler("setDataValidation")
def set_data_validation(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    grid = req.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    rule = strip_nulls(req.get("rule")) or None
    if rule is not None:
        condition = rule.get("condition") or {}
        if not condition.get("type"):
            raise RequestError("Invalid ConditionType: CONDITION_TYPE_UNSPECIFIED")
        if condition["type"] in ("ONE_OF_LIST", "ONE_OF_RANGE") and not condition.get("values"):
            raise RequestError(f"{condition['type']} condition requires at least one value.")
    for r, c in _cells(r0, r1, c0, c1):
        sheet.put(r, c, sheet.get(r, c).with_(validation=rule))
    return None


@handler("updateBorders")
def update_borders(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    grid = req.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    mask = parse_mask("userEnteredFormat.borders")
    for r, c in _cells(r0, r1, c0, c1):
        cell = sheet.get(r, c)
        borders = dict((cell.format or {}).get("borders") or {})
        sides = {
            "top": req.get("top") if r == r0 else req.get("innerHorizontal"),
            "bottom": req.get("bottom") if r == r1 - 1 else req.get("innerHorizontal"),
            "left": req.get("left") if c == c0 else req.get("innerVertical"),
            "right": req.get("right") if c == c1 - 1 else req.get("innerVertical"),
        }
        for side, border in sides.items():
            if border is None:
                continue
            if border.get("style") == "NONE":
                borders.pop(side, None)
            else:
                borders[side] = sync_colors(strip_nulls(border))
        data = {"userEnteredFormat": {"borders": borders}} if borders else {}
        sheet.put(r, c, merge_cell(cell, data, mask))
    return None


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["startRowIndex"] < b["endRowIndex"]
        and b["startRowIndex"] < a["endRowIndex"]
        and a["startColumnIndex"] < b["endColumnIndex"]
        and b["startColumnIndex"] < a["endColumnIndex"]
    )


def _contains(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    return (
        outer["startRowIndex"] <= inner["startRowIndex"]
        and inner["endRowIndex"] <= outer["endRowIndex"]
        and outer["startColumnIndex"] <= inner["startColumnIndex"]
        and inner["endColumnIndex"] <= outer["endColumnIndex"]
    )


@handler("mergeCells")
def merge_cells(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    grid = req.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    kind = req.get("mergeType") or "MERGE_ALL"
    if kind == "MERGE_ROWS":
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    else:
        pieces = [(r0, r1, c0, c1)]
    whole = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
    for merge in sheet.merges:
        if _overlaps(merge, whole) and not _contains(whole, merge):
            raise RequestError("You can't merge cells that partially overlap another merge.")
    frozen_rows = sheet.props["gridProperties"].get("frozenRowCount", 0)
    if frozen_rows and r0 < frozen_rows < r1 and kind != "MERGE_ROWS":
        raise RequestError("You can't merge frozen and non-frozen rows.")
    sheet.merges = [m for m in sheet.merges if not _contains(whole, m)]
    for pr0, pr1, pc0, pc1 in pieces:
        if pr1 - pr0 == 1 and pc1 - pc0 == 1:
            continue
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": pr0,
                "endRowIndex": pr1,
                "startColumnIndex": pc0,
                "endColumnIndex": pc1,
            }
        )
        for r in range(pr0, pr1):
            for c in range(pc0, pc1):
                if (r, c) != (pr0, pc0):
                    sheet.put(r, c, sheet.get(r, c).with_(value=None))
    return None


@handler("unmergeCells")
def unmerge_cells(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    grid = req.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    whole = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
    for merge in sheet.merges:
        if _overlaps(merge, whole) and not _contains(whole, merge):
            raise RequestError(
                "You must select all cells in a merged range to merge or unmerge them."
            )
    sheet.merges = [m for m in sheet.merges if not _contains(whole, m)]
    return None
