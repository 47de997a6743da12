"""Syncs of a Google spreadsheet through the emulator: results, call counts, access errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl.utils import get_column_letter

from app.errors import SheetAccessError
from app.runtime import open_runtime
from app.settings import Settings
from tests.google.conftest import HEADERS, GoogleSheet, typed_row
from tests.workbooks import NOW


def test_sync_writes_results_and_keeps_what_people_typed(google_sheet: GoogleSheet) -> None:
    """A Google sync writes deadlines and states beside the rows and leaves typed cells alone."""
    rows = [typed_row(1), typed_row(2, case_id="", opened=""), typed_row(3, customer="=1+1")]
    google_sheet.type_rows(rows)
    before = google_sheet.records()
    report = google_sheet.sync()
    after = google_sheet.records()
    assert report.errors == 0
    assert after[0]["policy_ref"] == "bhiner@2025.1"
    assert after[0]["computed_for"] == "AS-G-0001"
    assert isinstance(after[0]["return_deadline"], int | float)  # a date serial, formatted
    assert after[1]["case_id"] == "AS-251010-0001"
    for b, a in zip(before, after, strict=True):
        for key in ("order_no", "customer", "platform", "issue_type", "window_start", "status"):
            assert a[key] == b[key]
    assert after[2]["customer"] == 2  # what the person typed: Sheets made it a formula
    validation = get_column_letter(HEADERS.index("Validation") + 1)  # init's layout
    cell = google_sheet.emulator.value_range(google_sheet.spreadsheet_id, f"'Cases'!{validation}2")
    assert cell["values"] == [["OK"]]


def test_second_sync_makes_one_read_and_no_write(google_sheet: GoogleSheet) -> None:
    """An unchanged sheet costs one values:batchGet and nothing else on the next sync."""
    google_sheet.type_rows([typed_row(n) for n in range(1, 6)])
    google_sheet.sync()
    google_sheet.emulator.clear_requests()
    report = google_sheet.sync(NOW + timedelta(seconds=30))
    kinds = [r.kind for r in google_sheet.emulator.requests()]
    assert report.cells_written == 0
    assert kinds == ["values.batchGet"]


def test_text_starting_with_equals_is_written_as_text(google_sheet: GoogleSheet) -> None:
    """A service value that starts with '=' lands as text (RAW), never as a formula."""
    google_sheet.type_rows([typed_row(1)])
    backend = google_sheet.runtime.backend()
    backend.read(lambda titles: ["Cases"])
    from app.sheets.backend import CellUpdate

    backend.write([CellUpdate("Cases", 2, 28, '=HYPERLINK("http://x.invalid","x")')])
    formula = google_sheet.emulator.values(
        google_sheet.spreadsheet_id, "'Cases'!AB2", render="FORMULA"
    )
    assert formula == [['=HYPERLINK("http://x.invalid","x")']]
    shown = google_sheet.emulator.value_range(google_sheet.spreadsheet_id, "'Cases'!AB2")
    assert shown["values"] == [['=HYPERLINK("http://x.invalid","x")']]


def test_unshared_spreadsheet_names_the_service_account(
    emulator, service_account, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A sheet not shared with the service account says which account to share it with."""
    spreadsheet_id = emulator.create_spreadsheet("Private", owner="boss@agency.example")
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/s.db",  # type: ignore[arg-type]
        google_credentials=str(service_account.path),  # type: ignore[arg-type]
        google_api_override=emulator.base_url,
    )
    runtime = open_runtime(settings, sheet=spreadsheet_id)
    with pytest.raises(SheetAccessError, match=service_account.email):
        runtime.engine().sync(now=NOW)
    runtime.store.close()


def test_missing_cases_tab_and_header_are_named(google_sheet: GoogleSheet) -> None:
    """A Cases tab whose Status header was renamed stops the sync naming the column."""
    google_sheet.type_rows([typed_row(1)])
    google_sheet.emulator.set_values(google_sheet.spreadsheet_id, "'Cases'!P1", [["State"]])
    from app.errors import SheetContractError

    with pytest.raises(SheetContractError, match="'Status'"):
        google_sheet.sync()


def test_a_case_id_formula_that_shows_nothing_is_named_not_overwritten(
    google_sheet: GoogleSheet,
) -> None:
    """A Case ID cell holding a person's formula that computes "" looks blank to the values
    API; it is named in Validation and kept, and filled only once the person clears it."""
    google_sheet.type_rows([typed_row(1), typed_row(2, case_id='=IF(FALSE,"x","")'), typed_row(3)])
    sid = google_sheet.spreadsheet_id
    emulator = google_sheet.emulator

    google_sheet.sync()
    formula = emulator.values(sid, "'Cases'!A3", render="FORMULA")
    assert formula == [['=IF(FALSE,"x","")']]
    row = google_sheet.records()[1]
    assert "Case ID" in row["validation"] and "formula" in row["validation"], row["validation"]
    assert google_sheet.records()[0]["case_id"] == "AS-G-0001"

    google_sheet.sync(NOW + timedelta(minutes=5))  # still there: still kept
    assert emulator.values(sid, "'Cases'!A3", render="FORMULA") == formula

    emulator.set_values(sid, "'Cases'!A3", [[""]])  # the person clears the cell
    google_sheet.sync(NOW + timedelta(minutes=10))
    assert google_sheet.records()[1]["case_id"] == "AS-251010-0001"


def test_service_columns_get_warning_protection_and_a_header_note(
    google_sheet: GoogleSheet,
) -> None:
    """Priority's header notes it is computed (use Priority Override) and warns before an edit."""
    google_sheet.type_rows([typed_row(1)])
    google_sheet.sync()
    book = google_sheet.emulator.spreadsheet(google_sheet.spreadsheet_id)
    cases = next(t for t in book.sheets if t.title == "Cases")
    header = [cases.get(0, c) for c in range(cases.cols)]
    titles = google_sheet.grid()[0]
    priority = titles.index("Priority")
    note = header[priority].note
    assert note is not None and "After-sales Desk" in note and "Priority Override" in note
    assert header[titles.index("Customer")].note is None  # a person's column: no note of ours
    guards = [p for p in cases.protected if p["range"].get("startColumnIndex") == priority]
    assert guards and all(p.get("warningOnly") is True for p in guards)
