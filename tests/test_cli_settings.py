"""The sheet's Settings tab, synced through the `aftersales` console script (a real process on a
SQLite store): a team's escalation people and SLA targets replace the shipped files for that
sheet only, every bad row is named in its own Validation cell, and the tab stays the team's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from tests.workbooks import case, read_tab, records, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
# Friday 14 November 2025, 11:00 in Shanghai: an ordinary working week (no holiday near).
NOW = "2025-11-14T11:00:00+08:00"

SETTINGS_ROWS: list[list[Any]] = [
    ["Setting", "Value", "Validation", "备注"],
    ["escalation.L2", "陈静 <chen.jing@example.com>", None, "组长"],
    ["escalation.L3", "Marco Rossi", None, "ops manager"],
    ["sla.first_response", "6h", None, "we promise 6 working hours"],
    ["sla.resolution", "3d", None, None],
    ["sla.frist_response", "5h", None, "typo"],
    ["sla.seller_response", "two days", None, None],
    ["sla.due_soon_fraction", 1.5, None, None],
    ["# hours.sat", "10:00-16:00", None, "maybe from December"],
]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{cwd}/s.db"
    return subprocess.run(
        [str(AFTERSALES), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def sync(cwd: Path, workbook: str = "cases.xlsx") -> dict[str, Any]:
    result = run(cwd, "sync", "--workbook", workbook, "--now", NOW, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(payload, dict)
    return payload


def team_workbook(path: Path, settings: list[list[Any]] | None = SETTINGS_ROWS) -> Path:
    """Two open cases of a team whose lead is 陈静, with or without a Settings tab."""
    rows = [
        # Wednesday 09:30, nobody has answered yet: the first-response clock runs.
        case(
            **{
                "Case ID": "SH-1101",
                "Opened": datetime(2025, 11, 12, 9, 30),
                "Window Start": datetime(2025, 11, 10),
                "Assignee": "小王",
                "Status": "New",
            }
        ),
        # Monday 10:00, answered at 10:30: only the resolution clock runs.
        case(
            **{
                "Case ID": "SH-1102",
                "Opened": datetime(2025, 11, 10, 10, 0),
                "First Response At": datetime(2025, 11, 10, 10, 30),
                "Window Start": datetime(2025, 11, 8),
                "Assignee": "小王",
                "Status": "In Progress",
            }
        ),
    ]
    extra = {"Settings": settings} if settings is not None else None
    return write_workbook(path, rows, extra_tabs=extra)


def settings_validation(path: Path) -> dict[str, str | None]:
    """Setting -> its Validation cell, as the team sees the Settings tab."""
    return {r["Setting"]: r["Validation"] for r in records(path, "Settings")}


def test_settings_tab_names_the_escalation_people_and_sets_the_sla_targets(
    tmp_path: Path,
) -> None:
    """Escalation cells name the team's lead and SLA due times follow the team's targets."""
    workbook = team_workbook(tmp_path / "cases.xlsx")
    sync(tmp_path)
    cases = {r["Case ID"]: r for r in records(workbook)}

    # First response 6 working hours from Wed 09:30 (hours 09:00-12:00, 13:30-18:30):
    # 2.5h before lunch, 3.5h after it -> Wed 17:00 (the shipped 4h would say 15:00).
    first = cases["SH-1101"]
    assert first["Next Due"] == datetime(2025, 11, 12, 17, 0)
    assert first["SLA State"] == "Overdue: first response, due 11-12 17:00"
    # Overdue by 1 day 18h at Fri 11:00: level L2, the team's lead instead of "Team lead".
    assert first["Escalation"].startswith("L2 lead: 陈静 (first response overdue 1 day)")
    assert "Team lead" not in first["Escalation"]

    # Resolution 3 business days (3 x 8h) from Mon 10:00: Mon 7h, Tue 8h, Wed 8h, Thu 1h
    # -> Thu 10:00 (the shipped 5d would be Mon 17 Nov, on track).
    second = cases["SH-1102"]
    assert second["SLA State"] == "Overdue: resolution, due 11-13 10:00"
    assert second["Escalation"].startswith("L2 lead: 陈静 (resolution overdue 1 day)")

    timeline = [r for r in records(workbook, "Timeline") if r["Event"] == "Escalated"]
    assert {r["Case ID"] for r in timeline} == {"SH-1101", "SH-1102"}
    assert all("陈静" in r["Detail"] and "Team lead" not in r["Detail"] for r in timeline)


def test_bad_settings_rows_are_named_and_the_shipped_values_stay(tmp_path: Path) -> None:
    """A typo'd key and invalid values are named in their own row; the rest still applies."""
    workbook = team_workbook(tmp_path / "cases.xlsx")
    sync(tmp_path)
    checks = settings_validation(workbook)

    typo = checks["sla.frist_response"] or ""
    assert typo.startswith("✗")
    assert "unknown setting 'sla.frist_response'" in typo
    assert "did you mean sla.first_response" in typo

    seller = checks["sla.seller_response"] or ""
    assert seller.startswith("✗")
    assert "'two days'" in seller and "Settings!B7" in seller and "Value" in seller
    assert "shipped value 2d is used" in seller

    fraction = checks["sla.due_soon_fraction"] or ""
    assert fraction.startswith("✗")
    assert "'1.5'" in fraction and "Settings!B8" in fraction
    assert "shipped value 0.25 is used" in fraction

    for good in ("escalation.L2", "escalation.L3", "sla.first_response", "sla.resolution"):
        assert (checks[good] or "").startswith("OK"), (good, checks[good])
    assert checks["# hours.sat"] is None  # a commented-out row is the team's note, not checked

    # The first-response target still applies although other rows are bad.
    assert records(workbook)[0]["Next Due"] == datetime(2025, 11, 12, 17, 0)


