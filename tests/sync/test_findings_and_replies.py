"""What a person reads after a sync: replies never contradict Validation, and Validation holds
only what a person must fix or decide (issue 13, items 2 and 4).

Every expected text below is written out by hand from the shipped policies (Bhiner 2025.1:
14 days, full refund after inspection, partial refund only for used items, video proof for
defects; Superbuy 2025.1: 7 days for Wrong Size / Changed Mind, 30 days otherwise, full refund
after inspection, original packaging always required) and the default templates.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from app.runtime import Runtime
from tests.workbooks import DEFAULT_HEADERS, NOW, case, records, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")

# Column letters of the default headers (tests.workbooks.DEFAULT_HEADERS), counted by hand.
OUTCOME_COLUMN = "S"
WINDOW_START_COLUMN = "J"

HELD_PARTIAL_REFUND = (
    "Held: Outcome 'Partial Refund' is not allowed by Bhiner 2025.1 — change Outcome or "
    "record a Policy Exception"
)


def bhiner_defect(**values: Any) -> dict[str, Any]:
    """A Bhiner defect on a new (unused) item, video proof in hand, answered on the day."""
    row = case(
        Platform="Bhiner",
        Customer="Emma Wilson",
        **{
            "Order No.": "BH-88120",
            "Issue Type": "Defect",
            "Item Condition": "New",
            "Evidence": "photos, unboxing video",
            "Video Proof": "Yes",
            "Original Packaging": None,
            "First Response At": datetime(2025, 10, 9, 10, 5),
            "Status": "Awaiting Platform",
        },
    )
    row.update(values)
    return row


def by_id(rt: Runtime) -> dict[str, dict[str, Any]]:
    return {str(r["Case ID"]): r for r in records(rt.workbook)}


def edit(path: Path, case_id: str, **cells: object) -> None:
    """Change cells of one case the way a person does in the spreadsheet."""
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == case_id:
            for name, value in cells.items():
                row[header.index(name.replace("_", " "))].value = value
    book.save(path)


# -- 2. Replies never contradict the findings ----------------------------------------------------


def test_reply_and_seller_message_are_held_while_the_outcome_is_not_allowed(
    runtime: Runtime,
) -> None:
    """A Partial Refund on a new Bhiner item: Validation says it is not allowed, and neither the
    customer reply nor the seller message announces it; both say why and what to fix."""
    write_workbook(
        runtime.workbook,
        [bhiner_defect(**{"Case ID": "AS-T-0101", "Outcome": "Partial Refund"})],
    )
    runtime.engine().sync(now=NOW)
    row = by_id(runtime)["AS-T-0101"]

    assert row["Validation"] == (
        f"⚠ Outcome 'Partial Refund' (Cases!{OUTCOME_COLUMN}2): Outcome 'Partial Refund' is not "
        "allowed by Bhiner 2025.1; allowed: Full Refund, Rejected, Withdrawn."
    )
    assert row["Suggested Reply"] == HELD_PARTIAL_REFUND
    assert row["Seller Message"] == HELD_PARTIAL_REFUND
    assert "approved" not in row["Suggested Reply"]


def test_held_reply_returns_when_the_outcome_is_corrected(runtime: Runtime) -> None:
    """Once the team changes the Outcome to Full Refund, the next sync writes the outcome reply
    and the seller message again, and Validation is clean."""
    write_workbook(
        runtime.workbook,
        [bhiner_defect(**{"Case ID": "AS-T-0102", "Outcome": "Partial Refund"})],
    )
    runtime.engine().sync(now=NOW)
    edit(runtime.workbook, "AS-T-0102", Outcome="Full Refund")
    runtime.engine().sync(now=NOW.replace(hour=3))
    row = by_id(runtime)["AS-T-0102"]

    assert row["Validation"] == "OK"
    assert row["Suggested Reply"].startswith("Hi Emma Wilson,")
    assert "Bhiner has approved a full refund for your request AS-T-0102" in row["Suggested Reply"]
    assert "处理结果：全额退款" in row["Seller Message"]


def test_a_recorded_policy_exception_releases_the_held_reply(runtime: Runtime) -> None:
    """Policy Exception = Yes on the same Partial Refund: the exception covers the outcome, so
    Validation is clean and the partial-refund reply goes out as written."""
    write_workbook(
        runtime.workbook,
        [
            bhiner_defect(
                **{
                    "Case ID": "AS-T-0103",
                    "Outcome": "Partial Refund",
                    "Policy Exception": "Yes",
                }
            )
        ],
    )
    runtime.engine().sync(now=NOW)
    row = by_id(runtime)["AS-T-0103"]

    assert row["Validation"] == "OK"
    assert "Bhiner has approved a partial refund" in row["Suggested Reply"]
    assert "处理结果：部分退款" in row["Seller Message"]


def test_only_the_messages_that_use_a_flagged_input_are_held(runtime: Runtime) -> None:
    """A Window Start after the Opened date makes the return deadline doubtful: the seller
    request, which states the deadline, is held; the customer's progress update, which does not
    mention it, is written as usual."""
    write_workbook(
        runtime.workbook,
        [
            case(
                **{
                    "Case ID": "AS-T-0104",
                    "Window Start": datetime(2025, 10, 10),
                    "First Response At": datetime(2025, 10, 9, 10, 0),
                    "Status": "In Progress",
                }
            )
        ],
    )
    runtime.engine().sync(now=NOW)
    row = by_id(runtime)["AS-T-0104"]

    assert row["Validation"] == (
        f"⚠ Window Start '2025-10-10 00:00' (Cases!{WINDOW_START_COLUMN}2): "
        "Window Start (2025-10-10) is after the case was opened (2025-10-09)."
    )
    assert row["Seller Message"] == (
        "Held: Window Start (2025-10-10) is after the case was opened (2025-10-09) — correct "
        "Window Start or Opened"
    )
    assert row["Suggested Reply"].startswith(
        "Hi Emma Wilson,\n\nYour after-sales request AS-T-0104"
    )


def test_a_held_reply_is_never_sent_to_the_customer(runtime: Runtime) -> None:
    """A status change into a customer-visible status on a held case records no reply in the
    Timeline: the hold is a note to the team, not a message."""
    write_workbook(
        runtime.workbook,
        [bhiner_defect(**{"Case ID": "AS-T-0105", "Outcome": "Partial Refund"})],
    )
    runtime.engine().sync(now=NOW)
    events = runtime.store.timeline(runtime.engine().sheet_key)
    replies = [e for e in events if e.case_id == "AS-T-0105" and e.kind == "reply_generated"]

    assert replies == []


# -- 4. Validation a team can read ---------------------------------------------------------------


def test_closed_cases_carry_only_outcome_consistency(runtime: Runtime) -> None:
    """Two closed Superbuy cases opened after their 7-day window without the original packaging:
    the one refunded as the policy allows reads OK; the one given store credit is told only
    that its Outcome is not allowed."""
    closed = {
        "Issue Type": "Changed Mind",
        "Item Condition": "Unused",
        "Window Start": datetime(2025, 9, 20),  # deadline 2025-09-27, opened 2025-10-09
        "Original Packaging": None,
        "First Response At": datetime(2025, 10, 9, 11, 0),
        "Status": "Closed",
        "CSAT": 4,
    }
    write_workbook(
        runtime.workbook,
        [
            case(**{**closed, "Case ID": "AS-T-0201", "Outcome": "Full Refund"}),
            case(**{**closed, "Case ID": "AS-T-0202", "Outcome": "Store Credit"}),
        ],
    )
    report = runtime.engine().sync(now=NOW)
    rows = by_id(runtime)

    assert rows["AS-T-0201"]["Validation"] == "OK"
    assert rows["AS-T-0202"]["Validation"] == (
        f"⚠ Outcome 'Store Credit' (Cases!{OUTCOME_COLUMN}3): Outcome 'Store Credit' is not "
        "allowed by Superbuy 2025.1; allowed: Full Refund, Rejected, Withdrawn."
    )
    assert report.warnings == 1


def test_missing_evidence_is_a_to_do_in_next_action_not_a_warning(runtime: Runtime) -> None:
    """New and in-progress Superbuy rows without the original packaging: Validation is clean
    and the Next Action asks for the packaging (with the first response, for the new row)."""
    write_workbook(
        runtime.workbook,
        [
            case(**{"Case ID": "AS-T-0301", "Original Packaging": None, "Status": "New"}),
            case(
                **{
                    "Case ID": "AS-T-0302",
                    "Original Packaging": "No",
                    "First Response At": datetime(2025, 10, 9, 10, 0),
                    "Status": "In Progress",
                }
            ),
        ],
    )
    report = runtime.engine().sync(now=NOW)
    rows = by_id(runtime)

    assert rows["AS-T-0301"]["Validation"] == "OK"
    assert rows["AS-T-0301"]["Next Action"] == (
        "Send the first response to the customer and ask for: original packaging"
    )
    assert rows["AS-T-0302"]["Validation"] == "OK"
    assert rows["AS-T-0302"]["Next Action"] == "Ask the customer for: original packaging"
    assert "original packaging" in rows["AS-T-0301"]["Suggested Reply"]
    assert report.warnings == 0


def test_a_recorded_exception_silences_what_it_covers(runtime: Runtime) -> None:
    """A Superbuy Wrong Size opened after its 7-day window with Policy Exception = Yes is not
    told that a policy exception is needed; the same case without the exception is."""
    late = {
        "Issue Type": "Wrong Size",
        "Item Condition": "Unused",
        "Window Start": datetime(2025, 9, 25),  # deadline 2025-10-02, opened 2025-10-09
        "First Response At": datetime(2025, 10, 9, 10, 0),
        "Status": "Awaiting Seller",
    }
    write_workbook(
        runtime.workbook,
        [
            case(**{**late, "Case ID": "AS-T-0401", "Policy Exception": "Yes"}),
            case(**{**late, "Case ID": "AS-T-0402"}),
        ],
    )
    runtime.engine().sync(now=NOW)
    rows = by_id(runtime)

    assert rows["AS-T-0401"]["Validation"] == "OK"
    assert "a policy exception is needed" in rows["AS-T-0402"]["Validation"]


def test_a_missing_evidence_column_is_named_once_in_the_summary(runtime: Runtime) -> None:
    """A sheet without an Original Packaging column, with three open Superbuy cases: the
    summary says once which column to add; no row's Validation repeats it."""
    headers = [h for h in DEFAULT_HEADERS if h != "Original Packaging"]
    write_workbook(
        runtime.workbook,
        [
            case(**{"Case ID": f"AS-T-050{n}", "Status": "New", "Evidence": "照片"})
            for n in (1, 2, 3)
        ],
        headers=headers,
    )
    report = runtime.engine().sync(now=NOW)
    rows = records(runtime.workbook)

    expected = (
        "The Cases tab has no Original Packaging column, and 3 open cases need the original "
        "packaging (Superbuy 2025.1): add an Original Packaging column (Yes/No), or write "
        "'original packaging' in Evidence."
    )
    assert report.sheet_notes == [expected]
    assert report.as_json()["notes"] == [expected]
    assert [r["Validation"] for r in rows] == ["OK", "OK", "OK"]


