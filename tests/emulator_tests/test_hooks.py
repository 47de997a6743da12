"""Test hooks: request log, fault injection, quota enforcement and person edits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import gspread
import pytest
import requests

from tests.emulator import Edit, Emulator, ServiceAccount, gspread_client


def test_request_log_counts_api_calls_by_kind(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """The log lists every API request with its kind, status and caller, in order."""
    emulator.clear_requests()
    ws.update([["a"]], "A1")
    ws.get_all_values()
    ws.spreadsheet.batch_update({"requests": [{"addSheet": {"properties": {"title": "T"}}}]})
    records = emulator.requests()
    assert [r.kind for r in records] == ["values.update", "values.get", "spreadsheets.batchUpdate"]
    assert [r.index for r in records] == [1, 2, 3]
    assert all(r.status == 200 and r.spreadsheet_id == ws.spreadsheet.id for r in records)
    assert records[0].principal is not None and records[0].principal.endswith(
        ".iam.gserviceaccount.com"
    )
    assert records[2].request_kinds == ["addSheet"]
    assert emulator.count("values.get") == 1


def test_fault_by_index_returns_google_429(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """A 429 injected on the 2nd request carries Google's RESOURCE_EXHAUSTED body."""
    emulator.inject_fault("429", at=2)
    ws.get_all_values()
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.get_all_values()
    assert err.value.response.status_code == 429
    assert err.value.response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    ws.get_all_values()
    assert [r.status for r in emulator.requests()[-3:]] == [200, 429, 200]


def test_fault_for_kinds_and_times(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """A fault limited to one kind and one firing hits only the first matching write."""
    emulator.inject_fault("503", kinds=["values.update"], times=1)
    ws.get_all_values()
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "A1")
    assert err.value.response.json()["error"] == {
        "code": 503,
        "message": "The service is currently unavailable.",
        "status": "UNAVAILABLE",
    }
    ws.update([["x"]], "A1")
    assert ws.acell("A1").value == "x"


