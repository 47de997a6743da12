"""The team language of a sheet: the language the service writes the sheet's own texts in.

Chosen, first to last: the sheet's Settings tab (`language`), the registration
(`aftersales sheets add --language`), the spreadsheet's locale (Google: zh_CN, zh_TW, ...) or,
with no locale (a workbook), the Cases tab's headers of the service's own columns being mostly
Chinese; English otherwise. Pure.

Only the service columns' headers count: a team that types its own columns in Chinese but has
not chosen Chinese (Settings, registration) keeps the English service columns it always had,
while a sheet whose service columns are headed in Chinese (laid out so, or typed so) stays
Chinese when nothing else chooses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from app.sync.rows import SheetRow
from policies.vocab import fold
from sheet_schema.messages import DEFAULT_LANGUAGE, Language, team_language, text

LANGUAGE_KEY: Final = "language"
# The ways a person writes a language (folded): codes, English and Chinese names.
_WORDS: Final[dict[str, Language]] = {
    "zh": "zh", "中文": "zh", "chinese": "zh", "汉语": "zh", "简体中文": "zh", "繁體中文": "zh",
    "繁体中文": "zh", "zhcn": "zh", "zhtw": "zh", "zhhk": "zh", "cn": "zh",
    "en": "en", "english": "en", "英文": "en", "英语": "en", "enus": "en", "engb": "en",
}  # fmt: skip
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

Source = Literal["settings", "registration", "locale", "headers", "default"]


@dataclass(frozen=True, slots=True)
class TeamLanguage:
    """The language chosen and what chose it (for the summary and `doctor`)."""

    language: Language
    source: Source


ENGLISH_BY_DEFAULT: Final = TeamLanguage(DEFAULT_LANGUAGE, "default")


def parse_language(typed: str) -> Language:
    """'zh', '中文', 'Chinese', 'zh-CN' -> 'zh'; 'en', 'English', '英文' -> 'en';
    anything else raises ValueError."""
    folded = fold(typed)
    if folded in _WORDS:
        return _WORDS[folded]
    raise ValueError(text("language.unknown", DEFAULT_LANGUAGE, zh="zh", en="en"))


def settings_language(rows: Sequence[SheetRow]) -> Language | None:
    """The Settings tab's `language` row, when it holds a language (the first such row wins,
    as for every setting; a row it cannot read is named in its Validation cell elsewhere)."""
    for row in rows:
        typed = row.text("setting")
        if typed is None or "".join(typed.split()).casefold() != LANGUAGE_KEY:
            continue
        value = row.text("value")
        if value is None:
            return None
        try:
            return parse_language(value)
        except ValueError:
            return None
    return None


def headers_language(header_row: Sequence[object]) -> Language | None:
    """'zh' when most of the header cells (the service columns') that hold words are Chinese."""
    cells = [str(c) for c in header_row if isinstance(c, str) and c.strip()]
    chinese = sum(1 for c in cells if _CJK.search(c))
    latin = sum(1 for c in cells if _LATIN.search(c) and not _CJK.search(c))
    return "zh" if chinese > latin else None


def resolve_language(
    *,
    setting: Language | None,
    registered: str | None,
    locale: str | None,
    service_headers: Sequence[object],
) -> TeamLanguage:
    """The team language, from the first source that says one."""
    if setting is not None:
        return TeamLanguage(setting, "settings")
    if registered:
        return TeamLanguage(team_language(registered), "registration")
    if locale:
        return TeamLanguage(team_language(locale), "locale")
    if headers_language(service_headers) is not None:
        return TeamLanguage("zh", "headers")
    return TeamLanguage(DEFAULT_LANGUAGE, "default")
