"""The sheet-level texts the catalogue gives each team language: every tab and column has a
title or header in each, the English one is the schema's, and each Chinese one finds its
column (it is an alias)."""

from __future__ import annotations

import yaml

from app.sync.layout import header_note
from sheet_schema import load_schema, match_headers
from sheet_schema.messages import MESSAGES_DIR, load_catalogue

SCHEMA_FILE = MESSAGES_DIR.parent / "schema.yaml"


def test_every_column_of_every_tab_has_a_header_in_each_language() -> None:
    """headers.<tab>.<column> exists for each column, its English text is the schema file's."""
    raw = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    texts = load_catalogue().texts
    for tab in raw["tabs"]:
        assert texts[f"tabs.{tab['key']}"]["en"] == tab["title"]
        for column in tab["columns"]:
            entry = texts[f"headers.{tab['key']}.{column['key']}"]
            assert entry["en"] == column["header"], (tab["key"], column["key"])


def test_a_cases_tab_headed_in_chinese_is_read_column_by_column() -> None:
    """A header row of the Chinese headers finds every Cases column and no problem."""
    cases = load_schema().tab("cases")
    chinese = [load_catalogue().texts[f"headers.cases.{c.key}"]["zh"] for c in cases.columns]
    found = match_headers(cases, "案件", chinese)
    assert found.ok and not found.duplicates
    assert found.positions == {c.key: i for i, c in enumerate(cases.columns)}
    assert chinese[27] == "退货截止日期"


def test_the_english_header_note_is_the_one_the_catalogue_holds() -> None:
    """The English note a service header gets is the catalogue's English text, word for word."""
    texts = load_catalogue().texts
    assert header_note("priority") == texts["headers.note_priority"]["en"]
    assert header_note("validation") == texts["headers.note_default"]["en"]
    assert header_note("priority", "zh") == (
        "由售后助手计算——请在 优先级调整 列填写。此处的修改会在下次同步时被替换。"
    )
