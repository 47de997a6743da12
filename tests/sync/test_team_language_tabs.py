"""A Chinese-speaking team's own tabs beside the cases (Settings, Vocabulary, Policies, Holidays,
Templates): the service's Validation cell of each row reads in Chinese, naming the cell and the
value the team wrote, while an English team reads exactly the texts it always has (issue 20).

Expected texts are written out by hand. The sheet is a workbook (.xlsx) synced on the workbook
backend at a fixed `now`.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from app.runtime import Runtime
from tests.sheet_schema.test_messages import ALLOWED_LATIN, LATIN_WORD, without_codes
from tests.workbooks import NOW, records, write_workbook

CASES = [
    "案件编号",
    "开案时间",
    "平台",
    "订单号",
    "客户",
    "问题类型",
    "商品状况",
    "入库日期",
    "状态",
]


def case(case_id: str) -> dict[str, Any]:
    """A Superbuy defect on a new item, as the team types it."""
    return {
        "案件编号": case_id,
        "开案时间": datetime(2025, 10, 9, 9, 30),
        "平台": "Superbuy",
        "订单号": f"SB-{case_id[-4:]}",
        "客户": "Emma Wilson",
        "问题类型": "质量问题",
        "商品状况": "全新",
        "入库日期": datetime(2025, 10, 1),
        "状态": "处理中",
    }


def team_tabs(language: str) -> dict[str, list[list[Any]]]:
    """The team's tabs, one bad row in each beside good ones, as a Chinese team writes them."""
    return {
        "设置": [
            ["设置项", "值", "校验"],
            ["language", language],
            ["sla.first_response", "两天"],  # no unit: not a duration
            ["sla.resolution", "3d"],
        ],
        "词表": [
            ["列", "团队用词", "含义", "校验"],
            ["问题类型", "碎了", "Damaged"],
            ["快递公司", "顺丰", "SF"],  # not a column with words
        ],
        "政策": [
            ["平台", "版本", "生效日期", "时限天数", "时限小时", "校验"],
            ["Superbuy", "team-1", datetime(2025, 9, 1), 20, None],
            ["Hagobuy", "team-1", datetime(2025, 9, 1), None, "十"],  # not a number
            ["淘宝代购", "v1", datetime(2025, 9, 1), None, None],  # a new platform, no window
            ["Superbuy", "team-2", datetime(2025, 9, 15), -5, None],  # below zero
        ],
        "假期": [
            ["日期", "类型", "备注", "校验"],
            [datetime(2025, 10, 11), "Working day", "国庆调休"],
            ["十月三十二", "Day off", "写错了"],  # not a date
        ],
        "模板": [
            ["编号", "情形", "对象", "语言", "主题", "正文", "校验"],
            ["photos_zh", "evidence_request", "customer", "zh", "补充照片", "您好，请补充照片。"],
            ["closing_zh", "closing", "customer", "zh", "结案", "您好 {{ customer }"],  # unclosed
        ],
    }


def write_sheet(path: Path, language: str) -> None:
    write_workbook(path, [case("AS-ZH-0301")], headers=CASES, extra_tabs=team_tabs(language))


def validation(path: Path, tab: str) -> list[Any]:
    """The Validation (校验) cell of each row of `tab`, top to bottom."""
    return [r.get("校验", r.get("Validation")) for r in records(path, tab)]


# Built-in rows the service appends under the team's: one per shipped policy version.
SHIPPED_ZH = "无误：内置政策（如需修改，请新增一行并填写更晚的生效日期）"
SHIPPED_EN = "OK: shipped policy (to change it, add a row with a later Effective From)"


def test_each_team_tab_validation_reads_in_chinese_naming_cell_and_value(
    runtime: Runtime,
) -> None:
    """A zh team's bad Settings value, unknown Vocabulary column, bad Policies rows, bad
    Holidays date and broken template are each named in Chinese with their cell and value."""
    write_sheet(runtime.workbook, "中文")
    runtime.engine().sync(now=NOW)
    book = runtime.workbook
    assert validation(book, "设置") == [
        "无误：language = zh（默认：注册时选择的语言（sheets add --language），"
        "否则按表格的区域设置或表头 中的 en）",
        # team.yaml ships a first response within 4 working hours, a resolution in 5 days
        "✗ 值 '两天'（设置!B3）：无法识别这个值；沿用默认值 4h",
        "无误：sla.resolution = 3d（默认：policies/data/team.yaml 中的 5d）",
    ]
    assert validation(book, "词表") == [
        "无误：问题类型“碎了”表示 Damaged in Transit",
        "✗ 未知的列“快递公司”；请使用以下之一：平台, 语言, 问题类型, 商品状况, 原包装, 视频证明, "
        "优先级调整, 状态, 处理结果, 政策例外, 品类, 来源平台",
    ]
    policies = validation(book, "政策")
    assert policies[:4] == [
        "无误：superbuy@team-1 自 2025-09-01 起生效",
        "✗ 时限小时 '十'（政策!E3）：不是数字",
        "✗ 时限天数：“淘宝代购”不是服务内置的平台；如要声明，请填写时限：时限天数，"
        "或卖家责任天数和买家原因天数，或时限小时数",
        "✗ 时限天数 '-5'：超出允许的范围",
    ]
    assert policies[4:] and set(policies[4:]) == {SHIPPED_ZH}
    assert validation(book, "假期") == [
        "无误：团队日历中的工作日",
        "✗ 日期 '十月三十二'（假期!A3）：不是日期（请按 2025-10-16 的格式填写）；"
        "日期为必填（假期 第 3 行）",
    ]
    assert validation(book, "模板") == ["无误", "✗ 模板 'closing_zh'（正文）：模板文本有语法错误"]


