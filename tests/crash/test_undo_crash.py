"""An undo SIGKILLed at each of its steps, then undone again (or synced), on SQLite, PostgreSQL
and the Sheets emulator.

Each test syncs the story's sheet (`scenario.py`) at NOW, kills a real `aftersales undo` of that
run (`tests/crash/child.py`) at one step (`app/probe.py`), and asks for the undo again. The undo
is write-ahead like a sync, so the second request finishes the killed undo run instead of
starting another: every cell of the synced run is restored exactly once, the killed run's record
holds exactly the cells it restored, and undoing that undo puts the synced sheet back.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.errors import ConflictError
from app.probe import FILE_STAGED, UNDO_RECORDED, UNDO_STAGED, UNDO_WROTE
from tests.crash.harness import Peers, kill
from tests.crash.scenario import LATER, Side, google_side, workbook_side
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator
from tests.workbooks import NOW

BEFORE_WRITE = (UNDO_STAGED, FILE_STAGED)
CASES = [
    *(
        pytest.param("sqlite", step, id=f"sqlite-{step}")
        for step in (UNDO_STAGED, FILE_STAGED, UNDO_WROTE, UNDO_RECORDED)
    ),
    *(
        pytest.param("postgresql", step, id=f"postgresql-{step}", marks=pytest.mark.postgres)
        for step in (UNDO_STAGED, UNDO_WROTE)
    ),
]


def synced(side: Side) -> tuple[int, list[list[object]], list[list[object]]]:
    """Sync the story at NOW: (the run, the Cases tab before it, the Cases tab after)."""
    before = side.read_cases()
    report = side.runtime.engine().sync(now=NOW)
    assert report.run_id is not None and report.cells_written > 0
    return report.run_id, before, side.read_cases()


def kill_undo_then_undo_again(side: Side, step: str) -> None:
    """The promise, on one side: kill the undo at `step`, undo again, check, undo the undo."""
    store = side.runtime.store
    run, before, after = synced(side)
    wrote = store.cell_writes(run)
    kill(side.job(step, undo=run, now=LATER), side.folder / "child.log")
    [killed] = store.runs_with_trigger(side.runtime.sheet_key, f"undo:{run}")
    assert side.read_cases() == (after if step in BEFORE_WRITE else before)

    if step == UNDO_RECORDED:  # everything was recorded: the run is undone, once
        with pytest.raises(ConflictError, match=f"already undone by run {killed.id}"):
            side.runtime.undo(run, LATER + timedelta(minutes=1))
    else:
        report = side.runtime.undo(run, LATER + timedelta(minutes=1))
        assert report.run_id == killed.id  # finished, not started again
        assert report.skipped == []
        assert report.restored == len(wrote)
        assert report.resumed == (0 if step in BEFORE_WRITE else len(wrote))
    assert side.read_cases() == before

    [undo] = store.runs_with_trigger(side.runtime.sheet_key, f"undo:{run}")
    assert undo.id == killed.id and undo.outcome == "ok"
    assert store.get_run(run).undone_by == undo.id  # type: ignore[union-attr]
    restored = store.cell_writes(undo.id)
    assert len(restored) == len(wrote)  # each cell once, none lost
    assert sorted((w.case_id, w.column) for w in restored) == sorted(
        (str(w.new_value) if w.column == "case_id" else w.case_id, w.column) for w in wrote
    )

    redo = side.runtime.undo(undo.id, LATER + timedelta(minutes=2))
    assert redo.restored == len(wrote) and redo.skipped == []
    assert side.read_cases() == after
    store.close()


@pytest.mark.parametrize(("store_url", "step"), CASES, indirect=["store_url"])
def test_workbook_undo_killed_at_a_step_is_finished_by_the_next_undo(
    step: str, store_url: str, peers: Peers, tmp_path: Path
) -> None:
    """After a kill at `step`, the next undo finishes the killed undo run: the Cases tab is as
    before the sync, each cell restored once, and undoing the undo restores the sync's cells."""
    kill_undo_then_undo_again(workbook_side(tmp_path / "side", store_url, peers), step)


@pytest.mark.parametrize("step", [UNDO_STAGED, UNDO_WROTE])
def test_google_undo_killed_at_a_step_is_finished_by_the_next_undo(
    step: str, emulator: Emulator, service_account: ServiceAccount, peers: Peers, tmp_path: Path
) -> None:
    """The same on a Google spreadsheet (positional writes, through the emulator)."""
    assert service_account.path is not None
    side = google_side(
        tmp_path / "side", emulator, Path(service_account.path), service_account.email, peers
    )
    kill_undo_then_undo_again(side, step)


def test_a_sync_after_a_killed_undo_names_it_and_the_undo_is_finished_later(
    peers: Peers, tmp_path: Path
) -> None:
    """A sync that runs after an undo was killed says which undo stopped and how to finish it;
    `runs` shows that undo as interrupted until the next undo of the run finishes it."""
    side = workbook_side(tmp_path / "side", f"sqlite:///{tmp_path}/store.db", peers)
    run, _, _ = synced(side)
    kill(side.job(UNDO_STAGED, undo=run, now=LATER), side.folder / "child.log")
    [killed] = side.runtime.store.runs_with_trigger(side.runtime.sheet_key, f"undo:{run}")

    report = side.runtime.sync(LATER + timedelta(minutes=1))
    assert report.notes[0] == (
        f"run {killed.id} (undo of run {run}) stopped before it finished; "
        f"undo run {run} again to finish it"
    )
    assert side.runtime.store.get_run(killed.id).outcome == "interrupted"  # type: ignore[union-attr]

    finished = side.runtime.undo(run, LATER + timedelta(minutes=2))
    assert finished.run_id == killed.id
    assert side.runtime.store.get_run(killed.id).outcome == "ok"  # type: ignore[union-attr]
    side.runtime.store.close()
