"""A Chinese team's Timeline details on a real workbook: evidence added and escalations read in
Chinese; an English team's Timeline keeps its English details."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import openpyxl

from app.runtime import Runtime
from tests.sync.test_team_language import TEAM_HEADERS, chinese_rows, settings_tab, sync
from tests.workbooks import NOW, case, read_tab, write_workbook


def add_evidence(path: Path, tab: str, column: str, value: str) -> None:
    """The assignee types more evidence into the first case's row (as she would in Excel)."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index(column) + 1, value=value)
    book.save(path)


def details(path: Path, tab: str) -> dict[str, str]:
    return {row[0]: row[4] for row in read_tab(path, tab)[1:]}


def test_a_chinese_teams_evidence_and_escalation_details_are_chinese(runtime: Runtime) -> None:
    """照片 then 照片, 视频, 收据: the Timeline says 新增证据：视频证明、收据; the L1 escalation
    names the assignee, the overdue first response and why nothing was sent in Chinese; a re-sync
    writes nothing."""
    write_workbook(
        runtime.workbook,
        chinese_rows(),
        headers=TEAM_HEADERS,
        title="案件",
        extra_tabs={"Settings": settings_tab("中文")},
    )
    sync(runtime)
    add_evidence(runtime.workbook, "案件", "证据", "照片, 视频, 收据")
    later = NOW + timedelta(hours=1)
    sync(runtime, later)

    shown = details(runtime.workbook, "时间线")
    [added] = [d for k, d in shown.items() if k.startswith("CN-0001/") and k.endswith("/evidence")]
    assert added == "新增证据：视频证明、收据"
    assert shown["CN-0001/escalation/L1"] == (
        "已升级：L1 负责人：小王（首次回复已超时） — 未发送：未配置通知渠道"
    )
    assert sync(runtime, later).cells_written == 0


def test_an_english_teams_timeline_details_stay_english(runtime: Runtime) -> None:
    """No language chosen: the same edits read 'Evidence added: video, receipt' and the
    escalation in English, exactly as recorded."""
    write_workbook(runtime.workbook, [case(**{"Case ID": "AS-EN-1", "Assignee": "Lily"})])
    sync(runtime)
    add_evidence(runtime.workbook, "Cases", "Evidence", "photos, video, receipt")
    sync(runtime, NOW + timedelta(hours=1))

    shown = details(runtime.workbook, "Timeline")
    [added] = [d for k, d in shown.items() if k.endswith("/evidence")]
    assert added == "Evidence added: video, receipt"
    assert shown["AS-EN-1/escalation/L1"] == (
        "Escalated: L1 assignee: Lily (first response overdue) — not sent: no channel configured"
    )
