"""`SheetBackend`: the one narrow interface between the sync engine and a spreadsheet.

Two implementations share it and one contract test suite (tests/sheets/test_contract.py):
`WorkbookBackend` (a local .xlsx through openpyxl, the embedded default) and `GoogleBackend`
(gspread over google-auth). The engine asks for four things: read these tabs in one go, write
these cells in one go, make the layout right, and describe yourself; and three that only a
backend with a cache or a remote API has work for (the workbook does nothing or counts zero):
forget cached metadata (`refresh`), look up formulas the read could not see (`find_formulas`),
and how many API requests were made (`calls`).

Values cross the interface as plain Python: str, int, float, bool, date, datetime, None. Dates
read from Google arrive as serial numbers; the sheet_schema parser accepts both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from app.values import CellValue as CellValue  # re-exported: the backends' cell type
from sheet_schema import DateOrder, strip_control

# Given every tab title in the spreadsheet, returns the titles to read.
TabSelector = Callable[[Sequence[str]], Sequence[str]]

# Asked of each data row of a tab as it is read (its 1-based sheet row and its cells): a token
# to keep in place of the cells, the read then letting them go (the row reads as a `LetGo`), or
# None to keep them. A backend may keep every row (see `SheetBackend.read`).
RowLetGo = Callable[[int, list[CellValue]], bytes | None]


class LetGoRowRead(RuntimeError):
    """A cell of a row the read let go was asked for: the reader must read the tab again, whole."""


class LetGo(list[CellValue]):
    """A data row whose cells the read let go (`RowLetGo`): it keeps how many cells it had and
    the token it was let go for. Reading a cell raises `LetGoRowRead`, so no code can take the
    row for a blank one.

    Why: a quiet press on a 50,000-case sheet reuses every row's cached planning and needs no
    cell of those rows, yet held them all, 60 MB of small objects, on top of the cache."""

    __slots__ = ("token", "width")

    def __init__(self, width: int, token: bytes) -> None:
        super().__init__()
        self.width = width
        self.token = token

    def __len__(self) -> int:
        return self.width

    def __getitem__(self, index: Any) -> Any:
        raise LetGoRowRead("a cell of a row the read let go was asked for")

    def __iter__(self) -> Iterator[CellValue]:
        raise LetGoRowRead("the cells of a row the read let go were asked for")

    def __repr__(self) -> str:
        return f"LetGo(width={self.width})"


def let_row_go(number: int, cells: list[CellValue], let_go: RowLetGo) -> LetGo | None:
    """Sheet row `number` as a `LetGo` when `let_go` gives it a token (a tab's header row,
    sheet row 1, is never offered); None to keep its cells."""
    token = let_go(number, cells) if number > 1 else None
    return LetGo(len(cells), token) if token is not None else None


def let_rows_go(rows: list[list[CellValue]], first_row: int, let_go: RowLetGo) -> None:
    """Let go, in place, the rows of a value range that `let_go` gives a token (`first_row`:
    the sheet row of `rows[0]`)."""
    for index, cells in enumerate(rows):
        if (row := let_row_go(first_row + index, cells, let_go)) is not None:
            rows[index] = row


MAX_CELL_TEXT = 32_767  # Excel's limit; Google's is 50,000


def share_equal_texts(rows: list[list[Any]]) -> list[list[Any]]:
    """Make equal texts of `rows` one string, in place (and return them). A decoder makes a
    string per cell: a synced 10,000-case Cases tab reads as 24 MB of strings of which 7 MB
    differ (thousands of rows share a status, a platform, a policy version, a next action),
    and a sync holds its read to the end. Other values keep their own objects (1, 1.0 and
    True are equal keys of a dict, and must stay apart)."""
    shared: dict[str, str] = {}
    for index, row in enumerate(rows):
        if type(row) is not LetGo:
            rows[index] = texts_shared(row, shared)
    return rows


def texts_shared(row: list[Any], shared: dict[str, str]) -> list[Any]:
    """`row` with each text the one string of `shared` equal to it (kept there when new): a
    row of `share_equal_texts`, or of a read that shares a range's texts row by row."""
    share = shared.setdefault
    return [share(v, v) if type(v) is str else v for v in row]


def storable(value: CellValue) -> CellValue:
    """A value as every backend stores it: text without control characters, within the
    smallest backend's length limit. Service values are compared in this form, so what was
    written reads back equal and a second sync writes nothing."""
    return storable_text(value) if isinstance(value, str) else value


