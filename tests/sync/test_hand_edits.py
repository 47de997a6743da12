"""A person's edit of a service cell is replaced and named once in Validation (issue 13 §5)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.test_cli import NOW, Cli, records
from tests.test_cli import cli as cli
from tests.workbooks import case, write_workbook


def _type_into(path: Path, case_id: str, values: dict[str, str]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Cases"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("Case ID")].value == case_id:
            for header, value in values.items():
                row[headers.index(header)].value = value
    book.save(path)


def test_typed_priority_is_replaced_and_named_once(cli: Cli) -> None:
    """P4 typed into Priority is put back and Validation says so on that sync only."""
    path = write_workbook(
        cli.cwd / "cases.xlsx",
        [case(**{"Case ID": "AS-1"}), case(**{"Case ID": "AS-2", "Customer": "张伟"})],
    )
    assert cli("sync", "--workbook", "cases.xlsx", "--now", NOW).returncode == 0
    computed = {r["Case ID"]: r for r in records(path)}
    assert computed["AS-1"]["Priority"] != "P4"
    _type_into(path, "AS-1", {"Priority": "P4", "Next Action": "等卖家回复再说"})

    assert cli("sync", "--workbook", "cases.xlsx", "--now", NOW).returncode == 0
    after = {r["Case ID"]: r for r in records(path)}
    assert after["AS-1"]["Priority"] == computed["AS-1"]["Priority"]
    assert after["AS-1"]["Next Action"] == computed["AS-1"]["Next Action"]
    said = after["AS-1"]["Validation"]
    assert "Priority is computed; your P4 was replaced — use Priority Override" in said
    assert "Next Action is computed; your 等卖家回复再说 was replaced" in said
    assert "computed; your" not in after["AS-2"]["Validation"]

    assert cli("sync", "--workbook", "cases.xlsx", "--now", NOW).returncode == 0
    again = {r["Case ID"]: r for r in records(path)}
    assert "computed; your" not in again["AS-1"]["Validation"]
    assert again["AS-1"]["Validation"] == computed["AS-1"]["Validation"]


def test_service_headers_carry_a_comment_in_the_workbook(cli: Cli) -> None:
    """Service column headers say they are computed and where a person's value belongs."""
    path = write_workbook(cli.cwd / "cases.xlsx", [case(**{"Case ID": "AS-1"})])
    assert cli("sync", "--workbook", "cases.xlsx", "--now", NOW).returncode == 0
    sheet = openpyxl.load_workbook(path)["Cases"]
    comments = {c.value: c.comment.text if c.comment else None for c in sheet[1]}
    assert comments["Priority"] is not None and "Priority Override" in comments["Priority"]
    assert comments["Next Action"] is not None and "After-sales Desk" in comments["Next Action"]
    assert comments["Customer"] is None  # a person's column carries no note of ours


def test_values_an_undo_put_back_are_not_taken_for_a_persons_edit(cli: Cli) -> None:
    """After an undo restores the service's earlier values, the next sync names no hand edit."""
    path = write_workbook(cli.cwd / "cases.xlsx", [case(**{"Case ID": "AS-1"})])
    assert cli("sync", "--workbook", "cases.xlsx", "--now", NOW).returncode == 0
    before = {r["Case ID"]: r for r in records(path)}["AS-1"]
    _type_into(path, "AS-1", {"Status": "Closed", "Outcome": "Rejected"})
    second = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert second.returncode == 0
    run = json.loads(second.stdout.strip().splitlines()[-1])["run_id"]
    changed = {r["Case ID"]: r for r in records(path)}["AS-1"]
    assert changed["Next Action"] != before["Next Action"]  # the run rewrote a watched column

    assert cli("undo", str(run), "--workbook", "cases.xlsx").returncode == 0
    restored = {r["Case ID"]: r for r in records(path)}["AS-1"]
    assert restored["Next Action"] == before["Next Action"]
    assert cli("sync", "--workbook", "cases.xlsx", "--now", NOW).returncode == 0
    after = {r["Case ID"]: r for r in records(path)}["AS-1"]
    assert "computed; your" not in str(after["Validation"]), after["Validation"]
