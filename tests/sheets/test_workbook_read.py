"""The workbook backend's fast read (python-calamine) gives exactly the values the openpyxl read
gave: same types, same values, same trimming; a tab with formulas is still read with openpyxl,
so its formulas are reported. And the layout check it skips on an unchanged file is still made
when the file changed or a full recalculation asks for it.

Expected values are written out by hand here; the openpyxl read (`fast_reads=False`, the
backend as it was) is the second witness, compared cell by cell with types.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from app.sheets.backend import CellValue, ColumnLayout, TabLayout
from app.sheets.workbook import WorkbookBackend

# (what a team typed or a program saved, the value the backend must read back)
TYPED: list[tuple[Any, CellValue]] = [
    ("王小明", "王小明"),
    ("  spaces kept  ", "  spaces kept  "),
    ("00123", "00123"),  # an order number typed as text keeps its zeros
    ("=SUM(A1:A9)", "=SUM(A1:A9)"),  # a customer's text that looks like a formula
    ("line one\nline two", "line one\nline two"),
    (42, 42),
    (0, 0),
    (-17, -17),
    (1234.0, 1234),  # saved as "1234": openpyxl has always read it as a whole number
    (1234.56, 1234.56),
    (0.1, 0.1),
    (10**15, 10**15),
    (1e17, 1e17),  # saved as "1e+17": a float
    (True, True),
    (False, False),
    (datetime(2025, 10, 3, 14, 30), datetime(2025, 10, 3, 14, 30)),
    (datetime(2025, 10, 3, 9, 5, 59), datetime(2025, 10, 3, 9, 5, 59)),
    (datetime(2025, 10, 3), datetime(2025, 10, 3)),  # midnight: a datetime, not a date
    (date(2026, 2, 17), datetime(2026, 2, 17)),  # a date cell reads as midnight of it
    (time(9, 30), "09:30:00"),  # a time of day, shown as a person sees it
    (timedelta(hours=30), "1 day, 6:00:00"),  # a duration, likewise
]


def _team_workbook(path: Path, *, epoch: Any = None) -> Path:
    """A Cases-like tab with one typed value per row in column B, a label in A, a blank row in
    the middle and a stray note far to the right; and a second tab."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    assert sheet is not None
    sheet.title = "售后 Cases"
    sheet.append(["What", "Value"])
    for i, (typed, _) in enumerate(TYPED):
        row = 2 + i if i < 10 else 3 + i  # row 12 stays blank
        sheet.cell(row=row, column=1, value=f"item {i}").data_type = "s"
        cell = sheet.cell(row=row, column=2, value=typed)
        if isinstance(typed, str):
            cell.data_type = "s"  # text stays text, as the backend writes it
    sheet.cell(row=5, column=9, value="ask Chen")
    other = book.create_sheet("Notes")
    other.append(["备注", None, "x"])
    book.save(path)
    return path


def _read(path: Path, *, fast: bool) -> dict[str, list[list[CellValue]]]:
    data = WorkbookBackend(path, fast_reads=fast).read(lambda titles: list(titles))
    return {title: tab.rows for title, tab in data.tabs.items()}


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_typed_values_read_back_as_typed(tmp_path: Path, epoch: Any) -> None:
    """Every value type reads back as the value and Python type written out by hand."""
    tabs = _read(_team_workbook(tmp_path / "team.xlsx", epoch=epoch), fast=True)
    got = {row[0]: row[1] for row in tabs["售后 Cases"][1:] if row}
    for i, (_, expected) in enumerate(TYPED):
        value = got[f"item {i}"]
        assert (type(value), value) == (type(expected), expected), f"item {i}"
    assert tabs["售后 Cases"][11] == []  # the blank row in the middle stays, empty
    assert tabs["售后 Cases"][4][8] == "ask Chen"
    assert tabs["售后 Cases"][4][2:8] == [None] * 6  # blank cells are None, never ''
    assert tabs["Notes"] == [["备注", None, "x"]]


