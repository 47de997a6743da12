"""The add-on's pages for a Chinese team, in headless Chromium (issue 20): Case details with the
sync progress panel, and Set up with Test connection, served as the add-on serves them with the
team language zh (their English counterparts are in test_sidebar.py and test_setup_doctor.py).
Screenshots go to tests/addon/artifacts/*-zh.png for review."""

from __future__ import annotations

from typing import Any

from tests.addon.test_setup_doctor import CHECKS
from tests.addon.test_sidebar import (  # noqa: F401  (fixtures, reused)
    CASE_ZH,
    SETUP_WIDTH,
    SIDEBAR_WIDTH,
    Pages,
    Scenario,
    _open,
    _screenshot,
    _set_viewport,
    _sync_panel,
    _text,
    _wait_for,
    driver,
    pages,
)

URL = "https://desk.agency-hz.cn/aftersales"
# What the add-on's server functions answer for a zh team (Messages.gs's Chinese, written out).
PROGRESS_ZH = {
    "state": "running",
    "runId": 57,
    "action": "sync",
    "message": "正在同步… 已处理 12,000 / 30,000 个案件（任务 57）",
    "fraction": 0.4,
    "problem": False,
    "pollMs": 100,
}
SUMMARY_ZH = {
    **PROGRESS_ZH,
    "state": "succeeded",
    "message": (
        "已同步 30000 个案件：更新了 4512 个单元格，新增 120 个，校验列有 3 个错误，1 个提醒"
        "（任务 57）。"
    ),
    "fraction": None,
    "pollMs": 60000,
    "updatedAt": 1741586795000,  # 2025-03-10 06:06:35 UTC = 14:06 in Asia/Shanghai
}
# The case as a Chinese team's service sends it (SLA names and states in Chinese).
CASE_ZH_SLA: dict[str, Any] = {
    **CASE_ZH,
    "sla_state": "即将到期",
    "sla": [
        {"name": "首次回复", "due_at": "2025-03-18T04:00:00Z", "met_at": "2025-03-17T07:41:00Z",
         "state": "已完成", "elapsed_minutes": 95},
        {"name": "卖家回复", "due_at": "2025-03-19T10:00:00Z", "met_at": None,
         "state": "即将到期", "elapsed_minutes": 1210},
    ],
    "replies": {"customer": "王女士您好，请在 3 月 19 日前补拍开箱视频，谢谢！",
                "seller": "您好，订单 TB-88231 的外套拉链损坏，请确认可否部分退款或换货。"},
}  # fmt: skip
CONNECTED_ZH = (
    f"已连接：{URL} 接受了你的 Google 登录。"
    "有 2 项检查需要人工处理（见下方 ✗，每项都附了解决办法）。"
)


def _zh_sidebar_scenario(*steps: dict[str, Any], hold: int) -> Scenario:
    return {
        "getCaseDetails": {
            "ok": {"caseId": "HZ-25-0412", "row": 12, "timeZone": "Asia/Shanghai",
                   "case": CASE_ZH_SLA}
        },
        "getSyncStatus": {"sequence": list(steps)},
        "_": {"hold": hold},
    }  # fmt: skip


def test_case_details_in_chinese_with_the_sync_progress_panel(driver: Any, pages: Pages) -> None:  # noqa: F811
    """Every label of Case details is Chinese, the case and its run keep their ids and numbers,
    the progress bar fills to 40 %, then the summary shows with its end time."""
    url = pages.url("Sidebar.html", _zh_sidebar_scenario(PROGRESS_ZH, SUMMARY_ZH, hold=0), "zh")
    assert _open(driver, url) == "case"
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    assert driver.title == "案件详情"
    assert _text(driver, "title") == "案件 HZ-25-0412"
    assert _text(driver, "subtitle") == "淘宝代购 · 等待卖家回复 · 李娜 · 第 12 行"
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('dt:not([hidden]), h2'))"
        ".map(function (n) { return n.innerText.trim(); })"
    )
    assert labels == [
        "退货截止日期", "剩余天数", "适用政策", "优先级", "下一步", "下一步截止",
        "SLA 时效 即将到期", "缺少的凭证", "可选退款方式", "检查结果", "建议回复", "处理记录",
    ]  # fmt: skip
    assert _text(driver, "days-left") == "2 天"
    assert _text(driver, "refresh") == "刷新"
    assert driver.find_element("id", "refresh").get_attribute("title") == "加载选中行的案件"
    clocks = _text(driver, "sla-clocks")
    assert "首次回复\n2025-03-17 15:41 已达成\n已完成" in clocks
    assert "卖家回复\n2025-03-19 18:00 到期\n即将到期" in clocks
    replies = driver.execute_script(
        "return Array.from(document.querySelectorAll('.reply-head'))"
        ".map(function (n) { return n.innerText.replace(/\\s+/g, ' ').trim(); })"
    )
    assert replies == ["回复客户 复制", "回复卖家 复制"]
    assert driver.find_element("id", "sync-bar").get_attribute("aria-label") == "同步进度"
    findings = driver.find_elements("css selector", "#findings .finding")
    assert [f.text for f in findings] == ["错误\n退货期限 2 天后截止，退货尚未寄出。"]
    assert "sev-error" in findings[0].find_element("css selector", ".badge").get_attribute("class")

    _wait_for(driver, lambda: _sync_panel(driver)["text"] == PROGRESS_ZH["message"])
    going = _sync_panel(driver)
    assert (going["state"], going["barClass"], going["fill"]) == ("running", "bar", "40%")
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow, "the Chinese sidebar scrolls sideways at 300px"
    print(f"sidebar zh screenshot: {_screenshot(driver, 'sidebar-zh.png', SIDEBAR_WIDTH)}")

    driver.execute_script("window.__hold = 1")
    _wait_for(driver, lambda: _sync_panel(driver)["state"] == "succeeded")
    done = _sync_panel(driver)
    assert done["text"] == SUMMARY_ZH["message"]
    assert done["when"] == "2025-03-10 14:06 结束"
    print(
        f"sync summary zh screenshot: {_screenshot(driver, 'sync-summary-zh.png', SIDEBAR_WIDTH)}"
    )


