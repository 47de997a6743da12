"""Five after-sales teams' own sheets, written the way each team writes them, with the return
deadline of every case worked out by hand in this file (not with the product's functions).

The windows are the figures in policies/data/*.yaml, typed here again: Superbuy 30 days when the
seller is at fault and 7 for the buyer's own reasons, Bhiner 14 whatever the issue (none for a
lost parcel), Yoybuy 10 days skipping official Chinese holiday periods. Every Window Start below
is in November 2025, when China has no official holiday, so Yoybuy's days are calendar days too.
Counting starts the day after Window Start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

# Friday 14 November 2025, 11:00 in Shanghai.
NOW = "2025-11-14T11:00:00+08:00"
NOW_UTC = datetime(2025, 11, 14, 3, 0, tzinfo=UTC)

SUPERBUY_SELLER_FAULT_DAYS = 30
SUPERBUY_BUYER_REASON_DAYS = 7
BHINER_DAYS = 14
YOYBUY_DAYS = 10


def count_days(start: date, days: int) -> date:
    """The day `days` days after `start`, counted one by one on the calendar."""
    day = start
    for _ in range(days):
        day += timedelta(days=1)
    return day


def serial(day: date) -> int:
    """A spreadsheet day number (days since 30 December 1899), as a pasted value holds it."""
    return (day - date(1899, 12, 30)).days


@dataclass
class Team:
    """One team's sheet: its tab, its header row, its rows, and what the test expects."""

    name: str
    tab: str
    headers: list[str]
    rows: list[list[Any]]
    deadlines: dict[str, date | None]  # case id -> its return deadline, counted by hand
    adopt_exit: int = 0
    # "Header 'word'" -> rows, the words the summary must list once each after adopt
    unknown: dict[str, int] = field(default_factory=dict)
    # Vocabulary rows (column, team word, means) the team adds for those words
    vocabulary: list[list[str]] = field(default_factory=list)


def chinese_team() -> Team:
    """Chinese headers and words, its own tab name, dates as typed in Chinese offices."""
    headers = [
        "案件编号", "开案时间", "平台", "订单号", "客户", "语言", "问题类型",
        "商品状况", "入库日期", "原包装", "视频证明", "负责人", "状态", "备注",
    ]  # fmt: skip
    rows = [
        ["CN-001", "2025-11-10 09:30", "ＳＵＰＥＲＢＵＹ", "SB1001", "王芳", "中文", "质量问题",
         "全新", "2025年11月3日", "有", "是", "小王", "处理中", "客户要求尽快"],
        ["CN-002", "2025-11-11 10:00", "Bhiner", "BH2002", "李雷", "中文", "发错货",
         "未使用", "2025/11/05", "无", "否", "小李", "等待卖家", ""],
        ["CN-003", "2025-11-12 14:00", "Yoybuy", "YB3003", "赵敏", "简体中文", "尺码不合适",
         "全新", "2025.11.06", "有", "否", "小王", "新建", ""],
        ["CN-004", "2025-11-13 16:20", "superbuy", "SB4004", "陈晨", "zh-CN", "不想要了",
         "未使用", serial(date(2025, 11, 7)), "有", "无", "小李", "已寄回", "已寄回仓库"],
    ]  # fmt: skip
    return Team(
        "chinese",
        "售后登记",
        headers,
        rows,
        {
            "CN-001": count_days(date(2025, 11, 3), SUPERBUY_SELLER_FAULT_DAYS),
            "CN-002": count_days(date(2025, 11, 5), BHINER_DAYS),
            "CN-003": count_days(date(2025, 11, 6), YOYBUY_DAYS),
            "CN-004": count_days(date(2025, 11, 7), SUPERBUY_BUYER_REASON_DAYS),
        },
    )


