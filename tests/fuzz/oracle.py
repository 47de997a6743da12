"""What a sync of a hostile sheet may and must do, checked on the Cases tab before and after.

The rules, whatever the sheet holds:
- the sync either refuses the sheet with a `SheetContractError` (exactly when the header row
  breaks the contract: a required header missing, two headers for one column) and then nothing
  in the spreadsheet changed, or it runs;
- when it runs, the only cells that changed are service-owned cells (a column whose header is a
  service column, or one the sync appended after every used column) and blank Case ID / Opened
  cells it filled. Blank as the backend sees it: Google's values API gives what a formula
  computes, so a formula that computes nothing looks blank there (the workbook backend sees
  the formula itself and leaves it alone);
- every cell holding a value its column can never accept is named (by tab and A1 reference) in
  its row's Validation cell.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from sheet_schema import HeaderMap, Owner, is_blank, match_headers
from tests.fuzz.backends import Grid
from tests.fuzz.hostile import CASES, HostileSheet

FILLABLE = ("case_id", "opened")


def header_row(grid: Grid) -> list[Any]:
    width = max((c for r, c in grid if r == 1), default=0)
    return [grid.get((1, c)) for c in range(1, width + 1)]


def header_map(title: str, grid: Grid) -> HeaderMap:
    """The contract's reading of a tab's header row (as the backend returned it)."""
    return match_headers(CASES, title, header_row(grid))


def used_width(grid: Grid) -> int:
    return max((c for _, c in grid), default=0)


def changed_cells(before: Grid, after: Grid) -> list[tuple[int, int]]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def check_refused(error: BaseException, before: Grid, after: Grid, writes: int) -> None:
    """A refused sheet: a typed contract error that says nothing was written, and it wasn't."""
    assert "Nothing was written" in str(error), str(error)
    assert after == before, (
        f"cells changed although the sync refused: {changed_cells(before, after)}"
    )
    assert writes == 0, f"{writes} write request(s) although the sync refused"


def check_synced(
    sheet: HostileSheet, title: str, before: Grid, after: Grid, seen: Grid | None = None
) -> None:
    """`seen`: the cells as the backend reads them (default: `before`, formulas as formulas)."""
    seen = before if seen is None else seen
    headers = header_map(title, before)
    width = used_width(before)
    service = {
        i + 1 for key, i in headers.positions.items() if CASES.column(key).owner is Owner.SERVICE
    }
    fillable = {headers.positions[k] + 1 for k in FILLABLE if k in headers.positions}
    wrong = []
    for row, col in changed_cells(before, after):
        was, now = before.get((row, col)), after.get((row, col))
        if col > width or col in service:
            continue  # a service column (kept or appended past every used column)
        if row > 1 and col in fillable and is_blank(seen.get((row, col))) and not is_blank(now):
            continue  # a blank Case ID or Opened filled
        wrong.append(f"{get_column_letter(col)}{row}: {_short(was)} -> {_short(now)}")
    assert not wrong, "cells the service does not own were changed:\n" + "\n".join(wrong)

    validation = header_map(title, after).positions.get("validation")
    assert validation is not None, "no Validation column after the sync"
    missing = []
    for row, col, cell in sheet.bad_cells():
        if cell.column is None or headers.positions.get(cell.column) != col - 1:
            continue  # not under the header it was drawn for (a merged or duplicate header)
        ref = f"({title}!{get_column_letter(col)}{row})"
        text = str(after.get((row, validation + 1)) or "")
        if ref not in text:
            missing.append(f"{ref} holding {_short(cell.value)}: Validation says {_short(text)}")
    assert not missing, "bad cells not named in their Validation cell:\n" + "\n".join(missing)


def book_changes(before: dict[str, Grid], after: dict[str, Grid]) -> list[str]:
    """Every cell that differs between two readings of a spreadsheet, for a message."""
    out = []
    for title in sorted(before.keys() | after.keys()):
        was, now = before.get(title, {}), after.get(title, {})
        for row, col in changed_cells(was, now):
            cell = f"{title}!{get_column_letter(col)}{row}"
            out.append(f"{cell}: {_short(was.get((row, col)))} -> {_short(now.get((row, col)))}")
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}...({len(text)} chars)"
