"""Values endpoints through gspread over HTTP: render options, input options, ranges."""

from __future__ import annotations

from collections.abc import Callable

import gspread
import pytest

from tests.emulator import Emulator

MIXED = [
    ["=4/2", "2020-01-01", "string", 53],
    ["=3/2", 0.12, "1999-01-02", ""],
]


def test_value_render_options(ws: gspread.Worksheet) -> None:
    """FORMATTED_VALUE, UNFORMATTED_VALUE and FORMULA render the same cells like Google."""
    ws.update(MIXED, "A1:D2", value_input_option="USER_ENTERED")
    assert ws.get_all_values() == [
        ["2", "2020-01-01", "string", "53"],
        ["1.5", "0.12", "1999-01-02", ""],
    ]
    unformatted = ws.get("A1:D2", value_render_option="UNFORMATTED_VALUE")
    assert unformatted == [[2, 43831, "string", 53], [1.5, 0.12, 36162]]
    assert isinstance(unformatted[0][0], int)
    formula = ws.get("A1:D2", value_render_option="FORMULA")
    assert formula == [["=4/2", 43831, "string", 53], ["=3/2", 0.12, 36162]]


def test_date_time_render_option(ws: gspread.Worksheet) -> None:
    """dateTimeRenderOption picks serial numbers or formatted strings for date cells only."""
    ws.update(
        [["2020-01-01", "13:30", "2021-03-04 08:15:00", 7]], "A1", value_input_option="USER_ENTERED"
    )
    serial = ws.get(
        "A1:D1", value_render_option="UNFORMATTED_VALUE", date_time_render_option="SERIAL_NUMBER"
    )
    assert serial == [[43831, 0.5625, pytest.approx(44259.34375), 7]]
    text = ws.get(
        "A1:D1", value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING"
    )
    assert text == [["2020-01-01", "13:30", "2021-03-04 08:15:00", 7]]


def test_raw_input_keeps_text(ws: gspread.Worksheet) -> None:
    """RAW stores strings as strings ("=1+1", "007", dates) and JSON numbers as numbers."""
    ws.update([["=1+1", "007", "2020-01-01", "TRUE", 12.5, True]], "A1", value_input_option="RAW")
    assert ws.get("A1:F1", value_render_option="UNFORMATTED_VALUE") == [
        ["=1+1", "007", "2020-01-01", "TRUE", 12.5, True]
    ]
    assert ws.get("A1:F1", value_render_option="FORMULA")[0][0] == "=1+1"
    assert ws.get("A1:F1")[0][4:] == ["12.5", "TRUE"]


def test_user_entered_parses_like_the_ui(ws: gspread.Worksheet) -> None:
    """USER_ENTERED parses numbers, grouping, percent, currency, dates, booleans and apostrophes."""
    row = ["1,234.5", "12%", "$5", "1/2/2020", "true", "'007", "=A1*2", " 42 ", "abc", "1e3"]
    ws.update([row], "A1", value_input_option="USER_ENTERED")
    values = ws.get("A1:J1", value_render_option="UNFORMATTED_VALUE")[0]
    assert values == [1234.5, 0.12, 5, 43832, True, "007", 2469, 42, "abc", 1000]
    formatted = ws.get("A1:J1")[0]
    assert formatted[:6] == ["1,234.5", "12%", "$5.00", "1/2/2020", "TRUE", "007"]


def test_user_entered_follows_spreadsheet_locale(
    new_sheet: Callable[..., gspread.Spreadsheet],
) -> None:
    """With locale fr_FR, '1,5' is one and a half and '02/01/2020' is the 2nd of January."""
    sh = new_sheet()
    sh.update_locale("fr_FR")
    ws = sh.sheet1
    ws.update([["1,5", "02/01/2020", "3.5"]], "A1", value_input_option="USER_ENTERED")
    assert ws.get("A1:C1", value_render_option="UNFORMATTED_VALUE") == [[1.5, 43832, "3.5"]]
    assert ws.get("A1:B1") == [["1,5", "02/01/2020"]]


def test_formulas_evaluate_and_report_errors(ws: gspread.Worksheet) -> None:
    """Arithmetic, references, ranges and functions evaluate; failures give Google's errors."""
    ws.update(
        [
            [2, 3, "=A1+B1*2", "=SUM(A1:C1)", '=A1&"x"'],
            ["=1/0", "=NOSUCH(1)", "=1+", "=B2", '=IF(A1>1,"big","small")'],
        ],
        "A1",
        value_input_option="USER_ENTERED",
    )
    assert ws.get("A1:E1", value_render_option="UNFORMATTED_VALUE") == [[2, 3, 8, 13, "2x"]]
    assert ws.get("A2:E2") == [["#DIV/0!", "#NAME?", "#ERROR!", "#NAME?", "big"]]


