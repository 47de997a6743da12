"""The sheet-level texts the service writes in the team language: tab titles and column headers.

The catalogue holds them (`data/messages/tabs.yaml`, `headers.yaml`); the English text is the
schema's own title or header. Each Chinese spelling is also an alias of its tab or column, so a
sheet is read the same whichever language wrote it. Pure.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from sheet_schema.messages import LANGUAGES, load_catalogue
from sheet_schema.models import ColumnSpec, SheetSchema, TabSpec
from sheet_schema.vocabulary import shipped_vocabulary

_CJK: Final = re.compile(r"[\u3400-\u9fff]")
# Lists of names and codes a Chinese team writes as they are (Superbuy, P1), in any language.
_KEPT_AS_WRITTEN: Final = frozenset({"platform", "priority"})


def header_key(tab: str, column: str) -> str:
    """The catalogue key of a column's header."""
    return f"headers.{tab}.{column}"


def title_key(tab: str) -> str:
    """The catalogue key of a tab's title."""
    return f"tabs.{tab}"


def column_header(tab: str, spec: ColumnSpec, language: str) -> str:
    """The header the service writes for a column in `language` (the schema's when the
    catalogue has none)."""
    texts = load_catalogue().texts.get(header_key(tab, spec.key))
    if texts is None or language == "en":
        return spec.header
    return load_catalogue().text(header_key(tab, spec.key), language)


def tab_title(tab: str, default: str, language: str) -> str:
    """The title the service gives a tab it creates, in `language` (`default` in English)."""
    if language == "en" or title_key(tab) not in load_catalogue().texts:
        return default
    return load_catalogue().text(title_key(tab), language)


def header_spellings(tab: str, spec: ColumnSpec) -> frozenset[str]:
    """Every header the service itself would write for a column (one per team language)."""
    return frozenset(column_header(tab, spec, language) for language in LANGUAGES)


def title_spellings(tab: str, default: str) -> tuple[str, ...]:
    """The titles the service itself would give a tab, the English one first."""
    titles = [tab_title(tab, default, language) for language in LANGUAGES]
    return tuple(dict.fromkeys(titles))


def with_language_aliases(schema: SheetSchema) -> SheetSchema:
    """The schema with every team language's title and headers among the aliases."""
    return SheetSchema.model_validate(
        {**schema.model_dump(), "tabs": [_tab_with_aliases(t) for t in schema.tabs]}
    )


def _tab_with_aliases(tab: TabSpec) -> dict[str, object]:
    columns: list[dict[str, object]] = []
    for spec in tab.columns:
        extra = [h for h in sorted(header_spellings(tab.key, spec)) if h != spec.header]
        aliases = (*spec.aliases, *(h for h in extra if h not in spec.aliases))
        columns.append({**spec.model_dump(), "aliases": aliases})
    titles = [t for t in title_spellings(tab.key, tab.title) if t != tab.title]
    tab_aliases = (*tab.aliases, *(t for t in titles if t not in tab.aliases))
    return {**tab.model_dump(), "aliases": tab_aliases, "columns": columns}


def dropdown_choices(spec: ColumnSpec, language: str) -> tuple[str, ...]:
    """A column's dropdown list in `language`: for Chinese, each choice's first Chinese word in
    the vocabulary (the canonical word when it has none). The vocabulary maps both languages,
    so either is understood whichever the list shows."""
    if language != "zh" or spec.vocabulary is None or spec.vocabulary in _KEPT_AS_WRITTEN:
        return spec.choices
    return tuple(word_in(spec.vocabulary, choice, language) for choice in spec.choices)


def word_in(vocabulary: str, canonical: str, language: str) -> str:
    """A canonical word (a status, an issue type) as a team of `language` writes it: for
    Chinese, its first Chinese word in the vocabulary; the canonical word otherwise."""
    if language != "zh":
        return canonical
    return _chinese_words(vocabulary).get(canonical, canonical)


@lru_cache(maxsize=64)
def _chinese_words(vocabulary: str) -> dict[str, str]:
    words = shipped_vocabulary().get(vocabulary)
    chinese: dict[str, str] = {}
    for folded, canonical in words.meaning.items() if words else ():
        if canonical not in chinese and _CJK.search(folded):
            chinese[canonical] = folded
    return chinese
