"""Case details (the sidebar) show the Seller Deadline, its marketplace and whether it was missed,
and an excluded item's finding, as the sync wrote them into the sheet."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.api.app import create_app
from tests.api.conftest import api_settings
from tests.api.support import Api, Clock
from tests.auth.support import CertServer
from tests.workbooks import case, records, write_workbook

SHIPPED_POLICIES = Path(__file__).resolve().parents[2] / "policies" / "data"
MULEBUY = """\
platform: mulebuy
name: Mulebuy
version: "test-1"
effective_from: 2025-01-01
source: test policy with two excluded categories
window:
  default_days: 5
refunds:
  kinds: [store_credit]
excluded_categories: [custom_made, opened_sealed]
"""


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 2, 24, 2, 0, tzinfo=UTC))  # Tue 24 Feb 2026, 10:00 Shanghai


@pytest.fixture
def app(tmp_path: Path, cert_server: CertServer, clock: Clock) -> FastAPI:
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(SHIPPED_POLICIES / "superbuy.yaml", policies / "superbuy.yaml")
    (policies / "mulebuy.yaml").write_text(MULEBUY, encoding="utf-8")
    settings = api_settings(tmp_path, cert_server.url).model_copy(update={"policies_dir": policies})
    return create_app(settings, clock=clock, start_scheduler=False)


ROWS = [
    # date only, 16 Feb, on 京东: 00:00 on 17 Feb + 168 h = 00:00 on 24 Feb, passed at 10:00
    case(
        **{
            "Case ID": "SB-0216",
            "Opened": datetime(2026, 2, 23, 9, 30),
            "First Response At": datetime(2026, 2, 23, 9, 40),
            "Issue Type": "七天无理由",
            "Window Start": datetime(2026, 2, 16),
            "Marketplace": "京东",
        }
    ),
    # an opened sealed item (拆封) on Mulebuy: not returnable under test-1
    case(
        **{
            "Case ID": "MB-0220",
            "Platform": "Mulebuy",
            "Opened": datetime(2026, 2, 23, 9, 30),
            "Issue Type": "Changed Mind",
            "Window Start": datetime(2026, 2, 20, 15, 45),
            "Item Category": "已拆封",
        }
    ),
]


def details(api: Api, case_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/v1/sheets/team/cases/{case_id}")
    return body


def test_case_details_show_the_seller_deadline_and_the_exclusion(api: Api) -> None:
    """The missed JD window and the opened-sealed exclusion read as the sheet shows them."""
    api.add_sheet("team", write_workbook(api.tmp / "team.xlsx", ROWS))
    api.sync("team")
    rows = {r["Case ID"]: r for r in records(api.workbook("team"))}

    missed = details(api, "SB-0216")
    assert missed["seller_deadline"] == "2026-02-24T00:00:00+08:00"
    assert missed["marketplace"] == "JD" and missed["seller_window_missed"] is True
    assert rows["SB-0216"]["Seller Deadline"] == datetime(2026, 2, 24, 0, 0)
    assert missed["next_action"] == rows["SB-0216"]["Next Action"]

    excluded = details(api, "MB-0220")
    codes = [(f["code"], f["column"]) for f in excluded["findings"]]
    assert ("item_category.excluded", "item_category") in codes
    finding = next(f for f in excluded["findings"] if f["code"] == "item_category.excluded")
    assert finding["message"].startswith("Not returnable under Mulebuy test-1: opened sealed goods")
    assert finding["message_zh"].startswith("Mulebuy test-1 不接受退货：已拆封的密封商品")
    assert excluded["next_action"] == rows["MB-0220"]["Next Action"]
    assert excluded["next_action"].startswith("Not returnable under Mulebuy test-1")
    # not returnable: no return to start with the seller either
    assert excluded["seller_deadline"] is None and excluded["seller_window_missed"] is False
    assert rows["MB-0220"]["Seller Deadline"] is None
