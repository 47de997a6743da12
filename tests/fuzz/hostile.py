"""Hostile Cases tabs, as data, for fuzzing both sheet backends with Hypothesis.

A `HostileSheet` is what a careless, creative or malicious team could leave in a spreadsheet:
random and duplicated headers (with right-to-left text, control characters, 50,000 characters),
columns without a header, merged cells, formulas, the wrong type in every column, 50,000-character
cells, right-to-left and bidi-override text, NUL and other control characters. Each data cell
also carries what the generator knows about it: `BAD` cells are values their column can never
accept (a text in a date column, 6 in CSAT, ...), so the sync must name each of them in its
row's Validation cell. The tags come from how a value was drawn, not from the parser under
test. The model is backend-neutral; tests/fuzz/backends.py puts it into a workbook or a Google
spreadsheet on the emulator.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from sheet_schema import ColumnSpec, ColumnType, load_schema

CASES = load_schema().tab("cases")
USER_COLUMNS = CASES.user_columns
REQUIRED = tuple(c for c in USER_COLUMNS if c.required)
OPTIONAL = tuple(c for c in USER_COLUMNS if not c.required)
SERVICE_HEADERS = ("Validation", "Days Left", "Computed For", "Last Synced", "建议回复")
GOOGLE_MAX_CELL = 50_000  # the most characters a Google Sheets cell holds


class Tag(enum.Enum):
    GOOD = "good"  # a value its column accepts
    BAD = "bad"  # a value its column can never accept: must be named in Validation
    ANY = "any"  # depends on the backend or the parser (formulas, odd but legal text)


@dataclass(frozen=True)
class Formula:
    """A formula a person typed (the cell keeps the formula, shows what it computes)."""

    text: str


@dataclass(frozen=True)
class Cell:
    value: Any
    tag: Tag = Tag.ANY
    column: str | None = None  # the key of the column the value was drawn for


@dataclass
class HostileSheet:
    """One Cases tab. Rows and columns are 1-based; row 1 is the header row."""

    title: str
    headers: list[Any]
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1

    @property
    def width(self) -> int:
        return max([len(self.headers), *(len(r) for r in self.rows)])

    def bad_cells(self) -> list[tuple[int, int, Cell]]:
        """(row, col, cell) of every cell drawn as a value its column never accepts."""
        return [
            (r, c, cell)
            for r, row in enumerate(self.rows, start=2)
            for c, cell in enumerate(row, start=1)
            if cell.tag is Tag.BAD
        ]

    def __repr__(self) -> str:
        return f"HostileSheet({self.title!r}, {len(self.headers)} headers, {len(self.rows)} rows)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints examples this way; `describe` has detail

    def features(self) -> list[str]:
        """What is hostile about this sheet, for Hypothesis' statistics (`event`)."""
        cells = [c.value for row in self.rows for c in row]
        texts = [v for v in [*cells, *self.headers] if isinstance(v, str)]
        found = {
            "merged cells": bool(self.merges),
            "formulas": any(isinstance(v, Formula) for v in cells),
            "bad cells": bool(self.bad_cells()),
            "50,000 characters": any(len(t) >= GOOGLE_MAX_CELL for t in texts),
            "control characters": any(not t.isprintable() for t in texts),
            "right-to-left text": any(re.search("[\u0590-\u06ff\u200f\u202e]", t) for t in texts),
            "headerless data": any(len(row) > len(self.headers) for row in self.rows),
        }
        return [name for name, present in found.items() if present]

    def describe(self) -> str:
        """A short, printable summary for a failing example (values cut to 40 characters)."""

        def short(value: Any) -> str:
            text = repr(value)
            return text if len(text) <= 40 else f"{text[:37]}...({len(text)})"

        lines = [f"title={self.title!r} merges={self.merges}"]
        lines.append("headers: " + ", ".join(short(h) for h in self.headers))
        for r, row in enumerate(self.rows, start=2):
            cells = ", ".join(f"{short(c.value)}:{c.tag.value}" for c in row)
            lines.append(f"row {r}: {cells}")
        return "\n".join(lines)


# -- values ------------------------------------------------------------------------------------

