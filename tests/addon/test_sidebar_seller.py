"""The sidebar shows a case's Seller Deadline (with its marketplace, and when it was missed) and
hides the line for a case without one; headless Chromium on the real Sidebar.html."""

from __future__ import annotations

from typing import Any

from tests.addon.test_sidebar import (  # noqa: F401  (fixtures, reused)
    CASE,
    SIDEBAR_WIDTH,
    Pages,
    _open,
    _screenshot,
    _text,
    driver,
    pages,
)

SELLER_CASE: dict[str, Any] = {
    **CASE,
    "case_id": "BH-0216",
    "next_action": "The seller's return window closed 2026-02-24 00:00: ask the seller for a "
    "return anyway",
    "seller_deadline": "2026-02-23T16:00:00Z",
    "marketplace": "Tmall",
    "seller_window_missed": True,
    "findings": [
        {
            "code": "item_category.excluded",
            "severity": "warning",
            "message": "Not returnable under Mulebuy 2025.1: custom-made item; tell the customer.",
            "message_zh": "Mulebuy 2025.1 不接受退货：定制商品；请告知客户。",
            "column": "item_category",
        }
    ],
}


def scenario(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "getCaseDetails": {
            "ok": {"caseId": case["case_id"], "row": 7, "timeZone": "Asia/Shanghai", "case": case}
        },
        "_": {},
    }


def test_sidebar_shows_the_seller_deadline_in_the_sheet_zone(driver: Any, pages: Pages) -> None:  # noqa: F811
    """16:00 UTC on 23 Feb is 00:00 on 24 Feb in Shanghai, shown with Tmall and 'missed'."""
    assert _open(driver, pages.url("Sidebar.html", scenario(SELLER_CASE))) == "case"
    assert _text(driver, "seller-deadline") == "2026-02-24 00:00 (Tmall) — missed"
    assert "Not returnable under Mulebuy 2025.1" in _text(driver, "findings")
    print(f"seller sidebar screenshot: {_screenshot(driver, 'sidebar-seller.png', SIDEBAR_WIDTH)}")


def test_sidebar_hides_the_seller_deadline_when_there_is_none(driver: Any, pages: Pages) -> None:  # noqa: F811
    """A case without a Seller Deadline (a defect, 1688) shows no Seller deadline line."""
    assert _open(driver, pages.url("Sidebar.html", scenario(CASE))) == "case"
    shown = driver.execute_script(
        "return [document.getElementById('seller-deadline').hidden,"
        " document.getElementById('seller-deadline-label').hidden]"
    )
    assert shown == [True, True]
