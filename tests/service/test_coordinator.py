"""`SyncCoordinator` in one process: callers of one sheet share one run; with `PostgresLocks`
two coordinators on separate engines (two replicas in one test process) never sync a sheet at
once, and the one that waited answers with the run the other recorded."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.errors import AftersalesError, SheetLockedError, SyncInProgressError
from app.service.coordinator import SyncCoordinator, SyncLimits, SyncResult
from app.service.locks import LocalLocks, PostgresLocks, SheetLocks, lock_key
from app.sheets.workbook import WorkbookBackend
from app.store import Store
from app.sync.engine import SyncEngine
from app.sync.engine_config import EngineConfig
from app.sync.plan_types import CaseResult
from app.sync.report import SyncReport
from app.sync.undo import undo_run
from policies import load_policies, load_team_settings
from sheet_schema import ParseContext
from tests.service.conftest import PgSchema, wait_for
from tests.workbooks import NOW, case, write_workbook

POLICIES = load_policies(None)
TEAM = load_team_settings(None)
WAIT = 10.0  # seconds any single step of these tests may take before it counts as hung


class GatedEngine(SyncEngine):
    """A real engine whose sync can be held at its start, made to fail, and is counted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = 0
        self.started = threading.Event()
        self.gate = threading.Event()
        self.gate.set()
        self.before: Callable[[], None] | None = None
        self.fail_next: AftersalesError | None = None

    def sync(self, **kwargs: Any) -> SyncReport:
        self.calls += 1
        self.started.set()
        assert self.gate.wait(WAIT), "the test never opened the gate"
        if self.before is not None:
            self.before()
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        return super().sync(**kwargs)


def gated_engine(store: Store, workbook: Path) -> GatedEngine:
    return GatedEngine(
        WorkbookBackend(workbook),
        store,
        EngineConfig(sheet_key=f"workbook:{workbook.resolve()}", policies=POLICIES, team=TEAM),
    )


class CountingLock:
    """Stands in for the coordinator's guard: counts how many times callers have passed it, so
    a test knows every caller has registered (as owner or joiner) before it lets the run end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.passed = 0

    def __enter__(self) -> None:
        self._lock.acquire()
        self.passed += 1

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


@dataclass
class RecordingLocks:
    """Wraps a `SheetLocks`; records each `hold` call as (name, wait) before delegating."""

    inner: SheetLocks
    calls: list[tuple[str, bool]] = field(default_factory=list)

    def hold(
        self, name: str, *, wait: bool, timeout: float = 600.0
    ) -> AbstractContextManager[bool]:
        self.calls.append((name, wait))
        return self.inner.hold(name, wait=wait, timeout=timeout)

    def waiting(self) -> bool:
        return any(wait for _, wait in self.calls)


def in_thread(fn: Callable[[], SyncResult]) -> Callable[[], SyncResult]:
    """Start `fn` in a thread; the returned function joins it and returns (or raises) its
    outcome."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()

    def join() -> SyncResult:
        thread.join(WAIT)
        assert not thread.is_alive(), "the call did not return"
        if "error" in box:
            raise box["error"]
        result: SyncResult = box["result"]
        return result

    return join


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_workbook(
        tmp_path / "a.xlsx",
        [case(**{"Case ID": "AS-T-0001"}), case(**{"Case ID": "AS-T-0002", "Platform": "Bhiner"})],
    )


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path}/store.db")
    yield store
    store.close()


def coordinator_for(
    store: Store, engines: dict[str, GatedEngine], locks: SheetLocks, wait: float = WAIT
) -> SyncCoordinator:
    return SyncCoordinator(engines.__getitem__, locks, store, lambda: NOW, wait_seconds=wait)


# --- one process, LocalLocks -------------------------------------------------------------------


