"""The `aftersales` console script, run as a person or a scheduler runs it: a real process.

Each test gets its own working directory and SQLite store (AFTERSALES_DATABASE_URL), and the
clock is fixed with `--now`. Exit codes are the contract: 0 the command ran (bad rows are
reported in the sheet), 1 `check` found errors, 2 the command could not run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font

from tests.workbooks import DEFAULT_HEADERS, case, records, user_cells, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
NOW = "2025-10-10T10:00:00+08:00"  # tests.workbooks.NOW, as a person types it
SUMMARY_KEYS = {
    "run_id",
    "backend",
    "cases",
    "new_cases",
    "cells_written",
    "timeline_events",
    "findings",
    "errors",
    "warnings",
    "duration_ms",
    "notes",
}


@dataclass(frozen=True)
class Cli:
    cwd: Path
    env: dict[str, str]

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AFTERSALES), *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    # A clean environment like a cron job's: no other AFTERSALES_* settings, no terminal size.
    drop = ("COLUMNS", "LINES", "FORCE_COLOR")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_") and k not in drop}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    return Cli(cwd=tmp_path, env=env)


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON object on the last line of stdout."""
    lines = result.stdout.strip().splitlines()
    assert lines, f"no stdout; stderr: {result.stderr}"
    payload = json.loads(lines[-1])
    assert isinstance(payload, dict)
    return payload


def one_line(text: str) -> str:
    return " ".join(text.split())


def bad_and_good_rows(path: Path) -> Path:
    return write_workbook(
        path,
        [
            case(**{"Case ID": "AS-1", "Window Start": "2025-13-45"}),
            case(**{"Case ID": "AS-2", "Platform": "Taobao Direct"}),
            case(**{"Case ID": "AS-3"}),
        ],
    )


# -- sync -------------------------------------------------------------------------------------


def test_sync_json_is_the_last_line_and_bad_rows_still_exit_0(cli: Cli) -> None:
    """`sync --json` ends stdout with the run summary; bad rows go to the sheet, exit is 0."""
    workbook = bad_and_good_rows(cli.cwd / "cases.xlsx")
    result = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert result.returncode == 0, result.stderr
    report = summary(result)
    assert set(report) == SUMMARY_KEYS
    assert isinstance(report["run_id"], int)
    assert report["backend"] == "workbook"
    assert report["cases"] == 3 and report["new_cases"] == 3
    assert report["errors"] == 2
    assert report["findings"] == report["errors"] + report["warnings"]
    assert report["cells_written"] > 0
    rows = {r["Case ID"]: r for r in records(workbook)}
    assert "is not a date" in rows["AS-1"]["Validation"]
    assert rows["AS-3"]["Validation"] == "OK"


def test_second_identical_sync_writes_no_cells(cli: Cli) -> None:
    """Running the same sync again at the same moment writes 0 cells and leaves the file alone."""
    workbook = bad_and_good_rows(cli.cwd / "cases.xlsx")
    first = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert first.returncode == 0, first.stderr
    synced = workbook.read_bytes()
    second = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert second.returncode == 0, second.stderr
    assert summary(second)["cells_written"] == 0
    assert summary(second)["run_id"] != summary(first)["run_id"]
    assert workbook.read_bytes() == synced


def test_sync_of_a_missing_workbook_exits_2_and_says_how_to_create_it(cli: Cli) -> None:
    """A workbook that is not there is named, with the `init` command that creates it."""
    result = cli("sync", "--workbook", "missing.xlsx", "--now", NOW, "--json")
    assert result.returncode == 2
    message = one_line(result.stderr)
    assert "missing.xlsx does not exist" in message
    assert "aftersales init --workbook missing.xlsx" in message
    assert "Traceback" not in result.stderr
    assert not (cli.cwd / "missing.xlsx").exists()


