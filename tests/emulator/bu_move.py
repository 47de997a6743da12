"""batchUpdate requests that move data: copyPaste, cutPaste, sortRange, findReplace."""

from __future__ import annotations

import re
from functools import cmp_to_key
from typing import Any

from .access import ensure_editable
from .calc import Calc
from .errors import RequestError
from .formula import FormulaError
from .functions import Scalar
from .model import EMPTY, Cell, Sheet
from .ranges import checked_bounds, sheet_for_grid
from .registry import BatchContext, Reply, handler


def _paste_cell(source: Cell, target: Cell, paste_type: str, calc: Calc | None) -> Cell:
    if paste_type == "PASTE_NORMAL":
        return source
    if paste_type == "PASTE_NO_BORDERS":
        fmt = dict(source.format or {})
        fmt.pop("borders", None)
        if (target.format or {}).get("borders"):
            fmt["borders"] = (target.format or {})["borders"]
        return source.with_(format=fmt or None)
    if paste_type == "PASTE_FORMAT":
        return target.with_(format=source.format)
    if paste_type == "PASTE_DATA_VALIDATION":
        return target.with_(validation=source.validation)
    if paste_type == "PASTE_FORMULA":
        return target.with_(value=source.value)
    if paste_type == "PASTE_VALUES":
        value = source.value
        if value and "formulaValue" in value and calc is not None:
            value = None  # replaced by the computed value below
        return target.with_(value=value)
    return target


def _computed(calc: Calc, sheet: Sheet, row: int, col: int) -> dict[str, Any] | None:
    value = calc.effective(sheet, row, col)
    if value is None or isinstance(value, FormulaError):
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float):
        return {"numberValue": value}
    return {"stringValue": value}


