"""The workbook backend's fast write (workbook_cells.py, workbook_pending.py, workbook_save.py)
saves exactly the file openpyxl's public API saved: every part of the package byte for byte
(values, types, styles and number formats, dimension, comments, links, merged cells), only the
save time in docProps/core.xml differs.

The witness is the write as it was: per update, `sheet.cell(...)` (unmerged first),
`cell.value = ...`, data type "s" for text, `cell.number_format = ...` when it differs, and
`book.save(...)`.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import WorkSheetParser

from app.sheets.backend import CellUpdate, CellValue
from app.sheets.workbook_cells import to_cell, write_cells
from app.sheets.workbook_layout import writable
from app.sheets.workbook_load import load_workbook
from app.sheets.workbook_pending import unique_places
from app.sheets.workbook_save import save_workbook

OPENPYXL_PARSE_CELL = WorkSheetParser.parse_cell
VALUES: list[Any] = [
    "plain",
    " lead",
    "trail ",
    " ",
    "",
    "a<b&c>\"'d",
    "x\ny",
    "=SUM(A1:A2)",  # text, never a formula
    "#N/A",
    "bell\x07",  # a character openpyxl refuses: dropped
    "王小明",
    0,
    -17,
    10**15,
    2.5,
    1e20,
    float("nan"),
    True,
    False,
    datetime(2024, 5, 6, 7, 8, 9, 123),
    datetime(2024, 5, 6, 7, 8, tzinfo=timezone(timedelta(hours=8))),
    date(2023, 1, 2),
    None,
]
FORMATS = [None, None, "0", "0.0%", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "General", "@"]


def _parts(saved: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(saved) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def _book() -> Workbook:
    """A team's workbook: styled cells, a merge, a comment, a link, rich text, a formula."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cases"
    for col in range(1, 9):
        sheet.cell(1, col).value = f"Header {col}"
        sheet.cell(1, col).font = Font(bold=True)
    sheet["B3"] = 5
    sheet["B3"].number_format = "0.00"
    sheet["C4"] = datetime(2020, 1, 1)
    sheet["D5"] = "=1+2"
    sheet["E6"] = CellRichText(["a", TextBlock(InlineFont(b=True), " b")])
    sheet["F7"] = "linked"
    sheet["F7"].hyperlink = "https://example.com"
    sheet["G8"] = "noted"
    sheet["G8"].comment = Comment("a note", "Team")
    sheet["A9"] = "merged"
    sheet.merge_cells("A9:C9")
    sheet.row_dimensions[12].height = 30
    other = book.create_sheet("KPIs")
    other["A1"] = "Title"
    return book


def _updates(seed: int, unique: bool) -> list[CellUpdate]:
    rng = random.Random(seed)
    places = [
        (tab, row, col)
        for tab in ("Cases", "KPIs")
        for row in range(1, 40)
        for col in (1, 2, 3, 5, 7, 9, 12)
    ]
    rng.shuffle(places)
    if not unique:
        places += places[:20]
    return [
        CellUpdate(tab, row, col, rng.choice(VALUES), number_format=rng.choice(FORMATS))
        for tab, row, col in places
    ]


def _as_before(book: Workbook, updates: list[CellUpdate]) -> None:
    for update in updates:
        cell = writable(book[update.tab], update.row, update.col)
        value = to_cell(update.value)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if update.number_format and cell.number_format != update.number_format:
            cell.number_format = update.number_format


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("unique", [True, False])
def test_write_and_save_as_openpyxl(tmp_path: Path, seed: int, unique: bool) -> None:
    updates = _updates(seed, unique)
    before = _book()
    _as_before(before, updates)
    expected = io.BytesIO()
    before.save(expected)
    book = _book()
    write_cells(book, updates, defer=True)
    save_workbook(book, tmp_path / "fast.xlsx")
    assert _parts(tmp_path / "fast.xlsx") == _parts(expected)


def test_second_write_on_a_kept_book(tmp_path: Path) -> None:
    """Cells a first write left pending are made cells before another write finds them."""
    first, second = _updates(1, True), _updates(2, True)
    before = _book()
    _as_before(before, first)
    _as_before(before, second)
    expected = io.BytesIO()
    before.save(expected)
    book = _book()
    write_cells(book, first, defer=True)
    write_cells(book, second, defer=True)
    save_workbook(book, tmp_path / "fast.xlsx")
    assert _parts(tmp_path / "fast.xlsx") == _parts(expected)


def test_plain_cells_written_as_openpyxl_writes_them(tmp_path: Path) -> None:
    """Every kind of cell value openpyxl holds, saved both ways."""
    book = _book()
    sheet = book["KPIs"]
    kinds: list[CellValue | time | timedelta] = [*VALUES, time(3, 4), timedelta(hours=5)]
    for row, value in enumerate(kinds, start=2):
        if (isinstance(value, datetime) and value.tzinfo) or value == "bell\x07":
            continue  # openpyxl refuses these as they are (the backend converts them first)
        sheet.cell(row, 2).value = value
        sheet.cell(row, 3).value = value
        sheet.cell(row, 3).number_format = "0.00"
    expected = io.BytesIO()
    book.save(expected)
    save_workbook(book, tmp_path / "fast.xlsx")
    assert _parts(tmp_path / "fast.xlsx") == _parts(expected)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")  # a big number, date-formatted
def test_load_as_openpyxl(tmp_path: Path) -> None:
    """The load with plain inline strings read directly gives the cells openpyxl's gives."""
    book = _book()
    write_cells(book, _updates(3, True), defer=True)
    sheet = book["KPIs"]
    for row, text in enumerate([" lead", "trail ", " ", "", "a<b&c>", "x\ny", "=1+2", "#N/A"], 50):
        sheet.cell(row, 1).value = text
        sheet.cell(row, 1).data_type = "s"
    save_workbook(book, tmp_path / "saved.xlsx")
    data = (tmp_path / "saved.xlsx").read_bytes()
    expected, loaded = openpyxl.load_workbook(io.BytesIO(data)), load_workbook(data)
    assert loaded.sheetnames == expected.sheetnames
    for title in expected.sheetnames:
        want, got = expected[title]._cells, loaded[title]._cells
        assert list(got) == list(want)
        for key, cell in want.items():
            other = got[key]
            assert type(other) is type(cell)
            assert (other._value, other.data_type) == (cell._value, cell.data_type), key
            assert type(other._value) is type(cell._value)
            assert tuple(other._style or ()) == tuple(cell._style or ())
    assert WorkSheetParser.parse_cell is OPENPYXL_PARSE_CELL  # openpyxl's own again


def test_unique_places_tells_a_cell_addressed_twice() -> None:
    """The deferral's precondition: the same place on two tabs is two cells; the same tab,
    row and column twice is one (a repeat anywhere in 300 updates is found); a place openpyxl
    does not keep (row 0, column 0) defers nothing."""
    spread = [
        CellUpdate(tab, row, col, "x")
        for tab in ("Cases", "案例")
        for row, col in [(2, 1), (2, 2), (3, 1), (1_048_576, 16_384), (70_000, 3)]
    ]
    assert unique_places(spread)
    rng = random.Random(7)
    many = [CellUpdate("Cases", r, c, "x") for r in range(2, 32) for c in range(1, 11)]
    for _ in range(5):
        again = rng.choice(many)
        assert not unique_places([*many, CellUpdate(again.tab, again.row, again.col, "y")])
    assert not unique_places([CellUpdate("Cases", 0, 1, "x")])
    assert not unique_places([CellUpdate("Cases", 2, 0, "x")])