def test_formula_references_follow_updates(ws: gspread.Worksheet) -> None:
    """A formula's value reflects later writes to the cells it references."""
    ws.update([[1, "=A1*10"]], "A1", value_input_option="USER_ENTERED")
    ws.update([[5]], "A1", value_input_option="RAW")
    assert ws.acell("B1").value == "50"


def test_date_number_format_formats_serials(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """A serial with a DATE number format reads as the locale pattern (en_US M/d/yyyy)."""
    ws.update([[43832, 43832]], "A1", value_input_option="RAW")
    ws.format("A1", {"numberFormat": {"type": "DATE"}})
    ws.format("B1", {"numberFormat": {"type": "DATE", "pattern": "dddd, mmmm d, yyyy"}})
    assert ws.get("A1:B1") == [["1/2/2020", "Thursday, January 2, 2020"]]
    assert ws.get("A1", value_render_option="UNFORMATTED_VALUE") == [[43832]]


def test_trailing_empty_rows_and_columns_are_trimmed(ws: gspread.Worksheet) -> None:
    """Trailing empty cells and rows are dropped; empty rows inside the data stay as []."""
    ws.update([["a", "", "c", ""], ["", "", "", ""], ["", "b", "", ""], ["", "", "", ""]], "A1")
    result = ws.spreadsheet.values_get("Sheet1!A1:D4")
    assert result == {
        "range": "Sheet1!A1:D4",
        "majorDimension": "ROWS",
        "values": [["a", "", "c"], [], ["", "b"]],
    }
    empty = ws.spreadsheet.values_get("Sheet1!F10:G12")
    assert empty == {"range": "Sheet1!F10:G12", "majorDimension": "ROWS"}


def test_quoted_sheet_names(new_sheet: Callable[..., gspread.Spreadsheet]) -> None:
    """Sheet names with spaces, quotes or cell-like titles are quoted in A1 both ways."""
    sh = new_sheet()
    for title in ("My Tab", "It's", "D3"):
        sheet = sh.add_worksheet(title, rows=5, cols=5)
        quoted = "'" + title.replace("'", "''") + "'"
        result = sh.values_update(
            f"{quoted}!A1:B2", params={"valueInputOption": "RAW"}, body={"values": [[title, 1]]}
        )
        assert result["updatedRange"] == f"{quoted}!A1:B1"
        assert sheet.get_all_values()[0] == [title, "1"]
        assert sh.values_get(quoted)["range"] == f"{quoted}!A1:E5"


def test_open_ended_and_whole_ranges(ws: gspread.Worksheet) -> None:
    """A2:C, A:A, 2:5 and a bare sheet name resolve against the grid size."""
    ws.update([["h1", "h2"], ["x", "y"]], "A1")
    sh = ws.spreadsheet
    assert sh.values_get("Sheet1!A2:C")["range"] == "Sheet1!A2:C1000"
    assert sh.values_get("Sheet1!A:A") == {
        "range": "Sheet1!A1:A1000",
        "majorDimension": "ROWS",
        "values": [["h1"], ["x"]],
    }
    assert sh.values_get("Sheet1!2:5")["values"] == [["x", "y"]]
    assert sh.values_get("Sheet1!2:5")["range"] == "Sheet1!A2:Z5"
    assert sh.values_get("Sheet1")["range"] == "Sheet1!A1:Z1000"
    assert sh.values_get("A1:B1")["values"] == [["h1", "h2"]]
    assert sh.values_get("Sheet1!B2:A1")["range"] == "Sheet1!A1:B2"


def test_major_dimension_columns(ws: gspread.Worksheet) -> None:
    """majorDimension=COLUMNS reads and writes column by column."""
    ws.spreadsheet.values_update(
        "Sheet1!A1",
        params={"valueInputOption": "RAW"},
        body={"majorDimension": "COLUMNS", "values": [["a", "b"], ["c"]]},
    )
    assert ws.get_all_values() == [["a", "c"], ["b", ""]]
    cols = ws.spreadsheet.values_get("Sheet1!A1:B2", params={"majorDimension": "COLUMNS"})
    assert cols["values"] == [["a", "b"], ["c"]]


def test_writes_outside_the_range_or_grid_fail(ws: gspread.Worksheet) -> None:
    """Values beyond the requested range or the grid are rejected with 400."""
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([[1, 2, 3]], "A1:B1")
    assert err.value.response.status_code == 400
    assert "tried writing to column [C]" in err.value.response.json()["error"]["message"]
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([[1]], "A1001")
    assert "exceeds grid limits" in err.value.response.json()["error"]["message"]


def test_update_counts_and_null_cells(ws: gspread.Worksheet) -> None:
    """Null values leave cells untouched and are not counted as updated."""
    ws.update([["a", "b"], ["c", "d"]], "A1")
    result = ws.spreadsheet.values_update(
        "Sheet1!A1", params={"valueInputOption": "RAW"}, body={"values": [[None, "B"], ["C", None]]}
    )
    assert result["updatedRange"] == "Sheet1!A1:B2"
    assert (result["updatedRows"], result["updatedColumns"], result["updatedCells"]) == (2, 2, 2)
    assert ws.get_all_values()[:2] == [["a", "B"], ["C", "d"]]


def test_append_finds_the_table(ws: gspread.Worksheet) -> None:
    """append writes after the table found in the range and reports it as tableRange."""
    ws.update([["h1", "h2", "h3"], ["1", "2", "3"]], "A1")
    result = ws.append_row(["4", "5", "6"])
    assert result["tableRange"] == "Sheet1!A1:C2"
    assert result["updates"]["updatedRange"] == "Sheet1!A3:C3"
    ws.resize(rows=3)
    ws.append_row(["7", "8"], insert_data_option="INSERT_ROWS")
    assert ws.row_count == 4
    assert ws.get_all_values()[-1] == ["7", "8", ""]


def test_batch_get_update_and_clear(ws: gspread.Worksheet) -> None:
    """values.batchUpdate, values.batchGet and values.batchClear act on several ranges."""
    ws.batch_update(
        [{"range": "A1:B1", "values": [["a", "b"]]}, {"range": "D4", "values": [["=2*3"]]}],
        value_input_option="USER_ENTERED",
    )
    got = ws.batch_get(["A1:B1", "D4"], value_render_option="UNFORMATTED_VALUE")
    assert [list(vr) for vr in got] == [[["a", "b"]], [[6]]]
    ws.batch_clear(["A1:B1"])
    assert ws.get_all_values()[0] == ["", "", "", ""]
    assert ws.acell("D4").value == "6"


def test_update_can_return_the_written_values(ws: gspread.Worksheet) -> None:
    """includeValuesInResponse returns updatedData rendered with the response options."""
    result = ws.spreadsheet.values_update(
        "Sheet1!A1",
        params={
            "valueInputOption": "USER_ENTERED",
            "includeValuesInResponse": "true",
            "responseValueRenderOption": "UNFORMATTED_VALUE",
        },
        body={"values": [["=1+2", "x"]]},
    )
    assert result["updatedData"] == {
        "range": "Sheet1!A1:B1",
        "majorDimension": "ROWS",
        "values": [[3, "x"]],
    }


def test_clear_keeps_formats(ws: gspread.Worksheet) -> None:
    """values.clear removes values but keeps the cell format."""
    ws.update([[43832]], "A1", value_input_option="RAW")
    ws.format("A1", {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}})
    ws.clear()
    ws.update([[43833]], "A1", value_input_option="RAW")
    assert ws.acell("A1").value == "2020-01-03"


def test_a_cell_holds_at_most_50000_characters(ws: gspread.Worksheet) -> None:
    """50,000 characters fit in a cell; one more is Google's 400, by values or updateCells."""
    ws.update([["x" * 50_000]], "A1", value_input_option="RAW")
    assert len(ws.acell("A1").value or "") == 50_000
    with pytest.raises(gspread.exceptions.APIError, match="maximum of 50000 characters"):
        ws.update([["y" * 50_001]], "A2", value_input_option="RAW")
    cells = {
        "updateCells": {
            "start": {"sheetId": ws.id, "rowIndex": 2, "columnIndex": 0},
            "rows": [{"values": [{"userEnteredValue": {"stringValue": "z" * 50_001}}]}],
            "fields": "userEnteredValue",
        }
    }
    with pytest.raises(gspread.exceptions.APIError, match=r"requests\[0\]\.updateCells"):
        ws.spreadsheet.batch_update({"requests": [cells]})
    assert len(ws.get_all_values()) == 1  # neither long value was stored
