"""A Google cell holds at most 50,000 characters, and so does every cell the service writes,
whatever a person typed: Timeline details quoting a 50,000-character Evidence list included."""

from __future__ import annotations

from datetime import timedelta

from openpyxl.utils import get_column_letter

from tests.emulator.errors import MAX_CELL_CHARS
from tests.google.conftest import USER_KEYS, GoogleSheet, typed_row
from tests.workbooks import NOW


def test_a_huge_evidence_list_is_synced_and_recorded_within_the_cell_limit(
    google_sheet: GoogleSheet,
) -> None:
    """Evidence of 50,000 characters added after the first sync: the second sync succeeds and
    its Timeline entry is cut to fit a cell, instead of a 400 on every sync from then on."""
    google_sheet.type_rows([typed_row(1)])
    google_sheet.sync()
    evidence = ";".join(["photo"] * (MAX_CELL_CHARS // 6))  # ", "-joined it would not fit
    assert len(evidence) <= MAX_CELL_CHARS
    cell = f"'Cases'!{get_column_letter(USER_KEYS.index('evidence') + 1)}2"
    google_sheet.emulator.set_values(google_sheet.spreadsheet_id, cell, [[evidence]], "RAW")

    report = google_sheet.sync(NOW + timedelta(minutes=5))

    assert report.timeline_events >= 1
    timeline = google_sheet.emulator.values(google_sheet.spreadsheet_id, "'Timeline'")
    details = [str(cell) for r in timeline for cell in r if str(cell).startswith("Evidence added")]
    assert details and all(len(d) <= MAX_CELL_CHARS for d in details), [len(d) for d in details]
    assert google_sheet.records()[0]["evidence"] == evidence  # the person's cell as typed
