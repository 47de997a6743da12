"""Spreadsheet backends behind one narrow interface (see `backend.SheetBackend`)."""

from app.sheets.backend import (
    CellUpdate,
    CellValue,
    ChartSpec,
    ColumnLayout,
    HighlightRule,
    PivotSpec,
    SheetBackend,
    SheetData,
    TabData,
    TabLayout,
    TabSelector,
    WriteResult,
)
from app.sheets.workbook import WorkbookBackend

__all__ = [
    "CellUpdate",
    "CellValue",
    "ChartSpec",
    "ColumnLayout",
    "HighlightRule",
    "PivotSpec",
    "SheetBackend",
    "SheetData",
    "TabData",
    "TabLayout",
    "TabSelector",
    "WorkbookBackend",
    "WriteResult",
]
