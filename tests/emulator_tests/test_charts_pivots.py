"""Embedded charts (addChart, deleteEmbeddedObject) and pivot tables written with updateCells,
through gspread over HTTP: replies, spreadsheets.get and atomicity."""

from __future__ import annotations

from typing import Any

import gspread
import pytest


def _batch(ws: gspread.Worksheet, *requests: dict[str, Any]) -> dict[str, Any]:
    return ws.spreadsheet.batch_update({"requests": list(requests)})


def _meta(ws: gspread.Worksheet, **params: str) -> dict[str, Any]:
    return ws.spreadsheet.fetch_sheet_metadata(params or None)


def _line_chart(sheet_id: int, title: str = "Trend", **chart: Any) -> dict[str, Any]:
    def source(col: int) -> dict[str, Any]:
        grid = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 5}
        return {
            "sourceRange": {
                "sources": [grid | {"startColumnIndex": col, "endColumnIndex": col + 1}]
            }
        }

    return {
        "addChart": {
            "chart": {
                "spec": {
                    "title": title,
                    "basicChart": {
                        "chartType": "LINE",
                        "domains": [{"domain": source(0)}],
                        "series": [{"series": source(1), "targetAxis": "LEFT_AXIS"}],
                        "headerCount": 1,
                    },
                },
                "position": {
                    "overlayPosition": {
                        "anchorCell": {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": 4}
                    }
                },
                **chart,
            }
        }
    }


def test_add_chart_replies_and_shows_in_get(ws: gspread.Worksheet) -> None:
    """addChart assigns a chartId, replies with the chart and spreadsheets.get lists it."""
    reply = _batch(ws, _line_chart(ws.id))["replies"][0]["addChart"]["chart"]
    assert isinstance(reply["chartId"], int) and reply["spec"]["title"] == "Trend"
    overlay = reply["position"]["overlayPosition"]
    assert overlay["anchorCell"] == {"sheetId": ws.id, "rowIndex": 1, "columnIndex": 4}
    assert overlay["widthPixels"] == 600 and overlay["heightPixels"] == 371
    charts = _meta(ws)["sheets"][0]["charts"]
    assert charts == [reply]
    masked = _meta(ws, fields="sheets(charts(chartId,spec(title)))")
    assert masked == {
        "sheets": [{"charts": [{"chartId": reply["chartId"], "spec": {"title": "Trend"}}]}]
    }


def test_add_chart_with_given_id_and_duplicate_id(ws: gspread.Worksheet) -> None:
    """A given chartId is kept; reusing it fails and the whole batch is left unapplied."""
    reply = _batch(ws, _line_chart(ws.id, chartId=77))["replies"][0]["addChart"]["chart"]
    assert reply["chartId"] == 77
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(ws, _line_chart(ws.id, "Other"), _line_chart(ws.id, chartId=77))
    assert err.value.response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert [c["spec"]["title"] for c in _meta(ws)["sheets"][0]["charts"]] == ["Trend"]


def test_add_chart_on_missing_sheet_is_rejected(ws: gspread.Worksheet) -> None:
    """An anchor on a sheet that does not exist gets a 400."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(ws, _line_chart(424242))
    assert "No grid with id: 424242" in err.value.response.json()["error"]["message"]


def test_delete_embedded_object(ws: gspread.Worksheet) -> None:
    """deleteEmbeddedObject removes a chart by id and rejects an unknown id."""
    chart_id = _batch(ws, _line_chart(ws.id))["replies"][0]["addChart"]["chart"]["chartId"]
    assert _batch(ws, {"deleteEmbeddedObject": {"objectId": chart_id}})["replies"] == [{}]
    assert "charts" not in _meta(ws)["sheets"][0]
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(ws, {"deleteEmbeddedObject": {"objectId": chart_id}})
    assert (
        f"No embedded object with id: {chart_id}" in err.value.response.json()["error"]["message"]
    )


def test_duplicated_sheet_gets_its_own_chart(ws: gspread.Worksheet) -> None:
    """duplicateSheet copies a chart under a new id, anchored on the copy."""
    first = _batch(ws, _line_chart(ws.id))["replies"][0]["addChart"]["chart"]["chartId"]
    copy_id = _batch(ws, {"duplicateSheet": {"sourceSheetId": ws.id, "newSheetId": 9}})
    assert copy_id["replies"][0]["duplicateSheet"]["properties"]["sheetId"] == 9
    copied = _meta(ws)["sheets"][1]["charts"][0]
    assert copied["chartId"] != first
    assert copied["position"]["overlayPosition"]["anchorCell"]["sheetId"] == 9


def test_pivot_table_is_stored_and_returned(ws: gspread.Worksheet) -> None:
    """updateCells with fields pivotTable stores the pivot; includeGridData returns it."""
    pivot = {
        "source": {
            "sheetId": ws.id,
            "startRowIndex": 0,
            "startColumnIndex": 0,
            "endColumnIndex": 3,
        },
        "rows": [{"sourceColumnOffset": 1, "showTotals": True, "sortOrder": "ASCENDING"}],
        "columns": [{"sourceColumnOffset": 2, "showTotals": True, "sortOrder": "ASCENDING"}],
        "values": [{"sourceColumnOffset": 0, "summarizeFunction": "COUNTA"}],
    }
    _batch(
        ws,
        {
            "updateCells": {
                "start": {"sheetId": ws.id, "rowIndex": 0, "columnIndex": 5},
                "rows": [{"values": [{"pivotTable": pivot}]}],
                "fields": "pivotTable",
            }
        },
    )
    data = _meta(ws, includeGridData="true")["sheets"][0]["data"][0]
    assert data["rowData"][0]["values"][5]["pivotTable"] == pivot
    masked = _meta(ws, fields="sheets(data(rowData(values(pivotTable))))")
    assert masked["sheets"][0]["data"][0]["rowData"][0]["values"][5] == {"pivotTable": pivot}


def test_pivot_table_over_missing_sheet_is_rejected(ws: gspread.Worksheet) -> None:
    """A pivot whose source sheet does not exist gets a 400."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(
            ws,
            {
                "updateCells": {
                    "start": {"sheetId": ws.id, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": [{"pivotTable": {"source": {"sheetId": 99}}}]}],
                    "fields": "pivotTable",
                }
            },
        )
    assert "No grid with id: 99" in err.value.response.json()["error"]["message"]


def test_update_chart_spec(ws: gspread.Worksheet) -> None:
    """updateChartSpec replaces a chart's spec in place and rejects an unknown chart id."""
    chart = _batch(ws, _line_chart(ws.id))["replies"][0]["addChart"]["chart"]
    spec = _line_chart(ws.id, "Renamed")["addChart"]["chart"]["spec"]
    _batch(ws, {"updateChartSpec": {"chartId": chart["chartId"], "spec": spec}})
    charts = _meta(ws)["sheets"][0]["charts"]
    assert [(c["chartId"], c["spec"]["title"]) for c in charts] == [(chart["chartId"], "Renamed")]
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(ws, {"updateChartSpec": {"chartId": chart["chartId"] + 1, "spec": spec}})
    assert "No chart with id" in err.value.response.json()["error"]["message"]