def storable_text(text: str) -> str:
    """`storable` of a text: without the control characters no spreadsheet keeps (openpyxl
    refuses them; Excel cannot show them), as a person's cells are read (`strip_control`)."""
    text = strip_control(text)
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def column_letter(index: int) -> str:
    """The A1 letters of a 1-based column (1 -> A, 27 -> AA), as openpyxl's
    get_column_letter names them, without importing openpyxl for it."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class TabData:
    """One tab as read: row 0 is the header row; rows may be ragged (trailing blanks trimmed)."""

    title: str
    rows: list[list[CellValue]]
    # (row, col), 0-based like `rows`, of cells holding a formula, where the backend can tell
    # (the workbook can; Google's values API returns only what formulas compute).
    formulas: frozenset[tuple[int, int]] = frozenset()

    def cell(self, row: int, col: int) -> CellValue:
        """0-based access that treats anything outside the data as blank."""
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass(frozen=True, slots=True)
class SheetData:
    """Everything one read returned."""

    titles: tuple[str, ...]  # every tab in the spreadsheet, in order
    tabs: dict[str, TabData]  # the tabs that were asked for and exist, by title
    date_order: DateOrder = DateOrder.UNKNOWN
    # The spreadsheet's locale ("zh_CN", "en_US") where the backend has one (Google; a
    # workbook has none): it suggests the team language when nothing else chooses it.
    locale: str | None = None
    # Opaque token that changes whenever the underlying file changes (None: cannot tell).
    version: str | None = None


# The sync's most numerous objects (a 10,000-case first fill makes some 120,000 cells to write,
# 130,000 parsed cells, 27,000 Timeline events) are plain slotted dataclasses, not frozen ones:
# a frozen dataclass sets each field through object.__setattr__, which made a 10-field cell
# 2.4 µs to build against 0.6. They are values all the same: built once, never assigned to
# (nothing does), and hashed by their fields (`unsafe_hash`) exactly as the frozen ones were.
@dataclass(slots=True, unsafe_hash=True)
class CellUpdate:
    """One cell to write, 1-based like A1 notation. Text is always written as text."""

    tab: str
    row: int
    col: int
    value: CellValue
    number_format: str | None = None
    # The format belongs to this cell, not its column (a date that may carry a time): a backend
    # that formats whole columns sets it on the cell with the value.
    own_format: bool = False


@dataclass(slots=True, unsafe_hash=True)  # a value, not frozen: see CellUpdate
class RowUpdate:
    """Adjacent cells of one row, left to right from `col`, none of them blank: a row the
    service appends to a tab of its own (a Timeline event). One object for the row, where a
    `CellUpdate` per cell took 480 bytes a row: a 10,000-case first fill appends 27,000
    Timeline rows, and the write is where a sync peaks. A backend that writes cell by cell
    takes `cells()`."""

    tab: str
    row: int
    col: int
    values: tuple[CellValue, ...]
    number_formats: tuple[str | None, ...]  # one per value (rows share one tuple)
    own_format: ClassVar[bool] = False  # formats are the columns' (as a CellUpdate's default)

    @property
    def last_col(self) -> int:
        return self.col + len(self.values) - 1

    def cells(self) -> Iterator[CellUpdate]:
        """The row's cells, one `CellUpdate` each."""
        tab, row, col = self.tab, self.row, self.col
        formats = self.number_formats
        for i, value in enumerate(self.values):
            yield CellUpdate(tab, row, col + i, value, formats[i])


# What a write is given: single cells and whole rows of cells.
Write = CellUpdate | RowUpdate


def each_cell(updates: Iterable[Write]) -> Iterator[CellUpdate]:
    """Every cell of `updates`, a `RowUpdate`'s one by one (made as they are asked for)."""
    for update in updates:
        if type(update) is RowUpdate:
            yield from update.cells()
        else:
            yield update  # type: ignore[misc]  # (not a RowUpdate: a CellUpdate)


def as_cells(updates: Sequence[Write]) -> Sequence[CellUpdate]:
    """`updates` cell by cell: the same sequence when it holds no `RowUpdate`, else a list."""
    if any(type(u) is RowUpdate for u in updates):
        return list(each_cell(updates))
    return updates  # type: ignore[return-value]  # (no RowUpdate: all CellUpdates)


def cell_count(updates: Iterable[Write]) -> int:
    """How many cells `updates` write."""
    return sum(len(u.values) if type(u) is RowUpdate else 1 for u in updates)


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """What a column should look like: where it is, its format, dropdown and protection."""

    index: int  # 1-based
    header: str
    number_format: str | None = None
    choices: tuple[str, ...] = ()
    strict_choices: bool = True  # False: the dropdown suggests but accepts other text
    hidden: bool = False
    protected: bool = False  # service-owned: protected with a warning only
    width: int | None = None  # in characters
    note: str | None = None  # the header's note/comment ("computed by After-sales Desk — …")
    # The column's name whatever the team language (the schema's header): what its protection
    # is named after, so a sheet switched to another language keeps the one it has.
    name: str | None = None


