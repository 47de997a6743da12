"""The add-on's HTML pages (Sidebar.html, Setup.html) rendered in headless Chromium.

The pages are served from 127.0.0.1 as the add-on serves them (its menu function run over the
Node harness's fakes, tests/addon/render_page.mjs, so each page carries its texts in the team
language) with a stub of `google.script.run` injected at the top of <head> (as Apps Script
injects the real one), driven with Selenium + chromedriver. Needs Debian's
`chromium` and `chromium-driver` and the `selenium` pip package; without them these tests skip
locally and fail under CI (env CI set).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AFTERSALES_CHROMEDRIVER", "/usr/bin/chromedriver")
SIDEBAR_WIDTH = 300
SETUP_WIDTH = 460  # showSetup's dialog width
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=300,900",
)

CASE: dict[str, Any] = {
    "case_id": "AS-2025-0142",
    "row": 7,
    "platform": "Bhiner",
    "policy_ref": "Bhiner v2025.1 (14-day window)",
    "return_deadline": "2025-03-21",
    "days_left": 2,
    "in_window_at_opened": True,
    "sla_state": "Due soon",
    "sla": [
        {
            "name": "First response",
            "due_at": "2025-03-18T04:00:00Z",
            "met_at": "2025-03-17T07:41:00Z",
            "state": "Closed",
            "elapsed_minutes": 95,
        },
        {
            "name": "Seller response",
            "due_at": "2025-03-19T10:00:00Z",
            "met_at": None,
            "state": "Due soon",
            "elapsed_minutes": 1210,
        },
    ],
    "missing_evidence": ["Video proof of the defect", "Photo of the original packaging"],
    "refund_kinds": ["Partial refund (used item)", "Exchange"],
    "exception_reasons": ["Customer was travelling (approved by lead)"],
    "next_action": "Ask the customer for an unboxing video",
    "next_due": "2025-03-19T10:00:00+00:00",
    "priority": "P1",
    "validation": "Video proof missing",
    "findings": [
        {
            "code": "window_closing",
            "severity": "error",
            "message": "Return window closes in 2 days and the return is not shipped.",
            "message_zh": "退货期限 2 天后截止，退货尚未寄出。",
            "column": "Return Deadline",
        },
        {
            "code": "evidence_missing",
            "severity": "warning",
            "message": "Bhiner requires video proof for defects.",
            "message_zh": "Bhiner 要求提供瑕疵视频证明。",
            "column": "Video Proof",
        },
    ],
    "timeline": [
        {"at": "2025-03-07T01:12:00Z", "kind": "created", "detail": "Row added by Mei"},
        {
            "at": "2025-03-17T07:40:00Z",
            "kind": "status change",
            "detail": "Open → Waiting on customer",
        },
        {"at": "2025-03-17T15:41:00+08:00", "kind": "reply generated", "detail": "customer, en"},
    ],
    "replies": {
        "customer": (
            "Hi Lena, sorry the jacket arrived with a broken zip. To claim a refund from Bhiner "
            "we need a short video that shows the defect and a photo of the original packaging. "
            "Please send both by 19 March so we can file the return before the deadline "
            "(21 March)."
        ),
        "seller": (
            "您好，订单 BH-88231 的外套拉链损坏。客户会补充视频证明，"
            "请确认可否部分退款或换货。谢谢！"
        ),
    },
}

# Scenario: {server function name: {"ok": value} | {"fail": message} | {"sequence": [value, ...]}};
# options under "_". A sequence answers call after call with its next value (the last repeats), but
# never past window.__hold (options "hold"), which a test raises to let the page move on.
Scenario = dict[str, Any]

STUB = """<script>
(function () {
  var scenario = %s;
  var options = scenario._ || {};
  var given = {};
  window.__calls = [];
  window.__hold = options.hold === undefined ? 1e9 : options.hold;
  if (options.noClipboard) {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
  }
  function runner(success, failure) {
    var run = {
      withSuccessHandler: function (fn) { return runner(fn, failure); },
      withFailureHandler: function (fn) { return runner(success, fn); }
    };
    Object.keys(scenario).forEach(function (name) {
      run[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        window.__calls.push({ name: name, args: args });
        setTimeout(function () {
          var answer = scenario[name];
          if ('sequence' in answer) {
            var next = given[name] === undefined ? 0 : given[name] + 1;
            given[name] = Math.min(next, window.__hold, answer.sequence.length - 1);
            answer = { ok: answer.sequence[given[name]] };
          }
          if ('fail' in answer) { if (failure) failure(new Error(answer.fail)); }
          else if (success) { success(answer.ok); }
        }, 20);
      };
    });
    return run;
  }
  window.google = { script: { run: runner(null, null),
                              host: { close: function () { window.__closed = true; } } } };
})();
</script>"""


def _require(condition: bool, why: str) -> None:
    """Skip locally, fail under CI, when a browser-test requirement is missing."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (required under CI)")
    pytest.skip(why)