HUGE = (
    "x" * GOOGLE_MAX_CELL,
    "长" * GOOGLE_MAX_CELL,
    ("שלום עולם مرحبا " * 4000)[:GOOGLE_MAX_CELL],
)
RTL = ("مرحبا بالعالم", "שלום", "\u202eevil\u202c", "\u200f\u200eמשהו", "ﷺ", "عربي 123")
CONTROL = ("a\x00b", "\x1b[31mred", "line\x0bvertical", "\x7f", "nul\x00")
ONLY_CONTROL = ("\x00", "\x01\x02\x03", " \x00\t")  # invisible: a blank cell to a person
INVISIBLE = ("\u200b", "\ufeff", "e\u0301" * 300)
FORMULA_TEXT = ("=SUM(A1:A9)", "=", "+cmd|' /C calc'!A0", "@SUM(1)", '=HYPERLINK("x","y")')
# Text no typed column accepts: not a date, number, yes/no or choice in any spelling.
HOSTILE_TEXT = (
    *RTL,
    *CONTROL,
    *INVISIBLE,
    *FORMULA_TEXT,
    "NaN",
    "-Infinity",
    "definitely not",
    "yesterday",
    "📦🚚",
)
FORMULAS = (
    Formula("=1+1"),
    Formula('=""'),
    Formula("=NOW()"),
    Formula("=1/0"),
    Formula('="AS-"&ROW()'),
    Formula("=NOSUCHFUNCTION(1)"),
    Formula("=A1"),
)
GOOD_MOMENTS = (datetime(2025, 10, 1), datetime(2025, 9, 28, 14, 30), "2025-10-02", "2025年10月3日")
BAD_MOMENTS = (True, False, "2025-02-30", "32/13/2025", 1e12, -5, datetime(1950, 1, 1), "tomorrow")


def _drawn(values: tuple[Any, ...], tag: Tag) -> st.SearchStrategy[Cell]:
    return st.sampled_from(values).map(lambda v: Cell(v, tag))


def _huge(tag: Tag) -> st.SearchStrategy[Cell]:
    return _drawn(HUGE, tag)


def _text(tag: Tag) -> st.SearchStrategy[Cell]:
    """Short random text, control characters and all; hostile text; now and then a huge cell."""
    generated = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
    return st.one_of(
        generated.map(lambda v: Cell(v, Tag.ANY)),  # might spell a date or a choice
        _drawn(HOSTILE_TEXT, tag),
        _huge(tag),
    )


def cells_for(spec: ColumnSpec) -> st.SearchStrategy[Cell]:
    """Every kind of value a person could leave in a cell of this column, tagged."""
    blank = _drawn((None, "", "   ", *ONLY_CONTROL), Tag.GOOD)
    formulas = _drawn(FORMULAS, Tag.ANY)
    anything = st.one_of(blank, formulas)
    kind = spec.type
    if kind in (ColumnType.TEXT, ColumnType.ID) or (kind is ColumnType.CHOICE and spec.free_choice):
        other_types = _drawn((42, 3.5, True, datetime(2025, 1, 2, 3, 4), -1e308), Tag.GOOD)
        huge = _huge(Tag.BAD if spec.max_length else Tag.GOOD)  # a Case ID has 100 at most
        generated = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
        hostile = st.one_of(generated.map(lambda v: Cell(v)), _drawn(HOSTILE_TEXT, Tag.GOOD))
        return st.one_of(anything, hostile, huge, other_types)
    hostile = _text(Tag.BAD)
    if kind is ColumnType.CHOICE:
        choices = tuple(c for c in spec.choices) + tuple(c.upper() for c in spec.choices)
        wrong = _drawn((42, True, datetime(2025, 1, 2), "P9", "Resolvedd"), Tag.BAD)
        return st.one_of(anything, _drawn(choices, Tag.GOOD), wrong, hostile)
    if kind in (ColumnType.DATE, ColumnType.DATETIME, ColumnType.DATE_OR_DATETIME):
        return st.one_of(
            anything, _drawn(GOOD_MOMENTS, Tag.GOOD), _drawn(BAD_MOMENTS, Tag.BAD), hostile
        )
    if kind is ColumnType.BOOL:
        good = ("Yes", "No", "是", True, False, 1, 0)
        wrong = ("maybe", 2, 0.5, datetime(2025, 1, 2), "yes please")
        return st.one_of(anything, _drawn(good, Tag.GOOD), _drawn(wrong, Tag.BAD), hostile)
    if kind is ColumnType.NUMBER:
        good = (128.5, "¥128.50", 0, 1e308, -3)
        wrong = ("abc", True, "12.5.3", "¥")  # (a date is a number in Google Sheets)
        return st.one_of(anything, _drawn(good, Tag.GOOD), _drawn(wrong, Tag.BAD), hostile)
    if kind is ColumnType.INTEGER:
        good = (1, 5, "3", 4.0)
        wrong = (0, 6, 4.5, "five", -1, True, 10**20)
        return st.one_of(anything, _drawn(good, Tag.GOOD), _drawn(wrong, Tag.BAD), hostile)
    raise AssertionError(f"no values for {spec.type}")  # pragma: no cover


