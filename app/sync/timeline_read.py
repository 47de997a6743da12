"""How a sync reads the Timeline. Pure.

A sync reads the Timeline for two things only: which events it holds (their Event IDs) and
where it ends (it is append-only). So the rows it holds are cut after their Event ID, and the
next sync reads the tab narrowed (`SheetBackend.read`'s `narrow`): its header row whole and,
below it, only the columns through the Event ID and the team's own columns. The header row it
was worked out from is kept with it; a different header row (moved columns) sends the sync
back to a whole read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.sheets.backend import CellUpdate, SheetData
from app.sync.reuse import NarrowRead
from sheet_schema import HeaderMap, is_blank

__all__ = ["keep_event_ids_only", "narrow_after", "narrow_read_holds", "narrowed_reads"]


def keep_event_ids_only(data: SheetData, title: str, headers: HeaderMap) -> None:
    """Cut the Timeline's rows, as read, after their Event ID: a sync reads that tab for which
    events it holds and where it ends (it is append-only), never for the rest of a row, and a
    tab of 137,000 rows at 50,000 cases was held whole through every sync. Every row stays, so
    the tab still ends where it did."""
    tab = data.tabs.get(title)
    index = headers.positions.get("event_id")
    if tab is None or index is None or len(tab.rows) < 2:
        return
    keep = index + 1
    tab.rows[1:] = [row[:keep] if len(row) > keep else row for row in tab.rows[1:]]


def narrowed_reads(data: SheetData, title: str, headers: HeaderMap) -> dict[str, NarrowRead]:
    """How the next sync may read the Timeline: its header row whole, and below it only the
    columns through its Event ID and any column of the team's own (a row holding a note there
    is still part of the tab: the next event goes below it). Nothing when it has no Event ID
    column. At 10,000 cases the Timeline was 40% of a quiet press's read."""
    tab = data.tabs.get(title)
    index = headers.positions.get("event_id")
    if tab is None or not tab.rows or index is None:
        return {}
    header = tab.rows[0]
    ours = set(headers.positions.values())
    team = [i for i, cell in enumerate(header) if i not in ours and not is_blank(cell)]
    return {title: NarrowRead(max([index, *team]) + 1, tuple(header))}


def narrow_after(
    narrow: Mapping[str, NarrowRead], header_writes: Sequence[CellUpdate]
) -> dict[str, NarrowRead]:
    """`narrow` with the header cells this sync writes (a team language's headers) as they
    will read: else the next press would find its header changed and read the sheet twice."""
    after = dict(narrow)
    for cell in header_writes:
        known = after.get(cell.tab)
        if known is None or cell.row != 1:
            continue
        header = list(known.header) + [None] * max(0, cell.col - len(known.header))
        header[cell.col - 1] = cell.value
        after[cell.tab] = known._replace(header=tuple(header))
    return after


def narrow_read_holds(data: SheetData, narrowed: Mapping[str, NarrowRead]) -> bool:
    """Whether each tab read narrowed still has the header row it had (so its columns are
    where they were): else the sync reads the sheet again, whole."""
    for title, narrow in narrowed.items():
        tab = data.tabs.get(title)
        if tab is not None and tuple(tab.rows[0] if tab.rows else ()) != narrow.header:
            return False
    return True
