"""batchUpdate requests on rows and columns: insert / delete / append / move dimensions,
dimension properties, auto-resize and row / column groups."""

from __future__ import annotations

import copy
from typing import Any

from .access import ensure_editable
from .errors import RequestError
from .fieldmask import apply_mask
from .formula import shift_formula
from .model import COL_PIXELS, ROW_PIXELS, Cell, Sheet, shift_grid_range
from .normalize import dimension_range_out, strip_nulls
from .registry import BatchContext, Reply, handler, mask_of


def _dim_range(ctx: BatchContext, rng: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = ctx.sheet(rng.get("sheetId"))
    dim = rng.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise RequestError("Invalid dimension: " + str(dim))
    size = sheet.rows if dim == "ROWS" else sheet.cols
    start = int(rng.get("startIndex", 0) or 0)
    end = rng.get("endIndex")
    end = size if end is None else int(end)
    if start < 0:
        raise RequestError(f"DimensionRange.startIndex[{start}] must be >= 0")
    if end < start:
        raise RequestError(
            "The start index of the range must be less than or equal to the end index."
        )
    return sheet, dim, start, end


def _shift_named(
    ctx: BatchContext, sheet: Sheet, dim: str, at: int, count: int, delete: bool
) -> None:
    kept = []
    for named in ctx.book.named_ranges:
        if named["range"].get("sheetId", 0) != sheet.sheet_id:
            kept.append(named)
            continue
        moved = shift_grid_range(named["range"], dim, at, count, delete)
        if moved is not None:
            named["range"] = moved
            kept.append(named)
    ctx.book.named_ranges = kept


CELL_LIMIT = 10_000_000


def _check_cell_limit(ctx: BatchContext, added: int) -> None:
    """Google caps a spreadsheet at ten million cells."""
    if sum(s.rows * s.cols for s in ctx.book.sheets) + added > CELL_LIMIT:
        raise RequestError(
            "This action would increase the number of cells in the workbook above the limit "
            "of 10000000 cells."
        )


def _rewrite_formulas(
    ctx: BatchContext, sheet: Sheet, dim: str, at: int, count: int, delete: bool
) -> None:
    """Formulas anywhere in the spreadsheet follow the inserted / deleted rows or columns."""
    for other in ctx.book.sheets:
        for r, c, cell in other.iter_cells():
            formula = (cell.value or {}).get("formulaValue")
            if formula:
                new = shift_formula(formula, other.title, sheet.title, dim, at, count, delete)
                if new != formula:
                    other.put(r, c, cell.with_(value={"formulaValue": new}))


def _inherit(sheet: Sheet, dim: str, start: int, end: int, source: int) -> None:
    """Copy formats, validation and dimension properties of one row/column to new ones."""
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    if source in meta:
        for index in range(start, end):
            meta[index] = copy.deepcopy(meta[source])
    if dim == "ROWS":
        template = {c: cell for c, cell in sheet.cells.get(source, {}).items()}
        pairs = [((r, c), cell) for r in range(start, end) for c, cell in template.items()]
    else:
        pairs = [
            ((r, c), row[source])
            for r, row in list(sheet.cells.items())
            if source in row
            for c in range(start, end)
        ]
    templates: dict[int, Cell] = {}
    for (r, c), cell in pairs:
        if cell.format or cell.validation:
            if id(cell) not in templates:
                templates[id(cell)] = Cell(format=cell.format, validation=cell.validation)
            sheet.put(r, c, templates[id(cell)])


@handler("insertDimension")
def insert_dimension(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dim_range(ctx, req.get("range") or {})
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if start > size:
        raise RequestError(
            f"Cannot insert {dim.lower()} at index {start}; the sheet has only {size} "
            f"{dim.lower()}."
        )
    if end == start:
        raise RequestError("Range to insert must not be empty.")
    before = bool(req.get("inheritFromBefore"))
    if before and start == 0:
        raise RequestError("Cannot inherit from before when inserting at the start of the sheet.")
    _check_cell_limit(ctx, (end - start) * (sheet.cols if dim == "ROWS" else sheet.rows))
    sheet.insert(dim, start, end - start)
    _shift_named(ctx, sheet, dim, start, end - start, delete=False)
    _rewrite_formulas(ctx, sheet, dim, start, end - start, delete=False)
    source = start - 1 if before else end
    if 0 <= source < (sheet.rows if dim == "ROWS" else sheet.cols):
        _inherit(sheet, dim, start, end, source)
    return None


@handler("deleteDimension")
def delete_dimension(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dim_range(ctx, req.get("range") or {})
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if end > size:
        raise RequestError(
            f"Range ({dim.lower()} {start}-{end}) exceeds grid limits. Max {dim.lower()}: {size}"
        )
    if start == 0 and end >= size:
        raise RequestError(f"You can't delete all the {dim.lower()} on the sheet.")
    if dim == "ROWS":
        cells = [(r, c) for r, row in sheet.cells.items() if start <= r < end for c in row]
    else:
        cells = [(r, c) for r, row in sheet.cells.items() for c in row if start <= c < end]
    ensure_editable(ctx.book, sheet, cells, ctx.email)
    sheet.delete(dim, start, end - start)
    _shift_named(ctx, sheet, dim, start, end - start, delete=True)
    _rewrite_formulas(ctx, sheet, dim, start, end - start, delete=True)
    return None


@handler("appendDimension")
def append_dimension(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet = ctx.sheet(req.get("sheetId"))
    length = int(req.get("length", 0) or 0)
    if length <= 0:
        raise RequestError("Length must be greater than 0.")
    _check_cell_limit(
        ctx, length * (sheet.rows if req.get("dimension") == "COLUMNS" else sheet.cols)
    )
    if req.get("dimension") == "COLUMNS":
        sheet.set_size(sheet.rows, sheet.cols + length)
    elif req.get("dimension") == "ROWS":
        sheet.set_size(sheet.rows + length, sheet.cols)
    else:
        raise RequestError("Invalid dimension: " + str(req.get("dimension")))
    return None


@handler("updateDimensionProperties")
def update_dimension_properties(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dim_range(ctx, req.get("range") or {})
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if end > size:
        raise RequestError(f"Range exceeds grid limits. Max {dim.lower()}: {size}")
    mask = mask_of(req)
    props = strip_nulls(req.get("properties") or {})
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    default = ROW_PIXELS if dim == "ROWS" else COL_PIXELS
    for index in range(start, end):
        target = dict(meta.get(index, {}))
        apply_mask(target, props, mask)
        if target.get("pixelSize") == default:
            target.pop("pixelSize")
        target = {k: v for k, v in target.items() if v not in (False, None, {})}
        if target:
            meta[index] = target
        else:
            meta.pop(index, None)
    return None


@handler("autoResizeDimensions")
def auto_resize_dimensions(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    rng = req.get("dimensions") or {}
    sheet, dim, start, end = _dim_range(ctx, rng)
    calc = ctx.calc()
    for index in range(start, end):
        if dim == "COLUMNS":
            texts = [
                calc.formatted(sheet, r, index) or ""
                for r, row in sheet.cells.items()
                if index in row
            ]
            width = max((max(len(line) for line in t.split("\n")) for t in texts), default=0)
            size = max(width * 7 + 11, 21) if width else COL_PIXELS
            sheet.col_meta.setdefault(index, {})["pixelSize"] = size
        else:
            lines = [
                (calc.formatted(sheet, index, c) or "").count("\n") + 1
                for c in sheet.cells.get(index, {})
            ]
            sheet.row_meta.setdefault(index, {})["pixelSize"] = ROW_PIXELS + 17 * (
                max(lines, default=1) - 1
            )
    return None


@handler("moveDimension")
def move_dimension(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dim_range(ctx, req.get("source") or {})
    dest = int(req.get("destinationIndex", 0) or 0)
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if dest > size or end > size:
        raise RequestError("Destination index is out of range.")
    order = list(range(size))
    moved = order[start:end]
    rest = order[:start] + order[end:]
    insert_at = dest if dest <= start else dest - (end - start)
    order = rest[:insert_at] + moved + rest[insert_at:]
    mapping = {old: new for new, old in enumerate(order)}
    if dim == "ROWS":
        sheet.cells = {mapping[r]: row for r, row in sheet.cells.items()}
        sheet.row_meta = {mapping[i]: v for i, v in sheet.row_meta.items()}
    else:
        sheet.cells = {
            r: {mapping[c]: cell for c, cell in row.items()} for r, row in sheet.cells.items()
        }
        sheet.col_meta = {mapping[i]: v for i, v in sheet.col_meta.items()}
    return None


def _groups_out(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(groups, key=lambda g: (g["depth"], g["range"]["startIndex"]))
    out = []
    for group in ordered:
        item = {"range": dimension_range_out(group["range"]), "depth": group["depth"]}
        if group.get("collapsed"):
            item["collapsed"] = True
        out.append(item)
    return out


def _groups(sheet: Sheet, dim: str) -> list[dict[str, Any]]:
    return sheet.row_groups if dim == "ROWS" else sheet.col_groups


@handler("addDimensionGroup")
def add_dimension_group(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dim_range(ctx, req.get("range") or {})
    groups = _groups(sheet, dim)
    depth = 1 + sum(
        1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]
    )
    if depth > 8:
        raise RequestError("Groups cannot be nested more than 8 levels deep.")
    groups.append(
        {
            "range": {
                "sheetId": sheet.sheet_id,
                "dimension": dim,
                "startIndex": start,
                "endIndex": end,
            },
            "depth": depth,
        }
    )
    control = "rowGroupControlAfter" if dim == "ROWS" else "columnGroupControlAfter"
    sheet.props["gridProperties"].setdefault(control, True)
    return {"dimensionGroups": _groups_out(groups)}


@handler("deleteDimensionGroup")
def delete_dimension_group(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    sheet, dim, start, end = _dim_range(ctx, req.get("range") or {})
    groups = _groups(sheet, dim)
    matching = [
        g for g in groups if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end
    ]
    if not matching:
        raise RequestError("No dimension group found in the specified range.")
    groups.remove(max(matching, key=lambda g: g["depth"]))
    out = _groups_out(groups)
    return {"dimensionGroups": out} if out else {}


@handler("updateDimensionGroup")
def update_dimension_group(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    group = req.get("dimensionGroup") or {}
    sheet, dim, start, end = _dim_range(ctx, group.get("range") or {})
    for existing in _groups(sheet, dim):
        rng = existing["range"]
        if (
            rng["startIndex"] == start
            and rng["endIndex"] == end
            and existing["depth"] == group.get("depth", existing["depth"])
        ):
            apply_mask(existing, strip_nulls(group), mask_of(req))
            existing["range"] = rng
            return None
    raise RequestError("No dimension group found in the specified range.")