def english_codes_team() -> Team:
    """Language codes, Y/N, TRUE, and the unboxing video's link or file name as Video Proof."""
    headers = [
        "Case ID", "Opened", "Platform", "Order No.", "Customer", "Language", "Issue Type",
        "Item Condition", "Window Start", "Evidence", "Original Packaging", "Video Proof",
        "Assignee", "Status",
    ]  # fmt: skip
    rows = [
        ["EN-101", "2025-11-10 09:00", "superbuy.com", "SB-101", "Emma Wilson", "en",
         "defective", "new", "2025-11-03", "photos", "Y",
         "https://drive.google.com/file/d/1AbCdEf/view", "Lily", "in progress"],
        ["EN-102", "2025-11-10 11:00", "Bhiner", "BH-102", "Wang Lei", "zh-CN", "Defect",
         "Used", "2025-11-04", "photos; video", "N", "unboxing_EN102.mp4", "Marco",
         "Awaiting-Seller"],
        ["EN-103", "2025-11-11 15:00", "yoybuy", "YB-103", "Lucía García", "es", "Wrong Size",
         "Unused", "2025-11-05", "", "y", "n", "Lily", "NEW"],
        ["EN-104", "2025-11-12 10:00", "Superbuy", "SB-104", "Tom Baker", "en-GB",
         "Changed Mind", "New", "2025-11-06", "", "TRUE", "2025-11-07", "Chen",
         "awaiting customer"],
    ]  # fmt: skip
    return Team(
        "english",
        "Cases",
        headers,
        rows,
        {
            "EN-101": count_days(date(2025, 11, 3), SUPERBUY_SELLER_FAULT_DAYS),
            "EN-102": count_days(date(2025, 11, 4), BHINER_DAYS),
            "EN-103": count_days(date(2025, 11, 5), YOYBUY_DAYS),
            "EN-104": count_days(date(2025, 11, 6), SUPERBUY_BUYER_REASON_DAYS),
        },
    )


def mixed_team() -> Team:
    """English and Chinese headers and words side by side, a typo in a header and a word."""
    headers = [
        "Case ID", "开案时间", "Platform", "订单号", "Issue Tpye", "商品状况", "Window Start",
        "原包装", "视频证明", "负责人", "状态", "Notes",
    ]  # fmt: skip
    rows = [
        ["MX-01", "2025-11-10 09:15", "Superbuy", "SB-9001", "质量问题", "New", "2025-11-02",
         "Yes", "No", "Anna", "处理中", "拉链坏了"],
        ["MX-02", "2025-11-10 13:40", "Bhiner", "BH-9002", "Wrong Item", "全新", "2025-11-03",
         "有", "有", "小张", "Awaiting Customer", ""],
        ["MX-03", "2025-11-11 17:05", "Yoybuy", "YB-9003", "破损", "Damaged", "2025-11-04",
         "是", "否", "Anna", "Awaitng Seller", "box crushed"],
    ]  # fmt: skip
    return Team(
        "mixed",
        "AS log",
        headers,
        rows,
        {
            "MX-01": count_days(date(2025, 11, 2), SUPERBUY_SELLER_FAULT_DAYS),
            "MX-02": count_days(date(2025, 11, 3), BHINER_DAYS),
            "MX-03": count_days(date(2025, 11, 4), YOYBUY_DAYS),
        },
    )


