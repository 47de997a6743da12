"""Charts and pivot tables for the KPIs tab as Sheets API batchUpdate requests, and the grid range
every request addresses. Pure."""

from __future__ import annotations

from typing import Any

from app.sheets.backend import ChartSpec, PivotSpec

__all__ = ["Json", "add_chart", "chart_ranges", "grid_range", "pivot_request"]

Json = dict[str, Any]


def grid_range(sheet_id: int, row0: int, row1: int | None, col0: int, col1: int | None) -> Json:
    """A GridRange (0-based, end exclusive; an open end when None)."""
    out: Json = {"sheetId": sheet_id, "startRowIndex": row0, "startColumnIndex": col0}
    if row1 is not None:
        out["endRowIndex"] = row1
    if col1 is not None:
        out["endColumnIndex"] = col1
    return out


def chart_ranges(spec: Json) -> list[tuple[int, ...]]:
    """A basic chart's source ranges, comparable whatever defaults the API left out."""
    basic = spec.get("basicChart", {})
    parts = [d.get("domain", {}) for d in basic.get("domains", [])]
    parts += [s.get("series", {}) for s in basic.get("series", [])]
    keys = ("sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")
    return [
        tuple(int(grid.get(k, 0)) for k in keys)
        for part in parts
        for grid in part.get("sourceRange", {}).get("sources", [])
    ]


def add_chart(sheet_id: int, spec: ChartSpec) -> Json:
    """A line chart: the categories as domain, one series per column, each range starting at
    its header row (headerCount 1) so the series are named after their headers."""
    first, last, col = spec.categories
    header = min((s[0] for s in spec.series), default=first - 1)

    def source(row0: int, row1: int, column: int) -> Json:
        grid = grid_range(sheet_id, row0 - 1, max(row1, row0), column - 1, column)
        return {"sourceRange": {"sources": [grid]}}

    return {
        "addChart": {
            "chart": {
                "spec": {
                    "title": spec.title,
                    "basicChart": {
                        "chartType": "LINE",
                        "legendPosition": "BOTTOM_LEGEND",
                        "headerCount": 1,
                        "domains": [{"domain": source(header, last, col)}],
                        "series": [
                            {"series": source(row0, row1, column), "targetAxis": "LEFT_AXIS"}
                            for row0, row1, column in spec.series
                        ],
                    },
                },
                "position": {
                    "overlayPosition": {
                        "anchorCell": {
                            "sheetId": sheet_id,
                            "rowIndex": spec.anchor[0] - 1,
                            "columnIndex": spec.anchor[1] - 1,
                        }
                    }
                },
            }
        }
    }


def pivot_request(sheet_id: int, pivot: PivotSpec, source_id: int) -> Json:
    """One updateCells setting the pivot table at its anchor; the source spans the three
    columns on every row (open-ended), offsets counted from its first column."""
    row_col, col_col, value_col = (c - 1 for c in pivot.source_columns)
    first = min(row_col, col_col, value_col)
    source = grid_range(source_id, 0, None, first, max(row_col, col_col, value_col) + 1)
    table = {
        "source": source,
        "rows": [
            {"sourceColumnOffset": row_col - first, "showTotals": True, "sortOrder": "ASCENDING"}
        ],
        "columns": [
            {"sourceColumnOffset": col_col - first, "showTotals": True, "sortOrder": "ASCENDING"}
        ],
        "values": [
            {
                "sourceColumnOffset": value_col - first,
                "summarizeFunction": "COUNTA",
                "name": pivot.value_name,
            }
        ],
        "valueLayout": "HORIZONTAL",
    }
    return {
        "updateCells": {
            "start": {
                "sheetId": sheet_id,
                "rowIndex": pivot.anchor[0] - 1,
                "columnIndex": pivot.anchor[1] - 1,
            },
            "rows": [{"values": [{"pivotTable": table}]}],
            "fields": "pivotTable",
        }
    }
