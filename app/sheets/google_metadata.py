"""What `GoogleBackend` reads from a spreadsheet's cached metadata: the fields it asks for, the
date order its locale implies, and the rows and columns a write must add to a tab's grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.sheets.backend import RowUpdate, Write
from app.sheets.google_layout import append_dimension
from sheet_schema import DateOrder

METADATA_FIELDS = (
    "properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount)),"
    "conditionalFormats,protectedRanges(protectedRangeId,description),"
    "charts(chartId,spec(title,basicChart(domains,series))))"
)
DMY_LANGUAGES = (
    "en_GB",
    "en_AU",
    "en_NZ",
    "en_IE",
    "en_IN",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "ru",
    "pl",
    "tr",
    "vi",
    "id",
    "ms",
    "da",
    "sv",
    "nb",
    "fi",
)


def locale(meta: Mapping[str, Any] | None) -> str | None:
    """The spreadsheet's locale as Google reports it ("zh_CN"), None without metadata."""
    value = (meta or {}).get("properties", {}).get("locale")
    return str(value) if value else None


def date_order(meta: Mapping[str, Any] | None) -> DateOrder:
    """The order a typed date is read in, by the spreadsheet's locale (unknown: no metadata)."""
    locale = str((meta or {}).get("properties", {}).get("locale", ""))
    if locale.startswith("en_US") or locale.startswith("en_PH"):
        return DateOrder.MDY
    if any(locale == lang or locale.startswith(lang + "_") for lang in DMY_LANGUAGES):
        return DateOrder.DMY
    return DateOrder.UNKNOWN


def grid_growth(
    meta: Mapping[str, Any], updates: Sequence[Write], reserve_rows: Mapping[str, int]
) -> list[dict[str, Any]]:
    """appendDimension requests for tabs the cells (or `reserve_rows`, for a write that
    follows) reach past, rows with headroom so the Timeline grows rarely; the cached grid
    sizes in `meta` are updated to match."""
    sheets = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
    reach: dict[str, list[int]] = {}  # tab -> [last row, last column] of its cells
    for u in updates:
        col = u.last_col if type(u) is RowUpdate else u.col
        last = reach.get(u.tab)
        if last is None:
            reach[u.tab] = [u.row, col]
        else:
            if u.row > last[0]:
                last[0] = u.row
            if col > last[1]:
                last[1] = col
    requests_: list[dict[str, Any]] = []
    for title, sheet in sheets.items():
        last_row, last_col = reach.get(title, (0, 0))
        rows = max(last_row, reserve_rows.get(title, 0))
        if not rows:
            continue
        props = sheet["properties"]
        grid = props.setdefault("gridProperties", {})
        for dimension, key, needed in (
            ("ROWS", "rowCount", rows),
            ("COLUMNS", "columnCount", last_col),
        ):
            have = grid.get(key, 1000 if dimension == "ROWS" else 26)
            if needed > have:
                spare = max(500, needed // 2) if dimension == "ROWS" else 0
                grow = needed - have + spare
                requests_.append(append_dimension(props["sheetId"], dimension, grow))
                grid[key] = have + grow
    return requests_