def test_seeded_probability_is_reproducible(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """Faults drawn with the same seed hit the same requests."""

    def pattern() -> list[int]:
        emulator.clear_faults()
        emulator.inject_fault("500", probability=0.5, seed=7)
        statuses = []
        for _ in range(12):
            try:
                ws.spreadsheet.values_get("Sheet1!A1")
                statuses.append(200)
            except gspread.exceptions.APIError as err:
                statuses.append(err.response.status_code)
        return statuses

    first, second = pattern(), pattern()
    assert first == second and 500 in first and 200 in first


def test_dropped_connections(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """'drop' closes the socket before the write; 'drop_after' applies it and then drops."""
    emulator.inject_fault("drop", at=1)
    with pytest.raises(requests.ConnectionError):
        ws.update([["lost"]], "A1")
    assert "values" not in ws.spreadsheet.values_get("Sheet1")
    emulator.inject_fault("drop_after", at=1)
    with pytest.raises(requests.ConnectionError):
        ws.update([["kept"]], "A1")
    assert ws.get_all_values() == [["kept"]]
    dropped = [r for r in emulator.requests() if r.fault]
    assert [(r.fault, r.status) for r in dropped] == [("drop", None), ("drop_after", None)]


def test_slow_responses(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """'slow' delays the answer; a client timeout shorter than the delay fires."""
    emulator.inject_fault("slow", at=1, delay=0.3)
    started = time.monotonic()
    ws.get_all_values()
    assert time.monotonic() - started >= 0.3
    emulator.inject_fault("slow", at=1, delay=0.5)
    ws.client.set_timeout(0.1)
    with pytest.raises(requests.ReadTimeout):
        ws.get_all_values()
    ws.client.set_timeout(None)


def test_quota_per_user_with_a_frozen_clock(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """Beyond N requests per minute the caller gets 429 until the window slides."""
    emulator.clock.freeze()
    emulator.set_quota(per_user=3)
    for _ in range(3):
        ws.spreadsheet.values_get("Sheet1!A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.spreadsheet.values_get("Sheet1!A1")
    body = err.value.response.json()["error"]
    assert body["code"] == 429 and body["status"] == "RESOURCE_EXHAUSTED"
    assert "per minute per user" in body["message"]
    emulator.clock.advance(61)
    ws.spreadsheet.values_get("Sheet1!A1")


def test_quota_per_project_counts_all_users(
    emulator: Emulator, service_account: ServiceAccount, tmp_path: Path
) -> None:
    """A per-project quota is shared by the service accounts of one project."""
    other = emulator.create_service_account(
        tmp_path, name="second", project_id=service_account.project_id
    )
    first_client = gspread_client(emulator, service_account)
    sheet = first_client.create("Quota")
    sheet.share(other.email, perm_type="user", role="writer", notify=False)
    first = first_client.open_by_key(sheet.id).sheet1
    second = gspread_client(emulator, other).open_by_key(sheet.id).sheet1
    emulator.clock.freeze()
    emulator.set_quota(per_project=2, window=10)
    first.get_all_values()
    second.get_all_values()
    with pytest.raises(gspread.exceptions.APIError) as err:
        first.get_all_values()
    assert err.value.response.status_code == 429
    emulator.clock.advance(10)
    second.get_all_values()


def test_quota_peaks_report_the_most_counted_in_one_window(
    emulator: Emulator, ws: gspread.Worksheet
) -> None:
    """The quota's high-water mark per limit: requests counted in one window, 429s excluded."""
    emulator.clock.freeze()
    emulator.set_quota(per_user=3, per_project=5, window=10)
    for _ in range(2):
        ws.spreadsheet.values_get("Sheet1!A1")
    emulator.clock.advance(10)
    for _ in range(3):
        ws.spreadsheet.values_get("Sheet1!A1")
    with pytest.raises(gspread.exceptions.APIError):
        ws.spreadsheet.values_get("Sheet1!A1")
    email = emulator.requests()[-1].principal
    assert emulator.quota_peaks() == {f"user:{email}": 3, "project:aftersales-emulator": 3}


def test_a_copied_spreadsheet_is_independent_and_shared_alike(
    emulator: Emulator, gspread_client: gspread.Client, ws: gspread.Worksheet
) -> None:
    """copy_spreadsheet: same tabs, values and sharing under a new id, without an API
    request; a later edit of the copy leaves the original alone."""
    ws.update([["a", "b"]], "A1")
    original = ws.spreadsheet.id
    emulator.clear_requests()
    copy = emulator.copy_spreadsheet(original, title="Copy")
    assert copy != original and emulator.requests() == []
    assert emulator.values(copy, "Sheet1!A1:B1") == [["a", "b"]]
    assert emulator.spreadsheet(copy).title == "Copy"
    same = gspread_client.open_by_key(copy).sheet1  # shared with the same account
    same.update([["changed"]], "A1")
    assert emulator.values(original, "Sheet1!A1") == [["a"]]


def test_reads_and_writes_have_separate_quotas(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """Read and write limits are counted separately, like Sheets' read/write quotas."""
    emulator.set_quota(reads_per_user=1, writes_per_user=5)
    ws.update([["w"]], "A1")
    ws.get_all_values()
    ws.update([["w2"]], "A1")
    with pytest.raises(gspread.exceptions.APIError):
        ws.get_all_values()


def test_person_sorts_the_sheet_before_a_write(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """A scheduled sort lands between the service's read and its positional write."""
    ws.update([["Case ID", "Note"], ["C-2", ""], ["C-1", ""]], "A1")
    rows = ws.get_all_values()
    target_row = next(i for i, row in enumerate(rows, start=1) if row[0] == "C-2")
    emulator.schedule_edit(Edit.sort(ws.spreadsheet.id, "Sheet1", column="A"), at_request=1)
    ws.update([["written for C-2"]], f"B{target_row}")
    # the stale row-number write landed on C-1, which the sort moved into row 2
    assert ws.get_all_values() == [["Case ID", "Note"], ["C-1", "written for C-2"], ["C-2", ""]]


def test_person_inserts_deletes_and_types(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """Insert, delete and typed-value edits fire before the k-th request of a kind."""
    sid = ws.spreadsheet.id
    ws.update([["a"], ["b"], ["c"]], "A1")
    emulator.schedule_edit(Edit.insert_rows(sid, "Sheet1", row=2), at_request=1, kinds="values.get")
    emulator.schedule_edit(Edit.set_values(sid, "Sheet1!A2", [["typed"]]), at_request=2)
    emulator.schedule_edit(Edit.delete_rows(sid, "Sheet1", row=1), at_request=3)
    assert ws.col_values(1) == ["a", "", "b", "c"]
    assert ws.col_values(1) == ["a", "typed", "b", "c"]
    assert ws.col_values(1) == ["typed", "b", "c"]
    assert emulator.edit_errors == []


def test_http_hook_endpoints(emulator: Emulator, service_account: ServiceAccount) -> None:
    """The /__emulator hooks create foreign spreadsheets, faults, edits and read the log."""
    base = emulator.base_url
    created = requests.post(
        f"{base}/__emulator/spreadsheets",
        json={
            "title": "Team",
            "owner": "lead@example.com",
            "sharedWith": {service_account.email: "writer"},
        },
        timeout=10,
    ).json()
    sid = created["spreadsheetId"]
    client = gspread_client(emulator, service_account)
    sheet = client.open_by_key(sid).sheet1
    requests.post(
        f"{base}/__emulator/edits",
        json={"at": 1, "spreadsheetId": sid, "values": {"range": "Sheet1!A1", "values": [["hi"]]}},
        timeout=10,
    )
    requests.post(f"{base}/__emulator/faults", json={"action": "500", "at": [2]}, timeout=10)
    assert sheet.get_all_values() == [["hi"]]
    with pytest.raises(gspread.exceptions.APIError):
        sheet.get_all_values()
    log = requests.get(
        f"{base}/__emulator/requests", params={"kind": "values.get"}, timeout=10
    ).json()
    assert [r["status"] for r in log["requests"]] == [200, 500]
    requests.post(f"{base}/__reset", timeout=10)
    assert emulator.spreadsheet_ids() == []


def test_hooks_are_thread_safe(emulator: Emulator, ws: gspread.Worksheet) -> None:
    """Concurrent writers through separate clients all land and are all logged."""
    emulator.clear_requests()
    errors: list[BaseException] = []

    def writer(column: int) -> None:
        try:
            for row in range(1, 6):
                ws.spreadsheet.values_update(
                    f"Sheet1!R{row}C{column}",
                    params={"valueInputOption": "RAW"},
                    body={"values": [[f"{column}-{row}"]]},
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    values = ws.get_all_values()
    assert values[4] == [f"{c}-5" for c in range(1, 7)]
    assert emulator.count("values.update") == 30
    assert sorted(r.index for r in emulator.requests()) == list(range(1, 32))