def test_concurrent_calls_for_one_sheet_run_the_engine_once(
    sqlite_store: Store, workbook: Path
) -> None:
    """Five concurrent calls for one sheet run the engine once; four get joined=True with the
    owner's run_id, and exactly one run is recorded."""
    engine = gated_engine(sqlite_store, workbook)
    engine.gate.clear()
    coordinator = coordinator_for(sqlite_store, {"a": engine}, LocalLocks())
    guard = CountingLock()
    coordinator._guard = guard  # type: ignore[assignment]

    joins = [in_thread(lambda: coordinator.run("a", trigger="sync-now")) for _ in range(5)]
    wait_for(lambda: guard.passed >= 5, WAIT, what="all five callers to register")
    assert engine.started.wait(WAIT) and engine.calls == 1  # one run, the others joined it
    engine.gate.set()
    results = [join() for join in joins]

    assert engine.calls == 1
    assert sorted(r.joined for r in results) == [False, True, True, True, True]
    assert {r.run_id for r in results} == {results[0].run_id} != {None}
    assert {r.sheet for r in results} == {"a"}
    runs = sqlite_store.list_runs(engine.sheet_key)
    assert [(r.id, r.trigger) for r in runs] == [(results[0].run_id, "sync-now")]
    assert not coordinator.run("a", trigger="sync-now").joined  # the next press runs anew
    assert engine.calls == 2


def _reachable(root: object, limit: int = 100_000) -> Iterator[object]:
    """Every object reachable from `root` through references (at most `limit`)."""
    seen, stack = {id(root)}, [root]
    while stack and len(seen) < limit:
        item = stack.pop()
        yield item
        for ref in gc.get_referents(item):
            if id(ref) not in seen and not isinstance(ref, type):
                seen.add(id(ref))
                stack.append(ref)


def test_the_results_kept_for_polls_hold_the_notes_not_the_cases(
    sqlite_store: Store, workbook: Path
) -> None:
    """The coordinator keeps its last 256 results for polls: each holds the run's counts and
    notes, and no case's result (a 10,000-case report holds some 20 MB of them)."""
    engine = gated_engine(sqlite_store, workbook)
    coordinator = coordinator_for(sqlite_store, {"a": engine}, LocalLocks())
    first = coordinator.run("a", trigger="sync-now")  # the fill
    coordinator.run("a", trigger="sync-now")  # finds the fill's writes: both planned, quiet
    third = coordinator.run("a", trigger="sync-now")
    kept = coordinator.recent(third.run_id or 0)
    assert kept is not None and kept.summary()["cases"] == 2
    assert third.cases_reused == 2  # the press after a quiet one reuses both plannings
    assert kept.summary()["notes"] == list(kept.notes)
    for result in (first, kept):
        assert not [o for o in _reachable(result) if isinstance(o, (CaseResult, SyncReport))]


def test_a_recalculation_pressed_during_a_plain_sync_runs_after_it(
    sqlite_store: Store, workbook: Path
) -> None:
    """A full recalculation that arrives while a plain Sync-now runs does not take that run's
    result (it would skip the layout repair): it waits, then runs its own; a plain Sync-now
    pressed during a recalculation joins it."""
    engine = gated_engine(sqlite_store, workbook)
    engine.gate.clear()
    coordinator = coordinator_for(sqlite_store, {"a": engine}, LocalLocks())
    guard = CountingLock()
    coordinator._guard = guard  # type: ignore[assignment]

    plain = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
    wait_for(lambda: engine.started.is_set(), WAIT, what="the plain sync to start")
    full = in_thread(lambda: coordinator.run("a", trigger="recalculate", full=True))
    wait_for(lambda: guard.passed >= 2, WAIT, what="the recalculation to register")
    engine.gate.set()
    first, second = plain(), full()

    assert engine.calls == 2
    assert (first.joined, second.joined) == (False, False)
    assert second.run_id != first.run_id
    runs = sqlite_store.list_runs(engine.sheet_key)
    assert sorted(r.trigger for r in runs) == ["recalculate", "sync-now"]

    engine.gate.clear()
    engine.started.clear()
    registered = guard.passed
    full_again = in_thread(lambda: coordinator.run("a", trigger="recalculate", full=True))
    wait_for(lambda: engine.started.is_set(), WAIT, what="the recalculation to start")
    joiner = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
    wait_for(lambda: guard.passed >= registered + 2, WAIT, what="the plain sync to register")
    engine.gate.set()
    owner, joined = full_again(), joiner()
    assert engine.calls == 3
    assert joined.joined is True and joined.run_id == owner.run_id


