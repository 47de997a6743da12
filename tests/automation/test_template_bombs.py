"""A Templates tab holding a hostile or broken template: the sync through the real CLI finishes.

Each workbook has one overdue case (its customer reply uses `overdue_apology`) and a team
template for that situation that would exhaust memory, recurse, or fail to compile. The sync
must exit 0, name the template in the Templates tab's Validation, give the case the shipped
default reply, and sync the rest of the sheet. Memory and time figures live in tests/bench.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.workbooks import case, records, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
NOW = "2025-10-10T10:00:00+08:00"
TEMPLATE_HEADERS = ["Key", "Situation", "Audience", "Language", "Subject", "Body", "Validation"]
KEY = "customer.overdue_apology.en"

DOUBLING = '{% set a = "xxxxxxxxxxxxxxxx" %}' + "{% set a = a ~ a %}" * 30 + "{{ a|length }}"
CHAINED_REPLACE = (
    "Hi {{ customer }}, {{ customer" + '|replace("", "您好 sorry for the wait ")' * 8 + "|length }}"
)
DEEP_NESTING = "Dear {{ " + "(" * 3000 + "customer" + ")" * 3000 + " }}"
LOOP_ASSIGNMENT = "We can offer: {% for loop in refund_kinds %}{{ loop }} {% endfor %}"
PLUS_DOUBLING = "{% set a = customer %}" + "{% set a = a + a %}" * 40 + "{{ a }}"
LIST_TREE = "{% set a = [customer] %}" + "{% set a = [a, a] %}" * 40 + "{{ a|string|length }}"


def sync(tmp_path: Path, body: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    workbook = write_workbook(
        tmp_path / "cases.xlsx",
        [
            # Opened yesterday, still unanswered: the first response is overdue.
            case(**{"Case ID": "AS-1001", "Customer": "Emma Wilson"}),
            case(
                **{
                    "Case ID": "AS-1002",
                    "Customer": "王芳",
                    "Opened": datetime(2025, 10, 8, 14, 5),
                    "Issue Type": "Wrong Item",
                }
            ),
        ],
        extra_tabs={
            "Templates": [
                TEMPLATE_HEADERS,
                [KEY, "overdue_apology", "customer", "en", "Sorry, {{ case_id }}", body],
            ]
        },
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    result = subprocess.run(
        [str(AFTERSALES), "sync", "--workbook", str(workbook), "--now", NOW, "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result, workbook


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = result.stdout.strip().splitlines()
    assert lines, f"no stdout; exit {result.returncode}; stderr: {result.stderr[-2000:]}"
    payload = json.loads(lines[-1])
    assert isinstance(payload, dict)
    return payload


def template_validation(workbook: Path) -> str:
    rows = [r for r in records(workbook, "Templates") if r["Key"] == KEY]
    assert len(rows) == 1
    return str(rows[0]["Validation"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DOUBLING, "longer than"),
        (CHAINED_REPLACE, "longer than"),
        (PLUS_DOUBLING, "longer than"),
        (LIST_TREE, "longer than"),
        (DEEP_NESTING, "nested"),
        (LOOP_ASSIGNMENT, "loop"),
    ],
    ids=["doubling", "chained-replace", "plus-doubling", "list-tree", "deep-nesting", "loop"],
)
def test_hostile_template_is_refused_and_the_default_reply_is_used(
    tmp_path: Path, body: str, reason: str
) -> None:
    """The sync exits 0, the Templates tab names the template and why, cases get the default."""
    result, workbook = sync(tmp_path, body)
    assert result.returncode == 0, result.stderr[-2000:]
    report = summary(result)
    assert report["cases"] == 2
    validation = template_validation(workbook)
    assert validation.startswith("✗"), validation
    assert reason in validation, validation
    rows = {r["Case ID"]: r for r in records(workbook)}
    for case_id, customer in (("AS-1001", "Emma Wilson"), ("AS-1002", "王芳")):
        row = rows[case_id]
        assert str(row["SLA State"]).startswith("Overdue:"), row["SLA State"]
        # The shipped overdue apology, addressed to the customer, with the case ID.
        reply = str(row["Suggested Reply"])
        assert reply.startswith(f"Hi {customer},"), reply
        assert f"after-sales request {case_id} is taking longer than it should" in reply
        assert "xxxx" not in reply and "sorry for the wait" not in reply
        assert KEY in str(row["Validation"])
        assert row["Seller Message"]  # the rest of the case is still synced
        assert row["Priority"]
