"""`WorkbookBackend`: a local .xlsx file, the embedded default: values read with python-calamine
(workbook_read.py), written with openpyxl.

Why it behaves as it does:
- Reading is calamine's (several times faster than openpyxl), typed as openpyxl typed it; a tab
  with formulas, or a file calamine cannot read, is read with openpyxl as before. openpyxl
  loads the file only to write it or to check its layout.
- The layout check needs openpyxl; it is skipped when the file is, byte for byte, one this
  backend saved or checked with the same layouts (so an unchanged sync never loads openpyxl).
  `refresh()` (a full recalculation) forgets that, and any change to the file makes it moot.
- Everything else in the file is kept: other tabs, the team's formatting, widths and comments
  (openpyxl round-trips them; charts and images it cannot read are the known exception).
- Text is written as text: a value starting with `=` gets data type "s", never a formula.
- Loading, filling and saving are openpyxl's, done faster without a byte of the file changing:
  plain inline strings read directly (workbook_load.py), the cells written in one pass
  (workbook_cells.py), a first fill's new cells kept as their updates until the save
  (workbook_pending.py), plain cells serialised per row (workbook_save.py), and Python's
  cycle collector paused meanwhile.
- A formula is read as the value last saved with it, and reported (`TabData.formulas`).
- Saving is atomic (temp file in the same folder, then rename) so a crash never leaves half a file.
- A file open in LibreOffice or Excel (their lock files sit beside it) is refused with a message
  that says who to ask to close it, instead of writing a file the office suite will overwrite.
- The file's content hash is the read "version": if the file changed between read and write, the
  write is refused and the engine re-reads and re-plans.
- Layout changes are made in memory and persisted by the next `write`, so one sync saves once.
- openpyxl refuses a value in a merged cell; one the service must write is unmerged first
  (the other cells of a merge are blank, so no value people see changes).
- A layout's `pivot` is ignored: openpyxl cannot create pivot tables (the KPIs tab's own
  tables cover the same figures); only Google Sheets gets the native pivot table.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from app.errors import ConcurrentEditError, SheetError, SheetLockedError, SheetNotFoundError
from app.probe import FILE_STAGED, Probe, no_probe
from app.sheets.backend import (
    ApiCallCounter,
    CellValue,
    ChartSpec,
    RowLetGo,
    SheetData,
    TabData,
    TabLayout,
    TabSelector,
    Write,
    WriteResult,
    as_cells,
    let_rows_go,
    share_equal_texts,
)
from app.sheets.workbook_cells import gc_paused, write_cells
from app.sheets.workbook_layout import apply_tab_layout, attach_charts, embolden
from app.sheets.workbook_load import load_workbook
from app.sheets.workbook_pending import materialize
from app.sheets.workbook_read import fast_read
from app.sheets.workbook_save import save_workbook


class WorkbookBackend:
    """A SheetBackend over one .xlsx file."""

    name = "workbook"
    atomic = True

    def __init__(self, path: Path, *, probe: Probe | None = None, fast_reads: bool = True) -> None:
        self.path = Path(path)
        # Read values with calamine (workbook_read.py); False: always openpyxl, as before.
        self.fast_reads = fast_reads
        self.probe = probe or no_probe  # told when a new file is staged (crash tests)
        self._book: Workbook | None = None
        self._version: str | None = None
        self._dirty = False
        # openpyxl drops charts when it loads a file, so they are attached again at every save.
        self._charts: dict[str, tuple[ChartSpec, ...]] = {}
        # A free-form tab's title rows: styled at save, after the cells of the same sync landed.
        self._bold_rows: dict[str, tuple[int, ...]] = {}
        self.calls = ApiCallCounter()  # a file, not an API: stays at zero
        # The file version known to have a layout (the layouts last applied or checked): an
        # unchanged sync then needs no openpyxl at all (see apply_layout).
        self._laid_out: tuple[str, tuple[TabLayout, ...]] | None = None
        self._applied: tuple[TabLayout, ...] = ()  # layouts applied to the loaded book

    def describe(self) -> str:
        return f"workbook {self.path}"

    def refresh(self) -> None:
        """Forget which layout the file is known to have: the next sync checks it again (the
        values are never cached: every read checks the file's version)."""
        self._laid_out = None

    def find_formulas(self, cells: Sequence[tuple[str, int, int]]) -> bool:
        """openpyxl reads formulas as they are written, so `read` already reported them all."""
        return False

    # -- reading -------------------------------------------------------------------------------

    def read(
        self,
        select: TabSelector,
        narrow: Mapping[str, int] | None = None,
        let_go: Mapping[str, RowLetGo] | None = None,
    ) -> SheetData:
        data = self._file_bytes()
        self._book = None  # let the previous sync's workbook go
        self._version, self._dirty = _digest(data), False
        fast = fast_read(data, select) if self.fast_reads else None
        if fast is None:  # a tab with formulas (or a file calamine cannot read): openpyxl
            sheet = self._read_with_openpyxl(data, select)
        else:
            titles, grids = fast
            tabs = {
                title: TabData(title=title, rows=share_equal_texts(_trim(rows)))
                for title, rows in grids.items()
            }
            sheet = SheetData(titles=titles, tabs=tabs, version=self._version)
        # The file is read whole either way; the narrowed tabs are cut as Google reads them.
        for title, width in (narrow or {}).items():
            tab = sheet.tabs.get(title)
            if tab is not None:
                below = _trim([row[:width] for row in tab.rows[1:]])
                sheet.tabs[title] = replace(tab, rows=tab.rows[:1] + below)
        # Read whole, then let go as Google's read does as the rows arrive: the same rows read
        # as `LetGo` through either backend.
        for title, rule in (let_go or {}).items():
            tab = sheet.tabs.get(title)
            if tab is not None:
                let_rows_go(tab.rows, 1, rule)
        return sheet

    def _read_with_openpyxl(self, data: bytes, select: TabSelector) -> SheetData:
        """The read as openpyxl sees the file: formulas reported, their saved values read."""
        book = self._load(data)
        values_book: Workbook | None = None
        tabs: dict[str, TabData] = {}
        for title in select(tuple(book.sheetnames)):
            if title not in book.sheetnames:
                continue
            sheet = book[title]
            rows: list[list[CellValue]] = []
            formula_cells: list[tuple[int, int]] = []
            for r, row in enumerate(sheet.iter_rows()):
                out: list[CellValue] = []
                for c, cell in enumerate(row):
                    if cell.data_type == "f":
                        formula_cells.append((r, c))
                        out.append(None)
                    else:
                        out.append(_from_cell(cell.value))
                rows.append(out)
            if formula_cells:
                # A team's own formulas: read the value the office suite last computed.
                values_book = values_book or openpyxl.load_workbook(BytesIO(data), data_only=True)
                cached = values_book[title]
                for r, c in formula_cells:
                    rows[r][c] = _from_cell(cached.cell(row=r + 1, column=c + 1).value)
            tabs[title] = TabData(
                title=title, rows=share_equal_texts(_trim(rows)), formulas=frozenset(formula_cells)
            )
        return SheetData(titles=tuple(book.sheetnames), tabs=tabs, version=self._version)

    def _file_bytes(self) -> bytes:
        if not self.path.exists():
            raise SheetNotFoundError(
                f"Workbook {self.path} does not exist. Create it with "
                f"`aftersales init --workbook {self.path}`."
            )
        self._refuse_if_locked()
        return self.path.read_bytes()

    def _load(self, data: bytes | None = None) -> Workbook:
        """openpyxl's workbook of the file (as `data`, when already read): what is written to."""
        if data is None:
            data = self._file_bytes()
        self._book = None  # let the previous sync's workbook go before loading this one
        try:
            with gc_paused():
                self._book = load_workbook(data)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise SheetNotFoundError(
                f"{self.path} is not a readable .xlsx workbook: {exc}"
            ) from exc
        self._version = _digest(data)
        self._dirty, self._applied = False, ()
        return self._book

    def _refuse_if_locked(self) -> None:
        folder, name = self.path.parent, self.path.name
        candidates = [folder / f".~lock.{name}#", folder / f"~${name}", folder / f"~${name[2:]}"]
        for lock in candidates:
            if lock.exists():
                owner = _lock_owner(lock)
                who = f" by {owner}" if owner else ""
                raise SheetLockedError(
                    f"{self.path} is open in an office suite{who} (lock file {lock.name}). "
                    "Close it there and sync again; the service will not write a file that "
                    "another program is about to overwrite."
                )

    # -- writing -------------------------------------------------------------------------------

    def write(
        self,
        updates: Sequence[Write],
        *,
        expect_version: str | None = None,
        reserve_rows: Mapping[str, int] | None = None,  # a file has no grid to grow
    ) -> WriteResult:
        cells = as_cells(updates)  # openpyxl is written cell by cell
        if self._book is None:
            self._load()
            laid_out = self._laid_out
            if laid_out and laid_out[0] == self._version and all(u.row > 1 for u in cells):
                # The layout was checked on this very file (apply_layout skipped openpyxl), and
                # no header is written: the file saved now still has it.
                self._applied = laid_out[1]
        assert self._book is not None
        self._refuse_if_locked()
        if expect_version is not None:
            current = _digest(self.path.read_bytes())
            if current != expect_version:
                raise ConcurrentEditError(
                    f"{self.path} changed while the sync was running; it will read it again."
                )
        saved = bool(cells) or self._dirty
        with gc_paused():
            write_cells(self._book, cells, defer=True)
            if saved:
                self._save()
        # The write ends a sync: the file is the truth now, and a workbook of 10,000 cases
        # holds hundreds of MB as openpyxl cells, so it is not kept between syncs.
        self._book = None
        return WriteResult(cells=len(cells), api_calls=int(saved), version=self._version)

    def _save(self) -> None:
        assert self._book is not None
        for title, charts in self._charts.items():
            if title in self._book.sheetnames:
                attach_charts(self._book[title], charts)
        for title, rows in self._bold_rows.items():
            if title in self._book.sheetnames:
                materialize(self._book[title], rows)  # those rows' pending cells: made cells
                embolden(self._book[title], rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            save_workbook(self._book, tmp)
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o777)
            self.probe(FILE_STAGED)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        self._version = _digest(self.path.read_bytes())
        self._dirty = False
        if self._applied:
            self._laid_out = (self._version, self._applied)

    def create(self, titles: Sequence[str]) -> None:
        """Start a new workbook with these (empty) tabs; refuses to replace an existing file."""
        if self.path.exists():
            raise SheetError(f"{self.path} already exists; it was left as it is.")
        book = openpyxl.Workbook()
        assert book.active is not None
        book.active.title = titles[0]
        for title in titles[1:]:
            book.create_sheet(title)
        self._book, self._version, self._dirty = book, None, True
        self._save()

    # -- layout --------------------------------------------------------------------------------

    def apply_layout(self, layouts: Sequence[TabLayout]) -> int:
        """Apply the layouts to the workbook in memory (saved by the next `write`). When the
        file is, byte for byte, one this backend saved or checked with these same layouts,
        nothing can be missing and openpyxl is not even loaded."""
        wanted = tuple(layouts)
        known = self._version is not None and self._laid_out == (self._version, wanted)
        if self._book is None and known:
            return 0
        book = self._book if self._book is not None else self._load()
        for sheet in book.worksheets:  # cells a failed write left pending: made cells
            materialize(sheet)
        changes = 0
        for layout in layouts:
            if layout.title not in book.sheetnames:
                book.create_sheet(layout.title)
                changes += 1
            changes += apply_tab_layout(book[layout.title], layout)
            if layout.charts:
                self._charts[layout.title] = layout.charts
            if layout.bold_rows:
                self._bold_rows[layout.title] = layout.bold_rows
        self._applied = wanted
        if changes:
            self._dirty = True
        elif not self._dirty and self._version is not None:
            self._laid_out = (self._version, wanted)
        return changes


def _from_cell(value: Any) -> CellValue:
    if value is None or isinstance(value, str | bool | int | float | datetime | date):
        return value
    return str(value)  # times, durations, rich text: keep what a person sees


def _trim(rows: list[list[CellValue]]) -> list[list[CellValue]]:
    """Drop trailing blank cells and rows, as Google's API does, so both backends agree."""
    trimmed = []
    for row in rows:
        end = len(row)
        while end and (row[end - 1] is None or row[end - 1] == ""):
            end -= 1
        trimmed.append(row[:end])
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _lock_owner(lock: Path) -> str | None:
    """LibreOffice writes `,user,host,...` into its lock file; show the user when readable."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    parts = [p.strip() for p in text.split(",")]
    return parts[1] if len(parts) > 1 and parts[1] else None
