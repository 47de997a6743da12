"""`WorkbookBackend`: a local .xlsx file through openpyxl, the embedded default.

Why it behaves as it does:
- Everything else in the file is kept: other tabs, the team's formatting, widths and comments
  (openpyxl round-trips them; charts and images it cannot read are the known exception).
- Text is written as text: a value starting with `=` gets data type "s", never a formula.
- Saving is atomic (temp file in the same folder, then rename) so a crash never leaves half a file.
- A file open in LibreOffice or Excel (their lock files sit beside it) is refused with a message
  that says who to ask to close it, instead of writing a file the office suite will overwrite.
- The file's content hash is the read "version": if the file changed between read and write, the
  write is refused and the engine re-reads and re-plans.
- Layout changes are made in memory and persisted by the next `write`, so one sync saves once.
- A layout's `pivot` is ignored: openpyxl cannot create pivot tables (the KPIs tab's own
  tables cover the same figures); only Google Sheets gets the native pivot table.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.errors import ConcurrentEditError, SheetError, SheetLockedError, SheetNotFoundError
from app.sheets.backend import (
    CellUpdate,
    CellValue,
    ChartSpec,
    SheetData,
    TabData,
    TabLayout,
    TabSelector,
    WriteResult,
)

EXCEL_MAX_TEXT = 32_767
LAST_ROW = 1_048_576
SERVICE_HEADER_FILL = "E8EEF7"


class WorkbookBackend:
    """A SheetBackend over one .xlsx file."""

    name = "workbook"
    atomic = True

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._book: Workbook | None = None
        self._version: str | None = None
        self._dirty = False
        # openpyxl drops charts when it loads a file, so they are attached again at every save.
        self._charts: dict[str, tuple[ChartSpec, ...]] = {}
        # A free-form tab's title rows: styled at save, after the cells of the same sync landed.
        self._bold_rows: dict[str, tuple[int, ...]] = {}

    def describe(self) -> str:
        return f"workbook {self.path}"

    # -- reading -------------------------------------------------------------------------------

    def read(self, select: TabSelector) -> SheetData:
        book = self._load()
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
                values_book = values_book or openpyxl.load_workbook(self.path, data_only=True)
                cached = values_book[title]
                for r, c in formula_cells:
                    rows[r][c] = _from_cell(cached.cell(row=r + 1, column=c + 1).value)
            tabs[title] = TabData(title=title, rows=_trim(rows))
        return SheetData(titles=tuple(book.sheetnames), tabs=tabs, version=self._version)

    def _load(self) -> Workbook:
        if not self.path.exists():
            raise SheetNotFoundError(
                f"Workbook {self.path} does not exist. Create it with "
                f"`aftersales init --workbook {self.path}`."
            )
        self._refuse_if_locked()
        data = self.path.read_bytes()
        try:
            from io import BytesIO

            self._book = openpyxl.load_workbook(BytesIO(data))
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise SheetNotFoundError(
                f"{self.path} is not a readable .xlsx workbook: {exc}"
            ) from exc
        self._version = _digest(data)
        self._dirty = False
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
        updates: Sequence[CellUpdate],
        *,
        expect_version: str | None = None,
        reserve_rows: Mapping[str, int] | None = None,  # a file has no grid to grow
    ) -> WriteResult:
        if self._book is None:
            self._load()
        assert self._book is not None
        self._refuse_if_locked()
        if expect_version is not None:
            current = _digest(self.path.read_bytes())
            if current != expect_version:
                raise ConcurrentEditError(
                    f"{self.path} changed while the sync was running; it will read it again."
                )
        for update in updates:
            sheet = self._book[update.tab]
            _set_cell(sheet, update)
        if not updates and not self._dirty:
            return WriteResult(cells=0, api_calls=0, version=self._version)
        self._save()
        return WriteResult(cells=len(updates), api_calls=1, version=self._version)

    def _save(self) -> None:
        assert self._book is not None
        for title, charts in self._charts.items():
            if title in self._book.sheetnames:
                _attach_charts(self._book[title], charts)
        for title, rows in self._bold_rows.items():
            if title in self._book.sheetnames:
                _embolden(self._book[title], rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            self._book.save(tmp)
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        self._version = _digest(self.path.read_bytes())
        self._dirty = False

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
        book = self._book if self._book is not None else self._load()
        changes = 0
        for layout in layouts:
            if layout.title not in book.sheetnames:
                book.create_sheet(layout.title)
                changes += 1
            changes += _apply_tab_layout(book[layout.title], layout)
            if layout.charts:
                self._charts[layout.title] = layout.charts
            if layout.bold_rows:
                self._bold_rows[layout.title] = layout.bold_rows
        if changes:
            self._dirty = True
        return changes


def _apply_tab_layout(sheet: Worksheet, layout: TabLayout) -> int:
    changes = 0
    if layout.frozen_rows and _frozen_rows(sheet) < layout.frozen_rows:
        # Freeze the header; a team's own wider freeze (more rows or columns) is kept.
        sheet.freeze_panes = f"A{layout.frozen_rows + 1}"
        changes += 1
    existing_validations = {
        (str(dv.sqref), dv.formula1) for dv in sheet.data_validations.dataValidation
    }
    for column in layout.columns:
        letter = get_column_letter(column.index)
        header = sheet.cell(row=1, column=column.index)
        dimension = sheet.column_dimensions[letter]
        added = header.value in (None, "")
        if added:
            header.value = column.header
            if column.width:
                dimension.width = column.width  # a column we add gets a readable width
            changes += 1
        # Only headers the service wrote or owns are styled; a team's own styling is kept.
        styled = added or column.protected
        if styled and layout.bold_header and not (header.font and header.font.b):
            header.font = _bold(header.font)
            changes += 1
        if column.protected and _fill_hex(header) != SERVICE_HEADER_FILL:
            header.fill = PatternFill("solid", start_color=SERVICE_HEADER_FILL)
            changes += 1
        if column.hidden and not dimension.hidden:
            dimension.hidden = True  # only ever hides our own helper column; never unhides
            changes += 1
        if column.choices:
            sqref = f"{letter}2:{letter}{LAST_ROW}"
            formula = '"' + ",".join(column.choices) + '"'
            if (sqref, formula) not in existing_validations and len(formula) <= 255:
                validation = DataValidation(
                    type="list",
                    formula1=formula,
                    allow_blank=True,
                    showErrorMessage=column.strict_choices,
                    errorStyle="warning",
                    error=f"Pick one of: {', '.join(column.choices)}",
                )
                validation.add(sqref)
                sheet.add_data_validation(validation)
                changes += 1
    if layout.highlights and layout.last_column:
        area = f"A2:{get_column_letter(layout.last_column)}{LAST_ROW}"
        present = {
            (str(cf.sqref), tuple(rule.formula or ()))
            for cf in sheet.conditional_formatting
            for rule in cf.rules
        }
        for rule in layout.highlights:
            if (area, (rule.formula,)) in present:
                continue
            font = Font(color=rule.font) if rule.font else None
            fill = PatternFill("solid", start_color=rule.fill, end_color=rule.fill)
            sheet.conditional_formatting.add(
                area, FormulaRule(formula=[rule.formula], fill=fill, font=font, stopIfTrue=True)
            )
            changes += 1
    return changes


def _attach_charts(sheet: Worksheet, charts: tuple[ChartSpec, ...]) -> None:
    sheet._charts = []  # openpyxl keeps no charts from the file; ours are drawn anew
    for spec in charts:
        chart = LineChart()
        chart.title = spec.title
        chart.height, chart.width = 8, 18
        for header_row, last_row, col in spec.series:
            if last_row > header_row:
                data = Reference(sheet, min_col=col, min_row=header_row, max_row=last_row)
                chart.add_data(data, titles_from_data=True)
        first, last, col = spec.categories
        if last >= first:
            chart.set_categories(Reference(sheet, min_col=col, min_row=first, max_row=last))
        sheet.add_chart(chart, f"{get_column_letter(spec.anchor[1])}{spec.anchor[0]}")


def _embolden(sheet: Worksheet, rows: tuple[int, ...]) -> None:
    for row in rows:
        for cell in sheet[row]:
            if cell.value not in (None, "") and not (cell.font and cell.font.b):
                cell.font = _bold(cell.font)


def _bold(font: Any) -> Font:
    """The same font, bold: colour, size and style the team chose are kept."""
    return Font(
        name=font.name,
        size=font.size,
        italic=font.i,
        underline=font.u,
        strike=font.strike,
        color=font.color,
        bold=True,
    )


def _frozen_rows(sheet: Worksheet) -> int:
    """How many top rows the sheet's freeze panes hold (0 when nothing is frozen)."""
    panes = sheet.freeze_panes
    if not panes:
        return 0
    return int("".join(ch for ch in str(panes) if ch.isdigit()) or "1") - 1


def _set_cell(sheet: Worksheet, update: CellUpdate) -> None:
    cell = sheet.cell(row=update.row, column=update.col)
    value = _to_cell(update.value)
    cell.value = value
    if isinstance(value, str):
        # Assigning a str that starts with "=" makes openpyxl store a formula; force text.
        cell.data_type = "s"
    if update.number_format and cell.number_format != update.number_format:
        cell.number_format = update.number_format


def _to_cell(value: CellValue) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)  # wall-clock; Excel has no time zones
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        return text[: EXCEL_MAX_TEXT - 1] + "…" if len(text) > EXCEL_MAX_TEXT else text
    return value


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


def _fill_hex(cell: Any) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid" or fill.start_color is None:
        return None
    rgb = fill.start_color.rgb
    return rgb[-6:] if isinstance(rgb, str) else None


def _lock_owner(lock: Path) -> str | None:
    """LibreOffice writes `,user,host,...` into its lock file; show the user when readable."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    parts = [p.strip() for p in text.split(",")]
    return parts[1] if len(parts) > 1 and parts[1] else None
