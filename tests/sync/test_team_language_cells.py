"""A Chinese-speaking team's sheet, synced on the workbook backend: every per-case cell the
service writes (Validation, Next Action, SLA State, Priority, Escalation, held messages) and
every notification to the team reads in Chinese, the customer's reply still follows the case's
Language, and switching the team language rewrites those cells on the next sync (issue 20, B).

Expected texts are written out by hand. The clocks: the team works 09:00-12:00 and 13:30-18:30
Monday to Friday in Shanghai, plus Saturday 2025-10-11 (a make-up working day after the
National Day holiday); first response is due within 4 working hours, resolution within 5
working days. Now is Friday 2025-10-10 10:00 in Shanghai.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from pydantic import SecretStr

from app.notify.outbox import Outbox
from app.notify.settings import NotifySettings, WebhookSettings
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.sheet_schema.test_messages import ALLOWED_LATIN
from tests.workbooks import NOW, records, write_workbook

# The team's own headers, in Chinese (the schema's Chinese aliases), in the team's order.
HEADERS = [
    "案件编号", "开案时间", "平台", "订单号", "客户", "语言", "问题类型", "商品状况", "入库日期",
    "证据", "原包装", "视频证明", "负责人", "状态", "首次回复时间", "处理结果", "备注",
]  # fmt: skip
OPENED = datetime(2025, 10, 9, 9, 30)  # Thursday, a working day
ANSWERED = datetime(2025, 10, 9, 10, 0)

# What a Chinese team's service columns are called when the service adds them is another
# engineer's part of issue 20; the cells are read by column key through these headers.
SERVICE = {
    "next_action": ("Next Action", "下一步"),
    "sla_state": ("SLA State", "SLA状态"),
    "priority": ("Priority", "优先级"),
    "validation": ("Validation", "校验"),
    "escalation": ("Escalation", "升级"),
    "seller_message": ("Seller Message", "卖家消息"),
    "suggested_reply": ("Suggested Reply", "建议回复"),
}


def row(case_id: str, **cells: Any) -> dict[str, Any]:
    """A Superbuy defect on a new item, photos and packaging in hand, answered on the day."""
    values: dict[str, Any] = {
        "案件编号": case_id,
        "开案时间": OPENED,
        "平台": "Superbuy",
        "订单号": f"SB-{case_id[-4:]}",
        "客户": "Emma Wilson",
        "语言": "English",
        "问题类型": "质量问题",
        "商品状况": "全新",
        "入库日期": datetime(2025, 10, 1),
        "证据": "照片",
        "原包装": "是",
        "负责人": "小李",
        "状态": "处理中",
        "首次回复时间": ANSWERED,
    }
    values.update(cells)
    return values


def team_sheet() -> list[dict[str, Any]]:
    """Seven cases as a Chinese team leaves them, with one unreadable date and one stray word."""
    return [
        # 1. No first response yet: due Thu 09:30 + 2.5h (to 12:00) + 1.5h (from 13:30) = 15:00.
        row("AS-ZH-0001", **{"首次回复时间": None}),
        # 2. A Window Start nobody can count from.
        row("AS-ZH-0002", **{"入库日期": "下周"}),
        # 3. A word for the issue type the vocabulary does not know.
        row("AS-ZH-0003", **{"问题类型": "坏了啦"}),
        # 4. Waiting on the seller.
        row("AS-ZH-0004", **{"状态": "等待卖家"}),
        # 5. Resolved with a full refund.
        row("AS-ZH-0005", **{"状态": "已解决", "处理结果": "全额退款"}),
        # 6. A Bhiner defect without the video proof Bhiner requires.
        row(
            "AS-ZH-0006",
            **{
                "平台": "Bhiner",
                "入库日期": datetime(2025, 10, 5),
                "原包装": None,
                "视频证明": "否",
            },
        ),
        # 7. The outcome is decided but the case is still open.
        row("AS-ZH-0007", **{"处理结果": "全额退款", "备注": "客户很急 pls hurry"}),
    ]


def write_team_sheet(path: Path, language: str = "中文") -> None:
    write_workbook(
        path,
        team_sheet(),
        headers=HEADERS,
        extra_tabs={"Settings": [["设置项", "值"], ["language", language]]},
    )


def cells(path: Path) -> dict[str, dict[str, Any]]:
    """Each case's service cells by column key, whichever language their header is in."""
    out: dict[str, dict[str, Any]] = {}
    for record in records(path):
        found = {}
        for key, names in SERVICE.items():
            header = next(h for h in names if h in record)
            found[key] = record[header]
        out[str(record["案件编号"])] = found
    return out


