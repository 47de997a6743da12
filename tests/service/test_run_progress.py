"""Progress and queued runs through the coordinator (issue 19): the nightly recalculation and
the sweep record their progress like a press, readable from another process's store; a press
answered while another replica holds the sheet gets a queued run that ends with that
replica's result."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.service.coordinator import PressPending
from app.service.locks import LocalLocks
from app.store import Store
from tests.service.conftest import PgSchema, make_pg_schema, pg_schema, wait_for  # noqa: F401
from tests.service.test_coordinator import (  # noqa: F401  (fixtures, reused)
    WAIT,
    Replica,
    coordinator_for,
    gated_engine,
    in_thread,
    replicas,
)
from tests.workbooks import case, write_workbook

CASES = 36


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """A team's sheet of CASES cases (the coordinator tests' fixture name, so `replicas` uses
    it too)."""
    rows = [
        case(
            **{
                "Case ID": f"AS-N-{i:03d}",
                "Platform": ("Superbuy", "Bhiner", "yoybuy")[i % 3],
                "Customer": ("王芳", "Emma Wilson", "李娜")[i % 3],
            }
        )
        for i in range(CASES)
    ]
    return write_workbook(tmp_path / "夜间.xlsx", rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    schema: PgSchema = request.getfixturevalue("make_pg_schema")()
    return schema.url


@pytest.fixture
def stores(store_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database: the scheduler's, and another process's that polls."""
    mine, theirs = Store.open(store_url), Store(store_url)
    yield mine, theirs
    mine.close()
    theirs.close()


@pytest.mark.parametrize("trigger", ["nightly", "sweep"])
def test_the_night_and_the_sweep_record_progress_another_process_reads(
    stores: tuple[Store, Store], workbook: Path, trigger: str
) -> None:
    """A scheduled run held mid-way shows its step in another store's view; it ends with its
    last step and every case counted."""
    store, poller = stores
    engine = gated_engine(store, workbook)
    engine.gate.clear()
    writing, write_gate = threading.Event(), threading.Event()
    original = engine.backend.write

    def held_write(*args: Any, **kwargs: Any) -> Any:
        writing.set()
        assert write_gate.wait(WAIT), "the test never let the write go on"
        return original(*args, **kwargs)

    engine.backend.write = held_write  # type: ignore[method-assign]
    coordinator = coordinator_for(store, {"a": engine}, LocalLocks())
    join = in_thread(lambda: coordinator.run("a", trigger=trigger, full=trigger == "nightly"))
    engine.gate.set()
    assert writing.wait(WAIT), "the run never reached its write"

    (run,) = poller.list_runs(engine.sheet_key)
    assert (run.trigger, run.finished_at) == (trigger, None)
    assert (run.progress_step, run.progress_done, run.progress_total) == ("write", 0, CASES)
    write_gate.set()
    result = join()

    assert result.outcome == "ok"
    ended = poller.get_run(result.run_id)  # type: ignore[arg-type]
    assert ended is not None
    assert (ended.progress_step, ended.progress_done, ended.progress_total) == (
        "record",
        CASES,
        CASES,
    )


@pytest.mark.postgres
def test_a_queued_press_that_joins_another_replicas_run_ends_with_its_result(
    replicas: Callable[[], Replica],  # noqa: F811
) -> None:
    """Replica B's press, answered while replica A syncs the sheet, gets a queued run; when
    A's run ends, B's queued run ends with A's outcome and counts, saying which run it
    joined, and B's engine never runs."""
    a, b = replicas(), replicas()
    a.engine.gate.clear()
    join_a = in_thread(lambda: a.coordinator.run("a", trigger="sync-now"))
    assert a.engine.started.wait(WAIT)

    answer = asyncio.run(b.coordinator.press("a", trigger="sync-now", bound=0.2))
    assert isinstance(answer, PressPending)
    queued = b.store.get_run(answer.run_id)
    assert queued is not None and queued.queued
    a.engine.gate.set()
    ra = join_a()
    result = answer.result.result(timeout=WAIT)

    assert result.run_id == answer.run_id and result.joined is True
    closed = b.store.get_run(answer.run_id)
    assert closed is not None
    assert (closed.outcome, closed.message) == ("ok", f"joined run {ra.run_id}")
    assert closed.counts["cases"] == ra.counts["cases"] == CASES
    assert b.engine.calls == 0