def test_different_sheets_run_in_parallel(sqlite_store: Store, tmp_path: Path) -> None:
    """Syncs of two sheets overlap: each engine waits inside its sync until the other has
    started, which only succeeds when they are not serialised."""
    a = gated_engine(sqlite_store, write_workbook(tmp_path / "a.xlsx", [case()]))
    b = gated_engine(sqlite_store, write_workbook(tmp_path / "b.xlsx", [case()]))
    a.before = lambda: pytest.fail("b never started") if not b.started.wait(WAIT) else None
    b.before = lambda: pytest.fail("a never started") if not a.started.wait(WAIT) else None
    coordinator = coordinator_for(sqlite_store, {"a": a, "b": b}, LocalLocks())

    join_a = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
    join_b = in_thread(lambda: coordinator.run("b", trigger="sync-now"))
    ra, rb = join_a(), join_b()

    assert (ra.joined, rb.joined) == (False, False)
    assert ra.run_id != rb.run_id
    assert (a.calls, b.calls) == (1, 1)


class WatchedSlots:
    """Stands in for the coordinator's sync slots: counts the callers that asked for one."""

    def __init__(self, inner: threading.BoundedSemaphore) -> None:
        self.inner = inner
        self.asked = 0

    def acquire(self, timeout: float) -> bool:
        self.asked += 1
        return self.inner.acquire(timeout=timeout)

    def release(self) -> None:
        self.inner.release()


def test_a_process_runs_no_more_syncs_at_once_than_max_running(
    sqlite_store: Store, tmp_path: Path
) -> None:
    """With `max_running=1`, a sheet pressed while another sheet syncs waits for a sync slot
    (holding no connection) and starts only once the other sheet's run is recorded finished."""
    a = gated_engine(sqlite_store, write_workbook(tmp_path / "a.xlsx", [case()]))
    b = gated_engine(sqlite_store, write_workbook(tmp_path / "b.xlsx", [case()]))
    a.gate.clear()

    def a_is_finished() -> None:
        runs = sqlite_store.list_runs(a.sheet_key)
        assert [r.finished_at is not None for r in runs] == [True], "b started during a's run"

    b.before = a_is_finished
    coordinator = SyncCoordinator(
        {"a": a, "b": b}.__getitem__,
        LocalLocks(),
        sqlite_store,
        lambda: NOW,
        limits=SyncLimits(max_running=1, wait_seconds=WAIT),
    )
    slots = WatchedSlots(coordinator._slots)
    coordinator._slots = slots  # type: ignore[assignment]

    join_a = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
    assert a.started.wait(WAIT)
    join_b = in_thread(lambda: coordinator.run("b", trigger="sync-now"))
    wait_for(lambda: slots.asked >= 2, WAIT, what="b to ask for a sync slot")
    assert not b.started.is_set()
    a.gate.set()
    ra, rb = join_a(), join_b()

    assert (ra.joined, rb.joined, a.calls, b.calls) == (False, False, 1, 1)


def test_an_error_reaches_every_joiner_and_the_next_call_runs_again(
    sqlite_store: Store, workbook: Path
) -> None:
    """When the run fails, the owner and every joiner get the error; the next call is not
    joined to the failed run but runs the sheet again."""
    engine = gated_engine(sqlite_store, workbook)
    engine.gate.clear()
    engine.fail_next = SheetLockedError("a.xlsx is open in LibreOffice (by lily)")
    coordinator = coordinator_for(sqlite_store, {"a": engine}, LocalLocks())
    guard = CountingLock()
    coordinator._guard = guard  # type: ignore[assignment]

    joins = [in_thread(lambda: coordinator.run("a", trigger="sync-now")) for _ in range(3)]
    wait_for(lambda: guard.passed >= 3, WAIT, what="all three callers to register")
    engine.gate.set()
    for join in joins:
        with pytest.raises(SheetLockedError, match="open in LibreOffice"):
            join()
    assert engine.calls == 1

    again = coordinator.run("a", trigger="sync-now")
    assert engine.calls == 2
    assert again.joined is False
    assert again.outcome == "ok"
    assert [r.id for r in sqlite_store.list_runs(engine.sheet_key)] == [again.run_id]