def test_copy_says_copied_in_chinese(driver: Any, pages: Pages) -> None:  # noqa: F811
    """Copy on the seller's reply puts it on the clipboard and says 已复制。"""
    url = pages.url("Sidebar.html", _zh_sidebar_scenario({"state": "none"}, hold=0), "zh")
    _open(driver, url)
    driver.find_element("id", "copy-seller").click()
    note = driver.find_element("css selector", "#reply-seller .copied")
    _wait_for(driver, lambda: note.get_attribute("data-copied"))
    assert note.text == "已复制。"


def test_setup_in_chinese_tests_the_connection(driver: Any, pages: Pages) -> None:  # noqa: F811
    """Set up's labels, buttons and hints are Chinese; Test connection shows the Chinese headline,
    the doctor's lines as the service sent them, and each fix under 解决办法."""
    scenario: Scenario = {
        "getSetup": {"ok": {"url": URL, "problem": "", "signIn": "google", "legacyRemoved": True}},
        "testConnection": {"ok": {"ok": False, "message": CONNECTED_ZH, "checks": CHECKS}},
    }
    _set_viewport(driver, 520, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario, "zh")) == "setup"
    assert driver.title == "售后助手设置"
    buttons = [b.text for b in driver.find_elements("css selector", "button") if b.is_displayed()]
    assert buttons == ["测试连接", "检查我的表格", "关闭"]
    body = driver.find_element("tag name", "body").text
    for label in (
        "服务地址",
        "登录方式",
        "你的 Google 账号",
        "服务会核对你的邮箱是否在这张表的允许名单里。",
    ):
        assert label in body, label
    assert _text(driver, "legacy").startswith("旧版插件曾把服务地址或密钥存在这张表里")
    print(f"set-up zh screenshot: {_screenshot(driver, 'setup-zh.png', SETUP_WIDTH)}")

    driver.find_element("id", "test").click()
    _wait_for(
        driver, lambda: driver.execute_script("return document.body.dataset.result") == "error"
    )
    assert _text(driver, "result") == CONNECTED_ZH
    fixes = [f.text for f in driver.find_elements("css selector", "#checks .fix")]
    assert fixes == [f"解决办法：{c['fix']}" for c in CHECKS if c["fix"]]
    marks = driver.execute_script(
        "return Array.from(document.querySelectorAll('#checks .mark'))"
        ".map(function (n) { return n.getAttribute('aria-label'); })"
    )
    assert marks == [{"pass": "通过", "fail": "未通过"}[c["state"]] for c in CHECKS]
    print(f"set-up doctor zh screenshot: {_screenshot(driver, 'setup-doctor-zh.png', SETUP_WIDTH)}")


def test_setup_in_chinese_with_an_unset_url(driver: Any, pages: Pages) -> None:  # noqa: F811
    """With no URL pinned the field's placeholder says 未设置 and the sheet-secret sign-in is named
    in Chinese."""
    problem = "插件里还没有设置售后服务地址"
    scenario: Scenario = {
        "getSetup": {
            "ok": {"url": "", "problem": problem, "signIn": "sheet secret", "legacyRemoved": False}
        },
    }
    _set_viewport(driver, 400, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario, "zh")) == "setup"
    assert driver.find_element("id", "url").get_attribute("placeholder") == "未设置"
    assert _text(driver, "sign-in") == "部署插件的同事设置的表格密钥"
    assert _text(driver, "result") == problem