def test_missing_workbook_message_keeps_the_path_and_command_whole(cli: Cli) -> None:
    """The path and the `init` command in the error survive intact in a log, on one line."""
    folder = cli.cwd / "team-after-sales-shared-folder" / "2025-q4"
    folder.mkdir(parents=True)
    path = folder / "after-sales-cases-workbook.xlsx"
    assert len(str(path)) > 80
    result = cli("sync", "--workbook", str(path), "--now", NOW)
    assert result.returncode == 2
    assert f"aftersales init --workbook {path}" in result.stderr


def test_sync_of_a_sheet_without_a_required_header_exits_2_and_writes_nothing(cli: Cli) -> None:
    """A Cases tab without Status cannot be synced: exit 2, the column named, file unchanged."""
    headers = [h for h in DEFAULT_HEADERS if h != "Status"]
    workbook = write_workbook(cli.cwd / "cases.xlsx", [case()], headers=headers)
    before = workbook.read_bytes()
    result = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert result.returncode == 2
    assert "'Status'" in one_line(result.stderr)
    assert workbook.read_bytes() == before


def test_sync_keeps_the_teams_hidden_columns_frozen_panes_and_header_style(cli: Cli) -> None:
    """A column the team hid stays hidden, their frozen columns stay, header colours stay."""
    workbook = write_workbook(cli.cwd / "cases.xlsx", [case()])
    book = openpyxl.load_workbook(workbook)
    sheet = book["Cases"]
    sheet.column_dimensions["D"].hidden = True  # Order No.
    sheet.freeze_panes = "C2"  # the header row plus Case ID and Opened
    sheet["E1"].font = Font(italic=True, color="FFC00000")  # Customer, in the team's red
    book.save(workbook)
    result = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(workbook)["Cases"]
    assert sheet.column_dimensions["D"].hidden
    assert sheet.freeze_panes == "C2"
    assert sheet["E1"].font.color is not None and sheet["E1"].font.color.rgb == "FFC00000"


def test_unparsable_now_exits_2_and_writes_nothing(cli: Cli) -> None:
    """`--now` that is not a time stops the command before anything is written."""
    workbook = write_workbook(cli.cwd / "cases.xlsx", [case()])
    before = workbook.read_bytes()
    result = cli("sync", "--workbook", "cases.xlsx", "--now", "tomorrow morning", "--json")
    assert result.returncode == 2
    assert "'tomorrow morning' is not a time" in one_line(result.stderr)
    assert workbook.read_bytes() == before


# -- check ------------------------------------------------------------------------------------


