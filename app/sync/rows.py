"""Turns a tab's raw grid into typed rows, each with the problems found in its cells.

Pure: the grid and the header map come in, typed rows go out. Every unusable cell becomes a
`CellIssue` naming the tab, the row, the column and the value, so the person can find and fix it.
A formula that gives nothing in a required column is such a cell: it looks blank, but it is a
person's, so the service must neither take it for missing nor fill it (a new Case ID, say).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.sheets.backend import CellValue, TabData, column_letter
from app.sync.packed_cells import CellsView, RowValues
from sheet_schema import (
    ColumnType,
    HeaderMap,
    ParseContext,
    Parsed,
    ParsedValue,
    is_blank,
    parse_cell,
)
from sheet_schema.cells import cell_problem
from sheet_schema.column_names import column_name
from sheet_schema.messages import text
from sheet_schema.models import ColumnSpec
from sheet_schema.vocabulary import UNKNOWN_WORD

EMPTY_FORMULA = cell_problem("cell.empty_formula", "parse.empty_formula")


@dataclass(frozen=True, slots=True)
class CellIssue:
    """A problem with one cell, phrased for the person who typed it."""

    tab: str
    row: int  # 1-based sheet row
    column: str  # column key
    header: str
    col: int  # 1-based column
    value: CellValue
    message: str
    severity: str  # "error" | "warning"
    code: str
    message_zh: str = ""
    spec: ColumnSpec | None = None  # the column, for its name in the team's language

    @property
    def a1(self) -> str:
        return f"{column_letter(self.col)}{self.row}"

    def describe(self, language: str = "en") -> str:
        """'Window Start (blank) (Cases!E2): ...', in the team's language."""
        zh = language == "zh"
        header = column_name(self.spec, language) if self.spec is not None else self.header
        return text(
            "parse.cell",
            language,
            header=header,
            value=show_value(self.value, language),
            cell=f"{self.tab}!{self.a1}",
            message=self.message_zh if zh and self.message_zh else self.message,
        )


@dataclass(slots=True)
class SheetRow:
    """One data row of a tab: raw cells by column key, parsed user values, problems. A row the
    incremental cache keeps has its values packed (read only: app/sync/packed_cells.py) and
    no cells (app/sync/reuse.py, `slim_row`)."""

    row: int  # 1-based sheet row
    raw: Mapping[str, CellValue]  # the cells as read (never written: a view, or packed)
    values: MutableMapping[str, ParsedValue]
    # Its cells' problems; most rows have none, and share the empty tuple (a list each was
    # 56 bytes a row, kept for every case the incremental cache holds).
    issues: Sequence[CellIssue] = ()
    # The row as read (app/sync/fingerprint.py), when incremental evaluation digested it.
    digest: bytes = b""

    def has_issue(self, key: str) -> bool:
        """Whether the cell of column `key` could not be read (it has a named problem)."""
        return any(i.column == key for i in self.issues)

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) and value else None


# What a cell of these types parses to repeats down a sheet (a status, a platform, a Yes, a
# date): `parse_row` given a memo parses each distinct cell of them once per read. Free text
# and ids are mostly distinct cells, which the memo would only hold.
_REPEATING = frozenset(ColumnType) - {ColumnType.TEXT, ColumnType.ID}
ParseMemo = dict[tuple[str, type, CellValue], Parsed]  # (column key, cell type, cell): parsed


def parse_rows(data: TabData | None, headers: HeaderMap, ctx: ParseContext) -> list[SheetRow]:
    """Parse every non-blank data row of a tab. Rows whose user cells are all blank are
    returned with `values` empty so callers can tidy their service cells."""
    if data is None:
        return []
    reading = RowReading.of(data, headers)
    memo: ParseMemo = {}
    return [parse_row(reading, index, ctx, memo) for index in range(1, len(data.rows))]


@dataclass(frozen=True, slots=True)
class RowReading:
    """What parsing one row of a tab needs besides the row: where the columns are."""

    data: TabData
    headers: HeaderMap
    present: list[ColumnSpec]
    value_index: Mapping[str, int]  # where each of `present` sits in a row's values
    repeating: frozenset[str]  # the keys of `present` whose parse a memo keeps

    @classmethod
    def of(cls, data: TabData, headers: HeaderMap) -> RowReading:
        present = [spec for spec in headers.tab.user_columns if spec.key in headers.positions]
        repeating = frozenset(spec.key for spec in present if spec.type in _REPEATING)
        index = {spec.key: i for i, spec in enumerate(present)}
        return cls(data, headers, present, index, repeating)

    def cells(self, index: int) -> CellsView[CellValue]:
        """Data row `index`'s cells as read, by column key (a view: no copy)."""
        return CellsView(self.headers.positions, self.data.rows[index])


def parse_row(
    reading: RowReading, index: int, ctx: ParseContext, memo: ParseMemo | None = None
) -> SheetRow:
    """Parse data row `index` (0-based, like `TabData.rows`) of a tab. `memo`: the parses of
    the read's repeating cells so far (`ParseMemo`), kept by the caller for the whole read."""
    headers, formulas = reading.headers, reading.data.formulas
    repeating = reading.repeating if memo is not None else frozenset()
    raw = reading.cells(index)
    row = SheetRow(row=index + 1, raw=raw, values={})
    if all(is_blank(raw[spec.key]) for spec in reading.present):
        return row
    values: list[ParsedValue] = []
    row.values = RowValues(reading.value_index, values)
    issues: list[CellIssue] = []
    for spec in reading.present:
        value = raw[spec.key]
        if (value is None or value == "") and not spec.required:
            values.append(None)  # a blank optional cell: most of a row (`parse_cell` says so)
            continue
        if spec.key not in repeating or (type(value) is float and not value):  # -0.0 == 0.0
            parsed = parse_cell(spec, value, ctx)
        else:
            assert memo is not None
            kept = (spec.key, type(value), value)  # typed: True == 1 == 1.0
            found = memo.get(kept)
            if found is None:
                found = memo[kept] = parse_cell(spec, value, ctx)
            parsed = found
        blank = parsed.value is None and parsed.problem is None
        if blank and spec.required and (index, headers.positions[spec.key]) in formulas:
            parsed = Parsed(None, EMPTY_FORMULA)
        values.append(parsed.value)
        if parsed.problem is not None:
            issues.append(
                CellIssue(
                    tab=headers.title,
                    row=index + 1,
                    column=spec.key,
                    header=spec.header,
                    col=headers.positions[spec.key] + 1,
                    value=value,
                    message=parsed.problem.message,
                    severity=_severity(spec.required, parsed.problem.code),
                    code=parsed.problem.code,
                    message_zh=parsed.problem.message_zh,
                    spec=spec,
                )
            )
    if issues:
        row.issues = issues
    return row


def _severity(required: bool, code: str) -> str:
    # A word the service does not know blanks only what depends on it (the row is computed with
    # the column treated as blank), so it is a warning even in a required column.
    return "error" if required and code != UNKNOWN_WORD else "warning"


def show_value(value: object, language: str = "en") -> str:
    """A cell value quoted for a message: short, and dates as a person would type them."""
    if value is None or value == "":
        return text("parse.blank", language)
    if isinstance(value, datetime):
        shown = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = str(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"'{shown}'"
