"""Conversion between stored cells and the API's CellData (input with field masks,
output with effective values and formats)."""

from __future__ import annotations

import copy
from typing import Any

from .calc import Calc
from .errors import CELL_TOO_LONG, MAX_CELL_CHARS, RequestError
from .fieldmask import MaskTree, apply_mask
from .model import Cell, Sheet
from .normalize import strip_nulls, sync_colors
from .numfmt import DATE_TYPES, default_pattern

_EXTRA_FIELDS = ("hyperlink", "textFormatRuns", "chipRuns", "pivotTable")


def cell_to_data(cell: Cell) -> dict[str, Any]:
    """The writable CellData fields of a stored cell."""
    data: dict[str, Any] = {}
    if cell.value:
        data["userEnteredValue"] = copy.deepcopy(cell.value)
    if cell.format:
        data["userEnteredFormat"] = copy.deepcopy(cell.format)
    if cell.note:
        data["note"] = cell.note
    if cell.validation:
        data["dataValidation"] = copy.deepcopy(cell.validation)
    for key, value in (cell.extra or {}).items():
        data[key] = copy.deepcopy(value)
    return data


def data_to_cell(data: dict[str, Any]) -> Cell:
    value = data.get("userEnteredValue") or None
    for text in (value or {}).get("stringValue"), (value or {}).get("formulaValue"):
        if isinstance(text, str) and len(text) > MAX_CELL_CHARS:
            raise RequestError(CELL_TOO_LONG)
    if value and "errorValue" in value:
        value = None
    fmt = sync_colors(strip_nulls(data.get("userEnteredFormat") or {})) or None
    extra = {k: data[k] for k in _EXTRA_FIELDS if data.get(k)}
    return Cell(
        value=strip_nulls(value) if value else None,
        format=fmt,
        note=data.get("note") or None,
        validation=strip_nulls(data.get("dataValidation")) or None,
        extra=extra or None,
    )


def merge_cell(cell: Cell, source: dict[str, Any], mask: MaskTree) -> Cell:
    """Apply a CellData with a field mask to a stored cell."""
    target = cell_to_data(cell)
    apply_mask(target, strip_nulls(source or {}), mask)
    return data_to_cell(target)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not key.endswith("olor"):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def effective_format(calc: Calc, sheet: Sheet, row: int, col: int) -> dict[str, Any]:
    """defaultFormat overlaid with the cell's format, alignment by value type."""
    cell = sheet.get(row, col)
    fmt = deep_merge(calc.book.props.get("defaultFormat", {}), cell.format or {})
    value = calc.effective(sheet, row, col)
    number_format = calc.number_format(sheet, row, col)
    if number_format:
        if not number_format.get("pattern"):
            pattern = default_pattern(number_format.get("type", ""), calc.locale)
            if pattern:
                number_format["pattern"] = pattern
        fmt["numberFormat"] = number_format
    if "horizontalAlignment" not in fmt and value is not None:
        if isinstance(value, bool):
            fmt["horizontalAlignment"] = "CENTER"
        elif isinstance(value, float):
            fmt["horizontalAlignment"] = "RIGHT"
        else:
            fmt["horizontalAlignment"] = "LEFT"
    fmt.setdefault("hyperlinkDisplayType", "PLAIN_TEXT")
    return sync_colors(fmt)


def cell_output(calc: Calc, sheet: Sheet, row: int, col: int) -> dict[str, Any]:
    """CellData as spreadsheets.get returns it with grid data."""
    cell = sheet.get(row, col)
    out: dict[str, Any] = {}
    if cell.value:
        out["userEnteredValue"] = copy.deepcopy(cell.value)
        effective = calc.effective_value_json(sheet, row, col)
        if effective is not None:
            out["effectiveValue"] = effective
        formatted = calc.formatted(sheet, row, col)
        if formatted is not None:
            out["formattedValue"] = formatted
    if cell.format:
        out["userEnteredFormat"] = copy.deepcopy(cell.format)
    if cell.value or cell.format:
        out["effectiveFormat"] = effective_format(calc, sheet, row, col)
    if cell.note:
        out["note"] = cell.note
    if cell.validation:
        out["dataValidation"] = copy.deepcopy(cell.validation)
    for key, value in (cell.extra or {}).items():
        out[key] = copy.deepcopy(value)
    return out


def is_date_cell(calc: Calc, sheet: Sheet, row: int, col: int) -> bool:
    fmt = calc.number_format(sheet, row, col)
    return bool(fmt and fmt.get("type") in DATE_TYPES)