def test_sync_writes_only_the_settings_validation_and_a_second_sync_writes_nothing(
    tmp_path: Path,
) -> None:
    """People own the Settings tab: its other cells stay as typed, and a rerun writes 0 cells."""
    workbook = team_workbook(tmp_path / "cases.xlsx")
    sync(tmp_path)
    after = read_tab(workbook, "Settings")
    for typed, synced in zip(SETTINGS_ROWS, after, strict=True):
        assert [typed[0], typed[1], typed[3]] == [synced[0], synced[1], synced[3]]
    assert after[0] == SETTINGS_ROWS[0]

    synced_bytes = workbook.read_bytes()
    again = sync(tmp_path)
    assert again["cells_written"] == 0
    assert workbook.read_bytes() == synced_bytes


def test_sync_never_creates_a_settings_tab_and_keeps_the_shipped_people(tmp_path: Path) -> None:
    """Without a Settings tab the shipped files apply and the sync does not add the tab."""
    workbook = team_workbook(tmp_path / "cases.xlsx", settings=None)
    sync(tmp_path)
    assert "Settings" not in openpyxl.load_workbook(workbook).sheetnames
    first = records(workbook)[0]
    assert first["Next Due"] == datetime(2025, 11, 12, 15, 0)  # shipped 4h: 2.5h + 1.5h
    assert first["Escalation"].startswith("L2 lead: Team lead")


def test_init_creates_a_settings_tab_of_commented_examples_that_change_nothing(
    tmp_path: Path,
) -> None:
    """`init` lists every setting as a commented-out example row; a sync leaves them alone."""
    result = run(tmp_path, "init", "--workbook", "new.xlsx")
    assert result.returncode == 0, result.stderr
    rows = read_tab(tmp_path / "new.xlsx", "Settings")
    assert rows[0][:3] == ["Setting", "Value", "Validation"]
    keys = [r[0] for r in rows[1:] if r[0]]
    for key in ("# escalation.L2", "# sla.first_response", "# sla.resolution", "# hours.mon"):
        assert key in keys
    before = read_tab(tmp_path / "new.xlsx", "Settings")
    sync(tmp_path, "new.xlsx")
    assert read_tab(tmp_path / "new.xlsx", "Settings") == before
