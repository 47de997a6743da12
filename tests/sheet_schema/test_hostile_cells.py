"""How the sheet contract reads cells no person can see or that no store can hold: control
characters, NUL, a Case ID longer than the contract allows, headers with control characters."""

from __future__ import annotations

import pytest

from sheet_schema import ParseContext, is_blank, load_schema, match_headers, parse_cell

CASES = load_schema().tab("cases")
CTX = ParseContext()


@pytest.mark.parametrize("raw", ["\x00", "\x01\x02\x03", " \x00\t", "\x1b", "   "])
def test_a_cell_of_control_characters_only_is_blank(raw: str) -> None:
    """A cell holding only invisible control characters (or spaces) counts as blank."""
    assert is_blank(raw)
    assert parse_cell(CASES.column("notes"), raw, CTX).value is None


@pytest.mark.parametrize("raw", ["\u200b", "\x7f", "a\x00", "שלום", "\u202eevil"])
def test_visible_or_unusual_text_is_not_blank(raw: str) -> None:
    """Zero-width, right-to-left and DEL characters, or text with a NUL, are not blank."""
    assert not is_blank(raw)


def test_text_is_read_without_control_characters() -> None:
    """NUL and other control characters are dropped from text; tabs and line breaks stay."""
    parsed = parse_cell(CASES.column("case_id"), "AS-\x00R-\x1b7", CTX)
    assert (parsed.value, parsed.problem) == ("AS-R-7", None)
    assert parse_cell(CASES.column("notes"), "a\tb\nc\x00", CTX).value == "a\tb\nc"
    assert parse_cell(CASES.column("status"), "Closed\x00", CTX).value == "Closed"


def test_a_case_id_longer_than_100_characters_is_a_named_problem() -> None:
    """A Case ID names the case in the store, the Timeline and URLs: 100 characters at most."""
    spec = CASES.column("case_id")
    assert parse_cell(spec, "A" * 100, CTX).value == "A" * 100
    parsed = parse_cell(spec, "A" * 101, CTX)
    assert parsed.value is None
    assert parsed.problem is not None and parsed.problem.code == "cell.too_long"
    assert parsed.problem.message == "is longer than 100 characters"


def test_headers_are_matched_and_quoted_without_control_characters() -> None:
    """'Case\\x00 ID' is the Case ID header, and a problem quotes headers without the NUL."""
    headers = match_headers(CASES, "Cases", ["Case\x00 ID", "Status", "Sta\x01tus"])
    assert headers.positions.get("case_id") == 0
    assert headers.duplicates == {"status": ("Status", "Status")}
    assert all("\x00" not in p and "\x01" not in p for p in headers.problems())
