"""Drive v3 through gspread: create, metadata, list, copy, export, permissions, delete."""

from __future__ import annotations

import gspread
import pytest

from tests.emulator import Emulator


def test_create_open_and_metadata(emulator: Emulator, gspread_client: gspread.Client) -> None:
    """files.create makes a spreadsheet with Google's defaults; files.get returns its times."""
    sheet = gspread_client.create("Desk")
    meta = gspread_client.get_file_drive_metadata(sheet.id)
    assert set(meta) == {"id", "name", "createdTime", "modifiedTime"}
    assert meta["name"] == "Desk"
    props = sheet.fetch_sheet_metadata()["properties"]
    assert (props["locale"], props["timeZone"], props["autoRecalc"]) == (
        "en_US",
        "Etc/GMT",
        "ON_CHANGE",
    )
    assert sheet.sheet1.row_count == 1000 and sheet.sheet1.col_count == 26
    assert len(sheet.id) == 44


def test_list_open_by_title_and_delete(gspread_client: gspread.Client) -> None:
    """files.list filters by name; delete removes the file."""
    first = gspread_client.create("Alpha")
    gspread_client.create("Beta")
    assert {f["name"] for f in gspread_client.list_spreadsheet_files()} == {"Alpha", "Beta"}
    assert gspread_client.open("Alpha").id == first.id
    gspread_client.del_spreadsheet(first.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gspread_client.open("Alpha")


def test_copy_keeps_content(gspread_client: gspread.Client) -> None:
    """files.copy duplicates the spreadsheet content under a new id."""
    original = gspread_client.create("Original")
    original.sheet1.update([["x", 1]], "A1")
    copy = gspread_client.copy(original.id, title="Copy")
    assert copy.id != original.id and copy.title == "Copy"
    assert copy.sheet1.get_all_values() == [["x", "1"]]


def test_export_csv(gspread_client: gspread.Client) -> None:
    """files.export renders the first sheet as CSV with formatted values."""
    sheet = gspread_client.create("Export")
    sheet.sheet1.update(
        [["a", "2020-01-02"], ["", "=1+1"]], "A1", value_input_option="USER_ENTERED"
    )
    assert sheet.export(gspread.utils.ExportFormat.CSV) == b"a,2020-01-02\r\n,2"


def test_permissions(gspread_client: gspread.Client, emulator: Emulator) -> None:
    """permissions.create / list / delete manage the ACL gspread's share() uses."""
    sheet = gspread_client.create("Shared")
    sheet.share("person@example.com", perm_type="user", role="reader", notify=False)
    perms = sheet.list_permissions()
    assert {(p["emailAddress"], p["role"]) for p in perms} >= {("person@example.com", "reader")}
    person = next(p for p in perms if p.get("emailAddress") == "person@example.com")
    sheet.remove_permissions("person@example.com")
    assert person["id"] not in {p["id"] for p in sheet.list_permissions()}
    assert emulator.spreadsheet(sheet.id).owner.endswith(".iam.gserviceaccount.com")
