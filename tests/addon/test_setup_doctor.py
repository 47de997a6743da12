"""Set up ▸ Test connection in headless Chromium: the service's doctor checks, one line each with
✓ / ✗ / – and the fix under each ✗ (the page and its stub of google.script.run as in
test_sidebar.py; a screenshot is saved to tests/addon/artifacts/setup-doctor.png for review)."""

from __future__ import annotations

from typing import Any

from tests.addon.test_sidebar import (  # noqa: F401  (fixtures, reused)
    SETUP_WIDTH,
    Pages,
    Scenario,
    _open,
    _screenshot,
    _set_viewport,
    _text,
    _wait_for,
    driver,
    pages,
)

ACCOUNT = "aftersales@desk-prod.iam.gserviceaccount.com"
URL = "https://desk.agency-hz.cn/aftersales"
CHECKS: list[dict[str, str]] = [
    {"mark": "✓", "state": "pass", "name": "settings: environment", "detail": "production",
     "fix": ""},
    {"mark": "✓", "state": "pass", "name": "store: migrated",
     "detail": "at 0006_sheet_key_version, this version's newest schema", "fix": ""},
    {"mark": "✓", "state": "pass", "name": "google: key",
     "detail": f"service account {ACCOUNT}: share each sheet with it as an Editor", "fix": ""},
    {"mark": "✓", "state": "pass", "name": "sheet: opens",
     "detail": "'售后登记 2025 Q4（杭州组）' (1AbCdEf)", "fix": ""},
    {"mark": "✗", "state": "fail", "name": "sheet: can edit",
     "detail": f"{ACCOUNT} may only view (or comment on) it: every sync would be refused",
     "fix": f"In the spreadsheet: Share ▸ {ACCOUNT} ▸ change Viewer to Editor ▸ Save."},
    {"mark": "✗", "state": "fail", "name": "sheet: time zone",
     "detail": "the spreadsheet is set to Etc/GMT; the sheet's registered zone is Asia/Shanghai",
     "fix": "In the spreadsheet: File ▸ Settings ▸ Time zone ▸ Asia/Shanghai."},
    {"mark": "✓", "state": "pass", "name": "sheet: cases tab and columns",
     "detail": "'售后登记' with every required column (9 known)", "fix": ""},
]  # fmt: skip
MESSAGE = (
    f"Connected: {URL} accepted your Google sign-in. 2 checks need a person (✗ below, each "
    "with its fix)."
)


def test_test_connection_lists_each_check_with_its_fix(driver: Any, pages: Pages) -> None:  # noqa: F811
    """Each check is one line with its mark, name and detail; the two ✗ lines carry their fix;
    the headline says how many need a person; Chinese titles render."""
    scenario: Scenario = {
        "getSetup": {"ok": {"url": URL, "problem": "", "signIn": "google", "legacyRemoved": False}},
        "testConnection": {"ok": {"ok": False, "message": MESSAGE, "checks": CHECKS}},
    }
    _set_viewport(driver, 520, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario)) == "setup"
    assert not driver.find_element("id", "checks").is_displayed()
    driver.find_element("id", "test").click()
    _wait_for(
        driver, lambda: driver.execute_script("return document.body.dataset.result") == "error"
    )

    assert _text(driver, "result") == MESSAGE
    items = driver.find_elements("css selector", "#checks li")
    assert [i.get_attribute("class") for i in items] == [c["state"] for c in CHECKS]
    for item, expected in zip(items, CHECKS, strict=True):
        lines = item.text.split("\n")
        assert lines[0] == expected["mark"]
        assert lines[1] == f"{expected['name']} — {expected['detail']}"
        fixes = item.find_elements("css selector", ".fix")
        assert [f.text for f in fixes] == ([f"Fix: {expected['fix']}"] if expected["fix"] else [])
    print(f"set-up doctor screenshot: {_screenshot(driver, 'setup-doctor.png', SETUP_WIDTH)}")
    calls = driver.execute_script("return window.__calls")
    assert calls == [{"name": "getSetup", "args": []}, {"name": "testConnection", "args": []}]


def test_a_refused_connection_shows_no_check_lines(driver: Any, pages: Pages) -> None:  # noqa: F811
    """When the service refuses (here a sign-in not on the allow-list), only the message shows."""
    refused = "Your Google account is not allowed to use the After-sales service on this sheet."
    scenario: Scenario = {
        "getSetup": {"ok": {"url": URL, "problem": "", "signIn": "google", "legacyRemoved": False}},
        "testConnection": {"ok": {"ok": False, "message": refused, "checks": []}},
    }
    _set_viewport(driver, 520, SETUP_WIDTH)
    assert _open(driver, pages.url("Setup.html", scenario)) == "setup"
    driver.find_element("id", "test").click()
    _wait_for(
        driver, lambda: driver.execute_script("return document.body.dataset.result") == "error"
    )
    assert _text(driver, "result") == refused
    assert not driver.find_element("id", "checks").is_displayed()