@functools.cache
def _served_page(file_name: str, language: str) -> str:
    """The page as the add-on serves it in `language` (its texts put in by Messages.gs)."""
    node = shutil.which("node")
    _require(node is not None, "node is not installed (it renders the add-on's pages)")
    done = subprocess.run(
        [str(node), str(HERE / "render_page.mjs"), Path(file_name).stem, language],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    return done.stdout


class Pages:
    """Serves the add-on's pages with a `google.script.run` stub on 127.0.0.1."""

    def __init__(self) -> None:
        self.scenarios: dict[str, tuple[str, Scenario]] = {}
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                entry = pages.scenarios.get(self.path.strip("/"))
                if entry is None:
                    self.send_error(404)
                    return
                html, scenario = entry
                stub = STUB % json.dumps(scenario, ensure_ascii=False).replace("</", "<\\/")
                body = html.replace("<head>", "<head>\n" + stub, 1).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, file_name: str, scenario: Scenario, language: str = "en") -> str:
        """Where `file_name` is served in `language` with `scenario` behind its server calls."""
        key = uuid.uuid4().hex
        self.scenarios[key] = (_served_page(file_name, language), scenario)
        return f"{self.origin}/{key}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def pages() -> Iterator[Pages]:
    served = Pages()
    yield served
    served.close()


