"""The probe seam the crash tests kill through: where a sync and a delivery call it, and what
the store already holds at those points (in this process, nothing is killed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.notify.dispatch import deliver_now
from app.probe import STEPS, no_probe
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from tests.crash.child import Killer
from tests.crash.harness import Peers
from tests.crash.scenario import workbook_side
from tests.workbooks import NOW, case, write_workbook


def test_a_sync_and_its_delivery_pass_the_steps_in_order(peers: Peers, tmp_path: Path) -> None:
    """A workbook sync calls the probe at read, planned, file_staged, wrote, enqueued and
    recorded, in that order, and delivery at claimed and sent for each message."""
    side = workbook_side(tmp_path / "side", f"sqlite:///{tmp_path}/store.db", peers)
    seen: list[str] = []
    rt = open_runtime(Settings(**side.fields))
    rt.probe = seen.append
    rt.engine().sync(now=NOW)
    deliver_now(rt.store.engine, rt.settings.notify, rt.team, NOW, probe=rt.probe)
    rt.store.close()
    side.runtime.store.close()
    sync_steps = ["read", "planned", "file_staged", "wrote", "enqueued", "recorded"]
    assert seen[:6] == sync_steps
    assert seen[6:] == ["claimed", "sent"] * (len(seen[6:]) // 2) and len(seen) > 6
    assert set(seen) <= set(STEPS)


def test_previous_values_are_stored_before_the_sheet_is_written(runtime: Runtime) -> None:
    """When the new workbook file is staged, the run's cell writes (the previous values undo
    needs) are already in the store, so a process killed after the write can be undone."""
    write_workbook(runtime.workbook, [case(**{"Case ID": None})])
    staged: list[int] = []

    def look(step: str) -> None:
        if step == "file_staged":
            [run] = runtime.store.list_runs(runtime.sheet_key)
            staged.append(len(runtime.store.cell_writes(run.id)))

    runtime.probe = look
    report = runtime.engine().sync(now=NOW)
    assert report.run_id is not None
    recorded = runtime.store.cell_writes(report.run_id)
    assert staged == [len(recorded)] and len(recorded) > 0  # staged once, recorded once


def test_the_killer_rejects_an_unknown_step_and_the_default_probe_does_nothing() -> None:
    """A misspelt step fails loudly instead of never killing; `no_probe` is a no-op."""
    with pytest.raises(ValueError, match="unknown step"):
        Killer("writen")
    no_probe("read")
