"""Notices to a Chinese team (webhook and email carry their title and text) are in Chinese;
the reply they quote stays in the customer's language (issue 20)."""

from __future__ import annotations

from app.automation.notices import customer_update_notice, evidence_reminder_notice


def test_a_status_change_alert_for_a_chinese_team_names_the_statuses_in_chinese() -> None:
    """Awaiting Seller -> Resolved is told as 等待卖家回复 → 已解决, with the English reply kept."""
    notice = customer_update_notice(
        "AS-251010-0004",
        "AS-251010-0004/status/3",
        "awaiting seller",
        "Resolved",
        ["Resolved"],
        "Hi Emma, your refund is on its way.",
        assignee="小李",
        language="zh",
    )
    assert notice is not None
    assert notice.title == "请告知客户：案件 AS-251010-0004 现为已解决"
    assert notice.text == (
        "状态 等待卖家回复 → 已解决。\n建议回复：\nHi Emma, your refund is on its way."
    )


def test_a_first_status_and_the_english_alert_read_as_before() -> None:
    """A status set on a blank one says （空） for a Chinese team and (blank) in English."""
    zh = customer_update_notice("AS-1", "AS-1/status/1", None, "Resolved", ["Resolved"], None,
                                language="zh")  # fmt: skip
    en = customer_update_notice("AS-1", "AS-1/status/1", None, "Resolved", ["Resolved"], None)
    assert zh is not None and en is not None
    assert zh.text == "状态 （空） → 已解决。"
    assert (en.title, en.text) == (
        "Tell the customer: case AS-1 is now Resolved",
        "Status (blank) → Resolved.",
    )


def test_an_evidence_reminder_is_titled_in_chinese() -> None:
    """Reminder 2 for a case reads 案件 … 的第 2 次补证提醒; its text is the customer's reply."""
    notice = evidence_reminder_notice("AS-7", 2, "Please send the video.", language="zh")
    assert notice.title == "案件 AS-7 的第 2 次补证提醒"
    assert notice.text == "Please send the video."
