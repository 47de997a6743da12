"""spreadsheets.batchUpdate through gspread over HTTP: requests, replies, atomicity, and
spreadsheets.get reflecting them."""

from __future__ import annotations

from typing import Any

import gspread
import pytest


def _batch(ws: gspread.Worksheet, *requests: dict[str, Any]) -> dict[str, Any]:
    return ws.spreadsheet.batch_update({"requests": list(requests)})


def _meta(ws: gspread.Worksheet, **params: str) -> dict[str, Any]:
    return ws.spreadsheet.fetch_sheet_metadata(params or None)


def test_add_and_delete_sheet(ws: gspread.Worksheet) -> None:
    """addSheet replies with the full properties; deleteSheet removes it and reindexes."""
    reply = _batch(
        ws, {"addSheet": {"properties": {"title": "Cases", "gridProperties": {"rowCount": 5}}}}
    )
    props = reply["replies"][0]["addSheet"]["properties"]
    assert props["title"] == "Cases" and props["index"] == 1 and props["sheetType"] == "GRID"
    assert props["gridProperties"] == {"rowCount": 5, "columnCount": 26}
    second = _batch(ws, {"addSheet": {"properties": {"index": 0}}})["replies"][0]["addSheet"]
    assert second["properties"]["title"] == "Sheet3" and second["properties"]["index"] == 0
    assert [s["properties"]["title"] for s in _meta(ws)["sheets"]] == ["Sheet3", "Sheet1", "Cases"]
    assert _batch(ws, {"deleteSheet": {"sheetId": props["sheetId"]}})["replies"] == [{}]
    assert [s["properties"]["index"] for s in _meta(ws)["sheets"]] == [0, 1]


def test_duplicate_sheet_title_is_rejected(ws: gspread.Worksheet) -> None:
    """A second sheet with an existing title gets Google's 400 message."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(ws, {"addSheet": {"properties": {"title": "sheet1"}}})
    body = err.value.response.json()["error"]
    assert body["status"] == "INVALID_ARGUMENT"
    assert body["message"] == (
        'Invalid requests[0].addSheet: A sheet with the name "sheet1" already exists. '
        "Please enter another name."
    )


def test_update_sheet_properties(ws: gspread.Worksheet) -> None:
    """Frozen rows, hidden, title and tab colour show in spreadsheets.get; defaults are omitted."""
    extra = ws.spreadsheet.add_worksheet("Extra", rows=10, cols=3)
    ws.freeze(rows=1)
    _batch(
        ws,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": extra.id, "hidden": True, "title": "Hidden one"},
                "fields": "hidden,title",
            }
        },
        {
            "updateSheetProperties": {
                "properties": {
                    "sheetId": 0,
                    "tabColorStyle": {"rgbColor": {"red": 1, "green": 0.5}},
                },
                "fields": "tabColorStyle",
            }
        },
    )
    sheets = _meta(ws)["sheets"]
    first, second = sheets[0]["properties"], sheets[1]["properties"]
    assert first["gridProperties"] == {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1}
    assert first["tabColorStyle"] == {"rgbColor": {"red": 1, "green": 0.5}}
    assert first["tabColor"] == {"red": 1, "green": 0.5}
    assert second["hidden"] is True and second["title"] == "Hidden one"
    ws.freeze(rows=0)
    assert "frozenRowCount" not in _meta(ws)["sheets"][0]["properties"]["gridProperties"]


def test_cannot_hide_every_sheet(ws: gspread.Worksheet) -> None:
    """Hiding the only visible sheet fails like Google."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.hide()
    assert "You can't hide all the sheets in a document." in str(err.value)