@pytest.fixture(scope="module")
def driver(pages: Pages) -> Iterator[Any]:
    _require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    _require(Path(CHROMEDRIVER).exists(), f"chromedriver is not installed at {CHROMEDRIVER}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _require(False, "the selenium package is not installed")
        raise
    profile = tempfile.mkdtemp(prefix="aftersales-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        browser.set_script_timeout(10)
        browser.execute_cdp_cmd(
            "Browser.grantPermissions",
            {
                "origin": pages.origin,
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            },
        )
        _set_viewport(browser, 900)
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _set_viewport(browser: Any, height: int, width: int = SIDEBAR_WIDTH) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def _open(browser: Any, url: str, attribute: str = "data-loaded") -> str:
    """Load `url` and wait until the page marks itself loaded; returns that mark."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script(f"return document.body.getAttribute('{attribute}')")
    )
    return str(browser.execute_script(f"return document.body.getAttribute('{attribute}')"))


def _text(browser: Any, element_id: str) -> str:
    return str(browser.execute_script(f"return document.getElementById('{element_id}').innerText"))


def _case_scenario(**options: Any) -> Scenario:
    return {
        "getCaseDetails": {
            "ok": {"caseId": CASE["case_id"], "row": 7, "timeZone": "Asia/Shanghai", "case": CASE}
        },
        "_": options,
    }


def test_sidebar_shows_the_case(driver: Any, pages: Pages) -> None:
    """The sidebar shows deadline, days left, SLA clocks, missing evidence, findings, timeline
    and both replies for a realistic case, and a screenshot is saved for review."""
    assert _open(driver, pages.url("Sidebar.html", _case_scenario())) == "case"
    body = driver.find_element("tag name", "body").text
    assert "Case AS-2025-0142" in body
    assert "Bhiner · row 7" in body
    assert _text(driver, "return-deadline") == "2025-03-21"
    assert _text(driver, "days-left") == "2 days"
    assert _text(driver, "policy-ref") == "Bhiner v2025.1 (14-day window)"
    assert _text(driver, "next-action") == "Ask the customer for an unboxing video"
    assert _text(driver, "next-due") == "2025-03-19 18:00"
    assert _text(driver, "priority") == "P1"
    assert _text(driver, "sla-state").strip() == "Due soon"
    clocks = _text(driver, "sla-clocks")
    # Times with an offset are shown in the spreadsheet's time zone (Asia/Shanghai, UTC+8).
    assert "First response\nmet 2025-03-17 15:41\nClosed" in clocks
    assert "Seller response\ndue 2025-03-19 18:00\nDue soon" in clocks
    missing = _text(driver, "missing-evidence")
    assert "Video proof of the defect" in missing
    assert "Photo of the original packaging" in missing
    assert "Partial refund (used item)" in _text(driver, "refund-kinds")
    assert "Return window closes in 2 days" in _text(driver, "findings")
    assert _text(driver, "exceptions") == "Customer was travelling (approved by lead)"
    timeline = _text(driver, "timeline")
    assert "2025-03-07 09:12" in timeline and "2025-03-17 15:41" in timeline
    assert "status change: Open → Waiting on customer" in timeline
    for audience in ("customer", "seller"):
        shown = driver.execute_script(
            f"return document.getElementById('reply-text-{audience}').value"
        )
        assert shown == CASE["replies"][audience]
    assert driver.find_element("id", "reply-text-customer").is_displayed()
    calls = driver.execute_script("return window.__calls")
    assert [c["name"] for c in calls] == ["getCaseDetails"]

    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow, "the sidebar scrolls sideways at 300px"
    shot = _screenshot(driver, "sidebar.png", SIDEBAR_WIDTH)
    print(f"sidebar screenshot: {shot}")


def test_copy_puts_the_reply_on_the_clipboard(driver: Any, pages: Pages) -> None:
    """Copy writes the reply to the clipboard through the async clipboard API."""
    _open(driver, pages.url("Sidebar.html", _case_scenario()))
    driver.find_element("id", "copy-seller").click()
    note = driver.find_element("css selector", "#reply-seller .copied")
    _wait_for(driver, lambda: note.get_attribute("data-copied"))
    assert note.get_attribute("data-copied") == "clipboard"
    assert note.text == "Copied."
    assert _read_clipboard(driver) == CASE["replies"]["seller"]


def test_copy_falls_back_to_selecting_the_text(driver: Any, pages: Pages) -> None:
    """Without navigator.clipboard (as in Sheets' sandboxed iframe) Copy selects the reply text
    and copies it with execCommand."""
    _open(driver, pages.url("Sidebar.html", _case_scenario(noClipboard=True)))
    driver.find_element("id", "copy-customer").click()
    note = driver.find_element("css selector", "#reply-customer .copied")
    _wait_for(driver, lambda: note.get_attribute("data-copied"))
    assert note.get_attribute("data-copied") in {"fallback", "selected"}
    selection = driver.execute_script(
        "var a = document.activeElement;"
        "return [a.id, a.value.substring(a.selectionStart, a.selectionEnd)];"
    )
    assert selection == ["reply-text-customer", CASE["replies"]["customer"]]
    if note.get_attribute("data-copied") == "fallback":  # execCommand('copy') worked: check it
        _open(driver, pages.url("Sidebar.html", _case_scenario()))
        assert _read_clipboard(driver) == CASE["replies"]["customer"]


def test_sidebar_shows_the_selection_problem(driver: Any, pages: Pages) -> None:
    """When no case row is selected the sidebar shows the add-on's message, and Refresh asks
    again."""
    message = "Select a row of the Cases tab, then press Refresh."
    url = pages.url("Sidebar.html", {"getCaseDetails": {"ok": {"error": message}}})
    assert _open(driver, url) == "error"
    assert _text(driver, "status") == message
    assert not driver.find_element("id", "details").is_displayed()
    driver.find_element("id", "refresh").click()
    _wait_for(driver, lambda: len(driver.execute_script("return window.__calls")) == 2)


def test_sidebar_shows_a_server_failure(driver: Any, pages: Pages) -> None:
    """When the server function throws, the failure handler shows the error."""
    url = pages.url("Sidebar.html", {"getCaseDetails": {"fail": "Exceeded maximum execution time"}})
    assert _open(driver, url) == "error"
    assert _text(driver, "status") == "Could not load the case: Exceeded maximum execution time"


def test_setup_dialog_shows_the_pinned_url_read_only(driver: Any, pages: Pages) -> None:
    """The Set up dialog shows the deployer's URL in a read-only field that typing cannot change,
    has no Save, and Test connection sends nothing from the page (the server uses the pinned
    URL)."""
    scenario: Scenario = {
        "getSetup": {
            "ok": {
                "url": "https://desk.agency-hz.cn/aftersales",
                "problem": "",
                "signIn": "google",
                "legacyRemoved": True,
            }
        },
        "testConnection": {
            "ok": {
                "ok": True,
                "message": "Connected: https://desk.agency-hz.cn/aftersales is ready",
            }
        },
    }
    _set_viewport(driver, 400, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario)) == "setup"
    field = driver.find_element("id", "url")
    assert field.get_attribute("value") == "https://desk.agency-hz.cn/aftersales"
    assert field.get_attribute("readonly") is not None
    field.click()
    field.send_keys("https://evil.example.net")
    assert field.get_attribute("value") == "https://desk.agency-hz.cn/aftersales"
    assert driver.find_elements("id", "save") == []
    assert driver.find_elements("id", "secret") == []
    assert _text(driver, "sign-in") == "Your Google account"
    assert driver.find_element("id", "legacy").is_displayed()
    driver.find_element("id", "test").click()
    _wait_for(driver, lambda: driver.execute_script("return document.body.dataset.result") == "ok")
    assert _text(driver, "result").startswith("Connected: https://desk.agency-hz.cn/aftersales")
    print(f"set-up screenshot: {_screenshot(driver, 'setup.png', SETUP_WIDTH)}")
    calls = driver.execute_script("return window.__calls")
    assert calls == [{"name": "getSetup", "args": []}, {"name": "testConnection", "args": []}]


def test_setup_dialog_names_an_unusable_pinned_url(driver: Any, pages: Pages) -> None:
    """A pinned URL the add-on refuses is shown with the reason, and Test connection is off."""
    problem = 'The service URL "http://desk.example.com" is refused: it must start with https://'
    scenario: Scenario = {
        "getSetup": {
            "ok": {"url": "", "problem": problem, "signIn": "sheet secret", "legacyRemoved": False}
        },
    }
    _set_viewport(driver, 400, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario)) == "setup"
    assert _text(driver, "result") == problem
    assert driver.execute_script("return document.body.dataset.result") == "error"
    assert not driver.find_element("id", "test").is_enabled()
    assert _text(driver, "sign-in").startswith("A sheet secret set by whoever deployed")
    assert not driver.find_element("id", "legacy").is_displayed()


def test_setup_check_my_sheet_lists_the_mapping_and_apply_writes_it(
    driver: Any, pages: Pages
) -> None:
    """Check my sheet lists how the sheet maps and shows Apply; Apply calls the server once and
    hides itself when the mapping is written."""
    lines = [
        "Cases tab: 售后登记",
        'Column "Issue Tpye" is Issue Type (suggested)',
        'Status "Awaitng Seller" means Awaiting Seller (suggested)',
    ]
    scenario: Scenario = {
        "getSetup": {
            "ok": {"url": "https://desk.example.com", "problem": "", "signIn": "google",
                   "legacyRemoved": False}
        },
        "checkMySheet": {
            "ok": {"ok": True, "message": "3 mapping rows to write: press Apply", "lines": lines,
                   "canApply": True}
        },
        "applyMySheet": {
            "ok": {"ok": True, "message": "Applied: 9 cells written", "lines": lines,
                   "canApply": False}
        },
    }  # fmt: skip
    _set_viewport(driver, 400, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario)) == "setup"
    assert not driver.find_element("id", "apply").is_displayed()
    driver.find_element("id", "check").click()
    _wait_for(driver, lambda: driver.find_element("id", "apply").is_displayed())
    items = driver.find_elements("css selector", "#mapping li")
    assert [i.text for i in items] == lines
    assert _text(driver, "result") == "3 mapping rows to write: press Apply"
    print(f"check-my-sheet screenshot: {_screenshot(driver, 'check-my-sheet.png', SETUP_WIDTH)}")
    driver.find_element("id", "apply").click()
    _wait_for(driver, lambda: _text(driver, "result") == "Applied: 9 cells written")
    assert not driver.find_element("id", "apply").is_displayed()
    calls = driver.execute_script("return window.__calls")
    assert [c["name"] for c in calls] == ["getSetup", "checkMySheet", "applyMySheet"]


# A case as a team that writes in Chinese keeps it (what the sidebar shows under the sync panel).
CASE_ZH: dict[str, Any] = {
    **CASE,
    "case_id": "HZ-25-0412",
    "row": 12,
    "platform": "淘宝代购",
    "status": "等待卖家回复",
    "assignee": "李娜",
    "policy_ref": "淘宝代购 v2025.1（7 天无理由）",
    "next_action": "请客户补拍开箱视频",
    "missing_evidence": ["瑕疵视频", "原包装照片"],
    "refund_kinds": ["部分退款", "换货"],
    "exception_reasons": [],
    "findings": [
        {
            "code": "window_closing",
            "severity": "error",
            "message": "退货期限 2 天后截止，退货尚未寄出。",
            "column": "退货截止",
        }
    ],
    "timeline": [{"at": "2025-03-07T01:12:00Z", "kind": "created", "detail": "王芳 新建"}],
    "replies": {"customer": "王女士您好，请在 3 月 19 日前补拍开箱视频，谢谢！", "seller": None},
}
PROGRESS_READ = {
    "state": "running",
    "runId": 57,
    "action": "sync",
    "message": "Reading the sheet… (run 57)",
    "fraction": None,
    "problem": False,
    "pollMs": 100,
}
PROGRESS_EVALUATE = {
    **PROGRESS_READ,
    "message": "Syncing… 12,000 of 30,000 cases (run 57)",
    "fraction": 0.4,
}
# 2025-03-10 06:06:35 UTC, shown in the spreadsheet's zone (Asia/Shanghai) as 14:06.
ENDED_AT_MS = 1741586795000
SUMMARY_57 = {
    **PROGRESS_READ,
    "state": "succeeded",
    "message": (
        "Synced 30000 cases: 4512 cells updated, 120 new, 3 errors in Validation, 1 warning "
        "(run 57)."
    ),
    "pollMs": 60000,
    "updatedAt": ENDED_AT_MS,
}


def _sync_scenario(*steps: dict[str, Any], hold: int) -> Scenario:
    return {
        "getCaseDetails": {
            "ok": {"caseId": "HZ-25-0412", "row": 12, "timeZone": "Asia/Shanghai", "case": CASE_ZH}
        },
        "getSyncStatus": {"sequence": list(steps)},
        "_": {"hold": hold},
    }


def _sync_panel(browser: Any) -> dict[str, Any]:
    return dict(
        browser.execute_script(
            "var box = document.getElementById('sync');"
            "return {state: document.body.getAttribute('data-sync'), shown: !box.hidden,"
            " className: box.className, text: document.getElementById('sync-text').innerText,"
            " when: document.getElementById('sync-when').innerText,"
            " bar: !document.getElementById('sync-bar').hidden,"
            " barClass: document.getElementById('sync-bar').className,"
            " fill: document.getElementById('sync-fill').style.width};"
        )
    )


def test_sidebar_shows_a_sync_in_progress_then_its_summary(driver: Any, pages: Pages) -> None:
    """While a sync runs the sidebar shows its step and cases done of total with a bar, above a
    Chinese case, then the run's summary with the time it ended; screenshots of both are saved."""
    scenario = _sync_scenario(PROGRESS_READ, PROGRESS_EVALUATE, SUMMARY_57, hold=0)
    assert _open(driver, pages.url("Sidebar.html", scenario)) == "case"
    _wait_for(driver, lambda: _sync_panel(driver)["text"] == "Reading the sheet… (run 57)")
    reading = _sync_panel(driver)
    assert reading["state"] == "running" and reading["shown"] and reading["bar"]
    assert reading["barClass"] == "bar unknown", "no total yet: the bar only shows movement"

    driver.execute_script("window.__hold = 1")
    _wait_for(driver, lambda: "12,000 of 30,000" in _sync_panel(driver)["text"])
    going = _sync_panel(driver)
    assert going["text"] == "Syncing… 12,000 of 30,000 cases (run 57)"
    assert (going["barClass"], going["fill"]) == ("bar", "40%")
    assert going["className"] == "sync"
    body = driver.find_element("tag name", "body").text
    assert "Case HZ-25-0412" in body and "淘宝代购 · 等待卖家回复 · 李娜 · row 12" in body
    print(f"sync progress screenshot: {_screenshot(driver, 'sync-progress.png', SIDEBAR_WIDTH)}")

    driver.execute_script("window.__hold = 2")
    _wait_for(driver, lambda: _sync_panel(driver)["state"] == "succeeded")
    done = _sync_panel(driver)
    assert done["text"] == SUMMARY_57["message"]
    assert done["when"] == "at 2025-03-10 14:06"
    assert done["className"] == "sync done" and not done["bar"]
    print(f"sync summary screenshot: {_screenshot(driver, 'sync-summary.png', SIDEBAR_WIDTH)}")
    asked = [c["name"] for c in driver.execute_script("return window.__calls")]
    assert asked.count("getCaseDetails") == 1
    assert asked.count("getSyncStatus") >= 3


def test_sidebar_shows_a_failed_run_with_its_code(driver: Any, pages: Pages) -> None:
    """A run that failed is shown as a problem with its run number, code and sentence (Chinese
    tab name included), and no progress bar."""
    failed = {
        **SUMMARY_57,
        "state": "failed",
        "problem": True,
        "message": (
            'Sync run 57 failed (sheet_contract): 售后登记 tab: no "Case ID" column in row 1.'
        ),
    }
    assert _open(driver, pages.url("Sidebar.html", _sync_scenario(failed, hold=0))) == "case"
    _wait_for(driver, lambda: _sync_panel(driver)["state"] == "failed")
    panel = _sync_panel(driver)
    assert panel["text"] == failed["message"]
    assert panel["className"] == "sync problem" and not panel["bar"]
    print(f"sync failed screenshot: {_screenshot(driver, 'sync-failed.png', SIDEBAR_WIDTH)}")


def test_sidebar_hides_the_panel_when_no_sync_was_pressed(driver: Any, pages: Pages) -> None:
    """With no press to show, the sync panel stays hidden and the case is shown as before."""
    none = {"state": "none", "pollMs": 100}
    assert _open(driver, pages.url("Sidebar.html", _sync_scenario(none, hold=0))) == "case"
    _wait_for(driver, lambda: _sync_panel(driver)["state"] == "none")
    assert not _sync_panel(driver)["shown"]
    assert not driver.find_element("id", "sync").is_displayed()


def _screenshot(browser: Any, name: str, width: int) -> Path:
    """Save the whole page at `width` px to tests/addon/artifacts/`name`."""
    for _ in range(2):  # the second pass measures after the page re-fitted to the new size
        height = int(browser.execute_script("return document.documentElement.scrollHeight"))
        _set_viewport(browser, height, width)
        browser.execute_script("return new Promise(r => requestAnimationFrame(() => r(true)))")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    assert browser.save_screenshot(str(shot))
    _set_viewport(browser, 900)
    return shot


def _wait_for(browser: Any, condition: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda _: condition())


def _read_clipboard(browser: Any) -> str:
    return str(
        browser.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "navigator.clipboard.readText().then(done, function (e) { done('ERROR ' + e); });"
        )
    )
