"""Platforms a team declares in its Policies tab, synced on Google through the emulator: a window
in days and one in hours, typed as people type them in Sheets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.google.conftest import CASES, GoogleSheet, typed_row
from tests.workbooks import NOW


def from_serial(serial: float) -> datetime:
    """A Sheets serial number as the wall-clock time it shows, to the minute."""
    moment = datetime(1899, 12, 30) + timedelta(days=serial)
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=round(moment.second / 60))


def _type_policies(sheet: GoogleSheet, rows: list[dict[str, Any]]) -> None:
    """Type rows into the Policies tab under its headers, as a person would."""
    grid = sheet.emulator.values(sheet.spreadsheet_id, "'Policies'")
    header = grid[0]
    values = [[row.get(h, "") for h in header] for row in rows]
    sheet.emulator.set_values(sheet.spreadsheet_id, f"'Policies'!A{len(grid) + 1}", values)


def _policy_records(sheet: GoogleSheet) -> list[dict[str, Any]]:
    grid = sheet.emulator.values(sheet.spreadsheet_id, "'Policies'")
    return [dict(zip(grid[0], r, strict=False)) for r in grid[1:]]


def test_declared_platforms_by_days_and_hours_sync_on_google(google_sheet: GoogleSheet) -> None:
    """Typed Policies rows declare two platforms; their cases get deadlines in days and hours."""
    google_sheet.type_rows(
        [
            typed_row(1, platform="Superbuy"),
            typed_row(2, platform="cf", issue_type="Defect", window_start="2025-10-01"),
            typed_row(3, platform="JOY BUY", issue_type="Defect", window_start="2025-10-08 16:40"),
            typed_row(4, platform="Joy Buy", issue_type="Defect", window_start="2025/10/08"),
        ]
    )
    google_sheet.sync()  # the shipped versions are appended as built-in rows
    _type_policies(
        google_sheet,
        [
            {
                "Platform": "CNFans",
                "Version": "2025.1",
                "Effective From": "2025-01-01",
                "Window Days": "10",
                "Aliases": "CF；希恩凡",
            },
            {
                "Platform": "Joy Buy",
                "Version": "v1",
                "Effective From": "2025-01-01",
                "Window Hours": "72",
                "Window Starts": "已入库",
            },
            {
                "Platform": "Hagobuy",
                "Version": "1",
                "Effective From": "2025-01-01",
                "Window Days": "ten",
            },
        ],
    )
    now = NOW + timedelta(minutes=5)  # 2025-10-10 10:05 in Shanghai
    report = google_sheet.sync(now)
    out = {r["case_id"]: r for r in google_sheet.records()}
    assert report.cases == 4

    days = out["AS-G-0002"]
    assert days["policy_ref"] == "cnfans@2025.1"
    assert from_serial(days["return_deadline"]) == datetime(2025, 10, 11)  # 1 Oct + 10 days
    assert days["days_left"] == 1

    hours = out["AS-G-0003"]
    assert hours["policy_ref"] == "joy_buy@v1"
    # 16:40 -> counted from 17:00; + 72 h = 11 Oct 17:00 (Shanghai, the team's zone)
    assert from_serial(hours["return_deadline"]) == datetime(2025, 10, 11, 17, 0)
    assert hours["days_left"] == 1

    date_only = out["AS-G-0004"]
    assert from_serial(date_only["return_deadline"]) == datetime(2025, 10, 10)  # end of 10 Oct
    assert date_only["validation"].startswith("ℹ Window Start")

    validation = {r["Platform"]: r["Validation"] for r in _policy_records(google_sheet)}
    assert validation["CNFans"].startswith("OK: CNFans declared")
    assert validation["Hagobuy"].startswith("✗ Window Days 'ten'")
    shown = google_sheet.emulator.value_range(google_sheet.spreadsheet_id, "'Cases'!A1:AZ5")
    header = shown["values"][0]
    column = header.index("Return Deadline")
    by_id = {r[0]: r[column] for r in shown["values"][1:]}
    assert by_id["AS-G-0003"] == "2025-10-11 17:00"  # the time shows, not only the date
    assert by_id["AS-G-0002"] == "2025-10-11"
    assert google_sheet.sync(now + timedelta(seconds=30)).cells_written == 0

    # the arrival's time is deleted: the deadline becomes a date again, and shows as one
    start_col = [c.header for c in CASES.columns].index("Window Start")
    google_sheet.emulator.set_values(
        google_sheet.spreadsheet_id, f"'Cases'!{chr(65 + start_col)}4", [["2025-10-08"]]
    )
    google_sheet.sync(now + timedelta(minutes=1))
    shown = google_sheet.emulator.value_range(google_sheet.spreadsheet_id, "'Cases'!A1:AZ5")
    assert {r[0]: r[column] for r in shown["values"][1:]}["AS-G-0003"] == "2025-10-10"