def test_check_writes_nothing_and_exits_1_on_errors(cli: Cli) -> None:
    """`check` reports the errors, exits 1, and the workbook stays byte-for-byte the same."""
    workbook = bad_and_good_rows(cli.cwd / "cases.xlsx")
    before = workbook.read_bytes()
    result = cli("check", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert result.returncode == 1, result.stderr
    report = summary(result)
    assert report["errors"] == 2 and report["cases"] == 3
    assert workbook.read_bytes() == before


def test_check_of_a_clean_sheet_exits_0_and_writes_nothing(cli: Cli) -> None:
    """A sheet without errors passes `check` (exit 0), still without being written."""
    workbook = write_workbook(
        cli.cwd / "cases.xlsx", [case(), case(**{"Case ID": "AS-T-0002", "Platform": "Bhiner"})]
    )
    before = workbook.read_bytes()
    result = cli("check", "--workbook", "cases.xlsx", "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing was written" in result.stdout
    assert workbook.read_bytes() == before


# -- init -------------------------------------------------------------------------------------


def test_init_creates_a_workbook_with_the_service_tabs_ready_to_sync(cli: Cli) -> None:
    """`init` makes Cases, Timeline, Policies and Holidays with headers; it then syncs cleanly."""
    result = cli("init", "--workbook", "new.xlsx")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(cli.cwd / "new.xlsx")
    assert {"Cases", "Timeline", "Policies", "Holidays"} <= set(book.sheetnames)
    cases_header = [c.value for c in book["Cases"][1]]
    for header in ("Case ID", "Opened", "Platform", "Issue Type", "Window Start", "Status"):
        assert header in cases_header
    synced = cli("sync", "--workbook", "new.xlsx", "--now", NOW, "--json")
    assert synced.returncode == 0, synced.stderr
    assert summary(synced)["cases"] == 0 and summary(synced)["errors"] == 0


def test_init_refuses_to_overwrite_an_existing_file(cli: Cli) -> None:
    """`init` on a file that exists exits 2 and leaves the team's workbook untouched."""
    workbook = write_workbook(cli.cwd / "cases.xlsx", [case()])
    before = workbook.read_bytes()
    result = cli("init", "--workbook", "cases.xlsx")
    assert result.returncode == 2
    assert "already exists" in one_line(result.stderr)
    assert workbook.read_bytes() == before


# -- undo -------------------------------------------------------------------------------------


def test_undo_restores_what_the_run_wrote(cli: Cli) -> None:
    """`undo RUN` puts back every cell the run wrote; `--json` says how many were restored."""
    workbook = write_workbook(
        cli.cwd / "cases.xlsx", [case(**{"Case ID": None}), case(**{"Case ID": "AS-2"})]
    )
    before = user_cells(workbook)
    synced = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    run_id = summary(synced)["run_id"]
    assert records(workbook)[0]["Case ID"] == "AS-251010-0001"

    result = cli("undo", str(run_id), "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert result.returncode == 0, result.stderr
    undone = summary(result)
    assert undone["undone_run"] == run_id
    assert undone["restored"] > 0 and undone["skipped"] == 0
    assert user_cells(workbook) == before  # the filled Case ID is blank again
    for row in records(workbook):
        assert row["Policy Ref"] is None and row["Validation"] is None

    again = cli("undo", str(run_id), "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert again.returncode == 2
    assert "already undone" in one_line(again.stderr)


# -- demo -------------------------------------------------------------------------------------


def test_demo_builds_and_syncs_200_cases_and_a_rerun_writes_nothing(cli: Cli) -> None:
    """`demo` creates a 200-case workbook and syncs it; running it again writes 0 cells."""
    first = cli("demo", "--workbook", "demo.xlsx", "--now", NOW, "--json")
    assert first.returncode == 0, first.stderr
    report = summary(first)
    assert report["cases"] == 200 and report["new_cases"] > 0  # the rest came in earlier weeks
    assert report["cells_written"] > 0
    rows = records(cli.cwd / "demo.xlsx")
    assert len(rows) == 200
    assert all(r["Case ID"] for r in rows)  # the demo's new rows got ids
    assert all(isinstance(r["Last Changed By Service"], datetime) for r in rows)

    second = cli("demo", "--workbook", "demo.xlsx", "--now", NOW, "--json")
    assert second.returncode == 0, second.stderr
    assert summary(second)["cells_written"] == 0
    assert summary(second)["cases"] == 200


def test_demo_lists_the_most_urgent_cases_first_and_counts_the_rest(cli: Cli) -> None:
    """`demo` shows overdue cases first, earliest due first, and says how many urgent cases
    the table left out."""
    shown = cli("demo", "--workbook", "demo.xlsx", "--now", NOW)
    assert shown.returncode == 0, shown.stderr
    rows = records(cli.cwd / "demo.xlsx")
    urgent = [
        r
        for r in rows
        if str(r["SLA State"] or "").startswith(("Overdue", "Due soon"))
        or r["Priority"] == "P1"
        # a row with errors (it still shows what could be computed, e.g. its Policy Ref)
        or r["Next Action"] == "Fix the problems listed in Validation"
    ]
    overdue = sorted(
        (r for r in rows if str(r["SLA State"] or "").startswith("Overdue")),
        key=lambda r: (r["Next Due"] or datetime.max, r["Priority"] or "P9"),
    )
    listed = [line.split("│")[1].strip() for line in shown.stdout.splitlines() if "AS-" in line]
    assert listed[0] == overdue[0]["Case ID"]
    assert set(listed[: len(overdue)]) <= {r["Case ID"] for r in overdue}
    assert f"+{len(urgent) - 25} more urgent cases" in shown.stdout
