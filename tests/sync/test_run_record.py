"""A run's record holds exactly the cells that run wrote, and undo restores exactly those.

In one process, with a second runtime (its own store, as a process with another database would
have) changing the workbook at a chosen step through the probe seam, the way the races of two
unlocked syncs did.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from app.errors import AftersalesError
from app.probe import PLANNED, WROTE
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from app.store.errors import StoreError
from app.sync.undo import NothingToUndoError
from tests.workbooks import NOW, case, records, user_cells, write_workbook


def team_rows() -> list[dict[str, object]]:
    return [
        case(**{"Case ID": None, "Customer": "王芳"}),
        case(**{"Case ID": "AS-T-0002", "Platform": "Bhiner", "Customer": "Noor Haddad"}),
        case(**{"Case ID": "AS-T-0003", "Status": "Awaiting Seller", "Customer": "李娜"}),
    ]


def other_process(tmp_path: Path, workbook: Path) -> Runtime:
    """A runtime with its own store on the same workbook."""
    return open_runtime(
        Settings(
            environment="test",
            database_url=f"sqlite:///{tmp_path}/other.db",  # type: ignore[arg-type]
            workbook=workbook,
        )
    )


def test_a_write_refused_because_the_file_changed_leaves_no_staged_values(
    runtime: Runtime, tmp_path: Path
) -> None:
    """When another writer syncs the workbook between this run's plan and its write, the write
    is refused, the re-plan finds nothing to write, and the run records no cell: undo of it
    says it wrote nothing and leaves the other writer's cells alone."""
    write_workbook(runtime.workbook, team_rows())
    typed = user_cells(runtime.workbook)
    other = other_process(tmp_path, runtime.workbook)
    planned = 0

    def meanwhile(step: str) -> None:
        nonlocal planned
        if step == PLANNED:
            planned += 1
            if planned == 1:
                other.engine().sync(now=NOW)

    runtime.probe = meanwhile
    report = runtime.engine().sync(now=NOW)
    assert report.run_id is not None and report.replans == 1
    assert report.cells_written == 0
    assert runtime.store.cell_writes(report.run_id) == []
    synced = runtime.workbook.read_bytes()

    runtime.probe = None
    with pytest.raises(NothingToUndoError, match=f"run {report.run_id} wrote nothing"):
        runtime.undo(report.run_id, NOW)
    assert runtime.workbook.read_bytes() == synced
    assert [r.trigger for r in runtime.store.list_runs(runtime.sheet_key)] == ["manual"]
    assert user_cells(runtime.workbook) != typed  # the other writer's id fill is still there
    other.store.close()


def test_undo_of_a_run_that_wrote_nothing_says_so_and_writes_nothing(runtime: Runtime) -> None:
    """Undo of a sync that found nothing to change refuses with "run N wrote nothing; nothing
    to undo", starts no undo run and leaves the file byte for byte."""
    write_workbook(runtime.workbook, team_rows())
    runtime.engine().sync(now=NOW)
    idle = runtime.engine().sync(now=NOW)
    assert idle.cells_written == 0 and idle.run_id is not None
    before = runtime.workbook.read_bytes()
    with pytest.raises(NothingToUndoError) as refused:
        runtime.undo(idle.run_id, NOW)
    assert refused.value.message == f"run {idle.run_id} wrote nothing; nothing to undo."
    assert runtime.workbook.read_bytes() == before
    assert len(runtime.store.list_runs(runtime.sheet_key)) == 2


def test_a_run_that_fails_after_writing_says_how_many_cells_it_wrote(runtime: Runtime) -> None:
    """A run whose record is refused after its write (another unlocked run saved the same cases
    meanwhile) fails with "run N wrote M cells, then failed: …", keeps M in its counts, and
    undo of it restores those cells."""
    write_workbook(runtime.workbook, team_rows())
    same_store = open_runtime(runtime.settings)

    def meanwhile(step: str) -> None:
        if step == WROTE:  # an unlocked sync of the same sheet records its snapshots first
            same_store.engine().sync(now=NOW)

    runtime.probe = meanwhile
    with pytest.raises(AftersalesError) as failed:
        runtime.engine().sync(now=NOW)
    runtime.probe = None
    [run] = [r for r in runtime.store.list_runs(runtime.sheet_key) if r.id == 1]
    written = run.counts["cells_written"]
    assert written > 0
    assert isinstance(failed.value, StoreError)
    assert failed.value.message.startswith(f"run 1 wrote {written} cells, then failed: ")
    assert "changed since they were loaded" in failed.value.message
    assert run.outcome == "failed" and run.message == failed.value.message
    assert runtime.store.cell_writes(1)  # its Cases cells, staged before the write: undoable
    same_store.store.close()


@pytest.mark.parametrize(
    ("synced_as", "undone_as", "configured"),
    [
        ("售后", "售后", {"cases": "售后"}),  # AFTERSALES_TAB_NAMES
        ("案件", "After-sales", {}),  # renamed between the sync and the undo, alias to alias
    ],
)
def test_undo_finds_a_cases_tab_the_team_renamed(
    tmp_path: Path, synced_as: str, undone_as: str, configured: dict[str, str]
) -> None:
    """Undo finds the Cases tab as sync does (a configured name, or any alias, even one the
    team switched to after the run) and restores every cell the run wrote there."""
    workbook = tmp_path / "cases.xlsx"
    rt = open_runtime(
        Settings(
            environment="test",
            database_url=f"sqlite:///{tmp_path}/store.db",  # type: ignore[arg-type]
            workbook=workbook,
            tab_names=configured,
        )
    )
    write_workbook(workbook, team_rows(), title=synced_as)
    typed = user_cells(workbook, synced_as)
    report = rt.sync(NOW)
    assert report.cells_written > 0 and report.run_id is not None
    assert records(workbook, synced_as)[0]["Case ID"] == "AS-251010-0001"
    if undone_as != synced_as:
        book = openpyxl.load_workbook(workbook)
        book[synced_as].title = undone_as
        book.save(workbook)

    undone = rt.undo(report.run_id, datetime(2025, 10, 10, 3, 0, tzinfo=NOW.tzinfo))
    assert undone.skipped == []
    assert undone.restored == len(rt.store.cell_writes(report.run_id))
    assert user_cells(workbook, undone_as) == typed
    assert all(row["Validation"] is None for row in records(workbook, undone_as))
    rt.store.close()