def long_lived_team() -> Team:
    """A sheet kept for two seasons: the team's own columns between ours, a blank row, a
    pasted day number, a date with a time, a note that starts with '='."""
    headers = [
        "Case ID", "Opened", "Platform", "Internal memo", "Customer", "Issue Type",
        "Item Condition", "Window Start", "跟进记录", "Original Packaging", "Video Proof",
        "Assignee", "Status", "Outcome", "Photo folder", "Notes",
    ]  # fmt: skip
    rows = [
        ["LL-2510", serial(date(2025, 11, 3)), "Bhiner", "VIP", "Olga Ivanova", "Missing Item",
         "New", serial(date(2025, 11, 1)), "11/3 已联系卖家", "Yes", "No", "Marco",
         "Awaiting Platform", "", "https://photos.example.com/ll2510", "=not a formula"],
        [],
        ["LL-2511", "2025-11-09 08:45", "Yoybuy", "", "Chen Jie", "Not as Described", "Used",
         "2025-11-08 15:45", "", "Yes", "https://example.com/v/2511.mov", "Lily",
         "Return Shipped", "", "", "customer sent it back on the 12th"],
        ["LL-2512", "2025-11-12 09:00", "Superbuy", "repeat buyer", "Ana Souza", "Wrong Item",
         "Unused", "2025-11-11", "", "No", "", "Chen", "In Progress", "", "", ""],
    ]  # fmt: skip
    return Team(
        "long-lived",
        "After-sales 2024-25",
        headers,
        rows,
        {
            "LL-2510": count_days(date(2025, 11, 1), BHINER_DAYS),
            "LL-2511": count_days(date(2025, 11, 8), YOYBUY_DAYS),
            "LL-2512": count_days(date(2025, 11, 11), SUPERBUY_SELLER_FAULT_DAYS),
        },
    )


def own_words_team() -> Team:
    """Status words of the team's own (and an issue type no vocabulary has): every deadline is
    still computed, the words are listed once each, and the Vocabulary tab maps them."""
    headers = [
        "Case ID", "Opened", "Platform", "Order No.", "Issue Type", "Item Condition",
        "Window Start", "Original Packaging", "Video Proof", "Assignee", "Status",
    ]  # fmt: skip
    rows = [
        ["OW-1", "2025-11-10 09:00", "Superbuy", "SB-1", "Defect", "New", "2025-11-03", "Yes",
         "No", "Lily", "Refund Pending"],
        ["OW-2", "2025-11-10 10:00", "Bhiner", "BH-2", "Wrong Item", "New", "2025-11-04", "Yes",
         "No", "Lily", "Refund Pending"],
        ["OW-3", "2025-11-11 11:00", "Yoybuy", "YB-3", "Wrong Size", "Unused", "2025-11-05",
         "Yes", "No", "Chen", "Parcel Back to Seller"],
        ["OW-4", "2025-11-11 12:00", "Superbuy", "SB-4", "Changed Mind", "New", "2025-11-06",
         "Yes", "No", "Chen", "等待退款"],
        ["OW-5", "2025-11-12 13:00", "Bhiner", "BH-5", "Customs Hold", "New", "2025-11-07",
         "Yes", "No", "Marco", "In Progress"],
    ]  # fmt: skip
    return Team(
        "own-words",
        "Cases",
        headers,
        rows,
        {
            "OW-1": count_days(date(2025, 11, 3), SUPERBUY_SELLER_FAULT_DAYS),
            "OW-2": count_days(date(2025, 11, 4), BHINER_DAYS),
            "OW-3": count_days(date(2025, 11, 5), YOYBUY_DAYS),
            "OW-4": count_days(date(2025, 11, 6), SUPERBUY_BUYER_REASON_DAYS),
            # Bhiner's 14 days do not depend on the issue type: known or not, the same deadline.
            "OW-5": count_days(date(2025, 11, 7), BHINER_DAYS),
        },
        adopt_exit=1,
        unknown={
            "Status 'Refund Pending'": 2,
            "Status 'Parcel Back to Seller'": 1,
            "Status '等待退款'": 1,
            "Issue Type 'Customs Hold'": 1,
        },
        vocabulary=[
            ["Status", "Refund Pending", "Awaiting Platform"],
            ["状态", "等待退款", "Awaiting Platform"],
            ["Status", "Parcel Back to Seller", "Return Shipped"],
            ["Issue Type", "Customs Hold", "Missing Item"],
        ],
    )


TEAMS = [chinese_team, english_codes_team, mixed_team, long_lived_team, own_words_team]
