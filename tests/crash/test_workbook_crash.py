"""A workbook sync SIGKILLed at each step, then synced again, on SQLite and PostgreSQL stores.

Each test kills a real process (`tests/crash/child.py`) at one step of `aftersales sync`
(`app/probe.py` names them), runs the next sync in this process, and compares everything with
the same sync left alone (the control, on a copy of the same sheet at the same moment).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.probe import CLAIMED, ENQUEUED, FILE_STAGED, PLANNED, READ, RECORDED, SENT, WROTE
from tests.crash.harness import Peers, kill
from tests.crash.observe import Control, Played, assert_repaired, play
from tests.crash.scenario import stray_files, workbook_side

STEPS = (READ, PLANNED, FILE_STAGED, WROTE, ENQUEUED, RECORDED, CLAIMED, SENT)
# On PostgreSQL, the steps that leave the store in a state of its own: cells staged and nothing
# recorded, notices queued and the run not recorded, the run recorded but not finished, a
# message sent but not marked sent (before the write, the store holds only the started run).
POSTGRES_STEPS = (WROTE, ENQUEUED, RECORDED, SENT)
CASES = [
    *(pytest.param("sqlite", step, id=f"sqlite-{step}") for step in STEPS),
    *(
        pytest.param("postgresql", step, id=f"postgresql-{step}", marks=pytest.mark.postgres)
        for step in POSTGRES_STEPS
    ),
]


def _control(control: Control, peers: Peers, folder: Path) -> Played:
    return control(
        "workbook",
        lambda: play(
            workbook_side(folder / "control", f"sqlite:///{folder}/control.db", peers), peers
        ),
    )


@pytest.mark.parametrize(("store_url", "step"), CASES, indirect=["store_url"])
def test_sync_killed_at_a_step_is_repaired_by_the_next(
    step: str, store_url: str, peers: Peers, control: Control, tmp_path: Path
) -> None:
    """After a kill at `step` and one more sync, sheet, Timeline, notifications and undo are as
    if the sync had never been interrupted."""
    expected = _control(control, peers, tmp_path)
    side = workbook_side(tmp_path / "crashed", store_url, peers)
    assert_repaired(play(side, peers, kill_at=step), expected, step)


def test_a_save_killed_before_the_rename_leaves_the_workbook_whole(
    peers: Peers, tmp_path: Path
) -> None:
    """Killed with the new file staged but not yet renamed, the workbook is exactly the one read
    before (never half a file); the staged file is left beside it, complete, under a hidden
    name the service never reads."""
    side = workbook_side(tmp_path / "crashed", f"sqlite:///{tmp_path}/store.db", peers)
    before = (side.folder / "cases.xlsx").read_bytes()
    kill(side.job(FILE_STAGED), side.folder / "child.log")
    assert (side.folder / "cases.xlsx").read_bytes() == before
    [leftover] = stray_files(side)
    assert leftover.startswith(".cases.xlsx.")
    with (side.folder / leftover).open("rb") as staged:
        assert "Cases" in openpyxl.load_workbook(staged).sheetnames
    side.runtime.store.close()