@handler("copyPaste")
def copy_paste(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    src_grid, dst_grid = req.get("source") or {}, req.get("destination") or {}
    src_sheet, dst_sheet = sheet_for_grid(ctx.book, src_grid), sheet_for_grid(ctx.book, dst_grid)
    sr0, sr1, sc0, sc1 = checked_bounds(src_sheet, src_grid)
    dr0, dr1, dc0, dc1 = checked_bounds(dst_sheet, dst_grid)
    paste_type = req.get("pasteType") or "PASTE_NORMAL"
    transpose = req.get("pasteOrientation") == "TRANSPOSE"
    calc = ctx.calc()
    height, width = sr1 - sr0, sc1 - sc0
    if transpose:
        height, width = width, height
    block: dict[tuple[int, int], Cell] = {}
    for i in range(sr1 - sr0):
        for j in range(sc1 - sc0):
            cell = src_sheet.get(sr0 + i, sc0 + j)
            if paste_type == "PASTE_VALUES" and cell.value and "formulaValue" in cell.value:
                cell = cell.with_(value=_computed(calc, src_sheet, sr0 + i, sc0 + j))
            block[(j, i) if transpose else (i, j)] = cell
    reps_r = max(1, (dr1 - dr0) // height) if (dr1 - dr0) % height == 0 else 1
    reps_c = max(1, (dc1 - dc0) // width) if (dc1 - dc0) % width == 0 else 1
    targets = [
        (dr0 + a * height + i, dc0 + b * width + j)
        for a in range(reps_r)
        for b in range(reps_c)
        for i in range(height)
        for j in range(width)
    ]
    if any(r >= dst_sheet.rows or c >= dst_sheet.cols for r, c in targets):
        raise RequestError("The paste range extends beyond the grid.")
    ensure_editable(ctx.book, dst_sheet, targets, ctx.email)
    for r, c in targets:
        source = block[((r - dr0) % height, (c - dc0) % width)]
        dst_sheet.put(r, c, _paste_cell(source, dst_sheet.get(r, c), paste_type, None))
    return None


@handler("cutPaste")
def cut_paste(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    src_grid, dest = req.get("source") or {}, req.get("destination") or {}
    src_sheet, dst_sheet = sheet_for_grid(ctx.book, src_grid), sheet_for_grid(ctx.book, dest)
    sr0, sr1, sc0, sc1 = checked_bounds(src_sheet, src_grid)
    dr0, dc0 = int(dest.get("rowIndex", 0) or 0), int(dest.get("columnIndex", 0) or 0)
    paste_type = req.get("pasteType") or "PASTE_NORMAL"
    if dr0 + (sr1 - sr0) > dst_sheet.rows or dc0 + (sc1 - sc0) > dst_sheet.cols:
        raise RequestError("The paste range extends beyond the grid.")
    block = {
        (i, j): src_sheet.get(sr0 + i, sc0 + j) for i in range(sr1 - sr0) for j in range(sc1 - sc0)
    }
    sources = [(sr0 + i, sc0 + j) for i, j in block]
    targets = [(dr0 + i, dc0 + j) for i, j in block]
    ensure_editable(ctx.book, src_sheet, sources, ctx.email)
    ensure_editable(ctx.book, dst_sheet, targets, ctx.email)
    for r, c in sources:
        src_sheet.put(r, c, EMPTY if paste_type == "PASTE_NORMAL" else src_sheet.get(r, c))
    for (i, j), cell in block.items():
        target = dst_sheet.get(dr0 + i, dc0 + j)
        dst_sheet.put(dr0 + i, dc0 + j, _paste_cell(cell, target, paste_type, None))
    return None


def sort_key_compare(a: Scalar, b: Scalar) -> int:
    """Sheets' sort order: numbers < text (case-insensitive) < booleans < errors."""

    def rank(v: Scalar) -> tuple[int, Any]:
        if isinstance(v, bool):
            return (2, v)
        if isinstance(v, float):
            return (0, v)
        if isinstance(v, FormulaError):
            return (3, v.code)
        return (1, str(v).lower())

    ra, rb = rank(a), rank(b)
    return (ra > rb) - (ra < rb)


def sort_rows(
    calc: Calc, sheet: Sheet, r0: int, r1: int, c0: int, c1: int, specs: list[dict[str, Any]]
) -> None:
    """Sort the rows of a block by the given columns; blanks always sort last."""
    rows = list(range(r0, r1))
    keys = {
        r: [calc.effective(sheet, r, int(spec.get("dimensionIndex", 0) or 0)) for spec in specs]
        for r in rows
    }

    def compare(a: int, b: int) -> int:
        for index, spec in enumerate(specs):
            va, vb = keys[a][index], keys[b][index]
            blank_a, blank_b = va is None or va == "", vb is None or vb == ""
            if blank_a or blank_b:
                if blank_a and blank_b:
                    continue
                return 1 if blank_a else -1
            result = sort_key_compare(va, vb)
            if spec.get("sortOrder") == "DESCENDING":
                result = -result
            if result:
                return result
        return 0

    ordered = sorted(rows, key=cmp_to_key(compare))
    snapshot = {r: {c: sheet.get(r, c) for c in range(c0, c1)} for r in rows}
    for target, source in zip(rows, ordered, strict=True):
        for c in range(c0, c1):
            sheet.put(target, c, snapshot[source][c])


@handler("sortRange")
def sort_range(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    grid = req.get("range") or {}
    sheet = sheet_for_grid(ctx.book, grid)
    r0, r1, c0, c1 = checked_bounds(sheet, grid)
    specs = req.get("sortSpecs") or []
    for spec in specs:
        index = int(spec.get("dimensionIndex", 0) or 0)
        if not c0 <= index < c1:
            raise RequestError(f"Sort dimension index {index} is outside the range.")
    ensure_editable(
        ctx.book, sheet, [(r, c) for r in range(r0, r1) for c in range(c0, c1)], ctx.email
    )
    sort_rows(ctx.calc(), sheet, r0, r1, c0, c1, specs)
    return None


@handler("findReplace")
def find_replace(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    find = req.get("find")
    if not find:
        raise RequestError("Find string must not be empty.")
    replacement = req.get("replacement") or ""
    flags = 0 if req.get("matchCase") else re.IGNORECASE
    pattern = find if req.get("searchByRegex") else re.escape(find)
    if req.get("matchEntireCell"):
        pattern = f"^(?:{pattern})$"
    try:
        regex = re.compile(pattern, flags)
    except re.error as exc:
        raise RequestError(f"Invalid regular expression: {find}") from exc
    if req.get("range"):
        sheet = sheet_for_grid(ctx.book, req["range"])
        bounds = {sheet.sheet_id: checked_bounds(sheet, req["range"])}
        sheets = [sheet]
    elif req.get("allSheets"):
        sheets = list(ctx.book.sheets)
        bounds = {s.sheet_id: (0, s.rows, 0, s.cols) for s in sheets}
    else:
        sheets = [ctx.sheet(req.get("sheetId"))]
        bounds = {s.sheet_id: (0, s.rows, 0, s.cols) for s in sheets}
    counts = {"values": 0, "formulas": 0, "occurrences": 0}
    rows_changed: set[tuple[int, int]] = set()
    sheets_changed: set[int] = set()
    for sheet in sheets:
        r0, r1, c0, c1 = bounds[sheet.sheet_id]
        for r, c, cell in sheet.iter_cells():
            if not (r0 <= r < r1 and c0 <= c < c1) or not cell.value:
                continue
            key = "formulaValue" if "formulaValue" in cell.value else "stringValue"
            if key == "formulaValue" and not req.get("includeFormulas"):
                continue
            text = cell.value.get(key)
            if not isinstance(text, str):
                continue
            new_text, n = regex.subn(replacement.replace("\\", "\\\\"), text)
            if n and new_text != text:
                sheet.put(r, c, cell.with_(value={key: new_text}))
                counts["formulas" if key == "formulaValue" else "values"] += 1
                counts["occurrences"] += n
                rows_changed.add((sheet.sheet_id, r))
                sheets_changed.add(sheet.sheet_id)
    reply: dict[str, Any] = {}
    for key, value in (
        ("valuesChanged", counts["values"]),
        ("formulasChanged", counts["formulas"]),
        ("rowsChanged", len(rows_changed)),
        ("sheetsChanged", len(sheets_changed)),
        ("occurrencesChanged", counts["occurrences"]),
    ):
        if value:
            reply[key] = value
    return reply
