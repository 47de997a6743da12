"""Spreadsheet backends behind one narrow interface (see `backend.SheetBackend`).

`WorkbookBackend` is imported on first use (openpyxl and calamine are megabytes a process
syncing a Google sheet never needs)."""

from typing import TYPE_CHECKING, Any

from app.sheets.backend import (
    CellUpdate,
    CellValue,
    ChartSpec,
    ColumnLayout,
    HighlightRule,
    PivotSpec,
    RowUpdate,
    SheetBackend,
    SheetData,
    TabData,
    TabLayout,
    TabSelector,
    Write,
    WriteResult,
    cell_count,
    each_cell,
)

if TYPE_CHECKING:
    from app.sheets.workbook import WorkbookBackend

__all__ = [
    "CellUpdate",
    "CellValue",
    "ChartSpec",
    "ColumnLayout",
    "HighlightRule",
    "PivotSpec",
    "RowUpdate",
    "SheetBackend",
    "SheetData",
    "TabData",
    "TabLayout",
    "TabSelector",
    "WorkbookBackend",
    "Write",
    "WriteResult",
    "cell_count",
    "each_cell",
]


def __getattr__(name: str) -> Any:
    if name == "WorkbookBackend":
        from app.sheets.workbook import WorkbookBackend

        return WorkbookBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
