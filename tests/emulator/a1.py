"""A1 notation: parsing ranges (quoted sheet names, open-ended and whole rows/columns),
formatting them back the way Google does, and column letters."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COLUMNS = 18278  # ZZZ
MAX_ROWS = 10_000_000

_REF_RE = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)([0-9]+)?$")
_SIMPLE_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE_RE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_LIKE_RE = re.compile(r"^[Rr][0-9]*[Cc][0-9]*$")
_R1C1_RE = re.compile(r"^[Rr]([0-9]+)[Cc]([0-9]+)$")


def col_letters(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


@dataclass(frozen=True)
class Bounds:
    """A rectangle in 0-based indexes, end exclusive; None means unbounded."""

    start_row: int
    start_col: int
    end_row: int | None
    end_col: int | None

    def clip(self, rows: int, cols: int) -> Bounds:
        """Bound open ends by the grid size (never beyond it)."""
        er = rows if self.end_row is None else min(self.end_row, rows)
        ec = cols if self.end_col is None else min(self.end_col, cols)
        return Bounds(self.start_row, self.start_col, er, ec)


@dataclass(frozen=True)
class RangeRef:
    """A parsed range: the sheet part (if any) and either A1 bounds or a name."""

    sheet: str | None
    bounds: Bounds | None
    name: str | None = None


def _parse_ref(text: str) -> tuple[int | None, int | None] | None:
    """'A1' -> (row, col); 'A' -> (None, col); '5' -> (row, None)."""
    m = _REF_RE.match(text)
    if not m or (m.group(2) is None and m.group(4) is None):
        return None
    if m.group(3) and m.group(2) is None:
        return None
    col = col_index(m.group(2)) if m.group(2) else None
    row = int(m.group(4)) - 1 if m.group(4) else None
    if row is not None and row < 0:
        return None
    if col is not None and col >= MAX_COLUMNS:
        return None
    return row, col


def parse_bounds(text: str) -> Bounds | None:
    """Parse the cell part of an A1 range ('A1', 'A1:B2', 'A:C', '2:5', 'A2:C', 'R1C1')."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 2:
        return None
    if len(parts) == 1:
        r1c1 = _R1C1_RE.match(text)
        if r1c1:
            row, col = int(r1c1.group(1)) - 1, int(r1c1.group(2)) - 1
            return Bounds(row, col, row + 1, col + 1) if row >= 0 and col >= 0 else None
        ref = _parse_ref(text)
        if ref is None or ref[0] is None or ref[1] is None:
            return None
        return Bounds(ref[0], ref[1], ref[0] + 1, ref[1] + 1)
    r1c1a, r1c1b = _R1C1_RE.match(parts[0]), _R1C1_RE.match(parts[1])
    if r1c1a and r1c1b:
        rows = sorted((int(r1c1a.group(1)) - 1, int(r1c1b.group(1)) - 1))
        cols = sorted((int(r1c1a.group(2)) - 1, int(r1c1b.group(2)) - 1))
        return Bounds(rows[0], cols[0], rows[1] + 1, cols[1] + 1)
    a, b = _parse_ref(parts[0]), _parse_ref(parts[1])
    if a is None or b is None:
        return None
    (ar, ac), (br, bc) = a, b
    # whole columns / whole rows must be paired with their own kind or a cell
    if (ar is None and bc is None) or (ac is None and br is None):
        return None
    rows = [x for x in (ar, br) if x is not None]
    cols = [x for x in (ac, bc) if x is not None]
    if ar is not None and br is not None:
        r0, r1 = min(rows), max(rows) + 1
    elif br is not None:  # 'A:C5' style: rows from the top
        r0, r1 = 0, br + 1
    else:
        r0, r1 = (ar or 0), None
    if ac is not None and bc is not None:
        c0, c1 = min(cols), max(cols) + 1
    elif bc is not None:
        c0, c1 = 0, bc + 1
    else:
        c0, c1 = (ac or 0), None
    return Bounds(r0, c0, r1, c1)


def split_sheet(text: str) -> tuple[str | None, str] | None:
    """Split "'My ''Tab'''!A1:B2" into ("My 'Tab'", "A1:B2"); no '!' gives (None, text).

    Returns None when a quoted sheet name is malformed."""
    if text.startswith("'"):
        i, name = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(name), ""
                if rest.startswith("!"):
                    return "".join(name), rest[1:]
                return None
            name.append(ch)
            i += 1
        return None
    if "!" in text:
        sheet, _, rest = text.partition("!")
        return sheet, rest
    return None, text


def parse_range(text: str) -> RangeRef | None:
    """Parse a range as sent to the API. The caller resolves names against the spreadsheet:

    * ``Sheet!A1:B2`` -> sheet + bounds; ``Sheet!Name`` -> sheet + named range
    * ``'Sheet'`` -> whole sheet (bounds None, name None)
    * ``A1:B2`` -> first sheet; ``Name`` -> sheet title or named range (name set)."""
    split = split_sheet(text)
    if split is None:
        return None
    sheet, rest = split
    if sheet is not None:
        if rest == "":
            return RangeRef(sheet, None)
        bounds = parse_bounds(rest)
        if bounds is not None:
            return RangeRef(sheet, bounds)
        return RangeRef(sheet, None, name=rest)
    bounds = parse_bounds(rest)
    if bounds is not None:
        return RangeRef(None, bounds)
    return RangeRef(None, None, name=rest)


def quote_sheet(title: str) -> str:
    """Quote a sheet title for A1 output when Google would."""
    if (
        _SIMPLE_NAME_RE.match(title)
        and not _CELL_LIKE_RE.match(title)
        and not _R1C1_LIKE_RE.match(title)
        and title.upper() not in ("TRUE", "FALSE")
    ):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_a1(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def format_range(title: str, start_row: int, start_col: int, end_row: int, end_col: int) -> str:
    """'Sheet1!A1:B2' for 0-based exclusive bounds; a single cell prints as 'Sheet1!A1'."""
    first = cell_a1(start_row, start_col)
    last = cell_a1(max(end_row - 1, start_row), max(end_col - 1, start_col))
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_sheet(title)}!{cells}"