def test_a_joiner_that_waits_too_long_gets_sync_in_progress(
    sqlite_store: Store, workbook: Path
) -> None:
    """A caller that joined a run which outlasts `wait_seconds` gets SyncInProgressError (409),
    not a bare TimeoutError (which the API would answer with 500)."""
    engine = gated_engine(sqlite_store, workbook)
    engine.gate.clear()
    coordinator = coordinator_for(sqlite_store, {"a": engine}, LocalLocks(), wait=0.3)
    owner = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
    assert engine.started.wait(WAIT)

    with pytest.raises(SyncInProgressError):
        coordinator.run("a", trigger="sync-now")
    engine.gate.set()
    assert owner().joined is False


def test_a_press_that_joins_waits_without_a_thread_and_gives_up_with_sync_in_progress(
    sqlite_store: Store, workbook: Path
) -> None:
    """A press of the API joining a run that outlasts `wait_seconds` gets SyncInProgressError
    (409) and stops counting as waiting; the run itself is not cancelled and ends normally."""
    engine = gated_engine(sqlite_store, workbook)
    engine.gate.clear()
    coordinator = coordinator_for(sqlite_store, {"a": engine}, LocalLocks(), wait=0.3)
    owner = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
    assert engine.started.wait(WAIT)

    with pytest.raises(SyncInProgressError):
        asyncio.run(coordinator.press("a", trigger="sync-now"))
    assert coordinator.waiting() == 0
    engine.gate.set()
    result = owner()
    assert result.joined is False and result.outcome == "ok"


def test_a_sync_pressed_during_an_undo_runs_the_sheet_itself(
    sqlite_store: Store, workbook: Path
) -> None:
    """An undo holds the sheet's lock (as the API's undo endpoint does); a Sync-now pressed
    meanwhile waits and then syncs, instead of answering with the undo's run as if joined."""
    engine = gated_engine(sqlite_store, workbook)
    locks = RecordingLocks(LocalLocks())
    coordinator = coordinator_for(sqlite_store, {"a": engine}, locks)
    first = coordinator.run("a", trigger="sync-now")

    with locks.inner.hold(engine.sheet_key, wait=True):
        join = in_thread(lambda: coordinator.run("a", trigger="sync-now"))
        wait_for(locks.waiting, WAIT, what="the sync to wait for the lock")
        undo = undo_run(
            engine.backend,
            sqlite_store,
            sheet_key=engine.sheet_key,
            run_id=int(first.run_id or 0),
            now=NOW,
            ctx=ParseContext(tz=ZoneInfo(TEAM.timezone)),
        )
    result = join()

    assert result.run_id not in (first.run_id, undo.run_id)
    assert result.joined is False
    assert engine.calls == 2
    triggers = [r.trigger for r in sqlite_store.list_runs(engine.sheet_key)]
    assert sorted(triggers) == ["sync-now", "sync-now", f"undo:{first.run_id}"]


def test_a_sync_never_runs_while_another_holder_keeps_the_lock(
    sqlite_store: Store, workbook: Path
) -> None:
    """When the lock stays taken longer than `wait_seconds`, the caller gets
    SyncInProgressError and the engine is not run (no overlapping sync)."""
    engine = gated_engine(sqlite_store, workbook)
    locks = LocalLocks()
    coordinator = coordinator_for(sqlite_store, {"a": engine}, locks, wait=0.3)
    with locks.hold(engine.sheet_key, wait=True), pytest.raises(SyncInProgressError):
        coordinator.run("a", trigger="sync-now")
    assert engine.calls == 0
    assert sqlite_store.list_runs(engine.sheet_key) == []


# --- two replicas in one process, PostgresLocks ------------------------------------------------


@dataclass
class Replica:
    store: Store
    engine: GatedEngine
    locks: RecordingLocks
    coordinator: SyncCoordinator


@pytest.fixture
def replicas(pg_schema: PgSchema, workbook: Path) -> Iterator[Callable[[], Replica]]:
    opened: list[Store] = []

    def make() -> Replica:
        store = Store.open(pg_schema.url)  # its own engine and pool: another "process"
        opened.append(store)
        engine = gated_engine(store, workbook)
        locks = RecordingLocks(PostgresLocks(store.engine, poll_seconds=0.05))
        return Replica(store, engine, locks, coordinator_for(store, {"a": engine}, locks))

    yield make
    for store in opened:
        store.close()


