"""The KPIs reach the team: a KPIs tab with a weekly chart after a sync, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl

from app.runtime import Runtime
from tests.workbooks import NOW, case, records, write_workbook

SCRIPT = str(Path(sys.executable).with_name("aftersales"))


def test_sync_writes_a_kpis_tab_with_a_chart(runtime: Runtime) -> None:
    """After a sync the workbook has a KPIs tab whose figures match the cases, and a chart."""
    rows = [
        case(**{"Case ID": "AS-1", "Platform": "Bhiner", "Assignee": "Lily"}),
        case(**{"Case ID": "AS-2", "Status": "Closed", "Outcome": "Full Refund", "CSAT": 5}),
        case(**{"Case ID": "AS-3", "Status": "Resolved", "Outcome": "Rejected", "CSAT": 3}),
    ]
    write_workbook(runtime.workbook, rows)
    report = runtime.engine().sync(now=NOW)
    book = openpyxl.load_workbook(runtime.workbook)
    sheet = book["KPIs"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "After-sales KPIs"
    overall = next(r for r in values if r[0] == "All cases" and r[2] == 3)
    assert overall[6] == 2  # closed
    assert report.kpis is not None and report.kpis.overall.csat_mean == 4
    assert len(sheet._charts) == 1
    again = runtime.engine().sync(now=NOW)
    assert again.cells_written == 0  # unchanged figures are not rewritten


def test_status_change_moves_the_kpis(runtime: Runtime) -> None:
    """Closing a case in the sheet changes the closed count on the KPIs tab at the next sync."""
    write_workbook(runtime.workbook, [case(**{"Case ID": "AS-1"})])
    runtime.engine().sync(now=NOW)
    book = openpyxl.load_workbook(runtime.workbook)
    sheet = book["Cases"]
    col = [c.value for c in sheet[1]].index("Status") + 1
    sheet.cell(row=2, column=col).value = "Closed"
    book.save(runtime.workbook)
    report = runtime.engine().sync(now=NOW + timedelta(hours=3))
    assert report.kpis is not None and report.kpis.overall.closed == 1
    assert records(runtime.workbook)[0]["SLA State"] == "Closed"


def test_kpis_command_prints_json_and_csv(tmp_path: Path) -> None:
    """`aftersales kpis --json` prints the report; `--csv` one row per group."""
    workbook = write_workbook(tmp_path / "k.xlsx", [case(), case(**{"Case ID": "AS-2"})])
    env = {**os.environ, "AFTERSALES_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    args = [SCRIPT, "kpis", "--workbook", str(workbook), "--now", "2025-10-10T10:00:00+08:00"]
    as_json = subprocess.run(
        [*args, "--json", "--by", "platform"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert list(data["groups"]) == ["platform"]
    assert data["groups"]["platform"][0]["cases"] == 2
    as_csv = subprocess.run(
        [*args, "--csv"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines()[0].startswith("group,platform,assignee,week")
