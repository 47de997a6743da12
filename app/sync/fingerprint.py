"""Case fingerprints for incremental evaluation: a hash of everything one case's outputs are
computed from, so a case whose fingerprint is unchanged (and whose validity horizon has not
passed) gives the same cells, events and notices as last time. Pure.

The fingerprint of a case covers
- its row as read, every column (the person's cells, and the service cells as they stand now,
  so a person overwriting or clearing one makes it differ and the cell is repaired), and the row
  number (a sorted or moved row is planned again, Computed For and all);
- the store's memory of the case: its snapshot (seq and values) and its Timeline events;
- the sync's context version: a hash, made once per sync, of everything else the outputs depend
  on (every other tab the sheet has except the service's own outputs, the Cases tab's header
  row and formulas, the policy versions in force, the team, automation and notify settings,
  the schema version, the team language and the time zone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from hashlib import blake2b

from app.sheets.backend import TabData
from app.store import CaseSnapshot, TimelineEvent
from app.sync.rows import SheetRow

__all__ = ["case_fingerprint", "context_version"]

_SIZE = 16  # bytes: collisions among a sheet's cases are out of reach at 128 bits


def context_version(
    tabs: Mapping[str, TabData],
    skipped_titles: Iterable[str],
    cases: TabData | None,
    configuration: Sequence[object],
) -> bytes:
    """One hash of the sheet's other tabs and of the configuration the outputs depend on.

    `skipped_titles`: the Cases tab (its rows are in each case's fingerprint) and the tabs the
    service writes from its own results (Timeline, Outbox, KPIs); `configuration`: objects with
    a deterministic repr (pydantic models, frozen dataclasses, strings)."""
    digest = blake2b(digest_size=_SIZE)
    skipped = set(skipped_titles)
    for title in sorted(tabs):
        if title in skipped:
            continue
        tab = tabs[title]
        digest.update(repr((title, tab.rows, sorted(tab.formulas))).encode())
    if cases is not None:
        header = cases.rows[0] if cases.rows else []
        digest.update(repr((cases.title, header, sorted(cases.formulas))).encode())
    for item in configuration:
        digest.update(repr(item).encode())
    return digest.digest()


def case_fingerprint(
    context: bytes,
    row: SheetRow,
    snapshot: CaseSnapshot | None,
    events: Sequence[TimelineEvent],
) -> bytes:
    """The fingerprint of one case row (see the module doc)."""
    digest = blake2b(context, digest_size=_SIZE)
    digest.update(repr((row.row, tuple(row.raw.items()))).encode())
    if snapshot is not None:
        digest.update(repr((snapshot.seq, tuple(snapshot.values.items()))).encode())
    digest.update(repr(tuple((e.event_key, e.at) for e in events)).encode())
    return digest.digest()
