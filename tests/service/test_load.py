"""A bounded load test of the real service on loopback: waves of 200 concurrent, HMAC-signed
Sync-now requests spread over 20 registered workbook sheets, against one `aftersales serve`
process with its default store (SQLite), and two replicas sharing PostgreSQL; no scheduler.

What must hold, whatever the interleaving and however loaded the machine: every press is
answered with 200 (the run it started or joined) or, when the service is saturated, 429 `busy`
or 503 with a `Retry-After` header; never another 5xx nor a message about the connection pool;
a sheet's runs never overlap; the store holds exactly the runs that requests started (a joined
request names its owner's run_id); every sheet ends synced with its people's cells as they were;
and the server's memory stays steady: its resident size after the second and third waves is
within a fixed bound of its size after the first. Figures are printed (`-s`) for the record.

Not part of `make test` (slow); run it alone or in a loop beside other tests to check bursts on
a loaded machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth import derive_sheet_secret, sign_request
from app.registry import SheetRegistry
from app.store import RunRecord, Store
from tests.service.conftest import PgSchema, Server, ServerFactory
from tests.workbooks import case, records, user_cells, write_workbook

pytestmark = pytest.mark.slow

SHEETS = 20
REQUESTS = 200  # per wave, REQUESTS // SHEETS per sheet, all in flight together
WAVES = 3
CASES = 5  # per sheet: small, so that the waves measure the service, not the sync
RSS_GROWTH_BOUND_KIB = 24 * 1024  # after waves 2 and 3, compared with after wave 1
# The documented answers of a saturated service; each says when to try again (Retry-After).
BUSY = {429: {"busy"}, 503: {"store_unavailable"}}
# Generous: a wave on a loaded 2-core machine may take minutes; a press is never given up on.
PRESS_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Answer:
    sheet: str
    status: int
    body: dict[str, Any]
    retry_after: str | None = None


def sheet_workbook(folder: Path, n: int) -> Path:
    rows = [
        case(**{"Case ID": f"AS-L{n:02d}-{i:03d}", "Order No.": f"LD{n:02d}{i:05d}"})
        for i in range(CASES)
    ]
    return write_workbook(folder / f"load-{n:02d}.xlsx", rows)


def resident_kib(pid: int) -> int:
    """The process's resident set size (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


async def sync_now(client: httpx.AsyncClient, server: Server, sheet: str) -> Answer:
    """One signed Sync-now, signed as the add-on does (a nonce keeps each signature unique)."""
    target = f"/v1/sheets/{sheet}/sync?nonce={uuid.uuid4().hex}"
    secret = derive_sheet_secret(server.master, sheet)
    headers = sign_request(secret, "POST", target, b"", int(time.time()))
    response = await client.post(target, headers=headers)
    return Answer(sheet, response.status_code, response.json(), response.headers.get("Retry-After"))


