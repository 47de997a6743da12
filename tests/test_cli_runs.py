"""Runs are exactly what they claim, seen from the command line as a team lead uses it.

Real `aftersales` processes on one workbook and one SQLite store: two syncs started at the same
moment never overlap (the sheet's lock is taken across processes), each run's record holds the
cells that run wrote, undo of either restores only its own cells, and `aftersales runs` lists
them.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.store import Store
from tests.test_cli import AFTERSALES, NOW, Cli, one_line, summary
from tests.workbooks import case, records, user_cells, write_workbook

PLATFORMS = ("Superbuy", "Bhiner", "Superbuy", "Bhiner")
CUSTOMERS = ("王芳", "Emma Wilson", "李娜", "Noor Haddad", "陈静", "Lucas Martin")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command in its own folder and SQLite store, with a cron job's clean environment."""
    drop = ("COLUMNS", "LINES", "FORCE_COLOR")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_") and k not in drop}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    return Cli(cwd=tmp_path, env=env)


def busy_workbook(path: Path, cases: int = 160) -> Path:
    """A Cases tab as a busy team leaves it: new rows without ids, Chinese and Latin names."""
    rows = []
    for n in range(cases):
        rows.append(
            case(
                **{
                    "Case ID": None if n % 3 == 0 else f"AS-T-{n:04d}",
                    "Opened": datetime(2025, 10, 1, 9) + timedelta(hours=n % 40),
                    "Platform": PLATFORMS[n % len(PLATFORMS)],
                    "Order No.": f"SB{20250000 + n}",
                    "Customer": CUSTOMERS[n % len(CUSTOMERS)],
                    "Status": ("New", "In Progress", "Awaiting Seller")[n % 3],
                }
            )
        )
    return write_workbook(path, rows)


def start(cli: Cli, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AFTERSALES), *args],
        cwd=cli.cwd,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def runs_json(cli: Cli) -> list[dict[str, Any]]:
    listed = cli("runs", "--workbook", "cases.xlsx", "--json")
    assert listed.returncode == 0, listed.stderr
    runs = summary(listed)["runs"]
    assert isinstance(runs, list)
    return runs


