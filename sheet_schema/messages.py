"""The message catalogue: every text the service writes or shows a team, in each team language.

Texts live in `data/messages/*.yaml`, one file per area (the sheet's own cells, the tabs the
service keeps, the CLI, ...), never as string literals in code. Each entry is keyed
`<area>.<name>` (the file's name is the area) and holds one text per language with the same
`{placeholders}`:

    sla.overdue:
      en: "Overdue: {clock}, due {due}"
      zh: "已超时：{clock}，期限 {due}"

The catalogue is validated at load (a missing language, a placeholder one language lacks, a key
two files define) with errors naming the file and the key, so a broken catalogue never ships.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

import yaml

MESSAGES_DIR: Final = Path(__file__).with_name("data") / "messages"

Language = Literal["en", "zh"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "zh")
DEFAULT_LANGUAGE: Final[Language] = "en"

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class CatalogueError(Exception):
    """The message catalogue is unreadable or incomplete; the message names file and key."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Texts by key and language, each complete in every language of `LANGUAGES`."""

    texts: Mapping[str, Mapping[Language, str]]

    def text(self, key: str, language: str, /, **params: object) -> str:
        """The text of `key` in `language` (English for a language without texts), filled in.

        An unknown key is a programming error and raises `KeyError` naming it.
        """
        entry = self.texts[key]
        chosen = entry.get(team_language(language), entry[DEFAULT_LANGUAGE])
        return chosen.format_map(params) if params else chosen

    def keys(self) -> frozenset[str]:
        return frozenset(self.texts)


@lru_cache(maxsize=256)  # asked for every text of every case; a sheet has a language or two
def team_language(value: str | None) -> Language:
    """'zh', 'zh_CN', 'zh-TW', 'Chinese', '中文' -> 'zh'; anything else -> 'en'."""
    folded = (value or "").strip().casefold().replace("-", "_")
    if folded.startswith("zh") or folded in {"chinese", "中文", "汉语", "简体中文", "繁體中文"}:
        return "zh"
    return "en"


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a text fills in."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """The catalogue in `folder` (the shipped one when None); raises `CatalogueError`."""
    if folder is None:
        return _shipped()
    return _load(folder)


def text(key: str, language: str, /, **params: object) -> str:
    """`key` from the shipped catalogue in `language`, filled with `params`."""
    return _shipped().text(key, language, **params)


@lru_cache(maxsize=1)
def _shipped() -> Catalogue:
    return _load(MESSAGES_DIR)


def _load(folder: Path) -> Catalogue:
    texts: dict[str, dict[Language, str]] = {}
    where: dict[str, Path] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{folder}: no message files (*.yaml)")
    for path in files:
        area = path.stem
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogueError(f"{path}: cannot read the message catalogue: {exc}") from exc
        if not isinstance(raw, dict):
            raise CatalogueError(f"{path}: expected a mapping of message keys")
        for key, entry in raw.items():
            problem = _problem(str(key), entry, area)
            if problem:
                raise CatalogueError(f"{path}: {key}: {problem}")
            if key in where:
                raise CatalogueError(f"{path}: {key}: also defined in {where[key]}")
            where[key] = path
            texts[key] = {language: entry[language] for language in LANGUAGES}
    return Catalogue(texts)


def _problem(key: str, entry: object, area: str) -> str | None:
    if not _KEY.match(key) or not key.startswith(f"{area}."):
        return f"a key is '<area>.<name>' in lower case, starting with '{area}.'"
    if not isinstance(entry, dict):
        return "expected a text per language (en, zh)"
    missing = [
        lang for lang in LANGUAGES if not isinstance(entry.get(lang), str) or not entry[lang]
    ]
    if missing:
        return f"no text in {', '.join(missing)}"
    unknown = sorted(set(entry) - set(LANGUAGES))
    if unknown:
        return (
            f"unknown language(s) {', '.join(map(str, unknown))}; expected {', '.join(LANGUAGES)}"
        )
    try:
        names = {lang: placeholders(entry[lang]) for lang in LANGUAGES}
    except ValueError as exc:
        return f"a text is not a valid template: {exc}"
    if len(set(map(frozenset, names.values()))) > 1:
        spelled = "; ".join(f"{lang}: {sorted(n)}" for lang, n in names.items())
        return f"the languages fill in different placeholders ({spelled})"
    return None
