"""One sync per sheet at a time: a Sync-now pressed during a run gets that run's result.

Within a process, callers of the same sheet share one in-flight future. Across processes (several
replicas on PostgreSQL), the sheet's advisory lock decides who runs; a caller that finds it
taken waits for the holder to finish and answers with the sync run the holder recorded. When the
holder recorded no finished, successful sync (it was an undo, it failed, or its process died),
the caller syncs the sheet itself while it holds the lock. A caller that waits longer than
`wait_seconds` gets `SyncInProgressError`; a sync never runs without the sheet's lock.
A full recalculation (nightly, Recalculate all) joins only another full one: the result of a
plain sync did not repair the layout, so it runs after that sync instead.

Bursts of presses (`SyncLimits`): a process runs at most `max_running` syncs at once, since each
holds pooled database connections (on PostgreSQL its sheet's advisory lock and one for the
store); the others wait holding none. A press from the API (`press`) waits without a thread
while it joins a run, and is refused at once with `ServiceBusyError` (429, Retry-After) when
`max_waiting` presses already wait in the process, so a burst is answered quickly instead of
piling up behind the pool.

Bounded answers (`press(bound=)`): a press's sync runs in a thread of its own, never in the
request, so it goes on after the press is answered; a press not settled within the bound gets
`PressPending` with the run's id to poll (app/service/run_handle.py explains the id of a run
that has not started yet). A full recalculation pressed during a plain sync is queued behind it
as the sheet's next run, which later full presses join: every press has a run to name at once.
Runs record their progress in the store (app/sync/progress.py), whoever started them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as wait_for_future
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime
from functools import partial

from anyio import to_thread
from pydantic import BaseModel, Field

from app.errors import ServiceBusyError, SyncInProgressError
from app.service.locks import SheetLocks
from app.service.run_handle import (
    JOINED_PREFIX,
    SUMMARY_KEYS,
    PressPending,
    RunHandle,
    RunObserver,
    StoreProgress,
    SyncResult,
    Ticket,
    close_queued,
    fail_queued,
)
from app.store import RunRecord, Store
from app.sync.engine import SyncEngine
from app.sync.progress import Throttled

log = logging.getLogger("aftersales.service")
__all__ = [
    "JOINED_PREFIX",
    "SUMMARY_KEYS",
    "PressPending",
    "RunObserver",
    "SyncCoordinator",
    "SyncLimits",
    "SyncResult",
]

# Outcomes of a holder's run that a waiting caller may answer with; anything else (a failed or
# unfinished run) is not a result to hand out, so the caller syncs the sheet itself.
JOINABLE_OUTCOMES = ("ok", "nothing_to_do")
# Triggers of full recalculations (layout repaired too): what a full request may join.
FULL_TRIGGERS = ("nightly", "recalculate")
# Results kept for polls of this process (they carry the notes the store does not keep).
RECENT_RESULTS = 256


class SyncLimits(BaseModel):
    """How a process takes bursts of presses (`AFTERSALES_SYNCS__MAX_WAITING`, ...)."""

    # Syncs this process runs at once. Each holds up to two pooled connections (PostgreSQL:
    # the sheet's lock and one for the store), so keep it under half the pool
    # (`database.pool_size + database.max_overflow`), leaving room for the other requests.
    max_running: int = Field(default=4, ge=1)
    # Presses of the API that may wait in this process at once (joining a run, or queued for
    # a sync slot or a sheet's lock); one more is answered 429 `busy` at once.
    max_waiting: int = Field(default=500, ge=0)
    # What a refused press is told to wait before pressing again (the Retry-After header).
    retry_after_seconds: int = Field(default=5, ge=1)
    # How long a press waits for a run in progress (or the sheet's lock) before it gets 409.
    wait_seconds: float = Field(default=600.0, gt=0)


class SyncCoordinator:
    def __init__(
        self,
        engine_for: Callable[[str], SyncEngine],
        locks: SheetLocks,
        store: Store,
        clock: Callable[[], datetime],
        wait_seconds: float | None = None,
        limits: SyncLimits | None = None,
    ) -> None:
        self.engine_for = engine_for
        self.locks = locks
        self.store = store
        self.clock = clock
        self.limits = limits or SyncLimits()
        self.wait_seconds = self.limits.wait_seconds if wait_seconds is None else wait_seconds
        self.observer = RunObserver()
        self._guard = threading.Lock()
        self._inflight: dict[str, RunHandle] = {}  # sheet -> its run in progress
        self._next: dict[str, RunHandle] = {}  # sheet -> a full run queued behind a plain one
        self._slots = threading.BoundedSemaphore(self.limits.max_running)
        self._waiting = 0
        self._recent: OrderedDict[int, SyncResult] = OrderedDict()

    def run(self, sheet: str, *, trigger: str, full: bool = False) -> SyncResult:
        """Sync `sheet` (blocking; the scheduler's way). Joins the run in progress instead of
        starting another; a full recalculation joins only a full one, and otherwise runs once
        that one is done."""
        handle, mine, after = self._claim(sheet, full)
        if mine:
            return self._execute(sheet, handle, after, trigger=trigger, full=full)
        done, _ = wait_for_future([handle.future], timeout=self.wait_seconds)
        if not done:
            raise self._busy(sheet)
        return replace(handle.future.result(), joined=True)

    async def press(
        self, sheet: str, *, trigger: str, full: bool = False, bound: float | None = None
    ) -> SyncResult | PressPending:
        """`run` for a press of the API: refused with `ServiceBusyError` when `max_waiting`
        presses already wait here. The sync runs in a thread of its own (it outlives the
        press); the press awaits it without a thread. Without `bound`, the press waits up to
        `wait_seconds` (then `SyncInProgressError`); with one, a run not ended by then is
        answered with `PressPending` (its run id; the run goes on)."""
        ticket = self._admit()
        mine = False
        try:
            handle, mine, after = self._claim(sheet, full)
            if mine:  # the run's thread holds the ticket until it syncs or ends
                self._start(sheet, handle, after, trigger=trigger, full=full, ticket=ticket)
            if bound is None:
                result = await self._outcome(sheet, handle.future, self.wait_seconds)
            else:
                # shield: giving up on the run must never cancel it for its owner and joiners.
                waiter = asyncio.shield(asyncio.wrap_future(handle.future))
                done, _ = await asyncio.wait({waiter}, timeout=bound)
                if done:
                    result = waiter.result()  # the run's result, or its error raised
                else:
                    waiter.cancel()  # only this press's wait (and asyncio's unretrieved note)
                    reserve = partial(handle.reserve, partial(self._queue, sheet, trigger))
                    run_id = await to_thread.run_sync(reserve)
                    if run_id is not None and not handle.future.done():
                        return PressPending(run_id, not mine, handle.future)
                    result = await asyncio.wrap_future(handle.future)  # ended meanwhile
            return result if mine else replace(result, joined=True)
        finally:
            if not mine:
                ticket.done()

    def waiting(self) -> int:
        """Presses of the API waiting in this process now."""
        with self._guard:
            return self._waiting

    def recent(self, run_id: int) -> SyncResult | None:
        """The result of a run this process ran lately (with its notes), if it still has it."""
        with self._guard:
            return self._recent.get(run_id)

    def _admit(self) -> Ticket:
        with self._guard:
            if self._waiting >= self.limits.max_waiting:
                seconds = self.limits.retry_after_seconds
                raise ServiceBusyError(
                    f"The service is busy: {self._waiting} presses are already waiting. Try "
                    f"again in {seconds} s.",
                    retry_after=seconds,
                )
            self._waiting += 1
        return Ticket(self._leave)

    def _leave(self) -> None:
        with self._guard:
            self._waiting -= 1

    def _claim(self, sheet: str, full: bool) -> tuple[RunHandle, bool, RunHandle | None]:
        """(the run whose result answers this caller, whether this caller is to run it, the
        run it must wait for first): a new run when none is in progress; else the one in
        progress when its result will do; else (a full request during a plain sync) the full
        run queued behind it, new or already queued."""
        with self._guard:
            running = self._inflight.get(sheet)
            if running is None:
                handle = RunHandle(full)
                self._inflight[sheet] = handle
                return handle, True, None
            if running.full or not full:
                return running, False, None
            queued = self._next.get(sheet)
            if queued is not None:
                return queued, False, None
            handle = RunHandle(full)
            self._next[sheet] = handle
            return handle, True, running

    def _start(
        self,
        sheet: str,
        handle: RunHandle,
        after: RunHandle | None,
        *,
        trigger: str,
        full: bool,
        ticket: Ticket,
    ) -> None:
        """Run the sync in a thread of its own, so that it outlives the press that started
        it (and the request, and the event loop's patience)."""

        def work() -> None:
            # Its outcome is settled in the handle's future (and a failure logged by the
            # engine); nothing is left to raise to.
            with suppress(BaseException):
                self._execute(sheet, handle, after, trigger=trigger, full=full, ticket=ticket)

        threading.Thread(target=work, name=f"sync {sheet}", daemon=True).start()

    async def _outcome(self, sheet: str, future: Future[SyncResult], seconds: float) -> SyncResult:
        """The result of the run, awaited without a thread for up to `seconds`."""
        try:
            # shield: giving up on the run must never cancel it for its owner and joiners (and
            # it retrieves the run's outcome, so asyncio never logs it as unretrieved).
            waiter = asyncio.shield(asyncio.wrap_future(future))
            return await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            raise self._busy(sheet) from None

    def _queue(self, sheet: str, trigger: str) -> int:
        """Reserve a run record for a run that has not started (see run_handle.py)."""
        engine = self.engine_for(sheet)
        return self.store.queue_run(engine.sheet_key, trigger, self.clock(), engine.backend.name)

    def _execute(
        self,
        sheet: str,
        handle: RunHandle,
        after: RunHandle | None,
        *,
        trigger: str,
        full: bool,
        ticket: Ticket | None = None,
    ) -> SyncResult:
        """Run the sheet's sync that `handle` stands for (after `after`, when given), and
        settle it for the joiners."""
        try:
            if after is not None:
                done, _ = wait_for_future([after.future], timeout=self.wait_seconds)
                if not done:
                    raise self._busy(sheet)
            result = replace(
                self._run_locked(sheet, handle, trigger=trigger, full=full, ticket=ticket),
                sheet=sheet,
            )
            leftover = handle.settle()
            if leftover is not None:  # a queued run answered by another process's run
                result = close_queued(self.store, leftover, result, self.clock())
        except BaseException as exc:
            leftover = handle.settle()
            if leftover is not None:
                fail_queued(self.store, leftover, exc, self.clock())
            handle.future.set_exception(exc)
            raise
        finally:
            if ticket is not None:
                ticket.done()
            with self._guard:
                queued = self._next.pop(sheet, None)
                if queued is not None:
                    self._inflight[sheet] = queued  # the full run waiting for this one
                elif self._inflight.get(sheet) is handle:
                    self._inflight.pop(sheet)
        with self._guard:
            if result.run_id is not None:
                self._recent[result.run_id] = result
                while len(self._recent) > RECENT_RESULTS:
                    self._recent.popitem(last=False)
        handle.future.set_result(result)
        return result

    @contextmanager
    def _slot(self, sheet: str, deadline: float) -> Iterator[None]:
        """One of the process's `max_running` sync slots, waited for without a connection."""
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise self._busy(sheet)
        try:
            yield
        finally:
            self._slots.release()

    def _run_locked(
        self, sheet: str, handle: RunHandle, *, trigger: str, full: bool, ticket: Ticket | None
    ) -> SyncResult:
        deadline = time.monotonic() + self.wait_seconds
        engine = self.engine_for(sheet)
        key = engine.sheet_key
        sync = partial(self._sync, engine, handle, trigger=trigger, full=full, ticket=ticket)
        with self._slot(sheet, deadline):
            with self.locks.hold(key, wait=False) as held:
                if held:
                    return sync()
            # Another holder has the sheet: a replica's sync, or an undo. Note the newest run
            # now, so that afterwards only the holder's run (unfinished now, or started since)
            # counts. The wait holds no connection (the locks poll with short-lived ones).
            seen = self.store.list_runs(key, limit=1)
            remaining = max(0.0, deadline - time.monotonic())
            with self.locks.hold(key, wait=True, timeout=remaining) as held:
                if not held:
                    raise self._busy(sheet)
                run = self._holders_sync(key, seen[0] if seen else None, full)
                if run is not None:
                    return SyncResult.from_run(run)
                return sync()

    def _sync(
        self,
        engine: SyncEngine,
        handle: RunHandle,
        *,
        trigger: str,
        full: bool,
        ticket: Ticket | None = None,
    ) -> SyncResult:
        """Run the engine, its progress recorded in the store; the caller holds the sheet's
        lock and a sync slot, so the press stops counting as waiting."""
        if ticket is not None:
            ticket.done()
        if full:
            engine.backend.refresh()  # forget cached layout so it is checked and repaired
        progress = Throttled(StoreProgress(self.store, handle))
        reserved = handle.begin()
        self.observer.run_started(trigger)
        started = time.monotonic()
        try:
            report = engine.sync(
                now=self.clock(), trigger=trigger, progress=progress, reserved_run=reserved
            )
        finally:
            self.observer.run_finished(trigger, time.monotonic() - started)
        return SyncResult.from_report(report)

    def _holders_sync(self, key: str, seen: RunRecord | None, full: bool) -> RunRecord | None:
        """The successful sync run the holder we waited for recorded, if it recorded one (for
        a full recalculation, only a full one will do)."""
        recent = sorted(self.store.list_runs(key, limit=20), key=lambda r: r.id, reverse=True)
        for run in recent:
            if seen is not None and (
                run.id < seen.id or (run.id == seen.id and seen.finished_at is not None)
            ):
                continue  # finished before we started waiting
            if run.trigger.startswith("undo") or run.outcome not in JOINABLE_OUTCOMES:
                continue
            if full and run.trigger not in FULL_TRIGGERS:
                continue
            return run
        return None

    def _busy(self, sheet: str) -> SyncInProgressError:
        return SyncInProgressError(
            f"Sheet {sheet} is still being synced after {self.wait_seconds:g} s of waiting; "
            "try again in a moment."
        )
