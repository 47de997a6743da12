"""A Chinese team's case on a Google spreadsheet (the emulator, through the real GoogleBackend):
the service's cells of the case read in Chinese, and a second sync writes nothing (issue 20)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.google.conftest import GoogleSheet, typed_row

# The service columns this test reads, by the Chinese header a Chinese team's sheet gets.
CHINESE_HEADERS = {
    "SLA状态": "sla_state",
    "校验": "validation",
    "下一步": "next_action",
    "优先级": "priority",
    "升级": "escalation",
}
# Friday 14 November 2025, 11:00 in Shanghai.
NOW = datetime(2025, 11, 14, 3, 0, tzinfo=UTC)


def test_a_chinese_teams_case_on_google_reads_in_chinese(google_sheet: GoogleSheet) -> None:
    """The Settings tab says 中文 and names the lead; an overdue case's Validation, Next Action,
    SLA State, Priority and Escalation are the Chinese texts written here by hand."""
    emulator, sid = google_sheet.emulator, google_sheet.spreadsheet_id
    grid = emulator.values(sid, "'Settings'")
    last = len(grid) + 1
    emulator.set_values(
        sid,
        f"'Settings'!A{last}:B{last + 1}",
        [["language", "中文"], ["escalation.L2", "陈静 <chen.jing@example.com>"]],
    )
    google_sheet.type_rows(
        [
            typed_row(
                1,
                opened="2025-11-12 09:30",
                window_start="2025-11-10",
                status="处理中",
                assignee="小李",
                first_response_at="",
            ),
            typed_row(2, opened="2025-11-12 09:30", window_start="上周五", status="New"),
        ]
    )

    google_sheet.sync(NOW)
    # The service's own headers, laid out in English by init, now read in Chinese.
    header = google_sheet.grid()[0]
    assert {"SLA状态", "校验", "下一步", "优先级", "升级"} <= set(header)
    first, second = (
        {CHINESE_HEADERS.get(h, h): v for h, v in zip(header, row, strict=False)}
        for row in google_sheet.grid()[1:3]
    )

    # 4 working hours from Wed 09:30: 2.5h before lunch, 1.5h after 13:30 -> 15:00; now, Fri
    # 11:00, it is 1 day and 20 hours late: level 2, the lead the Settings tab names.
    assert first["sla_state"] == "已超时：首次回复，期限 11-12 15:00"
    assert first["validation"] == "无误"
    assert first["next_action"] == "向客户发送首次回复"
    assert first["priority"] == "P1"
    assert first["escalation"] == "L2 组长：陈静（首次回复超时1天） — 未发送：未配置通知渠道"
    # The Window Start is the 10th column of the layout init made (J); the case is on row 3.
    assert second["validation"] == (
        "✗ 入库日期 '上周五'（Cases!J3）：不是日期（请按 2025-10-16 的格式填写）"
    )
    assert second["next_action"] == "请先修正校验栏列出的问题"

    emulator.clear_requests()
    assert google_sheet.sync(NOW).cells_written == 0
    assert [r.kind for r in emulator.requests()] == ["values.batchGet"]
