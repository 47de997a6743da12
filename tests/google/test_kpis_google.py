"""The KPIs tab on Google Sheets: a native line chart of the weekly medians and a pivot table
of the Cases tab (platform x assignee), added once and left alone by the next syncs."""

from __future__ import annotations

import json
from typing import Any

from app.sync.kpis import KPIS_TITLE
from tests.emulator.edits import Edit
from tests.emulator.model import Sheet
from tests.google.conftest import CASES, GoogleSheet, typed_row


def _tab(google_sheet: GoogleSheet, title: str) -> Sheet:
    book = google_sheet.emulator.spreadsheet(google_sheet.spreadsheet_id)
    return next(s for s in book.sheets if s.title == title)


def _pivots(sheet: Sheet) -> list[tuple[int, int, dict[str, Any]]]:
    return [
        (r, c, cell.extra["pivotTable"])
        for r, c, cell in sheet.iter_cells()
        if cell.extra and "pivotTable" in cell.extra
    ]


def test_kpis_tab_gets_chart_and_pivot_once(google_sheet: GoogleSheet) -> None:
    """A sync adds the chart and the pivot to the KPIs tab; the next sync sends no batchUpdate."""
    google_sheet.type_rows([typed_row(n) for n in range(1, 7)])
    google_sheet.sync()
    kpis, cases = _tab(google_sheet, KPIS_TITLE), _tab(google_sheet, "Cases")

    assert len(kpis.charts) == 1
    chart = kpis.charts[0]
    assert chart["spec"]["title"] == "Weekly medians: resolution time and first response"
    assert chart["spec"]["basicChart"]["chartType"] == "LINE"
    assert len(chart["spec"]["basicChart"]["series"]) == 2
    assert chart["position"]["overlayPosition"]["anchorCell"]["sheetId"] == kpis.sheet_id

    pivots = _pivots(kpis)
    assert len(pivots) == 1
    _, _, pivot = pivots[0]
    source = pivot["source"]
    assert source["sheetId"] == cases.sheet_id
    header = [c.header for c in CASES.columns]
    first = source["startColumnIndex"]
    by_offset = {
        "rows": pivot["rows"][0]["sourceColumnOffset"] + first,
        "columns": pivot["columns"][0]["sourceColumnOffset"] + first,
        "values": pivot["values"][0]["sourceColumnOffset"] + first,
    }
    platform = next(c.header for c in CASES.columns if c.key == "platform")
    assignee = next(c.header for c in CASES.columns if c.key == "assignee")
    case_id = next(c.header for c in CASES.columns if c.key == "case_id")
    assert header[by_offset["rows"]] == platform
    assert header[by_offset["columns"]] == assignee
    assert header[by_offset["values"]] == case_id
    assert pivot["values"][0]["summarizeFunction"] == "COUNTA"

    google_sheet.emulator.clear_requests()
    google_sheet.sync()
    assert google_sheet.emulator.requests("spreadsheets.batchUpdate") == []
    assert len(_tab(google_sheet, KPIS_TITLE).charts) == 1


def test_fresh_backend_sees_the_chart(google_sheet: GoogleSheet) -> None:
    """A new backend (no cached metadata) finds the chart and adds neither chart nor pivot."""
    google_sheet.type_rows([typed_row(n) for n in range(1, 4)])
    google_sheet.sync()
    google_sheet.fresh_runtime()
    google_sheet.emulator.clear_requests()
    google_sheet.sync()
    assert google_sheet.emulator.requests("spreadsheets.batchUpdate") == []
    kpis = _tab(google_sheet, KPIS_TITLE)
    assert len(kpis.charts) == 1 and len(_pivots(kpis)) == 1


def test_deleted_chart_comes_back_with_its_pivot(google_sheet: GoogleSheet) -> None:
    """A chart deleted by hand is added again, the pivot rewritten in the same batchUpdate."""
    google_sheet.type_rows([typed_row(n) for n in range(1, 4)])
    google_sheet.sync()
    kpis = _tab(google_sheet, KPIS_TITLE)
    chart_id = kpis.charts[0]["chartId"]
    google_sheet.emulator.edit_now(
        Edit.requests(
            google_sheet.spreadsheet_id, [{"deleteEmbeddedObject": {"objectId": chart_id}}]
        )
    )
    google_sheet.runtime.backend().refresh()
    google_sheet.emulator.clear_requests()
    google_sheet.sync()
    calls = google_sheet.emulator.requests("spreadsheets.batchUpdate")
    assert len(calls) == 1
    kinds = [next(iter(r)) for r in json.loads(calls[0].raw_body)["requests"]]
    assert kinds == ["addChart", "updateCells"]
    kpis = _tab(google_sheet, KPIS_TITLE)
    assert len(kpis.charts) == 1 and len(_pivots(kpis)) == 1


def test_grown_tables_move_the_chart_ranges(google_sheet: GoogleSheet) -> None:
    """A new assignee pushes the weekly table down: the chart's spec is updated, not duplicated."""
    google_sheet.type_rows([typed_row(n) for n in range(1, 4)])
    google_sheet.sync()
    before = _tab(google_sheet, KPIS_TITLE).charts[0]
    google_sheet.type_rows([typed_row(4, assignee="Noor", platform="Pandabuy")], first_row=5)
    google_sheet.emulator.clear_requests()
    google_sheet.sync()
    bodies = [
        json.loads(r.raw_body) for r in google_sheet.emulator.requests("spreadsheets.batchUpdate")
    ]
    kinds = [next(iter(r)) for body in bodies for r in body["requests"]]
    assert "updateChartSpec" in kinds and "addChart" not in kinds
    after = _tab(google_sheet, KPIS_TITLE).charts
    assert len(after) == 1 and after[0]["chartId"] == before["chartId"]
    assert after[0]["spec"] != before["spec"]
    google_sheet.emulator.clear_requests()
    google_sheet.sync()
    assert google_sheet.emulator.requests("spreadsheets.batchUpdate") == []
