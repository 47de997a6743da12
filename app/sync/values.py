"""Comparing what a cell holds with what the service wants to write there.

A write is planned only when the value would change, so a second sync of an unchanged sheet
writes nothing. Both sides are compared in the column's type: a date read back from Google as a
serial number equals the same date the service computed.
"""

from __future__ import annotations

from datetime import date, datetime

from app.sheets.backend import CellValue
from sheet_schema import ColumnSpec, ColumnType, ParseContext, is_blank, parse_cell


def same_value(spec: ColumnSpec, current: CellValue, desired: CellValue, ctx: ParseContext) -> bool:
    """True when writing `desired` over `current` would change nothing a person can see."""
    if desired is None or desired == "":
        return is_blank(current)
    if is_blank(current):
        return False
    if spec.type in (ColumnType.DATE, ColumnType.DATETIME, ColumnType.DATE_OR_DATETIME):
        parsed = parse_cell(spec, current, ctx).value
        if isinstance(desired, int | float) and not isinstance(desired, bool):
            # A value as Google reads it (a serial number), e.g. one an undo puts back.
            desired = parse_cell(spec, desired, ctx).value
            return parsed is not None and parsed == desired
        if isinstance(desired, datetime) and isinstance(parsed, datetime):
            return _wall(parsed) == _wall(desired)
        if isinstance(desired, date) and not isinstance(desired, datetime):
            return parsed == desired and not isinstance(parsed, datetime)
        return False
    if spec.type in (ColumnType.INTEGER, ColumnType.NUMBER):
        if isinstance(current, bool) or not isinstance(current, int | float):
            return False
        return isinstance(desired, int | float) and float(current) == float(desired)
    if isinstance(current, str):
        return current == desired
    return False


def _wall(value: datetime) -> datetime:
    """Wall-clock time to the minute: sheets store no time zone, and we write minutes."""
    return value.replace(tzinfo=None, second=0, microsecond=0)