@pytest.mark.postgres
def test_second_replica_waits_and_answers_with_the_first_replicas_run(
    replicas: Callable[[], Replica],
) -> None:
    """Replica B, asked to sync while replica A syncs the same sheet, waits for A's advisory
    lock and answers with A's run (joined); no second run is recorded and B's engine never
    runs."""
    a, b = replicas(), replicas()
    a.engine.gate.clear()
    join_a = in_thread(lambda: a.coordinator.run("a", trigger="sync-now"))
    assert a.engine.started.wait(WAIT)

    join_b = in_thread(lambda: b.coordinator.run("a", trigger="sync-now"))
    wait_for(b.locks.waiting, WAIT, what="replica B to wait for the lock")
    assert b.locks.calls[0] == (a.engine.sheet_key, False)  # B tried first, then waited
    a.engine.gate.set()
    ra, rb = join_a(), join_b()

    assert ra.joined is False and rb.joined is True
    assert rb.run_id == ra.run_id
    assert rb.outcome == "ok"
    assert rb.counts["cases"] == ra.counts["cases"] == 2
    assert b.engine.calls == 0
    assert [r.id for r in a.store.list_runs(a.engine.sheet_key)] == [ra.run_id]

    # The lock is free again: B now runs the sheet itself.
    rb2 = b.coordinator.run("a", trigger="sync-now")
    assert rb2.joined is False and b.engine.calls == 1


@pytest.mark.postgres
def test_a_replica_that_dies_mid_sync_does_not_leave_a_joined_unknown_result(
    replicas: Callable[[], Replica], pg_schema: PgSchema
) -> None:
    """A replica that crashes mid-sync leaves an unfinished run and (with its connection) lets
    go of the lock; the waiting replica then syncs the sheet itself rather than answering with
    the dead run as `joined` with outcome 'unknown'."""
    b = replicas()
    key = b.engine.sheet_key
    dead = pg_schema.connect()
    dead.execute("SELECT pg_advisory_lock(%s)", (lock_key(key),))
    crashed_run = b.store.start_run(key, "sync-now", NOW, "workbook")

    join_b = in_thread(lambda: b.coordinator.run("a", trigger="sync-now"))
    wait_for(b.locks.waiting, WAIT, what="replica B to wait for the lock")
    dead.close()  # the crash: PostgreSQL ends the session and its advisory lock
    result = join_b()

    assert result.joined is False
    assert result.outcome == "ok"
    assert result.run_id != crashed_run
    assert b.engine.calls == 1


@pytest.mark.postgres
def test_postgres_locks_exclude_across_engines_and_free_on_exit(pg_schema: PgSchema) -> None:
    """`PostgresLocks` on two engines: while one holds a sheet the other's try fails and its
    wait times out; after release the other gets it; the lock is not left on a pooled
    connection."""
    with Store.open(pg_schema.url) as s1, Store.open(pg_schema.url) as s2:
        l1, l2 = PostgresLocks(s1.engine, 0.05), PostgresLocks(s2.engine, 0.05)
        with l1.hold("workbook:/x.xlsx", wait=False) as held:
            assert held
            with l2.hold("workbook:/x.xlsx", wait=False) as other:
                assert not other
            started = time.monotonic()
            with l2.hold("workbook:/x.xlsx", wait=True, timeout=0.3) as other:
                assert not other
            assert time.monotonic() - started < 2
            with l2.hold("workbook:/y.xlsx", wait=False) as different:
                assert different
        with l2.hold("workbook:/x.xlsx", wait=False) as now_free:
            assert now_free
        with pg_schema.connect() as conn:
            held_keys = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                (lock_key("workbook:/x.xlsx") & 0xFFFFFFFF,),
            ).fetchone()
        assert held_keys == (0,)


def test_lock_keys_are_stable_signed_64_bit() -> None:
    """`lock_key` is deterministic and fits PostgreSQL's bigint advisory-lock key."""
    key = lock_key("workbook:/srv/a.xlsx")
    assert key == lock_key("workbook:/srv/a.xlsx") != lock_key("workbook:/srv/b.xlsx")
    assert -(2**63) <= key < 2**63
