"""API calls per sync do not grow with the sheet: a 10,000-case spreadsheet on the emulator."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.google.conftest import GoogleSheet, typed_row
from tests.workbooks import NOW

CASES = 10_000
NEW_ROWS = 200


def test_ten_thousand_cases_sync_in_constant_calls(google_sheet: GoogleSheet) -> None:
    """10,000 cases: new rows cost at most 3 reads + 2 writes, edits 1 + 1, no change 1 + 0."""
    # This test counts calls, not seconds: on a loaded machine the emulator (a thread of this
    # process) may take longer than the usual 10 s to answer a 10,000-row read.
    google_sheet.runtime._backend = backend = google_sheet.backend(timeout=120.0)
    backend.read(lambda titles: [])  # its metadata, as the set-up's backend had it cached
    google_sheet.type_rows([typed_row(n) for n in range(1, CASES + 1)])
    emulator = google_sheet.emulator

    # The first sync imports the whole sheet: every case gets its deadline, state and two
    # reply texts (~1 KB a case) and a Timeline entry. One read; the writes are bodies of at
    # most ~2 MB each (Google's recommended payload), plus one grid growth for the Timeline and
    # one layout batchUpdate adding the KPIs tab's chart and pivot table (first sync only).
    emulator.clear_requests()
    first = google_sheet.sync()
    assert first.cases == CASES and first.new_cases == CASES
    imported = _calls(google_sheet)
    sizes = [
        len(json.dumps(r.body, ensure_ascii=False, separators=(",", ":")).encode())
        for r in emulator.requests("values.batchUpdate")
    ]
    assert imported["read"] == 1, imported
    assert max(sizes) <= 2_100_000, sizes
    assert imported["write"] == 2 + len(sizes), imported  # chart, growth, payload bodies

    # Two hundred rows typed at the bottom, without ids: the blank ids are checked for formulas
    # (one read), written, read back, then the service cells: three reads and two writes,
    # whatever the sheet's size.
    later = NOW + timedelta(minutes=5)
    google_sheet.type_rows(
        [typed_row(CASES + n, case_id="", opened="") for n in range(1, NEW_ROWS + 1)],
        first_row=CASES + 2,
    )
    emulator.clear_requests()
    second = google_sheet.sync(later)
    assert second.new_cases == NEW_ROWS
    assert _calls(google_sheet) == {"read": 3, "write": 2}

    # A person edits some statuses; no new rows: one read, one write.
    emulator.set_values(google_sheet.spreadsheet_id, "'Cases'!P2:P4", [["Resolved"]] * 3)
    emulator.clear_requests()
    third = google_sheet.sync(later)
    assert third.cells_written > 0
    assert _calls(google_sheet) == {"read": 1, "write": 1}

    emulator.clear_requests()
    fourth = google_sheet.sync(later)
    assert fourth.cells_written == 0
    assert _calls(google_sheet) == {"read": 1, "write": 0}


def _calls(sheet: GoogleSheet) -> dict[str, int]:
    kinds = [r.kind for r in sheet.emulator.requests()]
    reads = sum(1 for k in kinds if k in ("values.batchGet", "spreadsheets.get"))
    writes = sum(1 for k in kinds if k in ("values.batchUpdate", "spreadsheets.batchUpdate"))
    return {"read": reads, "write": writes}
