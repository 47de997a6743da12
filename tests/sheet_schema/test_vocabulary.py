"""The one vocabulary: what people type in choice, yes/no and evidence cells, read as the
canonical word (English variants, codes, Chinese, full-width forms); dates in the forms people
type; an unknown word named with its fix; a broken vocabulary file named by file and field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sheet_schema import DateOrder, ParseContext, load_schema, parse_cell
from sheet_schema.vocabulary import (
    UNKNOWN_WORD,
    VocabularyError,
    canonical_items,
    load_vocabulary,
    shipped_vocabulary,
)

CASES = load_schema().tab("cases")
CTX = ParseContext()


def read(column: str, raw: object, ctx: ParseContext = CTX) -> object:
    parsed = parse_cell(CASES.column(column), raw, ctx)
    assert parsed.problem is None, parsed.problem
    return parsed.value


@pytest.mark.parametrize(
    ("column", "typed", "canonical"),
    [
        ("status", "处理中", "In Progress"),
        ("status", "ＡＷＡＩＴＩＮＧ　ＣＵＳＴＯＭＥＲ", "Awaiting Customer"),
        ("status", "awaiting-seller!", "Awaiting Seller"),
        ("status", "已寄回", "Return Shipped"),
        ("issue_type", "质量问题", "Defect"),
        ("issue_type", "not as pictured", "Not as Described"),
        ("issue_type", "发错货", "Wrong Item"),
        ("item_condition", "全新", "New"),
        ("outcome", "全额退款", "Full Refund"),
        ("outcome", "补发", "Reship"),
        ("priority_override", "紧急", "P1"),
        ("language", "zh-Hant", "Chinese"),
        ("language", "中文", "Chinese"),
        ("language", "Español", "Spanish"),
        ("language", "en-GB", "English"),
        ("platform", "ＳＵＰＥＲＢＵＹ", "Superbuy"),
    ],
)
def test_typed_words_read_as_the_canonical_word(column: str, typed: str, canonical: str) -> None:
    """A word a team writes is read as the canonical word of its column."""
    assert read(column, typed) == canonical


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        ("Y", True), ("n", False), ("TRUE", True), ("false", False), (1, True), (0, False),
        ("✓", True), ("✗", False), ("是", True), ("否", False), ("有", True), ("无", False),
        ("ｙｅｓ", True),
    ],
)  # fmt: skip
def test_yes_no_forms(typed: object, meaning: bool) -> None:
    """Yes/No accepts the usual forms in any width."""
    assert read("policy_exception", typed) is meaning


@pytest.mark.parametrize(
    "typed",
    [
        "https://drive.google.com/file/d/1AbC/view",
        "unboxing video 0412.mp4",
        "IMG_2041.MOV",
        "2025-11-07",
        datetime(2025, 11, 7, 14, 0),
        45968,
    ],
)
def test_an_evidence_cell_holding_the_evidence_counts_as_provided(typed: object) -> None:
    """A link, a file name or a date in Video Proof means the video is there."""
    assert read("video_proof", typed) is True


def test_a_non_evidence_yes_no_column_does_not_take_links() -> None:
    """Policy Exception is a decision, not evidence: a link there is not Yes."""
    parsed = parse_cell(CASES.column("policy_exception"), "https://x.example/a", CTX)
    assert parsed.value is None and parsed.problem is not None


def test_an_unknown_word_names_the_fix_and_the_nearest_word() -> None:
    """An unknown status names the Vocabulary tab, the nearest word and what happens meanwhile."""
    parsed = parse_cell(CASES.column("status"), "Awaitng Seler", CTX)
    assert parsed.value is None and parsed.problem is not None
    assert parsed.problem.code == UNKNOWN_WORD
    message = parsed.problem.message
    assert "(nearest: Awaiting Seller)" in message
    assert "map 'Awaitng Seler' in the Vocabulary tab" in message
    assert "treated as open" in message


def test_team_words_are_read_through_the_sheets_vocabulary() -> None:
    """A team's word (Vocabulary tab) is read as the canonical word it names, for that sheet."""
    words = shipped_vocabulary().with_team({"status": {"Refund Pending": "Awaiting Platform"}})
    assert read("status", "refund pending", ParseContext(words=words)) == "Awaiting Platform"
    assert parse_cell(CASES.column("status"), "Refund Pending", CTX).value is None


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        (45967, date(2025, 11, 6)),
        ("2025-11-06", date(2025, 11, 6)),
        ("2025/11/06", date(2025, 11, 6)),
        ("2025.11.06", date(2025, 11, 6)),
        ("2025年11月6日", date(2025, 11, 6)),
        ("2025-11-06 15:45", datetime(2025, 11, 6, 15, 45, tzinfo=UTC)),
        ("2025年11月6日 09:30", datetime(2025, 11, 6, 9, 30, tzinfo=UTC)),
        ("2025-11-06 00:00", date(2025, 11, 6)),
        (45967.5, datetime(2025, 11, 6, 12, 0, tzinfo=UTC)),
        ("30/11/2025", date(2025, 11, 30)),
    ],
)
def test_dates_in_the_forms_people_type(typed: object, day: date) -> None:
    """Window Start reads serials, ISO, slashes, dots and Chinese dates; a time of day is kept
    (an hour window counts from it), and a midnight is a date alone."""
    value = read("window_start", typed)
    assert value == day
    assert isinstance(value, datetime) == isinstance(day, datetime)


def test_an_ambiguous_day_month_is_named_unless_the_locale_settles_it() -> None:
    """03/10/2025 is March or October: named, unless the sheet's locale orders day first."""
    parsed = parse_cell(CASES.column("window_start"), "03/10/2025", CTX)
    assert parsed.problem is not None and "day/month" in parsed.problem.message
    dmy = ParseContext(date_order=DateOrder.DMY)
    assert read("window_start", "03/10/2025", dmy) == date(2025, 10, 3)


def test_every_choice_column_has_its_choices_in_its_vocabulary() -> None:
    """The dropdowns of the sheet offer only canonical words of the column's vocabulary."""
    words = shipped_vocabulary()
    for tab in load_schema().tabs:
        for column in tab.columns:
            if column.vocabulary is not None:
                assert set(column.choices) <= set(words[column.vocabulary].canonical), column.key


def test_lists_in_rule_files_name_the_nearest_word() -> None:
    """Policy files, priority rules and settings share one reader that names the nearest word."""
    statuses = shipped_vocabulary()["status"].canonical
    assert canonical_items(statuses, ["等待客户", "closed"], "status") == (
        "Awaiting Customer",
        "Closed",
    )
    with pytest.raises(ValueError, match=r"unknown status 'Resolvd' \(did you mean Resolved\?\)"):
        canonical_items(statuses, ["Resolvd"], "status")


def test_a_broken_vocabulary_file_names_file_and_field(tmp_path: Path) -> None:
    """A word given two meanings is refused at load, naming the file and the vocabulary."""
    path = tmp_path / "vocabulary.yaml"
    path.write_text(
        "version: 1\nvocabularies:\n  status:\n    values:\n"
        "      New: [open]\n      Closed: [OPEN]\n",
        encoding="utf-8",
    )
    with pytest.raises(VocabularyError) as caught:
        load_vocabulary(path)
    assert str(path) in str(caught.value)
    assert "vocabularies.status" in str(caught.value)
    assert "'OPEN' means both 'New' and 'Closed'" in str(caught.value)
