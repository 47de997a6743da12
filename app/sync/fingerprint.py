"""Fingerprints for incremental evaluation: what tells, with a hash comparison, that a case's
inputs are what they were when its planning was cached. Pure.

A case's planning is reused when all of these are unchanged (app/sync/reuse.py):
- its row as read (`row_digest`): every cell of it, which of them are formulas, and its row
  number (the person's cells, and the service cells as they stand now, so a person overwriting
  or clearing one makes it differ and the cell is repaired; a sorted or moved row is planned
  again, Computed For and all);
- the store's memory of the case: its snapshot seq and its Timeline events' mark
  (`Store.case_marks`), which change whenever the snapshot or the events do;
- the sync's context version: a hash, made once per sync, of everything else the outputs depend
  on (every other tab the sheet has except the service's own outputs, the Cases tab's header
  row and formulas, the policy versions in force, the team, automation and notify settings,
  the schema version, the team language and the time zone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from hashlib import blake2b

import orjson

from app.sheets.backend import CellValue, TabData

__all__ = ["context_version", "row_digest"]

_SIZE = 16  # bytes: collisions among a sheet's cases are out of reach at 128 bits


# Dates and times go to `_typed` too: written natively they would digest like the text of their
# ISO form, which a person may type into a text cell.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def _typed(value: object) -> object:
    """A value orjson does not write natively (a workbook's dates, a timedelta), tagged with
    its type so it never digests like a text cell that happens to read the same."""
    return {"t": type(value).__name__, "r": repr(value)}


def row_digest(row: int, cells: Sequence[CellValue], formula_cols: Sequence[int] = ()) -> bytes:
    """The digest of one row as read: its number, its cells (each with its JSON type, so 1,
    1.0, True and "1" all differ) and the columns holding formulas. Neither backend gives NaN or
    infinities (JSON and xlsx have none), which orjson would write as null."""
    digest = blake2b(row.to_bytes(4, "little"), digest_size=_SIZE)
    try:
        digest.update(orjson.dumps(cells, default=_typed, option=_OPTIONS))
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: digest the tagged reprs
        digest.update(repr([(type(v).__name__, v) for v in cells]).encode())
    if formula_cols:
        digest.update(orjson.dumps(sorted(formula_cols)))
    return digest.digest()


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
