"""Unit tests of the emulator's building blocks: A1 notation, number formats, parsing,
field masks and formulas."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.emulator.a1 import (
    Bounds,
    col_index,
    col_letters,
    format_range,
    parse_range,
    quote_sheet,
    split_sheet,
)
from tests.emulator.fieldmask import apply_mask, filter_fields, parse_mask
from tests.emulator.locales import get_locale
from tests.emulator.normalize import f32, sync_colors
from tests.emulator.numfmt import format_value, from_serial, to_serial
from tests.emulator.parsing import parse_user_entered

EN = get_locale("en_US")
TODAY = dt.date(2024, 5, 1)


@given(st.integers(min_value=0, max_value=18277))
def test_column_letters_round_trip(index: int) -> None:
    """Column letters and indexes convert both ways for every column up to ZZZ."""
    assert col_index(col_letters(index)) == index


@given(st.text(min_size=1, max_size=20).filter(lambda t: "\x00" not in t))
def test_sheet_names_quote_and_parse_back(title: str) -> None:
    """Any sheet title survives quoting into a range and parsing back out."""
    text = f"{quote_sheet(title)}!A1:B2"
    assert split_sheet(text) == (title, "A1:B2")


@pytest.mark.parametrize(
    ("text", "sheet", "bounds"),
    [
        ("'My Tab'!A1:B2", "My Tab", Bounds(0, 0, 2, 2)),
        ("'It''s'!C3", "It's", Bounds(2, 2, 3, 3)),
        ("Sheet1!A2:C", "Sheet1", Bounds(1, 0, None, 3)),
        ("Sheet1!A:A", "Sheet1", Bounds(0, 0, None, 1)),
        ("Sheet1!2:5", "Sheet1", Bounds(1, 0, 5, None)),
        ("Sheet1!A1:1", "Sheet1", Bounds(0, 0, 1, None)),
        ("Sheet1!D4:A1", "Sheet1", Bounds(0, 0, 4, 4)),
        ("Sheet1!$B$2", "Sheet1", Bounds(1, 1, 2, 2)),
        ("Sheet1!R2C3", "Sheet1", Bounds(1, 2, 2, 3)),
        ("A1:B2", None, Bounds(0, 0, 2, 2)),
    ],
)
def test_parse_ranges(text: str, sheet: str | None, bounds: Bounds) -> None:
    """Quoted names, open-ended, whole-row/column, reversed and absolute ranges parse."""
    ref = parse_range(text)
    assert ref is not None
    assert (ref.sheet, ref.bounds) == (sheet, bounds)


def test_range_output_quoting() -> None:
    """Output ranges quote only names Google quotes (spaces, cell-like titles, quotes)."""
    assert format_range("Sheet1", 0, 0, 1, 1) == "Sheet1!A1"
    assert format_range("My Tab", 0, 0, 2, 3) == "'My Tab'!A1:C2"
    assert format_range("D3", 1, 1, 2, 2) == "'D3'!B2"
    assert format_range("It's", 0, 0, 1, 1) == "'It''s'!A1"


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (43832, {"type": "DATE"}, "1/2/2020"),
        (43832.75, {"type": "DATE_TIME"}, "1/2/2020 18:00:00"),
        (0.75, {"type": "TIME"}, "6:00:00 PM"),
        (43832, {"type": "DATE", "pattern": "yyyy-mm-dd"}, "2020-01-02"),
        (43832, {"type": "DATE", "pattern": "d mmm yyyy"}, "2 Jan 2020"),
        (1234.5, {"type": "NUMBER", "pattern": "#,##0.00"}, "1,234.50"),
        (-1234.5, {"type": "CURRENCY", "pattern": '"$"#,##0.00'}, "-$1,234.50"),
        (0.125, {"type": "PERCENT", "pattern": "0.0%"}, "12.5%"),
        (5, {"type": "NUMBER", "pattern": "000"}, "005"),
        (1 / 3, None, "0.3333333333"),
        (2000000.01, None, "2000000.01"),
    ],
)
def test_number_formats(value: float, fmt: dict[str, str] | None, expected: str) -> None:
    """Number format patterns and the automatic format render like Sheets (en_US)."""
    assert format_value(value, fmt, EN) == expected


def test_serial_dates() -> None:
    """Serial numbers count days from 1899-12-30, fractions are the time of day."""
    assert to_serial(dt.date(1899, 12, 30)) == 0
    assert to_serial(dt.date(2020, 1, 1)) == 43831
    assert from_serial(43831.5) == dt.datetime(2020, 1, 1, 12, 0)


@pytest.mark.parametrize(
    ("raw", "kind", "value", "pattern"),
    [
        ("=A1+1", "formula", "=A1+1", None),
        ("'=A1", "string", "=A1", None),
        ("TRUE", "bool", True, None),
        ("2,000,000.01", "number", 2000000.01, "#,##0.00"),
        ("-12.5%", "number", -0.125, "0.0%"),
        ("2020-01-02", "number", 43832, "yyyy-mm-dd"),
        ("1/2/20", "number", 43832, "M/d/yyyy"),
        ("Jan 2, 2020", "number", 43832, "mmm d, yyyy"),
        ("3/4", "number", to_serial(dt.date(2024, 3, 4)), "M/d/yyyy"),
        ("007", "number", 7, None),
        ("1/2/3/4", "string", "1/2/3/4", None),
    ],
)
def test_user_entered_parsing(raw: str, kind: str, value: object, pattern: str | None) -> None:
    """USER_ENTERED strings become formulas, booleans, numbers and dates with inferred formats."""
    parsed = parse_user_entered(raw, EN, TODAY)
    assert (parsed.kind, parsed.value) == (kind, value)
    assert (parsed.number_format or {}).get("pattern") == pattern


def test_field_masks() -> None:
    """Masks parse paths, dots, slashes and groups; apply copies or clears masked fields."""
    mask = parse_mask("userEnteredFormat(backgroundColor,textFormat.bold),note,a/b")
    assert mask == {
        "userEnteredFormat": {"backgroundColor": None, "textFormat": {"bold": None}},
        "note": None,
        "a": {"b": None},
    }
    target = {"note": "old", "userEnteredFormat": {"textFormat": {"bold": True, "italic": True}}}
    apply_mask(target, {"userEnteredFormat": {"backgroundColor": {"red": 1}}}, mask)
    assert target == {
        "userEnteredFormat": {"textFormat": {"italic": True}, "backgroundColor": {"red": 1}}
    }
    doc = {"sheets": [{"properties": {"title": "x", "index": 0}, "data": []}], "id": 1}
    assert filter_fields(doc, parse_mask("sheets.properties.title")) == {
        "sheets": [{"properties": {"title": "x"}}]
    }


def test_colors_are_normalised() -> None:
    """Colours become float32 without zero components, with both colour and style keys."""
    assert f32(0.4980392156862745) == 0.49803922
    assert sync_colors({"tabColorStyle": {"rgbColor": {"red": 1.0, "green": 0.0}}}) == {
        "tabColorStyle": {"rgbColor": {"red": 1.0}},
        "tabColor": {"red": 1.0},
    }
