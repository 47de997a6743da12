"""The Seller Deadline and item categories on a Google spreadsheet (the local Sheets API
emulator, gspread over HTTP): values typed as text the way the Sheets UI takes them, a team
word in Chinese, the Seller Deadline written as a date-time the sheet shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.google.conftest import GoogleSheet, typed_row

# Tuesday 24 February 2026, 10:00 in Shanghai, the first working day after the Spring Festival.
NOW = datetime(2026, 2, 24, 2, 0, tzinfo=UTC)


def wall(serial: object) -> datetime:
    """A serial date-time as the sheet holds it (days since 1899-12-30), to the minute."""
    assert isinstance(serial, int | float), serial
    minutes = round(serial * 24 * 60)
    return datetime(1899, 12, 30) + timedelta(minutes=minutes)


def test_google_sync_writes_seller_deadlines_and_names_unknown_words(
    google_sheet: GoogleSheet,
) -> None:
    """Timed and date-only starts give their deadlines; 1688 none; unknown words are named."""
    common = {"opened": "2026-02-23 09:30", "first_response_at": "2026-02-23 09:50"}
    google_sheet.type_rows(
        [
            # signed at 14:30 during the festival, on 天猫
            typed_row(1, platform="Bhiner", issue_type="不想要了", status="处理中",
                      window_start="2026-02-18 14:30", marketplace="天猫", **common),
            # a date alone, blank marketplace: the shipped default, Taobao
            typed_row(2, platform="Bhiner", issue_type="Wrong Size", status="In Progress",
                      window_start="2026-02-20", **common),
            typed_row(3, platform="Bhiner", issue_type="Changed Mind", status="In Progress",
                      window_start="2026-02-20", marketplace="1688", **common),
            typed_row(4, platform="Bhiner", issue_type="Changed Mind", status="In Progress",
                      window_start="2026-02-20", marketplace="Shopee", item_category="食品",
                      **common),
            typed_row(5, platform="Bhiner", issue_type="Changed Mind", status="In Progress",
                      window_start="2026-02-20", item_category="小玩意", **common),
        ]
    )  # fmt: skip

    google_sheet.sync(NOW)

    cases = {r["case_id"]: r for r in google_sheet.records()}
    timed = cases["AS-G-0001"]
    # 14:30 on 18 Feb + 7 x 24 h (the festival does not stop it) = 14:30 on 25 Feb.
    assert wall(timed["seller_deadline"]) == datetime(2026, 2, 25, 14, 30)
    assert timed["next_action"] == "Start the return with the seller before 2026-02-25 14:30"
    # 7 h on Tue + 4 h on Wed before 14:30 = 11 working hours: P1.
    assert timed["priority"] == "P1"
    assert "天猫" in timed["seller_message"] and "七天无理由退货" in timed["seller_message"]
    # 00:00 on 21 Feb + 168 h = 00:00 on 28 Feb.
    assert wall(cases["AS-G-0002"]["seller_deadline"]) == datetime(2026, 2, 28, 0, 0)
    assert cases["AS-G-0003"]["seller_deadline"] == ""
    unknown = cases["AS-G-0004"]
    assert unknown["seller_deadline"] == ""
    assert "Marketplace 'Shopee'" in unknown["validation"]
    assert "Not returnable" not in unknown["validation"]  # food is returnable at Bhiner
    assert "Item Category '小玩意'" in cases["AS-G-0005"]["validation"]

    google_sheet.emulator.clear_requests()
    assert google_sheet.sync(NOW).cells_written == 0
