"""'A person edits the sheet': edits applied just before the k-th API request is served,
bypassing protections like a human editor in the UI would (they own the sheet)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .a1 import col_index
from .batch_update import apply_requests
from .calc import Calc
from .errors import ApiError
from .model import Sheet, Spreadsheet
from .ranges import resolve_a1
from .values import write_matrix

BookEdit = Callable[[Spreadsheet, dt.datetime], Spreadsheet]


def _sheet(book: Spreadsheet, title: str | None) -> Sheet:
    sheet = book.first_visible() if title is None else book.sheet_by_title(title)
    if sheet is None:
        raise ApiError(400, f"edit hook: no sheet named {title!r}")
    return sheet


@dataclass
class Edit:
    """An edit to one spreadsheet; build it with the constructors below."""

    spreadsheet_id: str
    apply: BookEdit
    description: str = ""

    @staticmethod
    def requests(spreadsheet_id: str, requests: list[dict[str, Any]]) -> Edit:
        """Any spreadsheets.batchUpdate requests, applied as the sheet's owner."""

        def run(book: Spreadsheet, now: dt.datetime) -> Spreadsheet:
            return apply_requests(book, requests, None, now)[0]

        return Edit(spreadsheet_id, run, f"requests {[next(iter(r)) for r in requests]}")

    @staticmethod
    def set_values(
        spreadsheet_id: str,
        a1_range: str,
        values: list[list[Any]],
        input_option: str = "USER_ENTERED",
    ) -> Edit:
        """Type values into a range (USER_ENTERED by default, like a person)."""

        def run(book: Spreadsheet, now: dt.datetime) -> Spreadsheet:
            work = book.clone()
            sheet, bounds = resolve_a1(work, a1_range)
            write_matrix(
                Calc(work, now), sheet, bounds, values, "ROWS", input_option, None, a1_range
            )
            return work

        return Edit(spreadsheet_id, run, f"set {a1_range}")

    @staticmethod
    def sort(
        spreadsheet_id: str,
        sheet: str | None = None,
        column: int | str = 0,
        ascending: bool = True,
        header_rows: int = 1,
    ) -> Edit:
        """Sort a sheet's rows below the header by one column (index or letter)."""

        def run(book: Spreadsheet, now: dt.datetime) -> Spreadsheet:
            target = _sheet(book, sheet)
            col = col_index(column) if isinstance(column, str) else column
            request = {
                "sortRange": {
                    "range": {
                        "sheetId": target.sheet_id,
                        "startRowIndex": header_rows,
                        "endRowIndex": target.rows,
                        "startColumnIndex": 0,
                        "endColumnIndex": target.cols,
                    },
                    "sortSpecs": [
                        {
                            "dimensionIndex": col,
                            "sortOrder": "ASCENDING" if ascending else "DESCENDING",
                        }
                    ],
                }
            }
            return apply_requests(book, [request], None, now)[0]

        return Edit(spreadsheet_id, run, f"sort {sheet} by {column}")

    @staticmethod
    def insert_rows(spreadsheet_id: str, sheet: str | None, row: int, count: int = 1) -> Edit:
        """Insert `count` empty rows before 1-based `row`."""
        return Edit._dimension(spreadsheet_id, sheet, "insertDimension", row, count)

    @staticmethod
    def delete_rows(spreadsheet_id: str, sheet: str | None, row: int, count: int = 1) -> Edit:
        """Delete `count` rows starting at 1-based `row`."""
        return Edit._dimension(spreadsheet_id, sheet, "deleteDimension", row, count)

    @staticmethod
    def _dimension(spreadsheet_id: str, sheet: str | None, kind: str, row: int, count: int) -> Edit:
        def run(book: Spreadsheet, now: dt.datetime) -> Spreadsheet:
            target = _sheet(book, sheet)
            rng = {
                "sheetId": target.sheet_id,
                "dimension": "ROWS",
                "startIndex": row - 1,
                "endIndex": row - 1 + count,
            }
            body: dict[str, Any] = {"range": rng}
            if kind == "insertDimension":
                body["inheritFromBefore"] = row > 1
            return apply_requests(book, [{kind: body}], None, now)[0]

        return Edit(spreadsheet_id, run, f"{kind} {sheet} row {row} x{count}")


@dataclass
class ScheduledEdit:
    edit: Edit
    at: int  # fires before the at-th matching API request (1-based)
    kinds: frozenset[str] | None = None
    seen: int = 0
    fired: bool = False
    error: str | None = None


@dataclass
class EditSchedule:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _items: list[ScheduledEdit] = field(default_factory=list)

    def add(self, edit: Edit, at: int, kinds: str | Iterable[str] | None = None) -> ScheduledEdit:
        kind_set = (
            None if kinds is None else frozenset([kinds] if isinstance(kinds, str) else kinds)
        )
        item = ScheduledEdit(edit, at, kind_set)
        with self._lock:
            self._items.append(item)
        return item

    def due(self, kind: str) -> list[ScheduledEdit]:
        """Count this request and return the edits that must run before it."""
        due = []
        with self._lock:
            for item in self._items:
                if item.fired or (item.kinds is not None and kind not in item.kinds):
                    continue
                item.seen += 1
                if item.seen >= item.at:
                    item.fired = True
                    due.append(item)
        return due

    def items(self) -> list[ScheduledEdit]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
