"""batchUpdate requests on embedded charts: addChart, updateChartSpec, deleteEmbeddedObject.

A chart is stored on the sheet it is anchored on (`Sheet.charts`, copied by `clone()`), as
the EmbeddedChart Google returns: chartId, spec and position."""

from __future__ import annotations

import copy
from typing import Any

from .errors import RequestError
from .model import Sheet, Spreadsheet, new_int_id
from .normalize import strip_nulls
from .ranges import sheet_for_grid
from .registry import BatchContext, Reply, handler

DEFAULT_WIDTH = 600
DEFAULT_HEIGHT = 371


def chart_ids(book: Spreadsheet) -> set[int]:
    return {int(c["chartId"]) for s in book.sheets for c in s.charts}


def _host(ctx: BatchContext, position: dict[str, Any]) -> tuple[Sheet, dict[str, Any]]:
    """The sheet a chart lands on and its stored EmbeddedObjectPosition."""
    if position.get("newSheet"):
        raise RequestError("Charts on a new sheet are not supported by the local emulator.")
    overlay = position.get("overlayPosition")
    if overlay is not None:
        anchor = overlay.get("anchorCell") or {}
        sheet = sheet_for_grid(ctx.book, anchor)
        row, col = int(anchor.get("rowIndex", 0) or 0), int(anchor.get("columnIndex", 0) or 0)
        if row >= sheet.rows or col >= sheet.cols:
            raise RequestError(
                f"The anchor cell (row {row}, column {col}) is outside the grid of sheet "
                f"{sheet.sheet_id}."
            )
        stored = copy.deepcopy(overlay)
        stored["anchorCell"] = {"sheetId": sheet.sheet_id, "rowIndex": row, "columnIndex": col}
        stored.setdefault("widthPixels", DEFAULT_WIDTH)
        stored.setdefault("heightPixels", DEFAULT_HEIGHT)
        return sheet, {"overlayPosition": stored}
    if position.get("sheetId") is not None:
        sheet = ctx.sheet(position["sheetId"], "sheet")
        return sheet, {"sheetId": sheet.sheet_id}
    raise RequestError("EmbeddedObjectPosition must set overlayPosition, sheetId or newSheet.")


def _check_sources(ctx: BatchContext, spec: dict[str, Any]) -> None:
    """Every source range of a basic chart must point at an existing sheet."""
    basic = spec.get("basicChart") or {}
    parts = [d.get("domain") or {} for d in basic.get("domains") or []]
    parts += [s.get("series") or {} for s in basic.get("series") or []]
    for part in parts:
        for grid in (part.get("sourceRange") or {}).get("sources") or []:
            sheet_for_grid(ctx.book, grid)


@handler("addChart")
def add_chart(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    chart = strip_nulls(copy.deepcopy(req.get("chart") or {}))
    spec = chart.get("spec")
    if not spec:
        raise RequestError("EmbeddedChart.spec is required.")
    _check_sources(ctx, spec)
    sheet, position = _host(ctx, chart.get("position") or {})
    taken = chart_ids(ctx.book)
    if chart.get("chartId") is not None:
        chart_id = int(chart["chartId"])
        if chart_id in taken:
            raise RequestError(f"An object with id {chart_id} already exists.")
    else:
        chart_id = new_int_id(taken)
    stored = {"chartId": chart_id, "spec": spec, "position": position}
    if chart.get("border"):
        stored["border"] = chart["border"]
    sheet.charts.append(stored)
    return {"chart": copy.deepcopy(stored)}


@handler("updateChartSpec")
def update_chart_spec(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    chart_id = int(req.get("chartId", 0) or 0)
    spec = strip_nulls(copy.deepcopy(req.get("spec") or {}))
    if not spec:
        raise RequestError("UpdateChartSpecRequest.spec is required.")
    _check_sources(ctx, spec)
    for sheet in ctx.book.sheets:
        for chart in sheet.charts:
            if int(chart["chartId"]) == chart_id:
                chart["spec"] = spec
                return None
    raise RequestError(f"No chart with id: {chart_id}")


@handler("deleteEmbeddedObject")
def delete_embedded_object(ctx: BatchContext, req: dict[str, Any]) -> Reply:
    object_id = int(req.get("objectId", 0) or 0)
    for sheet in ctx.book.sheets:
        for chart in sheet.charts:
            if int(chart["chartId"]) == object_id:
                sheet.charts.remove(chart)
                return None
    raise RequestError(f"No embedded object with id: {object_id}")


def charts_out(sheet: Sheet) -> list[dict[str, Any]]:
    """The sheet's charts as spreadsheets.get returns them."""
    return [copy.deepcopy(chart) for chart in sheet.charts]
