"""Builds workbooks the way busy teams leave them, and reads them back cell by cell.

Shared by the sync, sheet and CLI tests so each test says only what is special about its sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl

from sheet_schema import Owner, load_schema

NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Friday

DEFAULT_HEADERS = [c.header for c in load_schema().tab("cases").user_columns]


def case(**values: Any) -> dict[str, Any]:
    """A valid case row by header, with overrides: case(Platform="Bhiner", Status="New")."""
    row: dict[str, Any] = {
        "Case ID": "AS-T-0001",
        "Opened": datetime(2025, 10, 9, 9, 30),
        "Platform": "Superbuy",
        "Order No.": "SB12345678",
        "Customer": "Emma Wilson",
        "Issue Type": "Defect",
        "Item Condition": "New",
        "Window Start": datetime(2025, 10, 1),
        "Evidence": "photos",
        "Original Packaging": "Yes",
        "Assignee": "Lily",
        "Status": "In Progress",
    }
    row.update(values)
    return row


def write_workbook(
    path: Path,
    rows: Sequence[Mapping[str, Any]],
    headers: Sequence[str] | None = None,
    title: str = "Cases",
    extra_tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """Write a Cases tab (headers in the given order) plus any extra tabs as raw rows."""
    headers = list(headers or DEFAULT_HEADERS)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    for tab, tab_rows in (extra_tabs or {}).items():
        other = book.create_sheet(tab)
        for tab_row in tab_rows:
            other.append(list(tab_row))
    _text_stays_text(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _text_stays_text(book: openpyxl.Workbook) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"


def read_tab(path: Path, title: str = "Cases") -> list[list[Any]]:
    """All cell values of a tab, row by row (as openpyxl reads them)."""
    sheet = openpyxl.load_workbook(path)[title]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def records(path: Path, title: str = "Cases") -> list[dict[str, Any]]:
    rows = read_tab(path, title)
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def user_cells(path: Path, title: str = "Cases") -> dict[tuple[int, str], Any]:
    """Every cell under a user-owned (or unknown, team-added) header, keyed by (row, header)."""
    service = {
        h.casefold()
        for c in load_schema().tab("cases").columns
        if c.owner is Owner.SERVICE
        for h in (c.header, *c.aliases)
    }
    rows = read_tab(path, title)
    header = rows[0]
    out = {}
    for r, row in enumerate(rows[1:], start=2):
        for h, v in zip(header, row, strict=False):
            if h is not None and str(h).casefold() not in service:
                out[(r, str(h))] = v
    return out
