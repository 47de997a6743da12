"""A Chinese-speaking team's workbook, synced end to end: the service's own headers, tabs,
Timeline, KPIs and dropdowns in Chinese; switching languages rewrites only what the service
wrote, and a second sync writes nothing. The expected Chinese is written out here by hand."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from app.runtime import Runtime
from tests.workbooks import NOW, case, read_tab, records, write_workbook

# How a Chinese team heads its own columns (schema aliases), with a column of its own.
TEAM_HEADERS = [
    "案件编号", "开案时间", "平台", "订单号", "客户", "问题类型", "商品状况", "入库日期",
    "证据", "原包装", "负责人", "状态", "备注", "客服组",
]  # fmt: skip

# The service columns' Chinese headers, in the schema's order, as a Chinese team reads them.
SERVICE_HEADERS_ZH = [
    "政策版本", "退货截止日期", "剩余天数", "卖家退货截止", "下一步", "下一步期限", "SLA状态",
    "优先级", "校验", "建议回复", "卖家消息", "升级", "服务最后更改", "计算对象",
]  # fmt: skip
SERVICE_HEADERS_EN = [
    "Policy Ref", "Return Deadline", "Days Left", "Seller Deadline", "Next Action", "Next Due",
    "SLA State", "Priority", "Validation", "Suggested Reply", "Seller Message", "Escalation",
    "Last Changed By Service", "Computed For",
]  # fmt: skip


def chinese_rows() -> list[dict[str, Any]]:
    return [
        {
            "案件编号": "CN-0001",
            "开案时间": datetime(2025, 10, 9, 9, 30),
            "平台": "Superbuy",
            "订单号": "SB20251009",
            "客户": "王芳",
            "问题类型": "质量问题",
            "商品状况": "全新",
            "入库日期": datetime(2025, 10, 1),
            "证据": "照片",
            "原包装": "有",
            "负责人": "小王",
            "状态": "处理中",
            "备注": "客户很着急",
            "客服组": "A组",
        },
        {
            "案件编号": "CN-0002",
            "开案时间": datetime(2025, 10, 9, 14, 0),
            "平台": "Bhiner",
            "订单号": "BH777",
            "客户": "李雷",
            "问题类型": "发错货",
            "商品状况": "未使用",
            "入库日期": datetime(2025, 10, 3),
            "负责人": "小李",
            "状态": "新建",
        },
    ]


def settings_tab(language: str | None) -> list[list[Any]]:
    rows: list[list[Any]] = [["Setting", "Value", "Validation"]]
    if language is not None:
        rows.append(["language", language])
    return rows


def set_language(path: Path, language: str) -> None:
    """A team lead edits the Settings tab's language row (as she would in Excel)."""
    book = openpyxl.load_workbook(path)
    sheet = book["Settings"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "language":
            row[1].value = language
            break
    else:
        sheet.append(["language", language])
    book.save(path)


def sync(rt: Runtime, now: datetime = NOW) -> Any:
    return rt.engine().sync(now=now)


def chart_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if "charts/chart" in n
        )


def list_validations(path: Path, tab: str) -> set[str]:
    sheet = openpyxl.load_workbook(path)[tab]
    return {str(dv.formula1) for dv in sheet.data_validations.dataValidation}