def test_the_same_tabs_in_english_read_as_they_always_have(runtime: Runtime) -> None:
    """The same sheet with its language set to English gets the English texts word for word."""
    write_sheet(runtime.workbook, "English")
    runtime.engine().sync(now=NOW)
    book = runtime.workbook
    assert validation(book, "设置") == [
        "OK: language = en (shipped: en in the registration (sheets add --language), "
        "else the spreadsheet's locale or headers)",
        "✗ Value '两天' (设置!B3): expected a target like 6h (working hours) or 2d (working "
        "days); the shipped value 4h is used",
        "OK: sla.resolution = 3d (shipped: 5d in policies/data/team.yaml)",
    ]
    assert validation(book, "词表") == [
        "OK: Issue Type '碎了' means Damaged in Transit",
        "✗ unknown column '快递公司'; use one of: Platform, Language, Issue Type, Item Condition, "
        "Original Packaging, Video Proof, Priority Override, Status, Outcome, Policy Exception, "
        "Item Category, Marketplace",
    ]
    policies = validation(book, "政策")
    assert policies[:4] == [
        "OK: superbuy@team-1 in force from 2025-09-01",
        "✗ Window Hours '十' (政策!E3): is not a number",
        "✗ Window Days: '淘宝代购' is not a platform the service ships; to declare it, give its "
        "window: Window Days, or Seller-fault Days and Buyer-reason Days, or Window Hours",
        "✗ Window Days '-5': Input should be greater than or equal to 0",
    ]
    assert policies[4:] and set(policies[4:]) == {SHIPPED_EN}
    assert validation(book, "假期") == [
        "OK: working day in the team calendar",
        "✗ Date '十月三十二' (假期!A3): is not a date (use YYYY-MM-DD); Date is required "
        "(假期 row 3)",
    ]
    assert validation(book, "模板") == ["OK", "✗ line 1: unexpected '}'"]


def test_a_second_chinese_sync_writes_nothing(runtime: Runtime) -> None:
    """Once the Chinese Validation cells are written, syncing again changes no cell."""
    write_sheet(runtime.workbook, "中文")
    runtime.engine().sync(now=NOW)
    again = runtime.engine().sync(now=NOW)
    assert again.cells_written == 0


def test_switching_to_chinese_rewrites_the_english_validation_cells(runtime: Runtime) -> None:
    """A team that switches its language from English to 中文 gets its tabs' Validation cells
    rewritten in Chinese on the next sync."""
    write_sheet(runtime.workbook, "English")
    runtime.engine().sync(now=NOW)
    book = openpyxl.load_workbook(runtime.workbook)
    book["设置"]["B2"] = "中文"
    book.save(runtime.workbook)
    runtime.engine().sync(now=NOW)
    assert validation(runtime.workbook, "假期")[0] == "无误：团队日历中的工作日"
    assert validation(runtime.workbook, "模板")[0] == "无误"


# What a Chinese team's Validation cell may hold in Latin letters besides the catalogue's
# allowed words and codes (cells such as 设置!B3): setting keys and values (3d), file names,
# the team's own words and the values they wrote, the vocabulary's canonical words, template
# keys and policy refs.
TEAM_LATIN = re.compile(
    r"\b[a-z_]+\.[a-z_.]+\b|\S*/\S*|'[^']*'|“[^”]*”|--[a-z-]+|\b[a-z]+_[a-z_]+\b"
    r"|Damaged in Transit|\d+[dh]\b|\b(?:language|en|zh|sheets add|superbuy|team)\b"
)


def test_no_english_words_leak_into_a_chinese_teams_tab_validation(runtime: Runtime) -> None:
    """After a zh sync no Validation cell of the team's tabs holds an English word beyond
    names, codes and the values the team wrote."""
    write_sheet(runtime.workbook, "中文")
    runtime.engine().sync(now=NOW)
    leaks = {}
    for tab in ("设置", "词表", "政策", "假期", "模板"):
        for n, cell in enumerate(validation(runtime.workbook, tab), start=2):
            bare = TEAM_LATIN.sub(" ", without_codes(str(cell or "")))
            words = [w for w in LATIN_WORD.findall(bare) if w.casefold() not in ALLOWED_LATIN]
            if words:
                leaks[f"{tab}!{n}"] = words
    assert leaks == {}