def test_two_syncs_started_together_never_overlap_and_undo_restores_only_its_run(
    cli: Cli,
) -> None:
    """Two `sync --workbook F` started at the same moment: one writes the sheet, the other
    waits for it and then writes nothing (or is refused as "being synced"); the run that wrote
    nothing has nothing to undo, and undoing the other puts every typed cell back."""
    workbook = busy_workbook(cli.cwd / "cases.xlsx")
    typed = user_cells(workbook)
    sync = ("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    first, second = start(cli, *sync), start(cli, *sync)
    results = [finish(first), finish(second)]

    ran = [r for r in results if r.returncode == 0]
    refused = [r for r in results if r.returncode != 0]
    for result in refused:
        assert result.returncode == 2 and "being synced" in one_line(result.stderr)
    reports = sorted((summary(r) for r in ran), key=lambda s: int(s["cells_written"]))
    *idle, writer = reports
    assert writer["cells_written"] > 0
    assert [r["cells_written"] for r in idle] == [0] * len(idle)
    after_sync = workbook.read_bytes()

    listed = {r["id"]: r for r in runs_json(cli)}
    assert {r["cells_written"] for r in listed.values()} <= {0, writer["cells_written"]}
    for report in idle:
        nothing = cli("undo", str(report["run_id"]), "--workbook", "cases.xlsx", "--now", NOW)
        assert nothing.returncode == 2
        assert f"run {report['run_id']} wrote nothing; nothing to undo" in one_line(nothing.stderr)
        assert workbook.read_bytes() == after_sync  # not a cell restored

    undone = cli("undo", str(writer["run_id"]), "--workbook", "cases.xlsx", "--now", NOW, "--json")
    assert undone.returncode == 0, undone.stderr
    assert summary(undone)["skipped"] == 0
    assert user_cells(workbook) == typed
    assert all(row["Validation"] is None for row in records(workbook))


def test_two_undos_started_together_restore_each_cell_once(cli: Cli) -> None:
    """Two `undo RUN` of one run started at the same moment: exactly one restores the cells,
    the other is told the run was already undone (or that the sheet is being synced)."""
    workbook = busy_workbook(cli.cwd / "cases.xlsx", cases=60)
    typed = user_cells(workbook)
    synced = cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json")
    run_id = str(summary(synced)["run_id"])
    undo = ("undo", run_id, "--workbook", "cases.xlsx", "--now", NOW, "--json")
    results = [finish(p) for p in (start(cli, *undo), start(cli, *undo))]

    [done] = [r for r in results if r.returncode == 0]
    [other] = [r for r in results if r.returncode != 0]
    assert other.returncode == 2
    said = one_line(other.stderr)
    assert "already undone" in said or "being synced" in said
    assert summary(done)["restored"] > 0
    assert user_cells(workbook) == typed
    undos = [r for r in runs_json(cli) if r["trigger"] == f"undo:{run_id}"]
    assert [r["state"] for r in undos] == ["ok"]


def test_runs_lists_each_run_as_a_table_and_as_json(cli: Cli) -> None:
    """`aftersales runs` shows id, trigger, start, cells written and state, newest first;
    `--limit` keeps the newest N; `--json` carries the same rows."""
    write_workbook(cli.cwd / "cases.xlsx", [case(**{"Case ID": None}), case()])
    first = summary(cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json"))
    second = summary(cli("sync", "--workbook", "cases.xlsx", "--now", NOW, "--json"))
    undone = cli("undo", str(first["run_id"]), "--workbook", "cases.xlsx", "--now", NOW)
    assert undone.returncode == 0, undone.stderr

    runs = runs_json(cli)
    assert [r["id"] for r in runs] == sorted((r["id"] for r in runs), reverse=True)
    by_id = {r["id"]: r for r in runs}
    assert by_id[first["run_id"]]["cells_written"] == first["cells_written"] > 0
    assert by_id[first["run_id"]]["state"] == f"undone by run {runs[0]['id']}"
    assert by_id[second["run_id"]]["cells_written"] == 0
    assert by_id[second["run_id"]]["state"] == "nothing_to_do"
    assert runs[0]["trigger"] == f"undo:{first['run_id']}"
    assert all(r["started"].startswith("2025-10-10T") for r in runs)

    table = cli("runs", "--workbook", "cases.xlsx", "--limit", "2")
    assert table.returncode == 0, table.stderr
    for heading in ("Run", "Trigger", "Started", "Cells written", "State"):
        assert heading in table.stdout
    shown = [line.split("│")[1].strip() for line in table.stdout.splitlines() if "│" in line]
    assert shown == [str(runs[0]["id"]), str(second["run_id"])]  # the newest two
    assert f"undo:{first['run_id']}" in table.stdout and "nothing_to_do" in table.stdout
    newest = cli("runs", "--workbook", "cases.xlsx", "--json", "--limit", "1")
    assert [r["id"] for r in summary(newest)["runs"]] == [runs[0]["id"]]


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_runs_refuses_a_limit_below_one(cli: Cli, limit: str) -> None:
    """`runs --limit 0` exits 2 and names the option instead of printing an empty table."""
    write_workbook(cli.cwd / "cases.xlsx", [case()])
    result = cli("runs", "--workbook", "cases.xlsx", "--limit", limit)
    assert result.returncode == 2
    assert "--limit" in one_line(result.stderr)


def test_runs_shows_a_queued_run_as_queued(cli: Cli) -> None:
    """A run the service reserved for a press still waiting for the sheet is listed as
    `queued`, not as running."""
    workbook = write_workbook(cli.cwd / "cases.xlsx", [case(Customer="王芳")])
    synced = summary(cli("sync", "--workbook", str(workbook), "--now", NOW, "--json"))
    with Store.open(cli.env["AFTERSALES_DATABASE_URL"]) as store:
        queued = store.queue_run(
            f"workbook:{workbook.resolve()}",
            "sync-now",
            datetime(2025, 10, 10, 2, 5, tzinfo=UTC),  # five minutes after the sync
            "workbook",
        )

    runs = runs_json(cli)
    assert [(r["id"], r["state"]) for r in runs] == [
        (queued, "queued"),
        (synced["run_id"], "ok"),
    ]
