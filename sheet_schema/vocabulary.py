"""One vocabulary: what people type, mapped to the canonical word of every choice column. Pure.

The words live in `data/vocabulary.yaml` (English variants, codes and the Chinese teams write);
a team adds its own in the sheet's Vocabulary tab, read on every sync and laid over the shipped
words for that sheet only. Matching ignores case, spaces, punctuation and full-width/half-width
differences (NFKC). A person's cell is never rewritten: the canonical word is what the service
computes with, the cell keeps what was typed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sheet_schema import messages
from sheet_schema.loader import read_model

SHIPPED_VOCABULARY = Path(__file__).with_name("data") / "vocabulary.yaml"
UNKNOWN_WORD = "cell.unknown_word"
MAX_WORD = 40  # longer text is quoted shortened in messages and not matched by spelling


class VocabularyError(Exception):
    """The vocabulary file is unreadable or invalid; the message names the file and the field."""


# Words up to this long are folded once and remembered: a sheet repeats the same few statuses,
# platforms and yes/no words in every row (10,000 rows: 200,000 folds of a few dozen words).
_REMEMBERED_WORD = 64
_CJK = re.compile(r"[\u3400-\u9fff]")


def fold_word(text: str) -> str:
    """The form words are compared in: NFKC, case-folded, without spaces or punctuation.

    A word made only of punctuation or symbols (✓, ✗, -) keeps its symbols, so it still means
    something.
    """
    text = str(text)
    if len(text) <= _REMEMBERED_WORD:
        return _fold_remembered(text)
    return _fold(text)


@lru_cache(maxsize=4096)
def _fold_remembered(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in normal if not ch.isspace() and not _punctuation(ch))
    return kept or "".join(normal.split())


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


class VocabularySpec(BaseModel):
    """One vocabulary of data/vocabulary.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    values: Annotated[dict[str, tuple[str, ...]], Field(min_length=1)]
    unknown: str | None = None  # what the service does with a row whose word it does not know

    @model_validator(mode="before")
    @classmethod
    def _none_is_no_alias(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("values"), dict):
            values = {str(k): v if v is not None else () for k, v in data["values"].items()}
            values = {
                k: tuple(str(w) for w in v) if isinstance(v, list) else v for k, v in values.items()
            }
            return {**data, "values": values}
        return data

    @model_validator(mode="after")
    def _one_meaning_per_word(self) -> VocabularySpec:
        seen: dict[str, str] = {}
        for canonical, words in self.values.items():
            for word in (canonical, *words):
                key = fold_word(word)
                if not key:
                    raise ValueError(f"{canonical}: a word is empty")
                if seen.get(key, canonical) != canonical:
                    raise ValueError(f"{word!r} means both {seen[key]!r} and {canonical!r}")
                seen[key] = canonical
        return self


class VocabularyFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    vocabularies: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], VocabularySpec]


@dataclass(frozen=True, slots=True)
class Words:
    """One vocabulary ready for matching: canonical words in order, and every word's meaning."""

    name: str
    canonical: tuple[str, ...]
    meaning: Mapping[str, str]  # fold_word(word) -> canonical
    unknown: str | None = None
    team: Mapping[str, str] = field(default_factory=dict)  # the team's words (folded -> canonical)

    def match(self, text: object) -> str | None:
        """The canonical word `text` means, or None (blank or unknown)."""
        if text is None:
            return None
        key = fold_word(str(text))
        if not key:
            return None
        return self.team.get(key) or self.meaning.get(key)

    def nearest(self, text: str) -> str | None:
        """The canonical word closest in spelling to `text` (for 'did you mean')."""
        if len(text) > MAX_WORD:
            return None
        keys = list(self.meaning)
        close = difflib.get_close_matches(fold_word(text), keys, n=1, cutoff=0.6)
        return self.meaning[close[0]] if close else None

    def with_team(self, words: Mapping[str, str]) -> Words:
        """These words with a team's (team word -> canonical) laid over them."""
        team = {**self.team, **{fold_word(w): c for w, c in words.items()}}
        return Words(self.name, self.canonical, self.meaning, self.unknown, team)

    def unknown_message(self, text: str, header: str, language: str = "en") -> str:
        """What a person reads for a word the service does not know: the fix and a guess, in
        the team's language (a Chinese team is offered the Chinese words)."""
        word = text.strip()
        if len(word) > MAX_WORD:  # a pasted essay is no team word: no guess, quoted short
            guess, word = "", word[: MAX_WORD - 3] + "..."
        else:
            near = self.nearest(word)
            shown = self.shown(near, language) if near else ""
            guess = messages.text("parse.nearest", language, word=shown) if near else ""
        choices = messages.text("parse.choice_separator", language).join(
            self.shown(c, language) for c in self.canonical
        )
        then = ""
        if self.unknown:
            until = f"parse.until_then_{self.name}"
            known = until in messages.load_catalogue().texts
            meaning = messages.text(until, language) if known else self.unknown
            then = messages.text("parse.until_then", language, meaning=meaning)
        return messages.text(
            "parse.unknown_word",
            language,
            header=header,
            guess=guess,
            word=word,
            choices=choices,
            then=then,
        )

    def shown(self, canonical: str, language: str) -> str:
        """A canonical word as the team writes it: for a Chinese team the first Chinese word
        the vocabulary gives it ('Defect' -> '质量问题'), else the word itself."""
        if language != "zh":
            return canonical
        return next(
            (w for w, c in self.meaning.items() if c == canonical and _CJK.search(w)), canonical
        )


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every vocabulary by name, with the sheet's own words when a team has some."""

    words: Mapping[str, Words]

    def __getitem__(self, name: str) -> Words:
        return self.words[name]

    def get(self, name: str | None) -> Words | None:
        return self.words.get(name) if name else None

    def canonical_for(self, values: tuple[str, ...]) -> Words | None:
        """The vocabulary whose canonical words are exactly `values` (in order), if any."""
        return _by_canonical(self).get(values)

    def with_team(self, team: Mapping[str, Mapping[str, str]]) -> Vocabulary:
        """A copy with the team's words (vocabulary name -> team word -> canonical)."""
        if not any(team.values()):
            return self
        words = dict(self.words)
        for name, extra in team.items():
            if name in words and extra:
                words[name] = words[name].with_team(extra)
        return Vocabulary(words)