def test_a_chinese_teams_workbook_gets_every_service_header_tab_and_label_in_chinese(
    runtime: Runtime,
) -> None:
    """Settings says 中文: service headers, created tabs, Timeline, KPIs, chart and dropdowns
    are Chinese; the team's cells stay as typed; a second sync writes nothing."""
    write_workbook(
        runtime.workbook,
        chinese_rows(),
        headers=TEAM_HEADERS,
        title="案件",
        extra_tabs={"Settings": settings_tab("中文")},
    )
    report = sync(runtime)
    assert report.language == "zh"
    assert report.errors == 0

    cases = read_tab(runtime.workbook, "案件")
    assert cases[0] == TEAM_HEADERS + SERVICE_HEADERS_ZH  # the team's headers keep their text
    assert [row[:14] for row in cases[1:]] == [
        [r.get(h) for h in TEAM_HEADERS] for r in chinese_rows()
    ]

    book = openpyxl.load_workbook(runtime.workbook)
    assert set(book.sheetnames) == {
        "案件", "Settings", "时间线", "政策", "假期", "模板", "通知", "关键指标",
    }  # fmt: skip

    timeline = read_tab(runtime.workbook, "时间线")
    assert timeline[0] == ["事件编号", "时间", "案件编号", "事件", "详情", "运行编号"]
    created = {row[2]: row for row in timeline[1:] if row[3] == "新建"}
    assert created["CN-0001"][4] == "开案，状态为 处理中"
    assert created["CN-0002"][4] == "开案，状态为 新建"

    assert read_tab(runtime.workbook, "通知")[0] == [
        "创建时间", "案件编号", "类型", "渠道", "接收方", "标题", "状态", "尝试次数",
        "下次尝试", "发送时间", "最近错误", "幂等键",
    ]  # fmt: skip
    assert read_tab(runtime.workbook, "假期")[0] == ["日期", "类型", "备注", "校验"]
    assert read_tab(runtime.workbook, "模板")[0] == [
        "编号", "情形", "对象", "语言", "主题", "正文", "校验",
    ]  # fmt: skip
    assert read_tab(runtime.workbook, "政策")[0][:4] == ["平台", "版本", "生效日期", "来源"]

    kpis = read_tab(runtime.workbook, "关键指标")
    column_a = [row[0] for row in kpis]
    assert column_a[0] == "售后关键指标"
    assert column_a[1].startswith("统计期间：2025-07-13 – 2025-10-10（按开案日期，Asia/Shanghai）")
    assert column_a[2].startswith("共 2 个案件")
    for title in [
        "全部案件",
        "按平台",
        "按团队成员（负责人）",
        "按平台 × 团队成员",
        "按开案日期的周次",
    ]:
        assert title in column_a
    headers = next(row for row in kpis if row[0] == "范围")
    assert headers[2:5] == ["案件数", "首次回复中位数（工作小时）", "首次回复 90 分位（工作小时）"]
    assert "每周中位数：解决时长与首次回复" in chart_xml(runtime.workbook)

    # The dropdown a Chinese team picks its status from shows its own words.
    assert '"新建,处理中,等待客户,等待卖家,等待平台,已寄回,已解决,已关闭"' in list_validations(
        runtime.workbook, "案件"
    )

    second = sync(runtime)
    assert second.cells_written == 0


def test_switching_en_to_zh_to_en_rewrites_only_the_services_own_headers_and_labels(
    runtime: Runtime,
) -> None:
    """An English sheet switched to zh and back: the service's headers and KPI labels follow,
    a header the team typed ("Last Synced") and every person's cell stay; each second sync
    writes 0 cells."""
    write_workbook(
        runtime.workbook,
        [case(), case(**{"Case ID": "AS-T-0002", "Status": "New"})],
        extra_tabs={"Settings": settings_tab(None)},
    )
    book = openpyxl.load_workbook(runtime.workbook)
    book["Cases"].cell(1, 30, "Last Synced")  # the team's own older spelling of a service column
    book.save(runtime.workbook)

    assert sync(runtime).language == "en"
    english = read_tab(runtime.workbook)
    service_en = [h for h in SERVICE_HEADERS_EN if h != "Last Changed By Service"]
    assert set(service_en) <= set(english[0])
    assert "Last Synced" in english[0]
    user_before = [row[:24] for row in english]
    assert read_tab(runtime.workbook, "KPIs")[0][0] == "After-sales KPIs"

    set_language(runtime.workbook, "zh")
    report = sync(runtime)
    assert report.language == "zh"
    chinese = read_tab(runtime.workbook)
    expected = [
        {"Last Changed By Service": "Last Synced"}.get(h, h) for h in SERVICE_HEADERS_ZH
    ]  # fmt: skip
    zh_by_en = dict(zip(SERVICE_HEADERS_EN, SERVICE_HEADERS_ZH, strict=True))
    assert [zh_by_en.get(h, h) if h in service_en else h for h in english[0]] == chinese[0]
    assert "Last Synced" in chinese[0] and "服务最后更改" not in chinese[0]
    assert set(expected) - {"服务最后更改"} <= set(chinese[0])
    assert [row[:24] for row in chinese] == user_before  # no person's cell touched
    assert read_tab(runtime.workbook, "KPIs")[0][0] == "售后关键指标"  # the tab keeps its name
    assert sync(runtime).cells_written == 0

    set_language(runtime.workbook, "English")
    assert sync(runtime).language == "en"
    assert read_tab(runtime.workbook)[0] == english[0]
    assert read_tab(runtime.workbook, "KPIs")[0][0] == "After-sales KPIs"
    assert sync(runtime).cells_written == 0


def test_an_english_sheet_with_no_language_chosen_stays_english(runtime: Runtime) -> None:
    """No Settings row, no registration, English service headers: English, as before."""
    write_workbook(runtime.workbook, [case()])
    report = sync(runtime)
    assert report.language == "en"
    header = read_tab(runtime.workbook)[0]
    assert set(SERVICE_HEADERS_EN) <= set(header)
    assert records(runtime.workbook)[0]["Validation"] == "OK"
