"""Playing the story to the end on one side, and judging a crashed side against the control.

Why these observations: the issue's promise is that after a kill at any step and one more sync
the sheet is what an uninterrupted sync makes, no Timeline entry is duplicated or lost (in the
tab and in the store), no notification is lost (one is repeated only when the kill fell between
sending it and recording the send, and then with the same idempotency key), and undo still
works. Run ids and idempotency keys differ between two stores and two sheet locations, so the
comparison blanks the Timeline's Run column and names messages by what they say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from app.notify.messages import OutboxRecord
from app.notify.outbox import Outbox
from app.probe import CLAIMED, FILE_STAGED, PLANNED, READ, SENT, WROTE_IDS
from app.store import RunRecord
from tests.crash.harness import Peers, kill
from tests.crash.scenario import LATER, Side, Tabs
from tests.workbooks import NOW

# A message as a person tells it apart (the key's digest includes the sheet's location).
Identity = tuple[str, str | None, str, str, str, str]
DELIVERY_STEPS = (CLAIMED, SENT)
BEFORE_WRITE = (READ, PLANNED, FILE_STAGED)
# The Outbox tab mirrors the outbox as the sync read it (one sync behind): checked on its own.
MIRROR = "Outbox"


@dataclass(frozen=True)
class Played:
    """One side after the sync under test (plus, for a crash, the sync that repairs it) and a
    delivery pass past the lease."""

    baseline_run: int
    runs: list[RunRecord]  # the runs since the first sync, oldest first
    tabs: Tabs  # every tab but the Outbox mirror, the Timeline's Run column blanked
    timeline: list[tuple[str, Any]]  # (Event ID, Run) of each Timeline row
    stored: list[tuple[str, str, str, str, str]]  # the store's timeline
    outbox: dict[str, OutboxRecord]  # by idempotency key
    mirrored: list[str]  # the Outbox tab's idempotency keys, top to bottom
    received: list[str]  # idempotency keys the receivers accepted (a repeat twice)
    heard_before_kill: list[str]
    cases_at_kill: tuple[list[list[Any]], list[list[Any]]]  # the Cases tab before, after
    cases: list[list[Any]]  # the Cases tab after the sync (as `cases_at_kill`, `undone` read it)
    undone: list[list[Any]]  # the Cases tab once the sync's runs are undone, newest first

    def delivered(self) -> Counter[Identity]:
        return Counter(identity(self.outbox[key]) for key in self.received)


# The `control` fixture: the control of a backend, played by the given function once.
Control = Callable[[str, Callable[[], Played]], Played]


def identity(record: OutboxRecord) -> Identity:
    return (record.kind, record.case_id, record.channel, record.target, record.title, record.text)


def play(side: Side, peers: Peers, kill_at: str | None = None, occurrence: int = 1) -> Played:
    """Sync at NOW (killed at `kill_at`, then synced again), deliver at LATER, undo it all;
    the side is finished afterwards (its store closed)."""
    baseline = side.runs()[-1].id
    heard: list[str] = []
    before = after = side.read_cases()
    if kill_at is not None:
        kill(side.job(kill_at, occurrence), side.folder / "child.log")
        heard = peers.received()
        after = side.read_cases()
    side.sync_and_deliver(NOW)
    side.deliver(LATER)
    tabs = side.read_tabs()
    runs = [r for r in side.runs() if r.id > baseline]
    store = side.runtime.store
    records = Outbox(store.engine).records(side.runtime.sheet_key)
    played = Played(
        baseline_run=baseline,
        runs=runs,
        tabs={t: _blank_runs(t, rows) for t, rows in tabs.items() if t != MIRROR},
        timeline=_column_pairs(tabs["Timeline"], "Event ID", "Run"),
        stored=sorted(
            (e.event_key, e.case_id, e.kind, e.at.isoformat(), e.detail)
            for e in store.timeline(side.runtime.sheet_key)
        ),
        outbox={r.idempotency_key: r for r in records},
        mirrored=[key for key, _ in _column_pairs(tabs[MIRROR], "Idempotency Key", "Kind")],
        received=peers.received(),
        heard_before_kill=heard,
        cases_at_kill=(before, after),
        cases=side.read_cases(),
        undone=[],
    )
    for n, run in enumerate(reversed(runs), start=1):
        if store.cell_writes(run.id):  # a run that wrote nothing has nothing to undo
            side.runtime.undo(run.id, LATER + timedelta(minutes=n))
    undone = side.read_cases()
    store.close()
    return replace(played, undone=undone)


def assert_repaired(got: Played, control: Played, step: str) -> None:
    """Everything the issue promises after a kill at `step` and one more sync."""
    # The kill fell where it was meant to: before the write, between the id and service
    # writes, or after the write.
    before, after = got.cases_at_kill
    if step in BEFORE_WRITE:
        assert after == before
    elif step == WROTE_IDS:
        assert after != before and after != got.cases
    else:
        assert after == got.cases  # the write was complete: the next sync changed no case

    # The sheet is what the uninterrupted sync made.
    for title, rows in control.tabs.items():
        assert got.tabs.get(title) == rows, f"the {title} tab differs from the control's"
    assert got.tabs.keys() == control.tabs.keys()

    # No Timeline entry duplicated or lost, in the tab or the store; new rows name this sync.
    ids = [event_id for event_id, _ in got.timeline]
    assert len(ids) == len(set(ids)), "a Timeline entry was written twice"
    assert ids == [event_id for event_id, _ in control.timeline]
    assert got.stored == control.stored
    assert {key for key, *_ in got.stored} == set(ids)
    this_sync = {run.id for run in got.runs}
    new_rows = [run for _, run in got.timeline if run != got.baseline_run]
    assert new_rows and set(new_rows) <= this_sync

    # No notification lost; a repeat only for a kill between sending and recording the send,
    # and then the very message sent before the kill, with the same idempotency key.
    expected = control.delivered()
    repeats = [key for key, n in Counter(got.received).items() if n > 1]
    if step == SENT:
        assert len(repeats) == 1 and repeats == got.heard_before_kill
        expected[identity(got.outbox[repeats[0]])] += 1
    else:
        assert repeats == []
    assert got.delivered() == expected
    assert {r.status for r in got.outbox.values()} == {"sent"}
    assert len(got.mirrored) == len(set(got.mirrored)) and set(got.mirrored) <= set(got.outbox)
    shown = {identity(got.outbox[key]) for key in got.mirrored}
    assert shown >= {identity(control.outbox[key]) for key in control.mirrored}

    # The killed run is closed (not left "running"), the repairing run succeeded.
    killed, *repairing = got.runs
    assert killed.outcome == ("ok" if step in DELIVERY_STEPS else "interrupted")
    assert repairing and all(run.outcome in ("ok", "nothing_to_do") for run in repairing)

    # Undo still works: undoing this sync's runs, newest first, puts the Cases tab back as it
    # was before the sync, as undoing the uninterrupted run does.
    assert got.undone == got.cases_at_kill[0]
    assert got.undone == control.undone


def _blank_runs(title: str, rows: list[list[Any]]) -> list[list[Any]]:
    """The Timeline's Run column blanked: run ids are per store."""
    if title != "Timeline" or not rows:
        return rows
    col = rows[0].index("Run")
    return [rows[0], *([*r[:col], None, *r[col + 1 :]] if len(r) > col else r for r in rows[1:])]


def _column_pairs(rows: list[list[Any]], first: str, second: str) -> list[tuple[Any, Any]]:
    if not rows:
        return []
    a, b = rows[0].index(first), rows[0].index(second)
    return [
        (row[a] if len(row) > a else None, row[b] if len(row) > b else None) for row in rows[1:]
    ]
