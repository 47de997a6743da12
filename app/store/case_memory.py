"""The store's memory of each case: its snapshot (what the service last saw of the case) and its
Timeline events (exactly once each), with the marks that tell a sync whether either changed
without reading them, and `record_sync`, which stores a sync's cell writes, snapshots and events
in one transaction. A part of `Store` (app/store/repository.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from app.store import cell_log
from app.store import operations as ops
from app.store.base import Repository
from app.store.records import CaseMarks, CaseSnapshot, PlannedWrite, TimelineEvent


class CaseMemoryRepository(Repository):
    """Snapshots, Timeline events and the sync's record of both."""

    def load_snapshots(
        self, sheet_key: str, case_ids: Collection[str] | None = None
    ) -> dict[str, CaseSnapshot]:
        """The last saved snapshot of every case of the sheet (or of `case_ids`), by case id."""
        with self._read_session(f"loading case snapshots of sheet {sheet_key!r}") as session:
            return ops.load_snapshots(session, sheet_key, case_ids)

    def case_marks(self, sheet_key: str) -> CaseMarks:
        """What tells, without reading them, whether a case's snapshot or Timeline changed:
        each case's snapshot seq and its events' (count, greatest id). One read transaction."""
        with self._read_session(f"reading the case marks of sheet {sheet_key!r}") as session:
            return CaseMarks(
                ops.snapshot_seqs(session, sheet_key), ops.event_marks(session, sheet_key)
            )

    def save_snapshots(
        self, sheet_key: str, run_id: int, snapshots: Sequence[CaseSnapshot]
    ) -> None:
        """Upsert snapshots by (sheet_key, case_id); see `CaseSnapshot.seq` for the check."""
        with self._write_session(f"saving case snapshots of sheet {sheet_key!r}") as session:
            ops.require_run(session, run_id, sheet_key)
            ops.save_snapshots(session, sheet_key, run_id, snapshots)

    def add_timeline_events(
        self, sheet_key: str, run_id: int, events: Sequence[TimelineEvent]
    ) -> list[TimelineEvent]:
        """Insert events exactly once by (sheet_key, event_key); return only the new ones."""
        with self._write_session(f"adding timeline events of sheet {sheet_key!r}") as session:
            ops.require_run(session, run_id, sheet_key)
            return ops.insert_events(session, sheet_key, run_id, events)

    def timeline(self, sheet_key: str, case_id: str | None = None) -> list[TimelineEvent]:
        """The sheet's timeline (or one case's), oldest first."""
        with self._read_session(f"reading the timeline of sheet {sheet_key!r}") as session:
            return ops.load_events(session, sheet_key, None if case_id is None else [case_id])

    def timelines(self, sheet_key: str, case_ids: Collection[str]) -> list[TimelineEvent]:
        """The timelines of `case_ids`, oldest first."""
        with self._read_session(f"reading the timeline of sheet {sheet_key!r}") as session:
            return ops.load_events(session, sheet_key, case_ids)

    def record_sync(
        self,
        sheet_key: str,
        run_id: int,
        snapshots: Sequence[CaseSnapshot],
        events: Sequence[TimelineEvent],
        writes: Sequence[PlannedWrite],
    ) -> list[TimelineEvent]:
        """Store what a sync did in ONE transaction: cell writes, snapshots, timeline events.

        Either all of it is saved or, on any error, none. Returns the newly inserted events.
        """
        with self._write_session(f"recording sync run {run_id} of sheet {sheet_key!r}") as session:
            ops.require_run(session, run_id, sheet_key)
            cell_log.insert_cell_writes(session, run_id, writes)
            ops.save_snapshots(session, sheet_key, run_id, snapshots)
            return ops.insert_events(session, sheet_key, run_id, events)