def set_language(path: Path, language: str) -> None:
    """The team lead changes the Settings tab's language row."""
    book = openpyxl.load_workbook(path)
    tab = book["Settings"]
    for cells_of_row in tab.iter_rows(min_row=2):
        if cells_of_row[0].value == "language":
            cells_of_row[1].value = language
    book.save(path)


UNKNOWN_ISSUE_TYPE = (
    "⚠ 问题类型 '坏了啦'（Cases!G4）：不是服务认识的问题类型用词（最接近：质量问题）："
    "请在词汇表中映射“坏了啦”，或使用：质量问题、发错货、与描述不符、少件、运输损坏、"
    "尺码不合适、不想要了、丢件"
)


def test_a_chinese_team_reads_every_case_cell_in_chinese(runtime: Runtime) -> None:
    """Validation, Next Action, SLA State, Priority and Escalation of each case, read as the team
    lead reads them, are the Chinese texts written out here by hand."""
    write_team_sheet(runtime.workbook)
    runtime.engine().sync(now=NOW)
    got = cells(runtime.workbook)

    first = got["AS-ZH-0001"]
    assert first["validation"] == "无误"
    assert first["next_action"] == "向客户发送首次回复"
    assert first["sla_state"] == "已超时：首次回复，期限 10-09 15:00"
    assert first["priority"] == "P1"  # an overdue case is P1 (triage.yaml)
    # 19 hours late, less than a day: level 1, the assignee; no channel is configured.
    assert first["escalation"] == "L1 负责人：小李（首次回复已超时） — 未发送：未配置通知渠道"

    unreadable = got["AS-ZH-0002"]  # 入库日期 is the 9th column, I; the case is on row 3
    assert (
        unreadable["validation"]
        == "✗ 入库日期 '下周'（Cases!I3）：不是日期（请按 2025-10-16 的格式填写）"
    )
    assert unreadable["next_action"] == "请先修正校验栏列出的问题"
    assert unreadable["sla_state"] is None and unreadable["priority"] is None

    stray = got["AS-ZH-0003"]
    assert stray["validation"] == UNKNOWN_ISSUE_TYPE
    # The seller message is built from the issue type, so it is held, saying why in Chinese.
    assert stray["seller_message"] == (
        "暂缓：问题类型为空 — 请填写问题类型；"
        + UNKNOWN_ISSUE_TYPE.removeprefix("⚠ ")
        + " — 请更正问题类型"
    )

    # Resolution: 5 working days from Thu 09:30 are Fri, Sat (make-up day), Mon, Tue, Wed.
    waiting = got["AS-ZH-0004"]
    assert waiting["next_action"] == "催促卖家答复"
    assert waiting["validation"] == "无误"

    closed = got["AS-ZH-0005"]
    assert (closed["next_action"], closed["sla_state"]) == ("无需操作：案件已结案", "已结案")

    video = got["AS-ZH-0006"]
    assert video["next_action"] == "向客户索取：视频证明"
    assert video["sla_state"] == "正常：结案，期限 10-15 09:30"

    decided = got["AS-ZH-0007"]
    assert decided["next_action"] == "告知客户处理结果（全额退款）并结案"
    assert decided["sla_state"] == "正常：结案，期限 10-15 09:30"

    # The customer writes English: the reply to her stays in English.
    assert str(first["suggested_reply"]).startswith("Hi Emma Wilson,")


