"""Spreadsheet state: spreadsheets, sheets, sparse cells, and the structural edits
(inserting / deleting rows and columns) that every range on a sheet follows."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import string
from dataclasses import dataclass, field, replace
from typing import Any

from .defaults import DEFAULT_FORMAT, DEFAULT_THEME

ID_ALPHABET = string.ascii_letters + string.digits + "-_"
ROW_PIXELS = 21
COL_PIXELS = 100


def new_spreadsheet_id() -> str:
    return "1" + "".join(secrets.choice(ID_ALPHABET) for _ in range(43))


def new_int_id(taken: set[int] | None = None) -> int:
    while True:
        value = secrets.randbelow(2**31 - 2) + 1
        if not taken or value not in taken:
            return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Cell:
    """One cell; replaced, never mutated, so sheets can be copied cheaply."""

    value: dict[str, Any] | None = None  # userEnteredValue (ExtendedValue)
    format: dict[str, Any] | None = None  # userEnteredFormat (CellFormat)
    note: str | None = None
    validation: dict[str, Any] | None = None  # dataValidation rule
    extra: dict[str, Any] | None = None  # other CellData fields (hyperlink, textFormatRuns)

    def is_empty(self) -> bool:
        return not (self.value or self.format or self.note or self.validation or self.extra)

    def has_value(self) -> bool:
        return bool(self.value)

    def with_(self, **changes: Any) -> Cell:
        return replace(self, **changes)


EMPTY = Cell()


def shift_span(
    start: int | None, end: int | None, at: int, count: int, delete: bool
) -> tuple[int | None, int | None]:
    """Move a [start, end) span for `count` inserted (or deleted) indexes at `at`."""

    def move(x: int | None, is_end: bool) -> int | None:
        if x is None:
            return None
        if not delete:
            if x > at or (x == at and not is_end):
                return x + count
            return x
        if x <= at:
            return x
        if x >= at + count:
            return x - count
        return at

    return move(start, False), move(end, True)


def shift_grid_range(
    grid_range: dict[str, Any], dim: str, at: int, count: int, delete: bool
) -> dict[str, Any] | None:
    """A GridRange after rows/columns were inserted or deleted; None if it vanished."""
    keys = (
        ("startRowIndex", "endRowIndex")
        if dim == "ROWS"
        else ("startColumnIndex", "endColumnIndex")
    )
    start, end = shift_span(grid_range.get(keys[0]), grid_range.get(keys[1]), at, count, delete)
    out = dict(grid_range)
    for key, value in zip(keys, (start, end), strict=True):
        if value is not None:
            out[key] = value
    if start is not None and end is not None and start >= end:
        return None
    return out


class Sheet:
    """A grid sheet with sparse cells (row -> col -> Cell) and its per-sheet objects."""

    def __init__(self, props: dict[str, Any]) -> None:
        self.props = props
        self.cells: dict[int, dict[int, Cell]] = {}
        self.merges: list[dict[str, Any]] = []
        self.protected: list[dict[str, Any]] = []
        self.cond_formats: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}
        self.row_groups: list[dict[str, Any]] = []
        self.col_groups: list[dict[str, Any]] = []
        self.banded: list[dict[str, Any]] = []
        self.charts: list[dict[str, Any]] = []  # EmbeddedChart objects anchored here

    @property
    def sheet_id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def rows(self) -> int:
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        return int(self.props["gridProperties"]["columnCount"])

    def set_size(self, rows: int, cols: int) -> None:
        """Resize the grid; shrinking drops cells and clips ranges beyond the new size."""
        old_rows, old_cols = self.rows, self.cols
        if rows < old_rows:
            self._shift("ROWS", rows, old_rows - rows, delete=True)
        if cols < old_cols:
            self._shift("COLUMNS", cols, old_cols - cols, delete=True)
        grid = self.props["gridProperties"]
        grid["rowCount"], grid["columnCount"] = rows, cols

    def get(self, row: int, col: int) -> Cell:
        return self.cells.get(row, {}).get(col, EMPTY)

    def put(self, row: int, col: int, cell: Cell) -> None:
        if cell.is_empty():
            row_cells = self.cells.get(row)
            if row_cells is not None:
                row_cells.pop(col, None)
                if not row_cells:
                    del self.cells[row]
            return
        self.cells.setdefault(row, {})[col] = cell

    def iter_cells(self) -> list[tuple[int, int, Cell]]:
        return [(r, c, cell) for r, row in self.cells.items() for c, cell in row.items()]

    def clone(self) -> Sheet:
        other = Sheet(copy.deepcopy(self.props))
        other.cells = {r: dict(row) for r, row in self.cells.items()}
        for name in (
            "merges",
            "protected",
            "cond_formats",
            "basic_filter",
            "row_meta",
            "col_meta",
            "row_groups",
            "col_groups",
            "banded",
            "charts",
        ):
            setattr(other, name, copy.deepcopy(getattr(self, name)))
        return other

    def retarget(self) -> None:
        """Point every stored range at this sheet's id (after a copy)."""
        ranges = [*self.merges, *(p["range"] for p in self.protected)]
        ranges += [r for rule in self.cond_formats for r in rule["ranges"]]
        ranges += [g["range"] for g in (*self.row_groups, *self.col_groups)]
        if self.basic_filter is not None:
            ranges.append(self.basic_filter["range"])
        for rng in ranges:
            rng["sheetId"] = self.sheet_id
        for chart in self.charts:
            anchor = chart["position"].get("overlayPosition", {}).get("anchorCell")
            if anchor is not None:
                anchor["sheetId"] = self.sheet_id
            elif "sheetId" in chart["position"]:
                chart["position"]["sheetId"] = self.sheet_id

    # ------------------------------------------------------------ structure
    def insert(self, dim: str, at: int, count: int) -> None:
        self._shift(dim, at, count, delete=False)
        key = "rowCount" if dim == "ROWS" else "columnCount"
        self.props["gridProperties"][key] += count

    def delete(self, dim: str, at: int, count: int) -> None:
        self._shift(dim, at, count, delete=True)
        key = "rowCount" if dim == "ROWS" else "columnCount"
        self.props["gridProperties"][key] -= count

    def _shift(self, dim: str, at: int, count: int, delete: bool) -> None:
        def move(index: int) -> int | None:
            if index < at:
                return index
            if delete:
                return None if index < at + count else index - count
            return index + count

        if dim == "ROWS":
            moved: dict[int, dict[int, Cell]] = {}
            for r, row in self.cells.items():
                new_r = move(r)
                if new_r is not None:
                    moved[new_r] = row
            self.cells = moved
            self.row_meta = {m: v for i, v in self.row_meta.items() if (m := move(i)) is not None}
        else:
            shifted: dict[int, dict[int, Cell]] = {}
            for r, row in self.cells.items():
                new_row = {m: cell for c, cell in row.items() if (m := move(c)) is not None}
                if new_row:
                    shifted[r] = new_row
            self.cells = shifted
            self.col_meta = {m: v for i, v in self.col_meta.items() if (m := move(i)) is not None}

        def ranges(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for item in items:
                moved_range = shift_grid_range(item, dim, at, count, delete)
                if moved_range is not None:
                    out.append(moved_range)
            return out

        self.merges = ranges(self.merges)
        for prot in list(self.protected):
            moved_range = shift_grid_range(prot["range"], dim, at, count, delete)
            if moved_range is None:
                self.protected.remove(prot)
            else:
                prot["range"] = moved_range
        for rule in list(self.cond_formats):
            rule["ranges"] = ranges(rule["ranges"])
            if not rule["ranges"]:
                self.cond_formats.remove(rule)
        if self.basic_filter is not None:
            moved_range = shift_grid_range(self.basic_filter["range"], dim, at, count, delete)
            if moved_range is None:
                self.basic_filter = None
            else:
                self.basic_filter["range"] = moved_range
        groups = self.row_groups if dim == "ROWS" else self.col_groups
        for group in list(groups):
            rng = group["range"]
            start, end = shift_span(rng["startIndex"], rng["endIndex"], at, count, delete)
            if start is None or end is None or start >= end:
                groups.remove(group)
            else:
                rng["startIndex"], rng["endIndex"] = start, end
        grid = self.props["gridProperties"]
        frozen = "frozenRowCount" if dim == "ROWS" else "frozenColumnCount"
        if grid.get(frozen):
            _, new_frozen = shift_span(0, grid[frozen], at, count, delete)
            grid[frozen] = new_frozen


@dataclass
class Spreadsheet:
    """A spreadsheet file: properties, sheets in index order, named ranges, Drive metadata."""

    id: str
    props: dict[str, Any]
    sheets: list[Sheet] = field(default_factory=list)
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    owner: str = ""
    permissions: list[dict[str, Any]] = field(default_factory=list)
    created: dt.datetime = field(default_factory=utcnow)
    modified: dt.datetime = field(default_factory=utcnow)
    comments: list[dict[str, Any]] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)

    def clone(self) -> Spreadsheet:
        other = copy.copy(self)
        other.props = copy.deepcopy(self.props)
        other.sheets = [s.clone() for s in self.sheets]
        other.named_ranges = copy.deepcopy(self.named_ranges)
        other.permissions = copy.deepcopy(self.permissions)
        other.comments = copy.deepcopy(self.comments)
        return other

    @property
    def title(self) -> str:
        return str(self.props["title"])

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        if exact is not None:
            return exact
        return next((s for s in self.sheets if s.title.lower() == title.lower()), None)

    def first_visible(self) -> Sheet:
        return next((s for s in self.sheets if not s.props.get("hidden")), self.sheets[0])

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    def sheet_ids(self) -> set[int]:
        return {s.sheet_id for s in self.sheets}


def new_sheet(sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26) -> Sheet:
    return Sheet(
        {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
    )


def new_spreadsheet(
    title: str,
    owner: str,
    locale: str = "en_US",
    time_zone: str = "Etc/GMT",
    spreadsheet_id: str | None = None,
) -> Spreadsheet:
    props = {
        "title": title,
        "locale": locale,
        "autoRecalc": "ON_CHANGE",
        "timeZone": time_zone,
        "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
        "spreadsheetTheme": copy.deepcopy(DEFAULT_THEME),
    }
    book = Spreadsheet(spreadsheet_id or new_spreadsheet_id(), props, owner=owner)
    book.sheets.append(new_sheet(0, "Sheet1", 0))
    book.permissions.append({"id": "owner", "type": "user", "role": "owner", "emailAddress": owner})
    return book