@dataclass(frozen=True, slots=True)
class HighlightRule:
    """A whole-row conditional format. `formula` is written for row 2 with $-anchored columns,
    e.g. `$K2="Overdue"`, and applied to every data row."""

    name: str
    formula: str
    fill: str  # hex RGB like "F8D7DA"
    font: str | None = None


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A line chart over a tab's own cells. Rows and columns are 1-based; each series is
    (header row, last row, column), its name in the header row; categories are
    (first row, last row, column)."""

    title: str
    categories: tuple[int, int, int]
    series: tuple[tuple[int, int, int], ...]
    anchor: tuple[int, int]  # row, column of the chart's top-left cell


@dataclass(frozen=True, slots=True)
class PivotSpec:
    """A pivot table over another tab: rows grouped by one column, columns by another, the
    values counted (COUNTA) from a third. Columns are 1-based indexes in `source_tab`; the
    source covers those columns on every row, so cases added later are counted too."""

    source_tab: str
    source_columns: tuple[int, int, int]  # row group, column group, counted value
    anchor: tuple[int, int]  # row, column of the pivot's top-left cell (1-based)
    value_name: str = "Cases"


@dataclass(frozen=True, slots=True)
class TabLayout:
    """The layout one tab must have. Backends apply only what is missing or different."""

    title: str
    columns: tuple[ColumnLayout, ...]
    frozen_rows: int = 1
    highlights: tuple[HighlightRule, ...] = ()
    last_column: int = 0  # 1-based index of the last column the rules should cover
    bold_header: bool = True
    charts: tuple[ChartSpec, ...] = ()
    bold_rows: tuple[int, ...] = ()  # 1-based rows to show in bold (a free-form tab's titles)
    pivot: PivotSpec | None = None  # Google only: written together with the tab's charts
    # The team language changed since the last sync: the dropdown lists are re-applied even
    # where nothing is missing (a column's list is in the language it was laid out in).
    refresh_choices: bool = False


@dataclass(frozen=True, slots=True)
class WriteResult:
    cells: int
    api_calls: int = 1
    version: str | None = None


@dataclass(slots=True)
class ApiCallCounter:
    """How many API requests a backend made, by kind (read / write / layout)."""

    read: int = 0
    write: int = 0
    layout: int = 0
    retries: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class SheetBackend(Protocol):
    """A spreadsheet the service can read and write."""

    name: str

    def describe(self) -> str:
        """Where this backend points, for messages (never contains a secret)."""
        ...

    # True when one `write` is all-or-nothing and checks `expect_version` (a file saved
    # atomically); False when writes are positional and may race a person's edit (Google).
    atomic: bool

    def read(
        self,
        select: TabSelector,
        narrow: Mapping[str, int] | None = None,
        let_go: Mapping[str, RowLetGo] | None = None,
    ) -> SheetData:
        """Read the tabs `select` picks from the spreadsheet's titles, in one batched call.

        `narrow` (title -> n): of those tabs, the header row whole and, below it, each row's
        first n cells (trailing blanks dropped, as always), and no row past the last one that
        holds something in them: a tab read for its first columns alone, such as the
        Timeline's Event IDs, is not fetched and decoded whole.

        `let_go` (title -> RowLetGo): of those tabs, the data rows it gives a token read as a
        `LetGo`, their cells let go (Google's as they arrive, the workbook's once the file is
        read). A backend may also keep every row: the reader copes with either."""
        ...

    def write(
        self,
        updates: Sequence[Write],
        *,
        expect_version: str | None = None,
        reserve_rows: Mapping[str, int] | None = None,
    ) -> WriteResult:
        """Write all cells in one batched call, text as text (a `RowUpdate` is its cells).

        With `expect_version`, refuse (ConcurrentEditError) when the spreadsheet changed since the
        read that returned that version; backends that cannot tell ignore it. `reserve_rows`
        (tab -> rows) asks for room for a write that follows, in the same call.
        """
        ...

    def apply_layout(self, layouts: Sequence[TabLayout]) -> int:
        """Bring tabs to the given layout (creating missing tabs); return how many changes
        were needed. A backend with atomic writes may defer them to the next `write`."""
        ...

    # The API requests made so far, by kind (all zero for a backend without an API).
    calls: ApiCallCounter

    def refresh(self) -> None:
        """Forget cached metadata, so the next read fetches it (and the layout is checked)
        again; nothing to do for a backend that caches nothing."""
        ...

    def find_formulas(self, cells: Sequence[tuple[str, int, int]]) -> bool:
        """Look up which of `cells` (tab, 1-based row, col), blank as read, hold a formula;
        True when what `read` reports changed. A backend whose read already sees every
        formula (`TabData.formulas`) has nothing to look up and answers False."""
        ...