def test_the_seller_window_and_its_escalation_are_said_in_chinese(runtime: Runtime) -> None:
    """A Taobao no-reason return whose seller window closed: Next Action and Escalation name the
    deadline and the marketplace in Chinese (淘宝)."""
    write_workbook(
        runtime.workbook,
        [
            row(
                "AS-ZH-0101",
                **{
                    "问题类型": "不想要了",
                    "入库日期": datetime(2025, 9, 29, 14, 0),
                    "状态": "处理中",
                    "来源平台": "淘宝",
                },
            )
        ],
        headers=[*HEADERS, "来源平台"],
        extra_tabs={"Settings": [["设置项", "值"], ["language", "zh"]]},
    )
    runtime.engine().sync(now=NOW)
    got = cells(runtime.workbook)["AS-ZH-0101"]
    # 7 days (168 hours) from the warehouse signing on 09-29 14:00 close on 10-06 14:00.
    assert got["next_action"] == "卖家退货期限已于 2025-10-06 14:00 截止：仍请向卖家申请退货"
    assert got["escalation"] == (
        "L2 组长：组长（卖家退货期限已过：2025-10-06 14:00前未向淘宝卖家发起退货）"
        " — 未发送：未配置通知渠道"
    )


def test_notifications_to_a_chinese_team_are_in_chinese(settings: Settings) -> None:
    """With a team webhook, the escalation queued for the overdue case has a Chinese title and
    body naming the level, the person, the reason, the customer and the next action."""
    hook = WebhookSettings(name="team", url=SecretStr("https://hooks.example.com/x"))
    rt = open_runtime(settings.model_copy(update={"notify": NotifySettings(webhooks=(hook,))}))
    try:
        write_team_sheet(rt.workbook)
        rt.engine().sync(now=NOW)
        queued = Outbox(rt.store.engine).records(rt.sheet_key)
        escalation = cells(rt.workbook)["AS-ZH-0001"]["escalation"]
    finally:
        rt.store.close()
    assert [(m.kind, m.case_id) for m in queued] == [("escalation", "AS-ZH-0001")]
    assert queued[0].payload["title"] == "升级 L1（负责人）：案件 AS-ZH-0001"
    assert queued[0].payload["text"] == (
        "L1 负责人：小李（首次回复已超时）\n客户：Emma Wilson\n下一步：向客户发送首次回复"
    )
    assert escalation == "L1 负责人：小李（首次回复已超时）"  # sent: no "not sent" note


# Latin words a Chinese team may read in its cells: names, codes and units (the catalogue's
# allow-list), the tab the cases are on, and the people and customers the team typed.
ALLOWED_IN_CELLS = ALLOWED_LATIN | {"cases", "emma", "wilson"}
# Case ids, order numbers, policy references and cell addresses are codes, not words.
CODES = re.compile(r"AS-ZH-\d{4}|SB-\d{4}|[a-z]+@\d{4}\.\d+|![A-Z]{1,3}\d+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")


def english_words(text: str) -> list[str]:
    bare = CODES.sub("", text)
    return [w for w in LATIN_WORD.findall(bare) if w.casefold() not in ALLOWED_IN_CELLS]


def test_nothing_a_chinese_sync_writes_for_the_team_holds_an_english_word(
    runtime: Runtime,
) -> None:
    """Every service cell of every row (bar the customer's reply, which follows the case's
    Language) and every sheet note of a zh sync is free of English words."""
    write_team_sheet(runtime.workbook)
    report = runtime.engine().sync(now=NOW)
    leaks: dict[str, list[str]] = {}
    for record in records(runtime.workbook):
        for header, value in record.items():
            if header in HEADERS or header in SERVICE["suggested_reply"] or value is None:
                continue
            words = english_words(str(value))
            if words:
                leaks[f"{record['案件编号']} {header}"] = words
    for note in report.sheet_notes:
        if english_words(note):
            leaks[note] = english_words(note)
    assert leaks == {}
    # The scan is not vacuous: an English cell would be caught.
    assert english_words("Overdue: first response, due 10-09 15:00") == [
        "Overdue", "first", "response", "due",
    ]  # fmt: skip


def test_a_second_chinese_sync_writes_nothing(runtime: Runtime) -> None:
    """Synced again with nothing changed, the Chinese sheet gets no cell written."""
    write_team_sheet(runtime.workbook)
    runtime.engine().sync(now=NOW)
    before = cells(runtime.workbook)
    again = runtime.engine().sync(now=NOW)
    assert again.cells_written == 0
    assert cells(runtime.workbook) == before


