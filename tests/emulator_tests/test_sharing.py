"""Sharing: the spreadsheet ACL, Google's 403 for unshared sheets, protected ranges."""

from __future__ import annotations

from pathlib import Path

import gspread
import pytest
import requests

from tests.emulator import Emulator, ServiceAccount, gspread_client


def test_unshared_spreadsheet_is_permission_denied(
    emulator: Emulator, gspread_client: gspread.Client
) -> None:
    """A sheet owned by someone else and not shared gives 403 PERMISSION_DENIED."""
    sid = emulator.create_spreadsheet("Team sheet", owner="lead@example.com")
    with pytest.raises(PermissionError) as err:
        gspread_client.open_by_key(sid)
    cause = err.value.__cause__
    assert isinstance(cause, gspread.exceptions.APIError)
    response = cause.response
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }


def test_sharing_grants_access(
    emulator: Emulator, gspread_client: gspread.Client, service_account: ServiceAccount
) -> None:
    """Once the owner shares the sheet with the service account, it can read and write."""
    sid = emulator.create_spreadsheet("Team sheet", owner="lead@example.com")
    emulator.share(sid, service_account.email, "writer")
    sheet = gspread_client.open_by_key(sid).sheet1
    sheet.update([["ok"]], "A1")
    assert emulator.values(sid, "Sheet1!A1") == [["ok"]]
    emulator.unshare(sid, service_account.email)
    with pytest.raises(gspread.exceptions.APIError):
        sheet.get_all_values()


def test_readers_cannot_write(
    emulator: Emulator, gspread_client: gspread.Client, service_account: ServiceAccount
) -> None:
    """A reader may read but every write is refused with 403."""
    sid = emulator.create_spreadsheet(
        "Read only", owner="lead@example.com", shared_with={service_account.email: "reader"}
    )
    sheet = gspread_client.open_by_key(sid).sheet1
    assert sheet.get_all_values() == [[]]
    with pytest.raises(gspread.exceptions.APIError) as err:
        sheet.update([["no"]], "A1")
    assert err.value.response.status_code == 403


def test_drive_hides_unshared_files(emulator: Emulator, service_account: ServiceAccount) -> None:
    """Drive answers 404 for files the caller cannot see, and does not list them."""
    sid = emulator.create_spreadsheet("Secret", owner="lead@example.com")
    client = gspread_client(emulator, service_account)
    with pytest.raises(gspread.exceptions.APIError) as err:
        client.get_file_drive_metadata(sid)
    assert err.value.response.status_code == 404
    assert err.value.response.json()["error"]["errors"][0]["reason"] == "notFound"
    assert client.list_spreadsheet_files() == []


def test_protected_ranges_block_other_editors(
    emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """Cells protected by the owner cannot be written by another editor; warnings can."""
    sid = emulator.create_spreadsheet(
        "Protected", owner="lead@example.com", shared_with={service_account.email: "writer"}
    )
    owner_token = "owner-token"
    emulator.add_static_token(owner_token, "lead@example.com")
    body = {
        "requests": [
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": {"sheetId": 0, "startColumnIndex": 0, "endColumnIndex": 1}
                    }
                }
            },
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": {"sheetId": 0, "startColumnIndex": 1, "endColumnIndex": 2},
                        "warningOnly": True,
                    }
                }
            },
        ]
    }
    response = requests.post(
        f"{emulator.base_url}/v4/spreadsheets/{sid}:batchUpdate",
        json=body,
        headers={"Authorization": f"Bearer {owner_token}"},
        timeout=10,
    )
    assert response.status_code == 200
    sheet = gspread_client(emulator, service_account).open_by_key(sid).sheet1
    with pytest.raises(gspread.exceptions.APIError) as err:
        sheet.update([["x"]], "A1")
    assert "protected cell" in err.value.response.json()["error"]["message"]
    sheet.update([["y"]], "B1")
    listed = sheet.spreadsheet.fetch_sheet_metadata()["sheets"][0]["protectedRanges"][0]
    assert listed["editors"] == {"users": ["lead@example.com"]}
    assert "requestingUserCanEdit" not in listed
