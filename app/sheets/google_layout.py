"""Turns the desired `TabLayout`s and the spreadsheet's metadata into batchUpdate requests. Pure.

Only what is missing or different produces requests: a tab that does not exist, a header cell
that is blank, a frozen-row count, a highlight rule or a protection that is not there. When a
tab needs anything, its idempotent formatting (number formats, dropdowns, hidden columns) is
re-applied in the same batch, so one spreadsheets.batchUpdate brings it fully up to date.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from app.sheets.backend import CellUpdate, CellValue, ColumnLayout, HighlightRule, TabLayout
from sheet_schema import to_serial

PROTECTION_PREFIX = "After-sales Desk: computed by the service"
DEFAULT_ROWS = 1000
Json = dict[str, Any]


def layout_requests(
    layouts: Sequence[TabLayout],
    sheets: Mapping[str, Json],
    headers: Mapping[str, Sequence[object]],
    next_sheet_id: int,
) -> list[Json]:
    """Requests that bring every tab to its layout; [] when nothing is missing.

    `sheets` maps titles to the API's Sheet objects (properties, conditionalFormats,
    protectedRanges); `headers` maps titles to the header row as last read.
    """
    requests: list[Json] = []
    for layout in layouts:
        sheet = sheets.get(layout.title)
        needed = max(layout.last_column, max((c.index for c in layout.columns), default=1))
        if sheet is None:
            sheet_id = next_sheet_id
            next_sheet_id += 1
            requests.append(_add_sheet(sheet_id, layout, needed))
            requests += _tab_requests(sheet_id, layout, header_row=(), rules=(), protected=())
            continue
        props = sheet["properties"]
        sheet_id = props["sheetId"]
        grid = props.get("gridProperties", {})
        tab: list[Json] = []
        if grid.get("columnCount", 26) < needed:
            tab.append(_append_columns(sheet_id, needed - grid.get("columnCount", 26)))
        if grid.get("frozenRowCount", 0) < layout.frozen_rows:  # a team's wider freeze stays
            tab.append(_freeze(sheet_id, layout.frozen_rows))
        rules = [_rule_formula(r) for r in sheet.get("conditionalFormats", [])]
        protected = [p.get("description", "") for p in sheet.get("protectedRanges", [])]
        body = _tab_requests(sheet_id, layout, headers.get(layout.title, ()), rules, protected)
        if tab or body:
            requests += tab + body + _formatting(sheet_id, layout)
    return requests


def _tab_requests(
    sheet_id: int,
    layout: TabLayout,
    header_row: Sequence[object],
    rules: Sequence[str | None],
    protected: Sequence[str],
) -> list[Json]:
    """The 'missing' part: blank header cells, highlight rules, protections."""
    out: list[Json] = []
    for column in layout.columns:
        index = column.index - 1
        current = header_row[index] if index < len(header_row) else None
        if current in (None, ""):
            out.append(_header(sheet_id, column))
        if column.protected and _protection_name(column) not in protected:
            out.append(_protect(sheet_id, column))
    for rule in layout.highlights:
        if "=" + rule.formula not in rules:
            out.append(_highlight(sheet_id, rule, layout.last_column))
    if out and not header_row:
        out += _formatting(sheet_id, layout)
    return out


def _formatting(sheet_id: int, layout: TabLayout) -> list[Json]:
    """Idempotent formatting, re-applied whenever a tab is touched."""
    out: list[Json] = []
    for column in layout.columns:
        col = column.index - 1
        if column.protected and layout.bold_header:  # only the service's own headers
            out.append(
                {
                    "repeatCell": {
                        "range": _range(sheet_id, 0, 1, col, col + 1),
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                }
            )
        if column.number_format:
            out.append(
                {
                    "repeatCell": {
                        "range": _range(sheet_id, 1, None, col, col + 1),
                        "cell": {"userEnteredFormat": {"numberFormat": _number_format(column)}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
        if column.choices:
            out.append(
                {
                    "setDataValidation": {
                        "range": _range(sheet_id, 1, None, col, col + 1),
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": c} for c in column.choices],
                            },
                            "strict": column.strict_choices,
                            "showCustomUi": True,
                        },
                    }
                }
            )
        if column.hidden:
            out.append(
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": col,
                            "endIndex": col + 1,
                        },
                        "properties": {"hiddenByUser": True},
                        "fields": "hiddenByUser",
                    }
                }
            )
    return out


def _add_sheet(sheet_id: int, layout: TabLayout, columns: int) -> Json:
    return {
        "addSheet": {
            "properties": {
                "sheetId": sheet_id,
                "title": layout.title,
                "gridProperties": {
                    "rowCount": DEFAULT_ROWS,
                    "columnCount": max(26, columns),
                    "frozenRowCount": layout.frozen_rows,
                },
            }
        }
    }


def _append_columns(sheet_id: int, length: int) -> Json:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": length}}


def append_dimension(sheet_id: int, dimension: str, length: int) -> Json:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def _freeze(sheet_id: int, rows: int) -> Json:
    return {
        "updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": rows}},
            "fields": "gridProperties.frozenRowCount",
        }
    }


def _header(sheet_id: int, column: ColumnLayout) -> Json:
    col = column.index - 1
    return {
        "updateCells": {
            "range": _range(sheet_id, 0, 1, col, col + 1),
            "rows": [{"values": [{"userEnteredValue": {"stringValue": column.header}}]}],
            "fields": "userEnteredValue",
        }
    }


def _protection_name(column: ColumnLayout) -> str:
    return f"{PROTECTION_PREFIX}: {column.header}"


def _protect(sheet_id: int, column: ColumnLayout) -> Json:
    col = column.index - 1
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": _range(sheet_id, 0, None, col, col + 1),
                "description": _protection_name(column),
                "warningOnly": True,
            }
        }
    }


def _highlight(sheet_id: int, rule: HighlightRule, last_column: int) -> Json:
    fmt: Json = {"backgroundColor": _color(rule.fill)}
    if rule.font:
        fmt["textFormat"] = {"foregroundColor": _color(rule.font)}
    return {
        "addConditionalFormatRule": {
            "index": 0,
            "rule": {
                "ranges": [_range(sheet_id, 1, None, 0, max(last_column, 1))],
                "booleanRule": {
                    "condition": {
                        "type": "CUSTOM_FORMULA",
                        "values": [{"userEnteredValue": "=" + rule.formula}],
                    },
                    "format": fmt,
                },
            },
        }
    }


def _rule_formula(rule: Json) -> str | None:
    values = rule.get("booleanRule", {}).get("condition", {}).get("values", [])
    return values[0].get("userEnteredValue") if values else None


def _number_format(column: ColumnLayout) -> Json:
    pattern = column.number_format or ""
    has_date = any(t in pattern for t in ("yy", "dd"))
    kind = ("DATE_TIME" if "h" in pattern else "DATE") if has_date else "NUMBER"
    return {"type": kind, "pattern": pattern}


def _range(sheet_id: int, row0: int, row1: int | None, col0: int, col1: int | None) -> Json:
    out: Json = {"sheetId": sheet_id, "startRowIndex": row0, "startColumnIndex": col0}
    if row1 is not None:
        out["endRowIndex"] = row1
    if col1 is not None:
        out["endColumnIndex"] = col1
    return out


def _color(hex_rgb: str) -> Json:
    r, g, b = (int(hex_rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(r, 4), "green": round(g, 4), "blue": round(b, 4)}


def cell_requests(
    updates: Sequence[CellUpdate], sheet_ids: Mapping[str, int], max_bytes: int
) -> list[list[Json]]:
    """updateCells requests setting the given cells (RAW: text stays text), one per run of
    adjacent cells in a row, grouped into bodies of at most ~max_bytes."""
    runs: list[list[CellUpdate]] = []
    for update in sorted(updates, key=lambda u: (u.tab, u.row, u.col)):
        last = runs[-1][-1] if runs else None
        if last and (update.tab, update.row, update.col) == (last.tab, last.row, last.col + 1):
            runs[-1].append(update)
        else:
            runs.append([update])
    bodies: list[list[Json]] = [[]]
    size = 0
    for run in runs:
        first = run[0]
        request = {
            "updateCells": {
                "start": {
                    "sheetId": sheet_ids[first.tab],
                    "rowIndex": first.row - 1,
                    "columnIndex": first.col - 1,
                },
                "rows": [{"values": [_cell_data(u.value) for u in run]}],
                "fields": "userEnteredValue",
            }
        }
        request_size = len(json.dumps(request, ensure_ascii=False, default=str))
        if bodies[-1] and size + request_size > max_bytes:
            bodies.append([])
            size = 0
        bodies[-1].append(request)
        size += request_size
    return bodies


def _cell_data(value: CellValue) -> Json:
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, str):
        return {"userEnteredValue": {"stringValue": value}}
    if isinstance(value, datetime):
        return {"userEnteredValue": {"numberValue": to_serial(value.replace(tzinfo=None))}}
    if isinstance(value, date):
        return {"userEnteredValue": {"numberValue": to_serial(value)}}
    return {"userEnteredValue": {"numberValue": value}}