def test_batch_is_all_or_nothing(ws: gspread.Worksheet) -> None:
    """When a later request fails, earlier requests of the batch are not applied."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        _batch(
            ws,
            {"addSheet": {"properties": {"title": "Kept?"}}},
            {"deleteSheet": {"sheetId": 12345}},
        )
    assert err.value.response.json()["error"]["message"] == (
        "Invalid requests[1].deleteSheet: No sheet with id: 12345"
    )
    assert [s["properties"]["title"] for s in _meta(ws)["sheets"]] == ["Sheet1"]


def test_repeat_cell_and_update_cells(ws: gspread.Worksheet) -> None:
    """repeatCell formats a range; updateCells writes values and notes with a field mask."""
    _batch(
        ws,
        {
            "repeatCell": {
                "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {
                    "userEnteredFormat": {
                        "textFormat": {"bold": True},
                        "backgroundColor": {"red": 1},
                    }
                },
                "fields": "userEnteredFormat(textFormat,backgroundColor)",
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                "rows": [
                    {"values": [{"userEnteredValue": {"stringValue": "Case ID"}, "note": "id"}]}
                ],
                "fields": "userEnteredValue,note",
            }
        },
    )
    data = _meta(
        ws,
        ranges="Sheet1!A1:B1",
        fields="sheets.data.rowData.values(userEnteredValue,userEnteredFormat,note,formattedValue)",
    )
    cells = data["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert cells[0] == {
        "userEnteredValue": {"stringValue": "Case ID"},
        "formattedValue": "Case ID",
        "userEnteredFormat": {
            "backgroundColor": {"red": 1},
            "textFormat": {"bold": True},
            "backgroundColorStyle": {"rgbColor": {"red": 1}},
        },
        "note": "id",
    }
    assert cells[1] == {"userEnteredFormat": cells[0]["userEnteredFormat"]}


def test_include_grid_data_shows_values_formats_and_validation(ws: gspread.Worksheet) -> None:
    """includeGridData returns effective values, formatted values and data validation."""
    ws.update([["Open", "2020-01-02"]], "A1", value_input_option="USER_ENTERED")
    rule = {
        "condition": {
            "type": "ONE_OF_LIST",
            "values": [{"userEnteredValue": "Open"}, {"userEnteredValue": "Closed"}],
        },
        "strict": True,
        "showCustomUi": True,
    }
    _batch(
        ws,
        {
            "setDataValidation": {
                "range": {
                    "sheetId": 0,
                    "startRowIndex": 0,
                    "endRowIndex": 5,
                    "startColumnIndex": 0,
                    "endColumnIndex": 1,
                },
                "rule": rule,
            }
        },
    )
    meta = ws.spreadsheet.fetch_sheet_metadata(
        {"includeGridData": "true", "ranges": "Sheet1!A1:B2"}
    )
    data = meta["sheets"][0]["data"][0]
    first, second = data["rowData"][0]["values"]
    assert first["dataValidation"] == rule
    assert first["effectiveValue"] == {"stringValue": "Open"}
    assert second["effectiveValue"] == {"numberValue": 43832}
    assert second["formattedValue"] == "2020-01-02"
    assert second["effectiveFormat"]["numberFormat"] == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert data["rowData"][1] == {"values": [{"dataValidation": rule}]}
    assert data["rowMetadata"] == [{"pixelSize": 21}, {"pixelSize": 21}]


def test_conditional_format_rules(ws: gspread.Worksheet) -> None:
    """add/update/deleteConditionalFormatRule replies and spreadsheets.get like Google."""
    rule = {
        "ranges": [{"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 2, "endColumnIndex": 3}],
        "booleanRule": {
            "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "Overdue"}]},
            "format": {"backgroundColor": {"red": 1}},
        },
    }
    assert _batch(ws, {"addConditionalFormatRule": {"rule": rule, "index": 0}})["replies"] == [{}]
    stored = _meta(ws)["sheets"][0]["conditionalFormats"]
    assert stored[0]["ranges"] == [{"startRowIndex": 1, "startColumnIndex": 2, "endColumnIndex": 3}]
    assert stored[0]["booleanRule"]["format"]["backgroundColorStyle"] == {"rgbColor": {"red": 1}}
    new_rule = {
        **rule,
        "booleanRule": {**rule["booleanRule"], "format": {"backgroundColor": {"green": 1}}},
    }
    reply = _batch(
        ws, {"updateConditionalFormatRule": {"index": 0, "sheetId": 0, "rule": new_rule}}
    )
    update = reply["replies"][0]["updateConditionalFormatRule"]
    assert update["oldIndex"] == 0 and update["newIndex"] == 0
    assert update["newRule"]["booleanRule"]["format"]["backgroundColor"] == {"green": 1}
    deleted = _batch(ws, {"deleteConditionalFormatRule": {"index": 0, "sheetId": 0}})
    assert deleted["replies"][0]["deleteConditionalFormatRule"]["rule"] == update["newRule"]
    assert "conditionalFormats" not in _meta(ws)["sheets"][0]


def test_protected_ranges(ws: gspread.Worksheet, service_account: Any) -> None:
    """addProtectedRange replies with an id; get lists the implicit editors; delete removes it."""
    reply = _batch(
        ws,
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": 0, "startColumnIndex": 5, "endColumnIndex": 7},
                    "description": "service columns",
                }
            }
        },
    )
    prot = reply["replies"][0]["addProtectedRange"]["protectedRange"]
    assert prot["range"] == {"startColumnIndex": 5, "endColumnIndex": 7}
    assert prot["requestingUserCanEdit"] is True and prot["editors"] == {}
    listed = _meta(ws)["sheets"][0]["protectedRanges"][0]
    assert listed["editors"] == {"users": [service_account.email]}
    assert listed["description"] == "service columns"
    _batch(ws, {"deleteProtectedRange": {"protectedRangeId": prot["protectedRangeId"]}})
    assert "protectedRanges" not in _meta(ws)["sheets"][0]


def test_insert_delete_append_dimension(ws: gspread.Worksheet) -> None:
    """Inserting and deleting rows move cells, merges and named ranges; append grows the grid."""
    ws.update([["a"], ["b"], ["c"]], "A1")
    ws.spreadsheet.batch_update(
        {
            "requests": [
                {
                    "addNamedRange": {
                        "namedRange": {
                            "name": "Third",
                            "range": {
                                "sheetId": 0,
                                "startRowIndex": 2,
                                "endRowIndex": 3,
                                "startColumnIndex": 0,
                                "endColumnIndex": 1,
                            },
                        }
                    }
                }
            ]
        }
    )
    ws.insert_rows([["new"]], row=2)
    assert ws.col_values(1) == ["a", "new", "b", "c"]
    assert ws.spreadsheet.values_get("Third") == {
        "range": "Sheet1!A4",
        "majorDimension": "ROWS",
        "values": [["c"]],
    }
    ws.delete_rows(1)
    assert ws.col_values(1) == ["new", "b", "c"]
    assert ws.spreadsheet.values_get("Third")["range"] == "Sheet1!A3"
    _batch(ws, {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 4}})
    assert _meta(ws)["sheets"][0]["properties"]["gridProperties"] == {
        "rowCount": 1000,
        "columnCount": 30,
    }


def test_cannot_delete_every_row(ws: gspread.Worksheet) -> None:
    """Deleting all rows of a sheet is refused."""
    ws.resize(rows=2)
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.delete_rows(1, 2)
    assert "You can't delete all the rows on the sheet." in str(err.value)


def test_dimension_properties_and_auto_resize(ws: gspread.Worksheet) -> None:
    """updateDimensionProperties and autoResizeDimensions show up in columnMetadata."""
    ws.update([["a much longer piece of text", "x"]], "A1")
    ws.hide_columns(1, 2)
    ws.columns_auto_resize(0, 1)
    meta = _meta(ws, fields="sheets.data.columnMetadata")["sheets"][0]["data"][0]["columnMetadata"]
    assert meta[0]["pixelSize"] > 100
    assert meta[1] == {"hiddenByUser": True, "pixelSize": 100}
    assert meta[2] == {"pixelSize": 100}


def test_sort_range(ws: gspread.Worksheet) -> None:
    """sortRange orders numbers before text, text case-insensitively, blanks last either way."""
    ws.update([["h"], [3], ["b"], [""], ["A"], [1]], "A1", value_input_option="USER_ENTERED")
    ws.sort((1, "asc"), range="A2:A6")
    assert ws.col_values(1) == ["h", "1", "3", "A", "b"]
    ws.sort((1, "des"), range="A2:A6")
    assert ws.get("A2:A6", value_render_option="UNFORMATTED_VALUE") == [["b"], ["A"], [3], [1]]


def test_merges_copy_and_cut_paste(ws: gspread.Worksheet) -> None:
    """Merging keeps the top-left value; copyPaste and cutPaste move cells."""
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.merge_cells("A1:B1")
    assert ws.get_all_values()[0] == ["a", ""]
    assert _meta(ws)["sheets"][0]["merges"] == [
        {"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 2}
    ]
    ws.copy_range("A2:B2", "D1")
    ws.cut_range("A2:B2", "A5")
    assert ws.get("A1:E5") == [["a", "", "", "c", "d"], [], [], [], ["c", "d"]]


def test_find_replace_and_duplicate_sheet(ws: gspread.Worksheet) -> None:
    """findReplace reports counts; duplicateSheet copies cells under a new id."""
    ws.update([["open", "Open"], ["closed", "x"]], "A1")
    reply = _batch(ws, {"findReplace": {"find": "open", "replacement": "done", "sheetId": 0}})
    assert reply["replies"][0]["findReplace"] == {
        "valuesChanged": 2,
        "rowsChanged": 1,
        "sheetsChanged": 1,
        "occurrencesChanged": 2,
    }
    dup = _batch(ws, {"duplicateSheet": {"sourceSheetId": 0, "newSheetName": "Copy"}})
    new_id = dup["replies"][0]["duplicateSheet"]["properties"]["sheetId"]
    assert ws.spreadsheet.get_worksheet_by_id(new_id).get_all_values()[0] == ["done", "done"]


def test_spreadsheet_properties(ws: gspread.Worksheet) -> None:
    """updateSpreadsheetProperties changes title, locale and time zone."""
    ws.spreadsheet.update_title("Renamed")
    ws.spreadsheet.update_timezone("Asia/Shanghai")
    props = _meta(ws)["properties"]
    assert props["title"] == "Renamed" and props["timeZone"] == "Asia/Shanghai"
    assert props["defaultFormat"]["textFormat"]["fontSize"] == 10


def test_spreadsheets_create_endpoint(gspread_client: gspread.Client) -> None:
    """POST /v4/spreadsheets creates a spreadsheet with the given sheets and data."""
    body = {
        "properties": {"title": "Direct"},
        "sheets": [
            {
                "properties": {"title": "Cases"},
                "data": [{"rowData": [{"values": [{"userEnteredValue": {"numberValue": 5}}]}]}],
            },
            {"properties": {"title": "KPIs", "gridProperties": {"rowCount": 10, "columnCount": 4}}},
        ],
    }
    response = gspread_client.http_client.request(
        "post", "https://sheets.googleapis.com/v4/spreadsheets", json=body
    )
    created = response.json()
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Cases", "KPIs"]
    assert created["sheets"][0]["properties"]["sheetId"] == 0
    sheet = gspread_client.open_by_key(created["spreadsheetId"]).sheet1
    assert sheet.get_all_values() == [["5"]]


def test_formulas_follow_inserted_and_deleted_rows(ws: gspread.Worksheet) -> None:
    """References in formulas shift with inserted rows and become #REF! when deleted."""
    ws.update([[1], [2], [3], ["=SUM(A1:A3)", "=A2*10"]], "A1", value_input_option="USER_ENTERED")
    ws.insert_rows([[4]], row=2)
    assert ws.get("A5:B5", value_render_option="FORMULA") == [["=SUM(A1:A4)", "=A3*10"]]
    assert ws.get("A5:B5", value_render_option="UNFORMATTED_VALUE") == [[10, 20]]
    ws.delete_rows(3)
    assert ws.get("A4:B4", value_render_option="FORMULA") == [["=SUM(A1:A3)", "=#REF!*10"]]
    assert ws.get("A4:B4") == [["8", "#REF!"]]
