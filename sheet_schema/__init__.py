"""The sheet contract: tabs, columns, owners, header matching and typed cell parsing.

Pure: no I/O beyond reading the shipped schema file, no clock. The sync engine uses this to find
columns by header text and to turn raw cells into typed values or named problems.
"""

from sheet_schema.cells import (
    CellProblem,
    DateOrder,
    ParseContext,
    Parsed,
    ParsedValue,
    is_blank,
    parse_cell,
    strip_control,
    to_serial,
)
from sheet_schema.headers import HeaderMap, find_tabs, match_headers
from sheet_schema.loader import SchemaError, load_schema
from sheet_schema.models import ColumnSpec, ColumnType, Owner, SheetSchema, TabSpec, header_key

__all__ = [
    "CellProblem",
    "ColumnSpec",
    "ColumnType",
    "DateOrder",
    "HeaderMap",
    "Owner",
    "ParseContext",
    "Parsed",
    "ParsedValue",
    "SchemaError",
    "SheetSchema",
    "TabSpec",
    "find_tabs",
    "header_key",
    "is_blank",
    "load_schema",
    "match_headers",
    "parse_cell",
    "strip_control",
    "to_serial",
]