async def wave(servers: list[Server], sheets: list[str]) -> list[Answer]:
    """REQUESTS requests, REQUESTS // SHEETS for each sheet, all sent at once (a sheet's
    presses one after another, as when a team presses Sync now together), taking turns over
    the replicas, so each sheet is pressed on every replica at once."""
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=REQUESTS)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{server.port}",
                    timeout=PRESS_TIMEOUT_SECONDS,
                    limits=limits,
                )
            )
            for server in servers
        ]
        per_sheet = REQUESTS // len(sheets)
        calls = [
            sync_now(clients[i % len(servers)], servers[i % len(servers)], sheets[i // per_sheet])
            for i in range(REQUESTS)
        ]
        return await asyncio.gather(*calls)


def check_answers(answers: list[Answer]) -> None:
    """A 200 names the run it started or joined; anything else is a documented busy answer
    (429 busy, 503 store_unavailable) with Retry-After in whole seconds, and no pool internals."""
    assert len(answers) == REQUESTS
    for answer in answers:
        if answer.status != 200:
            assert answer.body.get("error") in BUSY.get(answer.status, ()), answer
            assert answer.retry_after is not None and answer.retry_after.isdigit(), answer
            assert "QueuePool" not in str(answer.body.get("detail")), answer
            continue
        assert isinstance(answer.body["run_id"], int), answer
        assert isinstance(answer.body["joined"], bool), answer


def check_sheet(book: Path, pristine: Path) -> None:
    """The sheet ends synced: its cases once each, in their rows, every person's cell as it
    was written, and the service's columns filled in."""
    assert user_cells(book) == user_cells(pristine), f"{book.name}: a person's cell changed"
    rows = records(book)
    assert [r["Case ID"] for r in rows] == [r["Case ID"] for r in records(pristine)]
    for row in rows:
        for header in ("Policy Ref", "Return Deadline", "Next Action", "Priority"):
            assert row.get(header) not in (None, ""), f"{book.name} {row['Case ID']}: no {header}"


def check_runs(runs: list[RunRecord], answers: list[Answer], sheet: str) -> None:
    """The store holds exactly the runs requests started, finished, one after another."""
    ok = [a.body for a in answers if a.sheet == sheet and a.status == 200]
    started = sorted(b["run_id"] for b in ok if not b["joined"])
    named = {b["run_id"] for b in ok}
    assert len(started) == len(set(started)), f"{sheet}: two requests started one run"
    assert set(started) == named, f"{sheet}: a request joined a run nobody started: {named}"
    assert sorted(r.id for r in runs) == started, f"{sheet}: runs nobody started (or lost)"
    ordered = sorted(runs, key=lambda r: r.started_at)
    for run in ordered:
        assert run.trigger == "sync-now" and run.outcome in ("ok", "nothing_to_do"), run
        assert run.finished_at is not None, run
    for before, after in itertools.pairwise(ordered):
        assert before.finished_at is not None and before.finished_at <= after.started_at, (
            f"{sheet}: run {after.id} started before run {before.id} finished"
        )


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_waves_of_sync_now_are_served_or_told_when_to_retry_and_leave_sheets_correct(
    servers: ServerFactory, make_pg_schema: Callable[[], PgSchema], tmp_path: Path, store: str
) -> None:
    """Three waves of 200 concurrent Sync-now requests over 20 sheets (one replica on SQLite,
    two sharing PostgreSQL): each answered 200 or 429/503 with Retry-After, one run per
    started request (joined requests share it), no overlapping runs of a sheet, every sheet
    synced with its people's cells intact, and each server's resident memory after waves 2
    and 3 within a fixed bound of after wave 1."""
    if store == "sqlite":
        database = f"sqlite:///{tmp_path}/service.db"
        replicas = 1
    else:
        database, replicas = make_pg_schema().url, 2
    started = servers(replicas, database, env={"AFTERSALES_SCHEDULER_ENABLED": "false"})
    sheets = [f"load-{n:02d}" for n in range(SHEETS)]
    books = {sheet: sheet_workbook(tmp_path, n) for n, sheet in enumerate(sheets)}
    pristine = {sheet: sheet_workbook(tmp_path / "pristine", n) for n, sheet in enumerate(sheets)}
    with Store.open(database) as store:
        registry = SheetRegistry(store)
        for sheet in sheets:
            registry.add(sheet, kind="workbook", location=str(books[sheet]))
        keys = {sheet: registry.get(sheet).sheet_key for sheet in sheets}

    answers: list[Answer] = []
    resident: dict[int, list[int]] = {s.proc.pid: [] for s in started}
    for number in range(1, WAVES + 1):
        began = time.monotonic()
        got = asyncio.run(wave(started, sheets))
        took = time.monotonic() - began
        check_answers(got)
        answers += got
        for server in started:
            resident[server.proc.pid].append(resident_kib(server.proc.pid))
        statuses = Counter(a.status for a in got)
        runs = len({(a.sheet, a.body["run_id"]) for a in got if a.status == 200})
        joined = sum(1 for a in got if a.status == 200 and a.body["joined"])
        print(
            f"wave {number}: {len(got)} requests, statuses {dict(statuses)}, {runs} runs, "
            f"{joined} joined, server RSS (MiB) "
            f"{[round(r[-1] / 1024, 1) for r in resident.values()]}, {took:.1f} s"
        )
    for server in started:
        assert server.alive(), server.log_tail()
        assert "Traceback" not in server.log.read_text(errors="replace"), server.log_tail()

    with Store.open(database) as store:
        by_sheet: dict[str, list[RunRecord]] = defaultdict(list)
        for sheet in sheets:
            by_sheet[sheet] = store.list_runs(keys[sheet], limit=500)
    for sheet in sheets:
        check_runs(by_sheet[sheet], answers, sheet)
        assert by_sheet[sheet], f"{sheet}: no press was served"
        check_sheet(books[sheet], pristine[sheet])
    total = sum(len(runs) for runs in by_sheet.values())
    print(f"{WAVES * REQUESTS} requests, {total} distinct runs over {SHEETS} sheets")

    for sizes in resident.values():
        growth = max(sizes[1:]) - sizes[0]
        assert growth <= RSS_GROWTH_BOUND_KIB, (
            f"server RSS grew by {growth} KiB after wave 1 (KiB per wave: {sizes})"
        )
