"""A language switch on Google re-lays the dropdown lists (the layout otherwise touches only
what is missing): the Status column's list follows the team language, in one batchUpdate."""

from __future__ import annotations

from typing import Any

from tests.google.conftest import HEADERS, GoogleSheet, typed_row

STATUS = HEADERS.index("Status")
STATUS_EN = (
    "New", "In Progress", "Awaiting Customer", "Awaiting Seller", "Awaiting Platform",
    "Return Shipped", "Resolved", "Closed",
)  # fmt: skip
STATUS_ZH = ("新建", "处理中", "等待客户", "等待卖家", "等待平台", "已寄回", "已解决", "已关闭")


def status_rules(sheet: GoogleSheet) -> set[tuple[tuple[str, ...], bool]]:
    """Each distinct dropdown rule on the Status column's cells: (its list, strict)."""
    book = sheet.emulator.spreadsheet(sheet.spreadsheet_id)
    cases = next(s for s in book.sheets if s.title == "Cases")
    return {
        (
            tuple(v["userEnteredValue"] for v in cell.validation["condition"]["values"]),
            bool(cell.validation.get("strict", False)),
        )
        for r, c, cell in cases.iter_cells()
        if c == STATUS and r >= 1 and cell.validation
    }


def set_language(sheet: GoogleSheet, language: str) -> None:
    """The team lead types the language into the Settings tab's row 2."""
    sheet.emulator.set_values(sheet.spreadsheet_id, "'Settings'!A2:B2", [["language", language]])


def sync_counting_layouts(sheet: GoogleSheet) -> tuple[Any, int]:
    sheet.emulator.clear_requests()
    report = sheet.sync()
    return report, sheet.emulator.count("spreadsheets.batchUpdate")


def test_switching_en_to_zh_and_back_relays_the_status_dropdown(google_sheet: GoogleSheet) -> None:
    """en: the English list; 中文: the Chinese list (not strict, so a row still typed
    'In Progress' and one typed 处理中 both read without error); English again: the English
    list; a sync after each switch changes nothing."""
    google_sheet.type_rows([typed_row(1, status="In Progress"), typed_row(2, status="处理中")])
    report, _ = sync_counting_layouts(google_sheet)
    assert report.language == "en"
    assert status_rules(google_sheet) == {(STATUS_EN, False)}

    set_language(google_sheet, "中文")
    report, batches = sync_counting_layouts(google_sheet)
    assert report.language == "zh"
    assert report.errors == 0, [r.validation for r in report.results]
    assert status_rules(google_sheet) == {(STATUS_ZH, False)}
    assert batches == 1  # the dropdowns ride in the layout's one batchUpdate
    report, batches = sync_counting_layouts(google_sheet)
    assert (report.cells_written, batches) == (0, 0)

    set_language(google_sheet, "English")
    report, batches = sync_counting_layouts(google_sheet)
    assert report.language == "en"
    assert report.errors == 0, [r.validation for r in report.results]
    assert status_rules(google_sheet) == {(STATUS_EN, False)}
    assert batches == 1
    report, batches = sync_counting_layouts(google_sheet)
    assert (report.cells_written, batches) == (0, 0)