def test_fast_read_equals_the_openpyxl_read_cell_by_cell(tmp_path: Path) -> None:
    """The calamine read and the openpyxl read agree on every cell, types included."""
    path = _team_workbook(tmp_path / "team.xlsx")
    fast, slow = _read(path, fast=True), _read(path, fast=False)
    assert fast.keys() == slow.keys()
    for title in fast:
        typed_fast = [[(type(v), v) for v in row] for row in fast[title]]
        typed_slow = [[(type(v), v) for v in row] for row in slow[title]]
        assert typed_fast == typed_slow, title


def test_a_tab_with_formulas_is_read_with_its_formulas_reported(tmp_path: Path) -> None:
    """A team's formula cell is reported as a formula (the value it last showed is read), as
    the openpyxl read did; calamine alone could not tell it from a typed value."""
    path = _team_workbook(tmp_path / "team.xlsx")
    book = openpyxl.load_workbook(path)
    book["售后 Cases"]["C2"] = '=IF(B2="","",B2&"!")'
    book.save(path)
    data = WorkbookBackend(path).read(lambda titles: ["售后 Cases"])
    assert data.tabs["售后 Cases"].formulas == frozenset({(1, 2)})
    assert data.tabs["售后 Cases"].rows[1][:2] == ["item 0", "王小明"]


def test_titles_and_versions_match_the_openpyxl_read(tmp_path: Path) -> None:
    """Tab titles (in order) and the file version are the same whichever reader ran."""
    path = _team_workbook(tmp_path / "team.xlsx")
    fast = WorkbookBackend(path).read(lambda titles: [])
    slow = WorkbookBackend(path, fast_reads=False).read(lambda titles: [])
    assert fast.titles == slow.titles == ("售后 Cases", "Notes")
    assert fast.version == slow.version is not None


LAYOUT = TabLayout(
    title="售后 Cases",
    columns=(
        ColumnLayout(index=1, header="What"),
        ColumnLayout(index=3, header="Status", choices=("New", "Closed")),
    ),
)


def _validations(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["售后 Cases"]
    return [str(dv.sqref) for dv in sheet.data_validations.dataValidation]


def test_layout_removed_in_the_file_between_syncs_is_put_back(tmp_path: Path) -> None:
    """The layout check skipped on a file the backend itself saved is made again once a
    person's office suite changed the file: a dropdown they deleted comes back."""
    path = _team_workbook(tmp_path / "team.xlsx")
    backend = WorkbookBackend(path)  # one instance, as the service keeps one per sheet
    backend.read(lambda titles: list(titles))
    assert backend.apply_layout([LAYOUT]) > 0
    backend.write([])
    assert _validations(path) == ["C2:C1048576"]
    backend.read(lambda titles: list(titles))
    assert backend.apply_layout([LAYOUT]) == 0  # the file is the one just saved
    other = TabLayout(title="售后 Cases", columns=(ColumnLayout(index=4, header="Owner"),))
    assert backend.apply_layout([other]) > 0  # other layouts are never taken for known ones
    backend.write([])
    book = openpyxl.load_workbook(path)  # a person removes the dropdown
    book["售后 Cases"].data_validations.dataValidation = []
    book.save(path)
    backend.read(lambda titles: list(titles))
    assert backend.apply_layout([LAYOUT]) == 1
    backend.write([])
    assert _validations(path) == ["C2:C1048576"]


def test_a_text_stored_with_an_escaped_character_reads_as_openpyxl_reads_it(
    tmp_path: Path,
) -> None:
    """A text holding `_x0000_` (how OOXML stores a control character, and text a person may
    type) reads the same through the fast path as through openpyxl."""
    path = _team_workbook(tmp_path / "team.xlsx")
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    # "ask Chen" becomes "ask_x0000_Chen" inside the file, as another program may save it.
    (holder,) = [name for name, content in parts.items() if b"ask Chen" in content]
    parts[holder] = parts[holder].replace(b"ask Chen", b"ask_x0000_Chen")
    with zipfile.ZipFile(path, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)

    fast, slow = _read(path, fast=True), _read(path, fast=False)
    assert fast == slow
    assert fast["售后 Cases"][4][8] == slow["售后 Cases"][4][8]
