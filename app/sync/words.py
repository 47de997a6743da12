"""The team's words: the Vocabulary tab read into the vocabulary, and unknown words summed up.

Pure. The Vocabulary tab has one word per row (Column | Team Word | Means): "our `Refund Pending`
is Awaiting Platform". Each row is checked (an unknown column, a target that is not a word of
that column, a word given two meanings are named in the row's Validation); good rows are laid
over the built-in words for this sheet. The summary groups the words no vocabulary knows by
word, with the rows they are on, so a team reads "3 words to map" rather than a warning a row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.sync.rows import SheetRow
from sheet_schema import HeaderMap, TabSpec, header_key
from sheet_schema.column_names import column_name
from sheet_schema.messages import text
from sheet_schema.team_texts import column_header
from sheet_schema.vocabulary import (
    MAX_WORD,
    UNKNOWN_WORD,
    Vocabulary,
    Words,
    fold_word,
    language_codes,
)


@dataclass(slots=True)
class TeamWords:
    """The vocabulary this sync reads the sheet with, and each Vocabulary row's Validation."""

    vocabulary: Vocabulary
    messages: dict[int, str] = field(default_factory=dict)


def choice_columns(cases: TabSpec) -> dict[str, tuple[str, str]]:
    """Every way to name a column that has a vocabulary -> (column key, vocabulary name)."""
    out: dict[str, tuple[str, str]] = {}
    for spec in cases.columns:
        if spec.vocabulary is None:
            continue
        for name in (spec.key, spec.header, *spec.aliases):
            out.setdefault(header_key(name), (spec.key, spec.vocabulary))
            out.setdefault(fold_word(name), (spec.key, spec.vocabulary))
    return out


def read_team_words(
    rows: Sequence[SheetRow],
    headers: HeaderMap,
    cases: TabSpec,
    base: Vocabulary,
    language: str = "en",
) -> TeamWords:
    """The built-in vocabulary with the Vocabulary tab's good rows laid over it, each row's
    Validation message in the team `language`."""
    columns = choice_columns(cases)
    team: dict[str, dict[str, str]] = {}
    where: dict[tuple[str, str], int] = {}
    messages: dict[int, str] = {}
    for row in rows:
        if not row.values or (row.text("column") or "").startswith("#"):
            continue
        column, word, means = row.text("column"), row.text("word"), row.text("means")
        if column is None or word is None or means is None:
            messages[row.row] = text("tabs_validation.vocabulary_incomplete", language)
            continue
        found = columns.get(header_key(column)) or columns.get(fold_word(column))
        if found is None:
            names = ", ".join(
                dict.fromkeys(
                    column_header("cases", s, language) for s in cases.columns if s.vocabulary
                )
            )
            messages[row.row] = text(
                "tabs_validation.vocabulary_unknown_column", language, column=column, names=names
            )
            continue
        key, name = found
        header = column_header("cases", cases.column(key), language)
        words = base[name]
        target = words.match(means)
        if target is None:
            messages[row.row] = _bad_target(words, means, header, language)
            continue
        folded = fold_word(word)
        earlier = where.get((name, folded))
        if earlier is not None and team[name][folded] != target:
            messages[row.row] = text(
                "tabs_validation.vocabulary_conflict",
                language,
                word=word,
                target=team[name][folded],
                row=earlier,
            )
            continue
        team.setdefault(name, {})[folded] = target
        where.setdefault((name, folded), row.row)
        built_in = words.match(word)
        note = text("tabs_validation.vocabulary_built_in", language) if built_in == target else ""
        if built_in is not None and built_in != target:
            note = text("tabs_validation.vocabulary_instead", language, built_in=built_in)
        messages[row.row] = text(
            "tabs_validation.vocabulary_ok",
            language,
            header=header,
            word=word,
            target=target,
            note=note,
        )
    return TeamWords(vocabulary=base.with_team(team), messages=messages)


def _bad_target(words: Words, means: str, header: str, language: str) -> str:
    near = words.nearest(means)
    guess = text("tabs_validation.vocabulary_nearest", language, near=near) if near else ""
    return text(
        "tabs_validation.vocabulary_bad_target",
        language,
        means=means,
        header=header,
        guess=guess,
        choices=", ".join(words.canonical),
    )


def unknown_word_notes(rows: Iterable[SheetRow], language: str = "en") -> list[str]:
    """'2 words to map in the Vocabulary tab', then each word once with its row count (in the
    team's language)."""
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for issue in row.issues:
            if issue.code == UNKNOWN_WORD:
                word = str(issue.value).strip()
                if len(word) > MAX_WORD:
                    word = word[: MAX_WORD - 3] + "..."
                header = column_name(issue.spec, language) if issue.spec else issue.header
                counts[(header, word)] += 1
    if not counts:
        return []
    many = len(counts) != 1
    lines = [text("parse.words_to_map" if many else "parse.word_to_map", language, n=len(counts))]
    for (header, word), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        key = "parse.word_rows" if count != 1 else "parse.word_row"
        lines.append(text(key, language, header=header, word=word, n=count))
    return lines


def language_notes(
    rows: Iterable[SheetRow],
    vocabulary: Vocabulary,
    template_languages: Iterable[str],
    team_language: str = "en",
) -> list[str]:
    """Languages the Cases tab names that have no templates: replies in English, said once (in
    the team's language)."""
    have = set(template_languages)
    words = vocabulary.get("language")
    codes = language_codes(words) if words is not None else {}
    counts: Counter[str] = Counter()
    for row in rows:
        language = row.values.get("language")
        if isinstance(language, str) and codes.get(language, "en") not in have:
            counts[language] += 1
    shown = words.shown if words is not None else (lambda word, _: word)
    return [
        text("parse.no_templates", team_language, n=count, language=shown(name, team_language))
        for name, count in sorted(counts.items())
    ]