_CANONICAL_CACHE: dict[int, dict[tuple[str, ...], Words]] = {}


def _by_canonical(vocabulary: Vocabulary) -> dict[tuple[str, ...], Words]:
    found = _CANONICAL_CACHE.get(id(vocabulary))
    if found is None:
        found = {w.canonical: w for w in vocabulary.words.values()}
        if vocabulary is shipped_vocabulary():
            _CANONICAL_CACHE[id(vocabulary)] = found
    return found


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Load and validate a vocabulary file (the shipped one when `path` is None)."""
    return shipped_vocabulary() if path is None else _load(path)


@lru_cache(maxsize=1)
def shipped_vocabulary() -> Vocabulary:
    return _load(SHIPPED_VOCABULARY)


def _load(path: Path) -> Vocabulary:
    parsed = read_model(path, VocabularyFile, VocabularyError, "the vocabulary")
    return Vocabulary(
        {
            name: Words(
                name=name,
                canonical=tuple(spec.values),
                meaning={
                    fold_word(word): canonical
                    for canonical, words in spec.values.items()
                    for word in (canonical, *words)
                },
                unknown=spec.unknown,
            )
            for name, spec in parsed.vocabularies.items()
        }
    )


def canonical_items(
    vocabulary: tuple[str, ...] | Words, values: Iterable[object], what: str
) -> tuple[str, ...]:
    """Each value as its canonical word; an unknown one raises `ValueError` naming the choices
    and the nearest word (what policy files, priority rules and settings all need)."""
    words = (
        vocabulary
        if isinstance(vocabulary, Words)
        else shipped_vocabulary().canonical_for(vocabulary) or _ad_hoc(vocabulary)
    )
    out: list[str] = []
    for item in values:
        canon = words.match(item) if isinstance(item, str) else None
        if canon is None:
            near = words.nearest(item) if isinstance(item, str) else None
            guess = f" (did you mean {near}?)" if near else ""
            raise ValueError(
                f"unknown {what} {item!r}{guess}; expected one of: {', '.join(words.canonical)}"
            )
        out.append(canon)
    return tuple(out)


@lru_cache(maxsize=64)
def _ad_hoc(values: tuple[str, ...]) -> Words:
    """A vocabulary of just these words (for lists the shipped file does not hold)."""
    meaning: dict[str, str] = {}
    for value in values:
        meaning.setdefault(fold_word(value), value)
    return Words(name="", canonical=values, meaning=meaning)


def words_for(values: tuple[str, ...]) -> Words:
    """The shipped vocabulary with exactly these canonical words, or one of just these words."""
    return shipped_vocabulary().canonical_for(values) or _ad_hoc(values)


def language_codes(words: Words | None = None) -> dict[str, str]:
    """Canonical language name -> its ISO 639-1 code: the first two-letter word listed for it
    (vocabulary.yaml lists the code first), e.g. Spanish -> es."""
    if words is None:
        return dict(_shipped_codes())
    return _codes_of(words)


@lru_cache(maxsize=1)
def _shipped_codes() -> tuple[tuple[str, str], ...]:
    return tuple(_codes_of(shipped_vocabulary()["language"]).items())


def _codes_of(words: Words) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, canonical in words.meaning.items():
        if len(key) == 2 and key.isascii() and key.isalpha():
            table.setdefault(canonical, key)
    return table