# -- headers -----------------------------------------------------------------------------------


def _spellings(spec: ColumnSpec) -> list[str]:
    chinese = [a for a in spec.aliases if re.search(r"[\u4e00-\u9fff]", a)]
    return [spec.header, spec.header.upper(), f"  {spec.header.lower()} ", *chinese]


JUNK_HEADERS = (
    None,
    "",
    42,
    "Team Tag",
    "\u202eDI esaC",  # "Case ID" reversed behind a right-to-left override: not Case ID
    "ملاحظات",
    "הערות",
    "col\x00umn",
    "\x01\x02",
    "h" * GOOGLE_MAX_CELL,
    "=SUM(1,2)",
)


@st.composite
def junk_headers(draw: st.DrawFn) -> Any:
    generated = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
    return draw(st.one_of(st.sampled_from(JUNK_HEADERS), generated))


@st.composite
def hostile_sheets(draw: st.DrawFn, *, max_rows: int = 5) -> HostileSheet:
    """A Cases tab: mostly with every required header (so rows are read and checked), else a
    random header row (duplicates and missing columns: the sync must refuse it cleanly)."""
    title = draw(st.sampled_from(("Cases", "Cases", "案件", " cases ")))
    random_headers = draw(st.integers(0, 4)) == 0
    columns: list[ColumnSpec | None] = []
    headers: list[Any] = []
    if random_headers:
        spellings = [s for spec in USER_COLUMNS for s in _spellings(spec)]
        picks = draw(st.lists(st.one_of(st.sampled_from(spellings), junk_headers()), max_size=10))
        for pick in picks:
            spec = next((c for c in USER_COLUMNS if pick in _spellings(c)), None)
            columns.append(spec)
            headers.append(pick)
    else:
        optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=len(OPTIONAL)))
        known: list[ColumnSpec] = [*REQUIRED, *optional]
        named: list[tuple[ColumnSpec | None, Any]] = [
            (spec, draw(st.sampled_from(_spellings(spec)))) for spec in known
        ]
        named += [(None, draw(junk_headers())) for _ in range(draw(st.integers(0, 3)))]
        named += [(None, h) for h in draw(st.lists(st.sampled_from(SERVICE_HEADERS), max_size=2))]
        for spec, header in draw(st.permutations(named)):
            columns.append(spec)
            headers.append(header)
    headerless = draw(st.integers(0, 2))  # data in columns past the last header
    rows: list[list[Cell]] = []
    for _ in range(draw(st.integers(0, max_rows))):
        if draw(st.integers(0, 6)) == 0:
            rows.append([])  # a blank row between cases
            continue
        row = [
            draw(cells_for(spec)) if spec is not None else draw(_text(Tag.ANY)) for spec in columns
        ]
        row += [draw(_text(Tag.ANY)) for _ in range(headerless)]
        rows.append([Cell(c.value, c.tag, s.key if s else None) for c, s in _paired(row, columns)])
    sheet = HostileSheet(title=title, headers=headers, rows=rows)
    _merge(draw, sheet)
    return sheet


def _paired(row: list[Cell], columns: list[ColumnSpec | None]) -> list[tuple[Cell, Any]]:
    return [(cell, columns[i] if i < len(columns) else None) for i, cell in enumerate(row)]


def _merge(draw: st.DrawFn, sheet: HostileSheet) -> None:
    """Merge up to two rectangles anywhere (header row included). As in both office suites and
    Google Sheets, a merge keeps only its top-left value: the others become blank."""
    height, width = len(sheet.rows) + 1, sheet.width
    if height < 1 or width < 1:
        return
    taken: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(0, 2))):
        r0, c0 = draw(st.integers(1, height)), draw(st.integers(1, width))
        r1 = min(height, r0 + draw(st.integers(0, 2)))
        c1 = min(width, c0 + draw(st.integers(0, 2)))
        area = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if len(area) < 2 or area & taken:
            continue
        taken |= area
        sheet.merges.append((r0, c0, r1, c1))
        for r, c in area - {(r0, c0)}:
            _clear(sheet, r, c)


def _clear(sheet: HostileSheet, row: int, col: int) -> None:
    if row == 1:
        if col <= len(sheet.headers):
            sheet.headers[col - 1] = None
        return
    cells = sheet.rows[row - 2]
    if col <= len(cells):
        cells[col - 1] = Cell(None, Tag.GOOD, cells[col - 1].column)