def test_cli_sync_prints_the_missing_column_once(tmp_path: Path) -> None:
    """`aftersales sync` on a sheet without a Video Proof column and two Bhiner defects prints
    the note once, and `--json` carries it in `notes`."""
    headers = [h for h in DEFAULT_HEADERS if h != "Video Proof"]
    workbook = write_workbook(
        tmp_path / "cases.xlsx",
        [
            bhiner_defect(**{"Case ID": "AS-T-0601", "Evidence": "photos", "Status": "New"}),
            bhiner_defect(**{"Case ID": "AS-T-0602", "Evidence": "photos", "Status": "New"}),
        ],
        headers=headers,
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
    }
    note = (
        "The Cases tab has no Video Proof column, and 2 open cases need video proof "
        "(Bhiner 2025.1): add a Video Proof column (Yes/No), or write 'video proof' in Evidence."
    )

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AFTERSALES), "sync", "--workbook", str(workbook), *extra],
            cwd=tmp_path,
            env={**env, "COLUMNS": "400"},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    printed = run("--now", "2025-10-10T10:00:00+08:00")
    as_json = run("--now", "2025-10-10T11:00:00+08:00", "--json")

    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.count(note) == 1
    assert json.loads(as_json.stdout.splitlines()[-1])["notes"] == [note]
