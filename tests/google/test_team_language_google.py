"""A Chinese team's Google spreadsheet (locale zh_CN) on the emulator: `init` and the sync lay
it out in Chinese, the Settings tab's language beats the locale, and switching back to English
rewrites only the service's own headers. The expected Chinese is written out here by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.runtime import open_runtime
from app.settings import Settings
from tests.emulator.emulator import Emulator
from tests.emulator.model import Sheet
from tests.google.conftest import GoogleSheet

CASES_ZH = [
    "案件编号", "开案时间", "平台", "订单号", "客户", "渠道", "语言", "问题类型", "商品状况",
    "入库日期", "证据", "原包装", "视频证明", "负责人", "优先级调整", "状态", "首次回复时间",
    "平台回复", "处理结果", "退款金额", "币种", "满意度", "政策例外", "备注", "品类", "来源平台",
    "政策版本", "退货截止日期", "剩余天数", "卖家退货截止", "下一步", "下一步期限", "SLA状态",
    "优先级", "校验", "建议回复", "卖家消息", "升级", "服务最后更改", "计算对象",
]  # fmt: skip
SERVICE_EN = [
    "Policy Ref", "Return Deadline", "Days Left", "Seller Deadline", "Next Action", "Next Due",
    "SLA State", "Priority", "Validation", "Suggested Reply", "Seller Message", "Escalation",
    "Last Changed By Service", "Computed For",
]  # fmt: skip
USER_COLUMNS = 26  # the first 26 headers are the team's (user-owned) columns


@pytest.fixture
def chinese_sheet(
    emulator: Emulator, service_account: Any, tmp_path: Path
) -> Iterator[GoogleSheet]:
    """A spreadsheet a Chinese team made (locale zh_CN), set up by `init`."""
    spreadsheet_id = emulator.create_spreadsheet(
        "售后登记表", shared_with={service_account.email: "writer"}, locale="zh_CN"
    )
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
        google_credentials=str(service_account.path),  # type: ignore[arg-type]
        google_api_override=emulator.base_url,
    )
    runtime = open_runtime(settings, sheet=spreadsheet_id)
    sheet = GoogleSheet(emulator, spreadsheet_id, runtime, Path(service_account.path))
    sheet.fresh_runtime()
    runtime.initialise()
    yield sheet
    runtime.store.close()


def grid(sheet: GoogleSheet, title: str) -> list[list[Any]]:
    return sheet.emulator.values(sheet.spreadsheet_id, f"'{title}'")


def tab(sheet: GoogleSheet, title: str) -> Sheet:
    book = sheet.emulator.spreadsheet(sheet.spreadsheet_id)
    return next(s for s in book.sheets if s.title == title)


def type_cases(sheet: GoogleSheet) -> None:
    """Two cases typed the way the team writes them: Chinese words, dates as typed."""
    rows = [
        ["CN-G-1", "2025-10-09 09:30", "Superbuy", "SB1", "王芳", "微信", "中文", "质量问题",
         "全新", "2025-10-01", "照片", "是", "否", "小王", "", "处理中"],
        ["CN-G-2", "2025-10-09 15:00", "Yoybuy", "YB2", "赵敏", "邮件", "英文", "尺码不合适",
         "未使用", "2025-10-03", "", "是", "否", "小李", "", "新建"],
    ]  # fmt: skip
    sheet.emulator.set_values(sheet.spreadsheet_id, "'案件'!A2", rows)


def test_a_chinese_locale_spreadsheet_is_laid_out_and_synced_in_chinese(
    chinese_sheet: GoogleSheet,
) -> None:
    """Tabs, headers, Timeline, KPIs, chart and dropdowns in Chinese; a second sync writes 0."""
    titles = [
        s.title for s in chinese_sheet.emulator.spreadsheet(chinese_sheet.spreadsheet_id).sheets
    ]
    assert set(titles) >= {
        "案件",
        "时间线",
        "政策",
        "假期",
        "模板",
        "通知",
        "设置",
        "词汇",
        "关键指标",
    }
    assert grid(chinese_sheet, "案件")[0] == CASES_ZH
    type_cases(chinese_sheet)

    report = chinese_sheet.sync()
    assert report.language == "zh"
    assert report.errors == 0, [r.validation for r in report.results]
    cases = grid(chinese_sheet, "案件")
    assert cases[0] == CASES_ZH
    assert cases[1][:16] == [
        "CN-G-1", cases[1][1], "Superbuy", "SB1", "王芳", "微信", "中文", "质量问题", "全新",
        cases[1][9], "照片", "是", "否", "小王", "", "处理中",
    ]  # fmt: skip

    timeline = grid(chinese_sheet, "时间线")
    assert timeline[0] == ["事件编号", "时间", "案件编号", "事件", "详情", "运行编号"]
    created = {row[2]: row for row in timeline[1:] if row[3] == "新建"}
    assert created["CN-G-1"][4] == "开案，状态为 处理中"
    assert created["CN-G-2"][4] == "开案，状态为 新建"
    assert grid(chinese_sheet, "通知")[0][:3] == ["创建时间", "案件编号", "类型"]

    kpis = grid(chinese_sheet, "关键指标")
    assert kpis[0][0] == "售后关键指标"
    assert "全部案件" in [row[0] for row in kpis if row]
    charts = tab(chinese_sheet, "关键指标").charts
    assert [c["spec"]["title"] for c in charts] == ["每周中位数：解决时长与首次回复"]

    status = tab(chinese_sheet, "案件").iter_cells()
    status_rules = {
        tuple(v["userEnteredValue"] for v in cell.validation["condition"]["values"])
        for r, c, cell in status
        if c == 15 and r >= 1 and cell.validation
    }
    assert status_rules == {
        ("新建", "处理中", "等待客户", "等待卖家", "等待平台", "已寄回", "已解决", "已关闭")
    }

    assert chinese_sheet.sync().cells_written == 0


def test_the_settings_tabs_language_beats_the_locale_and_switching_back_is_clean(
    chinese_sheet: GoogleSheet,
) -> None:
    """设置 says English: the service's headers go back to English, the team's stay Chinese;
    the next sync writes nothing; removing the row goes back to the locale's Chinese."""
    type_cases(chinese_sheet)
    assert chinese_sheet.sync().language == "zh"

    settings = grid(chinese_sheet, "设置")
    last = len(settings) + 1
    emulator, sid = chinese_sheet.emulator, chinese_sheet.spreadsheet_id
    emulator.set_values(sid, f"'设置'!A{last}:B{last}", [["language", "English"]])
    report = chinese_sheet.sync()
    assert report.language == "en"
    header = grid(chinese_sheet, "案件")[0]
    assert header == CASES_ZH[:USER_COLUMNS] + SERVICE_EN
    validation = grid(chinese_sheet, "设置")[last - 1]
    assert str(validation[2]).startswith("OK: language = en")
    assert chinese_sheet.sync().cells_written == 0

    emulator.set_values(sid, f"'设置'!A{last}:B{last}", [["", ""]])
    assert chinese_sheet.sync().language == "zh"
    assert grid(chinese_sheet, "案件")[0] == CASES_ZH
    assert chinese_sheet.sync().cells_written == 0