def test_switching_the_team_language_rewrites_the_service_cells(runtime: Runtime) -> None:
    """An English team switches to 中文: the next sync rewrites its own cells in Chinese, leaves
    every cell a person typed as it was, and switching back restores the English texts."""
    write_team_sheet(runtime.workbook, language="English")
    runtime.engine().sync(now=NOW)
    english = cells(runtime.workbook)
    assert english["AS-ZH-0001"]["sla_state"] == "Overdue: first response, due 10-09 15:00"
    assert english["AS-ZH-0001"]["next_action"] == "Send the first response to the customer"
    assert english["AS-ZH-0001"]["validation"] == "OK"
    assert english["AS-ZH-0002"]["validation"] == (
        "✗ Window Start '下周' (Cases!I3): is not a date (use YYYY-MM-DD)"
    )
    typed = [{h: r.get(h) for h in HEADERS} for r in records(runtime.workbook)]

    set_language(runtime.workbook, "中文")
    report = runtime.engine().sync(now=NOW)
    chinese = cells(runtime.workbook)
    assert chinese["AS-ZH-0001"]["sla_state"] == "已超时：首次回复，期限 10-09 15:00"
    assert chinese["AS-ZH-0001"]["next_action"] == "向客户发送首次回复"
    assert chinese["AS-ZH-0001"]["validation"] == "无误"
    assert chinese["AS-ZH-0005"]["sla_state"] == "已结案"
    assert report.cells_written > 0
    assert [{h: r.get(h) for h in HEADERS} for r in records(runtime.workbook)] == typed
    # Nobody typed into a service column: no "your value was replaced" note appears.
    assert all("已被替换" not in str(c["validation"]) for c in chinese.values())

    set_language(runtime.workbook, "en")
    runtime.engine().sync(now=NOW)
    assert cells(runtime.workbook) == english


def type_service_cells(path: Path, case_id: str, **typed: str) -> None:
    """A person types over service cells of one case (by the header the service added)."""
    book = openpyxl.load_workbook(path)
    tab = book["Cases"]
    header = [c.value for c in tab[1]]
    for cells_of_row in tab.iter_rows(min_row=2):
        if cells_of_row[0].value == case_id:
            for name, value in typed.items():
                cells_of_row[header.index(name)].value = value
    book.save(path)


def test_a_duplicate_id_and_a_typed_over_cell_are_named_in_chinese(runtime: Runtime) -> None:
    """Two rows with one Case ID say where the other is, and P4 typed into Priority is put back
    with a note saying where a person's priority belongs, both in Chinese."""
    write_workbook(
        runtime.workbook,
        [row("AS-ZH-0201"), row("AS-ZH-0202"), row("AS-ZH-0201", **{"客户": "Liam Chen"})],
        headers=HEADERS,
        extra_tabs={"Settings": [["设置项", "值"], ["language", "中文"]]},
    )
    runtime.engine().sync(now=NOW)
    # A Chinese team's sheet gets the service's columns headed in Chinese (校验, 下一步, 优先级).
    rows = records(runtime.workbook)
    assert rows[0]["校验"] == (
        "✗ 案件编号“AS-ZH-0201”也出现在第 4 行；请给每个案件单独的编号（清空此格可获得新编号）"
    )
    assert rows[2]["校验"] == (
        "✗ 案件编号“AS-ZH-0201”也出现在第 2 行；请给每个案件单独的编号（清空此格可获得新编号）"
    )
    assert rows[0]["下一步"] == "请先修正校验栏列出的问题"

    computed = rows[1]["优先级"]
    assert computed != "P4"
    type_service_cells(runtime.workbook, "AS-ZH-0202", **{"优先级": "P4"})
    runtime.engine().sync(now=NOW)
    after = records(runtime.workbook)[1]
    assert after["优先级"] == computed
    assert after["校验"] == "ℹ 优先级由服务计算；你填写的 P4 已被替换 — 请使用优先级调整"
    runtime.engine().sync(now=NOW)  # said once: the next sync finds the cell as written
    assert records(runtime.workbook)[1]["校验"] == "无误"
