"""The Settings tab of a Google spreadsheet on the emulator: `init` lays out commented examples,
a person turns some into settings, the sync applies them and writes only their Validation."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.emulator.edits import Edit
from tests.google.conftest import GoogleSheet, typed_row

# Friday 14 November 2025, 11:00 in Shanghai.
NOW = datetime(2025, 11, 14, 3, 0, tzinfo=UTC)


def settings_grid(sheet: GoogleSheet) -> list[list[object]]:
    return sheet.emulator.values(sheet.spreadsheet_id, "'Settings'")


def test_google_settings_rows_apply_and_only_validation_is_written(
    google_sheet: GoogleSheet,
) -> None:
    """Examples from init stay untouched; the rows a person enabled apply or are named."""
    grid = settings_grid(google_sheet)
    assert grid[0][:3] == ["Setting", "Value", "Validation"]
    row_of = {str(r[0]): n for n, r in enumerate(grid, start=1) if r}
    l2, first = row_of["# escalation.L2"], row_of["# sla.first_response"]
    # The lead enables two examples (one with a typo in the key) and adds a row at the end.
    emulator, sid = google_sheet.emulator, google_sheet.spreadsheet_id
    emulator.set_values(
        sid, f"'Settings'!A{l2}:B{l2}", [["escalation.L2", "陈静 <chen.jing@example.com>"]]
    )
    emulator.set_values(sid, f"'Settings'!A{first}:B{first}", [["sla.first_responce", "5h"]])
    last = len(grid) + 1
    emulator.set_values(sid, f"'Settings'!A{last}:B{last}", [["sla.first_response", "6小时"]])
    google_sheet.type_rows(
        [typed_row(1, opened="2025-11-12 09:30", window_start="2025-11-10", status="New")]
    )
    typed = settings_grid(google_sheet)

    google_sheet.sync(NOW)

    after = settings_grid(google_sheet)
    for before_row, after_row in zip(typed, after, strict=True):
        assert before_row[:2] == after_row[:2]  # the team's Setting and Value cells
    validation = {n: (r[2] if len(r) > 2 else "") for n, r in enumerate(after, start=1)}
    assert validation[l2].startswith("OK: escalation.L2 = 陈静")
    assert "unknown setting 'sla.first_responce'" in validation[first]
    assert "did you mean sla.first_response?" in validation[first]
    assert validation[last].startswith("OK: sla.first_response = 6h")
    assert validation[row_of["# escalation.L3"]] == ""  # examples stay comments
    case = google_sheet.records()[0]
    # 6 working hours from Wed 09:30: 2.5h before lunch, 3.5h after 13:30 -> 17:00.
    assert case["sla_state"] == "Overdue: first response, due 11-12 17:00"
    assert str(case["escalation"]).startswith("L2 lead: 陈静 (first response overdue 1 day)")

    emulator.clear_requests()
    report = google_sheet.sync(NOW)
    assert report.cells_written == 0
    assert [r.kind for r in emulator.requests()] == ["values.batchGet"]


def test_google_sync_does_not_bring_back_a_deleted_settings_tab(
    google_sheet: GoogleSheet,
) -> None:
    """A team that deletes its Settings tab keeps it deleted: the sync never creates it."""
    emulator, sid = google_sheet.emulator, google_sheet.spreadsheet_id
    tab = next(t for t in emulator.spreadsheet(sid).sheets if t.title == "Settings")
    emulator.edit_now(Edit.requests(sid, [{"deleteSheet": {"sheetId": tab.sheet_id}}]))
    google_sheet.type_rows([typed_row(1, opened="2025-11-12 09:30", status="New")])
    google_sheet.sync(NOW)
    titles = [t.title for t in emulator.spreadsheet(sid).sheets]
    assert "Settings" not in titles and "Cases" in titles
    assert str(google_sheet.records()[0]["escalation"]).startswith("L2 lead: Team lead")
