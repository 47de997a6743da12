"""Checks, after the fact, that new Case IDs and Opened times landed on the intended rows.

The Sheets API has no conditional write: a person who sorts or inserts rows in the instant
between our read and our write moves rows under the cells we address by position. So new ids
are written alone, read back, and compared by each row's fingerprint (the person's other cells).
An id that landed on another row is taken back off it, restoring that row's original value as
first read; the intended row, still blank, gets its id on the next pass. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.sheets.backend import CellUpdate, CellValue
from app.sync.rows import SheetRow
from app.sync.values import same_value
from sheet_schema import HeaderMap, ParseContext

FILLED = ("case_id", "opened")


@dataclass(frozen=True, slots=True)
class Displaced:
    """A value of ours found on a row other than the one we meant."""

    row: int
    column: str
    wrote: CellValue
    restored: CellValue


def fingerprint(row: SheetRow, headers: HeaderMap) -> tuple[str, ...]:
    """What identifies a row besides the cells we fill: every other user-owned cell."""
    keys = sorted(s.key for s in headers.tab.user_columns if s.key not in FILLED)
    return tuple("" if row.raw.get(k) is None else str(row.raw.get(k)) for k in keys)


def check_fills(
    before: Sequence[SheetRow],
    after: Sequence[SheetRow],
    fills: Sequence[CellUpdate],
    headers: HeaderMap,
    ctx: ParseContext,
) -> tuple[list[CellUpdate], list[Displaced]]:
    """Restores for fills that landed on the wrong row, and what was found."""
    column_of = {i + 1: k for k, i in headers.positions.items()}
    before_by_row = {r.row: r for r in before}
    after_by_row = {r.row: r for r in after}
    originals: dict[tuple[str, ...], list[SheetRow]] = {}
    for row in before:
        originals.setdefault(fingerprint(row, headers), []).append(row)

    restores: list[CellUpdate] = []
    found: list[Displaced] = []
    for fill in fills:
        key = column_of.get(fill.col)
        intended = before_by_row.get(fill.row)
        landed = after_by_row.get(fill.row)
        if key not in FILLED or intended is None or landed is None:
            continue
        if fingerprint(landed, headers) == fingerprint(intended, headers):
            continue  # the row did not move under us
        # Another row sits where we wrote. Its original value is on its row as first read.
        matches = originals.get(fingerprint(landed, headers), [])
        original = matches[0].raw.get(key) if len(matches) == 1 else None
        if not same_value(headers.tab.column(key), landed.raw.get(key), fill.value, ctx):
            continue  # our value did not stick there (someone typed over it): leave it
        restores.append(CellUpdate(fill.tab, fill.row, fill.col, original, fill.number_format))
        found.append(Displaced(fill.row, key, fill.value, original))
    return restores, found
