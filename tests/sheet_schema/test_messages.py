"""The message catalogue: complete in every language, and Chinese texts free of English words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sheet_schema.messages import (
    LANGUAGES,
    CatalogueError,
    load_catalogue,
    placeholders,
    team_language,
)

# What a Chinese text may carry in Latin letters: names, codes and units, never English prose.
ALLOWED_LATIN = {
    "sla", "id", "url", "kpi", "kpis", "p1", "p2", "p3", "p4", "l1", "l2", "l3", "ok",
    "superbuy", "bhiner", "yoybuy", "wegobuy", "mulebuy", "ponybuy", "taobao", "tmall", "jd",
    "pinduoduo", "xianyu", "aftersales", "csv", "json", "utc", "gmt", "h", "min", "csat",
    "webhook", "email", "google", "excel", "adopt",
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Names the CLI's texts carry: products, the sheet's tab names, metavariables (F, ID, YYYY-MM-DD).
ALLOWED_LATIN |= {
    "hmac", "libreoffice", "apps", "script", "scriptid", "urlfetchwhitelist", "cases", "settings",
    "vocabulary", "ms", "f", "yyyy-mm-dd", "xlsx",
}  # fmt: skip
# Names the doctor's texts carry: products and protocols, setting values a person types
# (AFTERSALES_ENVIRONMENT=production), a host name and the metavariables NAME and TZ.
ALLOWED_LATIN |= {
    "production", "development", "true", "oidc", "oauth", "prometheus", "iam", "https", "api",
    "drive", "cloud", "googleapis", "com", "name", "tz",
}  # fmt: skip
# Codes a person types as they are, removed before looking for English: placeholders, `quoted
# commands`, `aftersales <command>`, --options, ENVIRONMENT_VARIABLES, paths and file names,
# times (2025-10-03T10:00) and codes mixing letters and digits (p90, P1).
CODES = re.compile(
    r"\{[^}]*\}|`[^`]*`|\baftersales(?: [a-z][a-z-]*)*|--[a-z][a-z-]*|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b"
    r"|\S*/\S*|\b[\w-]+\.(?:xlsx|json|md|gs|txt|db|yaml)\b|\d{4}-\d\d-\d\dT[\d:]+|\b[A-Za-z]+\d+\b"
)


def without_codes(text: str) -> str:
    """`text` with what `CODES` matches removed (what is left must be the language's words)."""
    return CODES.sub(" ", text)


def test_every_shipped_message_has_every_language_with_the_same_placeholders() -> None:
    """The shipped catalogue loads: each key has a text per language filling the same names."""
    catalogue = load_catalogue()
    assert catalogue.keys()
    for key, entry in catalogue.texts.items():
        assert set(entry) == set(LANGUAGES), key
        assert len({placeholders(entry[lang]) for lang in LANGUAGES}) == 1, key


def test_a_chinese_text_holds_no_english_word_outside_names_and_codes() -> None:
    """Every zh text, with its placeholders removed, uses Latin letters only for allowed names."""
    leaks: dict[str, list[str]] = {}
    for key, entry in load_catalogue().texts.items():
        bare = without_codes(entry["zh"])
        words = [w for w in LATIN_WORD.findall(bare) if w.casefold() not in ALLOWED_LATIN]
        if words:
            leaks[key] = words
    assert leaks == {}


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('cases.x:\n  en: "Hi"\n', "no text in zh"),
        ('cases.x:\n  en: "Due {due}"\n  zh: "期限"\n', "different placeholders"),
        ('cases.x:\n  en: "Hi"\n  zh: "你好"\n  fr: "Salut"\n', "unknown language"),
        ('other.x:\n  en: "Hi"\n  zh: "你好"\n', "starting with 'cases.'"),
    ],
)
def test_a_broken_catalogue_names_the_file_and_the_key(
    tmp_path: Path, content: str, named: str
) -> None:
    """A missing language, mismatched placeholders, a stray language or a key of another area
    stops the load with the file, the key and the problem."""
    (tmp_path / "cases.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "cases.yaml") in message and named in message


def test_a_text_is_filled_in_the_team_language_and_falls_back_to_english(tmp_path: Path) -> None:
    """zh_CN and 中文 choose Chinese; an unknown language gets English; placeholders are filled."""
    (tmp_path / "sla.yaml").write_text(
        'sla.overdue:\n  en: "Overdue, due {due}"\n  zh: "已超时，期限 {due}"\n', encoding="utf-8"
    )
    catalogue = load_catalogue(tmp_path)
    assert catalogue.text("sla.overdue", "zh_CN", due="10-09 15:00") == "已超时，期限 10-09 15:00"
    assert catalogue.text("sla.overdue", "fr", due="10-09") == "Overdue, due 10-09"
    assert team_language("中文") == "zh" and team_language("English") == "en"
