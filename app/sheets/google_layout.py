"""Turns the desired `TabLayout`s and the spreadsheet's metadata into batchUpdate requests. Pure.

Only what is missing or different produces requests: a tab that does not exist, a header cell
that is blank, a frozen-row count, a highlight rule or a protection that is not there. When a
tab needs anything, its idempotent formatting (number formats, dropdowns, hidden columns) is
re-applied in the same batch, so one spreadsheets.batchUpdate brings it fully up to date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.sheets.backend import ColumnLayout, HighlightRule, TabLayout
from app.sheets.google_charts import Json, add_chart, chart_ranges, grid_range, pivot_request

PROTECTION_PREFIX = "After-sales Desk: computed by the service"
DEFAULT_ROWS = 1000


def layout_requests(
    layouts: Sequence[TabLayout],
    sheets: Mapping[str, Json],
    headers: Mapping[str, Sequence[object]],
    next_sheet_id: int,
) -> list[Json]:
    """Requests that bring every tab to its layout; [] when nothing is missing.

    `sheets` maps titles to the API's Sheet objects (properties, conditionalFormats,
    protectedRanges, charts); `headers` maps titles to the header row as last read.

    A chart is added when the tab has no chart of the same title, and its spec updated when
    its data ranges moved. A pivot table is written with the tab's new charts (same batch,
    all-or-nothing) or with a new tab: a tab that has its charts has its pivot, so a steady
    sheet needs no request and no extra read (metadata carries no cell contents).
    """
    requests: list[Json] = []
    sheet_ids = {title: sheet["properties"]["sheetId"] for title, sheet in sheets.items()}
    for layout in layouts:  # new tabs get their ids first: a pivot may read a tab added later
        if layout.title not in sheet_ids:
            sheet_ids[layout.title] = next_sheet_id
            next_sheet_id += 1
    for layout in layouts:
        sheet = sheets.get(layout.title)
        needed = max(
            layout.last_column,
            max((c.index for c in layout.columns), default=1),
            max((c.anchor[1] for c in layout.charts), default=1),
            layout.pivot.anchor[1] if layout.pivot else 1,
        )
        if sheet is None:
            sheet_id = sheet_ids[layout.title]
            requests.append(_add_sheet(sheet_id, layout, needed))
            requests += _tab_requests(sheet_id, layout, header_row=(), rules=(), protected=())
            requests += _object_requests(sheet_id, layout, {}, sheet_ids, new_tab=True)
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
        elif layout.refresh_choices:
            requests += _dropdowns(sheet_id, layout)
        charts = {c.get("spec", {}).get("title"): c for c in sheet.get("charts", [])}
        requests += _object_requests(sheet_id, layout, charts, sheet_ids, new_tab=False)
    return requests


def _object_requests(
    sheet_id: int,
    layout: TabLayout,
    charts: Mapping[str | None, Json],
    sheet_ids: Mapping[str, int],
    *,
    new_tab: bool,
) -> list[Json]:
    """addChart for each chart whose title the tab lacks (the pivot table along with them);
    updateChartSpec for a chart whose data ranges moved (the tables above grew)."""
    out: list[Json] = []
    added = False
    for spec in layout.charts:
        wanted = add_chart(sheet_id, spec)["addChart"]["chart"]
        have = charts.get(spec.title)
        if have is None:
            out.append({"addChart": {"chart": wanted}})
            added = True
        elif chart_ranges(have.get("spec", {})) != chart_ranges(wanted["spec"]):
            out.append({"updateChartSpec": {"chartId": have["chartId"], "spec": wanted["spec"]}})
    pivot = layout.pivot
    if pivot is not None and (added or new_tab) and pivot.source_tab in sheet_ids:
        out.append(pivot_request(sheet_id, pivot, sheet_ids[pivot.source_tab]))
    return out


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
            if column.note:
                out.append(_note(sheet_id, column))
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
                        "range": grid_range(sheet_id, 0, 1, col, col + 1),
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                }
            )
        if column.number_format:
            out.append(
                {
                    "repeatCell": {
                        "range": grid_range(sheet_id, 1, None, col, col + 1),
                        "cell": {"userEnteredFormat": {"numberFormat": _number_format(column)}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
        if column.choices:
            out.append(_dropdown(sheet_id, column))
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


def _dropdowns(sheet_id: int, layout: TabLayout) -> list[Json]:
    """Every dropdown list of the tab, as the layout spells it (after a language switch)."""
    return [_dropdown(sheet_id, column) for column in layout.columns if column.choices]


def _dropdown(sheet_id: int, column: ColumnLayout) -> Json:
    col = column.index - 1
    return {
        "setDataValidation": {
            "range": grid_range(sheet_id, 1, None, col, col + 1),
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
            "range": grid_range(sheet_id, 0, 1, col, col + 1),
            "rows": [{"values": [{"userEnteredValue": {"stringValue": column.header}}]}],
            "fields": "userEnteredValue",
        }
    }


def _note(sheet_id: int, column: ColumnLayout) -> Json:
    """The header's note, set with its protection (a note changes no value a person typed)."""
    col = column.index - 1
    return {
        "updateCells": {
            "range": grid_range(sheet_id, 0, 1, col, col + 1),
            "rows": [{"values": [{"note": column.note}]}],
            "fields": "note",
        }
    }


def _protection_name(column: ColumnLayout) -> str:
    return f"{PROTECTION_PREFIX}: {column.name or column.header}"


def _protect(sheet_id: int, column: ColumnLayout) -> Json:
    col = column.index - 1
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": grid_range(sheet_id, 0, None, col, col + 1),
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
                "ranges": [grid_range(sheet_id, 1, None, 0, max(last_column, 1))],
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


def _color(hex_rgb: str) -> Json:
    r, g, b = (int(hex_rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(r, 4), "green": round(g, 4), "blue": round(b, 4)}
