"""Resolving A1 strings and GridRanges against a spreadsheet."""

from __future__ import annotations

from typing import Any

from .a1 import Bounds, format_range, parse_range
from .errors import ApiError, RequestError, bad_request
from .model import Sheet, Spreadsheet


def unable_to_parse(text: str) -> ApiError:
    return bad_request(f"Unable to parse range: {text}")


def _named(book: Spreadsheet, name: str, sheet: Sheet | None) -> tuple[Sheet, Bounds] | None:
    for named in book.named_ranges:
        if named["name"].lower() != name.lower():
            continue
        rng = named["range"]
        target = book.sheet_by_id(rng.get("sheetId", 0))
        if target is None or (sheet is not None and target is not sheet):
            return None
        return target, grid_to_bounds(rng)
    return None


def resolve_a1(book: Spreadsheet, text: str) -> tuple[Sheet, Bounds]:
    """Sheet and bounds of an A1 range, or Google's 400 'Unable to parse range'."""
    ref = parse_range(text.strip())
    if ref is None:
        raise unable_to_parse(text)
    if ref.sheet is not None:
        sheet = book.sheet_by_title(ref.sheet)
        if sheet is None:
            raise unable_to_parse(text)
        if ref.bounds is not None:
            return sheet, ref.bounds
        if ref.name is None:
            return sheet, Bounds(0, 0, None, None)
        found = _named(book, ref.name, sheet)
        if found is None:
            raise unable_to_parse(text)
        return found
    if ref.bounds is not None:
        return book.first_visible(), ref.bounds
    assert ref.name is not None
    sheet = book.sheet_by_title(ref.name)
    if sheet is not None:
        return sheet, Bounds(0, 0, None, None)
    found = _named(book, ref.name, None)
    if found is None:
        raise unable_to_parse(text)
    return found


def grid_error(sheet: Sheet, cells: str) -> ApiError:
    """Google's 400 for a range beyond the sheet's grid (the sheet is always quoted)."""
    title = sheet.title.replace("'", "''")
    return bad_request(
        f"Range ('{title}'!{cells}) exceeds grid limits. Max rows: {sheet.rows}, "
        f"max columns: {sheet.cols}"
    )


def check_within_grid(sheet: Sheet, bounds: Bounds, text: str) -> None:
    """Reads and clears may not reach beyond the grid (open ends are fine)."""
    if (
        bounds.start_row >= sheet.rows
        or bounds.start_col >= sheet.cols
        or (bounds.end_row is not None and bounds.end_row > sheet.rows)
        or (bounds.end_col is not None and bounds.end_col > sheet.cols)
    ):
        cells = text.rsplit("!", 1)[-1] if "!" in text else text
        raise grid_error(sheet, cells)


def grid_to_bounds(grid_range: dict[str, Any]) -> Bounds:
    return Bounds(
        int(grid_range.get("startRowIndex", 0) or 0),
        int(grid_range.get("startColumnIndex", 0) or 0),
        grid_range.get("endRowIndex"),
        grid_range.get("endColumnIndex"),
    )


def bounds_to_grid(sheet: Sheet, bounds: Bounds) -> dict[str, Any]:
    out: dict[str, Any] = {"sheetId": sheet.sheet_id}
    out["startRowIndex"] = bounds.start_row
    if bounds.end_row is not None:
        out["endRowIndex"] = bounds.end_row
    out["startColumnIndex"] = bounds.start_col
    if bounds.end_col is not None:
        out["endColumnIndex"] = bounds.end_col
    return out


def sheet_for_grid(book: Spreadsheet, grid_range: dict[str, Any] | None) -> Sheet:
    """The sheet a GridRange points at (RequestError if there is none)."""
    sheet_id = int((grid_range or {}).get("sheetId", 0) or 0)
    sheet = book.sheet_by_id(sheet_id)
    if sheet is None:
        raise RequestError(f"No grid with id: {sheet_id}")
    return sheet


def checked_bounds(sheet: Sheet, grid_range: dict[str, Any]) -> tuple[int, int, int, int]:
    """Bounded [r0, r1) x [c0, c1) of a GridRange, validated against the grid."""
    for key in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        value = grid_range.get(key)
        if value is not None and int(value) < 0:
            raise RequestError(f"GridRange.{key}[{value}] must be >= 0")
    b = grid_to_bounds(grid_range).clip(sheet.rows, sheet.cols)
    raw_end_row = grid_range.get("endRowIndex")
    raw_end_col = grid_range.get("endColumnIndex")
    if (
        b.start_row < 0
        or b.start_col < 0
        or (raw_end_row is not None and raw_end_row > sheet.rows)
        or (raw_end_col is not None and raw_end_col > sheet.cols)
        or b.start_row > sheet.rows
        or b.start_col > sheet.cols
    ):
        raise RequestError(grid_error(sheet, describe(sheet, grid_range).split("!")[-1]).message)
    assert b.end_row is not None and b.end_col is not None
    if b.start_row > b.end_row or b.start_col > b.end_col:
        raise RequestError(
            "The start index of the range must be less than or equal to the end index."
        )
    return b.start_row, b.end_row, b.start_col, b.end_col


def describe(sheet: Sheet, grid_range: dict[str, Any]) -> str:
    b = grid_to_bounds(grid_range)
    end_row = b.end_row if b.end_row is not None else sheet.rows
    end_col = b.end_col if b.end_col is not None else sheet.cols
    return format_range(sheet.title, b.start_row, b.start_col, end_row, end_col)
