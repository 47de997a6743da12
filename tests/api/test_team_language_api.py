"""The team language as the API reports it (the add-on caches it): GET /v1/sheets/{sheet} and
the sync summary."""

from __future__ import annotations

import openpyxl

from tests.api.support import SHEET_ALLOWED, Api, base_cases
from tests.workbooks import write_workbook


def test_a_sheet_registered_in_chinese_reports_zh_before_and_after_its_sync(api: Api) -> None:
    """Registered with --language zh: the sheet info says zh at once, the sync says zh and
    writes Chinese service headers."""
    book = write_workbook(api.tmp / "zh.xlsx", base_cases())
    api.context.registry.add(
        "teamzh", kind="workbook", location=str(book), allowed=SHEET_ALLOWED, language="中文"
    )
    assert api.get("/v1/sheets/teamzh")["language"] == "zh"

    summary = api.sync("teamzh")

    assert summary["language"] == "zh"
    assert api.get("/v1/sheets/teamzh")["language"] == "zh"
    header = [c.value for c in openpyxl.load_workbook(book)["Cases"][1]]
    assert "退货截止日期" in header and "Return Deadline" not in header


def test_the_settings_tab_beats_the_registration_in_what_the_api_reports(api: Api) -> None:
    """Registered zh but the Settings tab says English: the sync and the sheet info say en."""
    book = write_workbook(
        api.tmp / "en.xlsx",
        base_cases(),
        extra_tabs={"Settings": [["Setting", "Value"], ["Language", "English"]]},
    )
    api.context.registry.add(
        "teamen", kind="workbook", location=str(book), allowed=SHEET_ALLOWED, language="zh"
    )

    assert api.sync("teamen")["language"] == "en"
    assert api.get("/v1/sheets/teamen")["language"] == "en"


def test_the_sidebar_tells_a_chinese_team_to_fix_an_unreadable_case_in_chinese(api: Api) -> None:
    """A zh sheet's case that cannot be evaluated (a Window Start of 下周) shows the Chinese
    Next Action the sheet's row holds, not the English 'Fix the problems listed in Validation'."""
    cases = base_cases()
    cases[0] = {**cases[0], "Window Start": "下周"}
    book = write_workbook(api.tmp / "zh.xlsx", cases)
    api.context.registry.add(
        "teamzh", kind="workbook", location=str(book), allowed=SHEET_ALLOWED, language="中文"
    )
    api.sync("teamzh")
    case_id = str(cases[0]["Case ID"])

    shown = api.get(f"/v1/sheets/teamzh/cases/{case_id}")

    assert shown["next_action"] == "请先修正校验栏列出的问题"
    tab = openpyxl.load_workbook(book)["Cases"]
    header = [c.value for c in tab[1]]
    row = next(r for r in tab.iter_rows(min_row=2, values_only=True) if r[0] == case_id)
    assert row[header.index("下一步")] == "请先修正校验栏列出的问题"
