"""The store's memory of the cases a sync plans (snapshots and Timeline events), loaded a chunk
of cases at a time as the planner reaches them.

Why: a press that plans every case (the one after a first fill, the first after midnight, the
nightly recalculation) loaded the memory of every case before planning the first: 39 MB at
10,000 cases (snapshots, events and the driver's rows), 200 MB at 50,000, held to the end of
the sync. Loaded per chunk, and measured for the KPIs as each chunk is planned (app/sync/kpis.py,
`CaseMeasurer`), a chunk's memory is let go before the next is loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from app.store import CaseMarks, CaseSnapshot, Store, TimelineEvent

__all__ = ["StoredMemory"]


@dataclass(frozen=True, slots=True)
class StoredMemory:
    """One sheet's stored case memory, asked for by case ids (the planner's CaseMemorySource).
    Only the cases the store's marks name are looked up: a first fill asks for nothing."""

    store: Store
    sheet_key: str
    marks: CaseMarks

    @property
    def known_ids(self) -> frozenset[str]:
        """Every case id the store has a snapshot of (new ids are allocated around them)."""
        return frozenset(self.marks.snapshot_seqs)

    def load(
        self, case_ids: Sequence[str]
    ) -> tuple[dict[str, CaseSnapshot], dict[str, list[TimelineEvent]]]:
        """The snapshots and Timeline events (oldest first) of `case_ids`, by case id."""
        seqs, events = self.marks.snapshot_seqs, self.marks.event_marks
        unique = dict.fromkeys(case_ids)
        with_snapshot = [c for c in unique if c in seqs]
        with_events = [c for c in unique if c in events]
        snapshots = {}
        if with_snapshot:
            snapshots = self.store.load_snapshots(self.sheet_key, with_snapshot)
        by_case: defaultdict[str, list[TimelineEvent]] = defaultdict(list)
        if with_events:
            for event in self.store.timelines(self.sheet_key, with_events):
                by_case[event.case_id].append(event)
        return snapshots, by_case
