"""Item exclusions and the Seller Deadline, synced through the `aftersales` console script on a
real .xlsx (a real process on a SQLite store): a team sheet with its own headers (品类, 来源平台),
its own words in the Vocabulary tab, a default marketplace in the Settings tab and a policy
directory holding a version that excludes categories; the week after the 2026 Spring Festival."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.workbooks import read_tab, records, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
SHIPPED_POLICIES = Path(__file__).resolve().parents[1] / "policies" / "data"
# Tuesday 24 February 2026, 10:00 in Shanghai: the first working day after the festival
# (15-23 February off).
NOW = "2026-02-24T10:00:00+08:00"

MULEBUY = """\
platform: mulebuy
name: Mulebuy
version: "test-1"
effective_from: 2025-01-01
source: test policy with the exclusions of the Mulebuy help centre
window:
  default_days: 5
refunds:
  kinds: [store_credit]
excluded_categories: [custom_made, food, underwear]
"""

HEADERS = [
    "案件编号", "开案时间", "平台", "问题类型", "品类", "来源平台", "入库日期", "原包装",
    "负责人", "状态", "首次回复时间", "备注",
]  # fmt: skip


def row(case_id: str, platform: str, issue: str, start: object, **extra: object) -> dict[str, Any]:
    values: dict[str, Any] = {
        "案件编号": case_id,
        "开案时间": datetime(2026, 2, 23, 9, 30),
        "平台": platform,
        "问题类型": issue,
        "入库日期": start,
        "原包装": "有",
        "负责人": "小王",
        "状态": "处理中",
        "首次回复时间": datetime(2026, 2, 23, 9, 50),
    }
    values.update(extra)
    return values


ROWS = [
    # Team word DIY款 (Vocabulary tab) -> custom_made, excluded by Mulebuy test-1.
    row("MB-01", "Mulebuy", "不想要了", datetime(2026, 2, 20), 品类="DIY款"),
    # A Chinese word: 零食 -> food, excluded too.
    row("MB-02", "Mulebuy", "Wrong Size", datetime(2026, 2, 20), 品类="零食", 负责人="Chen"),
    # Shoes are returnable: no finding.
    row("MB-03", "Mulebuy", "Defect", datetime(2026, 2, 20), 品类="球鞋"),
    # New cases: the acknowledgement reminds of the return window only when there is one.
    row("MB-04", "Mulebuy", "Changed Mind", datetime(2026, 2, 20), 品类="内衣", 状态="新建"),
    row("MB-05", "Mulebuy", "Changed Mind", datetime(2026, 2, 20), 品类="鞋子", 状态="新建"),
    # Signed during the festival at 14:30 on Taobao; the team's word 尺码小了 is Wrong Size.
    row("BH-01", "Bhiner", "尺码小了", datetime(2026, 2, 18, 14, 30), 来源平台="淘宝"),
    # Date only, blank marketplace: the Settings tab's default 天猫 (Tmall) applies.
    row("BH-02", "Bhiner", "Changed Mind", datetime(2026, 2, 16), 负责人="Chen"),
    # 1688 is B2B: no Seller Deadline.
    row("BH-03", "Bhiner", "Changed Mind", datetime(2026, 2, 16), 来源平台="1688"),
    # A marketplace nobody knows, and a category nobody knows: named in Validation.
    row("BH-04", "Bhiner", "Changed Mind", datetime(2026, 2, 16), 来源平台="Shopee"),
    row("BH-05", "Bhiner", "Wrong Size", datetime(2026, 2, 20), 品类="gizmo"),
]

VOCABULARY = [
    ["Column", "Team Word", "Means", "Validation"],
    ["品类", "DIY款", "custom_made", None],
    ["Issue Type", "尺码小了", "Wrong Size", None],
]
SETTINGS = [
    ["Setting", "Value", "Validation"],
    ["tab.cases", "售后", None],  # as `adopt --yes` writes it
    ["marketplace.default", "天猫", None],
]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{cwd}/s.db"
    env["AFTERSALES_POLICIES_DIR"] = str(cwd / "policies")
    return subprocess.run(
        [str(AFTERSALES), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def sync(cwd: Path) -> dict[str, Any]:
    result = run(cwd, "sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(payload, dict)
    return payload


def team_sheet(tmp_path: Path) -> Path:
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(SHIPPED_POLICIES / "bhiner.yaml", policies / "bhiner.yaml")
    (policies / "mulebuy.yaml").write_text(MULEBUY, encoding="utf-8")
    return write_workbook(
        tmp_path / "cases.xlsx",
        ROWS,
        headers=HEADERS,
        title="售后",
        extra_tabs={"Vocabulary": VOCABULARY, "Settings": SETTINGS},
    )


def test_exclusions_and_seller_deadlines_sync_into_the_team_sheet(tmp_path: Path) -> None:
    """Each case gets its exclusion, Seller Deadline, next action, priority and escalation."""
    workbook = team_sheet(tmp_path)
    sync(tmp_path)
    cases = {r["案件编号"]: r for r in records(workbook, "售后")}

    for case_id, label in (("MB-01", "custom-made item"), ("MB-02", "food")):
        excluded = cases[case_id]
        assert f"Not returnable under Mulebuy test-1: {label}" in excluded["Validation"]
        assert excluded["Next Action"] == (
            f"Not returnable under Mulebuy test-1: {label}: tell the customer it cannot be returned"
        )
        assert excluded["Seller Deadline"] is None  # nothing to return to the seller either
        # no reply reminding the customer of a return window: held until a person decides
        assert excluded["Suggested Reply"].startswith(
            f"Held: Not returnable under Mulebuy test-1: {label}"
        )
    assert "Not returnable" not in (cases["MB-03"]["Validation"] or "")
    # A new excluded case gets no acknowledgement naming a return window; a returnable one does
    # (Mulebuy test-1: 5 days from 20 Feb).
    assert "return window" not in cases["MB-04"]["Suggested Reply"]
    assert cases["MB-04"]["Seller Deadline"] is None
    assert "the return window for this item ends on 2026-02-25" in cases["MB-05"]["Suggested Reply"]

    # 14:30 on 18 Feb + 168 calendar hours, the festival included: 14:30 on 25 Feb.
    timed = cases["BH-01"]
    assert timed["Seller Deadline"] == datetime(2026, 2, 18, 14, 30) + timedelta(hours=168)
    assert timed["Seller Deadline"] == datetime(2026, 2, 25, 14, 30)
    assert timed["Next Action"] == "Start the return with the seller before 2026-02-25 14:30"
    # Tue 10:00-18:30 (7 h) + Wed 09:00-12:00 and 13:30-14:30 (4 h) = 11 working hours: P1.
    # (Bhiner's own 14-day window ends 4 March: not what makes it P1.)
    assert timed["Priority"] == "P1"
    assert timed["Return Deadline"] == datetime(2026, 3, 4)

    # Date only, 16 Feb: from 00:00 on 17 Feb, 168 hours -> 00:00 on 24 Feb, passed at 10:00.
    missed = cases["BH-02"]
    assert missed["Seller Deadline"] == datetime(2026, 2, 24, 0, 0)
    assert missed["Next Action"].startswith("The seller's return window closed 2026-02-24 00:00")
    assert missed["Escalation"].startswith("L2 lead: Team lead (seller window missed: Tmall")
    assert missed["Priority"] == "P1"

    assert cases["BH-03"]["Seller Deadline"] is None  # 1688
    unknown = cases["BH-04"]
    assert unknown["Seller Deadline"] is None
    # Named by column, value and cell (来源平台 is column F, BH-04 is on row 10).
    assert "Marketplace 'Shopee' (售后!F10)" in unknown["Validation"]
    assert "Item Category 'gizmo' (售后!E11)" in cases["BH-05"]["Validation"]

    # The seller message asks for the 7-day no-reason return, in Chinese, before the deadline.
    assert "七天无理由退货" in timed["Seller Message"]
    assert "2026年2月25日 14:30" in timed["Seller Message"] and "淘宝" in timed["Seller Message"]

    # The team's cells are as typed: nothing rewritten into canonical words.
    assert cases["MB-01"]["品类"] == "DIY款" and cases["BH-01"]["问题类型"] == "尺码小了"

    # The Settings row is read as the canonical marketplace and said so in its Validation.
    settings = {r["Setting"]: r["Validation"] for r in records(workbook, "Settings")}
    assert settings["marketplace.default"].startswith("OK: marketplace.default = Tmall")

    # A second sync of the unchanged sheet writes nothing.
    assert sync(tmp_path)["cells_written"] == 0


def test_the_kpis_tab_counts_missed_seller_windows_by_platform_and_member(
    tmp_path: Path,
) -> None:
    """KPIs: Bhiner has 3 cases with a seller window (one missed); 小王 0 missed, Chen 1."""
    team_sheet(tmp_path)
    sync(tmp_path)
    grid = read_tab(tmp_path / "cases.xlsx", "KPIs")
    tables: dict[str, dict[str, dict[str, Any]]] = {}  # section title -> first key -> row
    title, header = "", []
    for line in grid:
        cells = [c for c in line if c is not None]
        if len(cells) == 1 and isinstance(cells[0], str):
            title, header = cells[0], []
        elif "Seller window missed" in line:
            header = line
            tables[title] = {}
        elif header and cells:
            tables[title][str(line[0])] = dict(zip(header, line, strict=False))
    by_platform = tables["By platform"]
    # BH-01 (Taobao), BH-02 (Tmall by default, missed), BH-05 (Tmall); BH-03 1688, BH-04 unknown.
    assert by_platform["Bhiner"]["Cases with a seller window"] == 3
    assert by_platform["Bhiner"]["Seller window missed"] == 1
    # Only MB-05 (Changed Mind, signed 20 Feb: due 28 Feb 00:00, not missed): MB-01, MB-02 and
    # MB-04 are not returnable at all, MB-03 is a defect.
    assert by_platform["Mulebuy"]["Cases with a seller window"] == 1
    assert by_platform["Mulebuy"]["Seller window missed"] == 0
    by_member = tables["By team member (Assignee)"]
    assert by_member["Chen"]["Seller window missed"] == 1
    assert by_member["小王"]["Seller window missed"] == 0
