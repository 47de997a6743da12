"""Request validation from the official discovery document: Google's 400 shapes."""

from __future__ import annotations

import gspread
import pytest
import requests

from tests.emulator import Emulator


def _error(err: pytest.ExceptionInfo[gspread.exceptions.APIError]) -> dict:
    assert err.value.response.status_code == 400
    return err.value.response.json()["error"]


def test_unknown_field_in_batch_update(ws: gspread.Worksheet) -> None:
    """An unknown request field is an INVALID_ARGUMENT naming the field and its path."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.batch_update(
            {
                "requests": [
                    {
                        "updateSheetProperties": {
                            "properties": {"sheetId": 0, "foo": 1},
                            "fields": "foo",
                        }
                    }
                ]
            }
        )
    error = _error(err)
    message = (
        'Invalid JSON payload received. Unknown name "foo" at '
        "'requests[0].update_sheet_properties.properties': Cannot find field."
    )
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == message
    assert error["details"] == [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [
                {"field": "requests[0].update_sheet_properties.properties", "description": message}
            ],
        }
    ]


def test_bad_enum_value(ws: gspread.Worksheet) -> None:
    """An enum value the API does not know is rejected with its proto type."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.batch_update(
            {"requests": [{"mergeCells": {"range": {"sheetId": 0}, "mergeType": "MERGE_SIDEWAYS"}}]}
        )
    assert _error(err)["message"] == (
        "Invalid value at 'requests[0].merge_cells.merge_type' "
        '(type.googleapis.com/google.apps.sheets.v4.MergeType), "MERGE_SIDEWAYS"'
    )


def test_values_must_be_a_list(ws: gspread.Worksheet) -> None:
    """A string where a list of lists belongs fails like Google's ListValue error."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.values_update(
            "Sheet1!A1", params={"valueInputOption": "RAW"}, body={"values": "X"}
        )
    error = _error(err)
    assert error["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )
    assert error["details"][0]["fieldViolations"][0]["field"] == "data.values"


def test_query_parameters_are_checked(ws: gspread.Worksheet) -> None:
    """Unknown query parameters and bad render options are 400s; missing valueInputOption too."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.values_get("Sheet1!A1", params={"valueRenderOption": "PRETTY"})
    assert "ValueRenderOption" in _error(err)["message"]
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.values_get("Sheet1!A1", params={"bogus": "1"})
    assert 'Unknown name "bogus"' in _error(err)["message"]
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.values_update("Sheet1!A1", body={"values": [[1]]})
    assert _error(err)["message"] == "'valueInputOption' is required but not specified"


def test_unparsable_ranges(ws: gspread.Worksheet) -> None:
    """Ranges naming a missing sheet or malformed cells are 'Unable to parse range'."""
    for bad in ("Nope!A1", "Sheet1!A1:B2:C3", "'Sheet1!A1"):
        with pytest.raises(gspread.exceptions.APIError) as err:
            ws.spreadsheet.values_get(bad)
        assert _error(err)["message"] == f"Unable to parse range: {bad}"


def test_missing_spreadsheet_is_not_found(
    emulator: Emulator, gspread_client: gspread.Client
) -> None:
    """An unknown spreadsheet id is Google's 404 NOT_FOUND."""
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gspread_client.open_by_key("does-not-exist")
    response = requests.get(f"{emulator.base_url}/v4/nowhere", timeout=10)
    assert response.status_code == 404
