"""Reply templates: the shipped defaults and the team's Templates tab, merged into a `TemplateSet`.

The Templates tab has the columns key, situation, audience (customer / seller), language,
subject, body. It is seeded with `seed_rows()` when missing; afterwards the team edits it:

- a row with the key of a default replaces that default;
- a row for the same audience / situation / language as a default takes precedence over it;
- a bad row (unknown situation, blank body, ...) or a broken / unsafe template is a
  `TemplateProblem` naming the template key and the field, and is never used; the reply then
  falls back to the default (and the problem is reported for every case that needed it);
- a team template that passes a render limit while rendering (`render_limits`) is `refuse`d for
  the rest of the sync the same way; one that fails for one case's values (`fail`) falls back
  to the default for that case only. Both are named in the Templates tab (`runtime_problems`).

Which template a reply uses (`TemplateSet.choose`): the team's for the reader's language, the
default for that language, the team's English one, the default English one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from app.automation.config import DATA_DIR, describe_error, load_yaml_model
from app.automation.render import check_template
from app.automation.template_model import (
    FALLBACK_LANGUAGE,
    Template,
    TemplateProblem,
    language_code,
)
from policies.errors import field_path

__all__ = [
    "TEMPLATES_FILE",
    "TEMPLATE_COLUMNS",
    "Choice",
    "Template",
    "TemplateProblem",
    "TemplateSet",
    "default_templates",
    "load_templates",
    "seed_rows",
]

TEMPLATES_FILE = DATA_DIR / "templates.yaml"
TEMPLATE_COLUMNS: Final = ("key", "situation", "audience", "language", "subject", "body")

Triple = tuple[str, str, str]  # (audience, situation, language)


class _TemplateFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    templates: tuple[Template, ...]


@cache
def _shipped() -> tuple[Template, ...]:
    return load_yaml_model(TEMPLATES_FILE, _TemplateFile).templates


def default_templates(path: Path | None = None) -> tuple[Template, ...]:
    """The default templates (shipped `data/templates.yaml`, or another file of that shape).

    A broken file raises `AutomationConfigError` naming the file and the field.
    """
    if path is None:
        return _shipped()
    return load_yaml_model(path, _TemplateFile).templates


def seed_rows(templates: Iterable[Template] | None = None) -> list[dict[str, str]]:
    """Rows (by column key) to seed a missing Templates tab with, defaults first to last."""
    chosen = default_templates() if templates is None else tuple(templates)
    return [{column: str(getattr(t, column)) for column in TEMPLATE_COLUMNS} for t in chosen]


@dataclass(frozen=True, slots=True)
class Choice:
    """The template a reply should use, and the problems of any better one that was skipped."""

    template: Template | None
    problems: tuple[TemplateProblem, ...] = ()


class TemplateSet:
    """Usable templates by (audience, situation, language): the team's first, then defaults."""

    def __init__(
        self,
        team: Iterable[Template] = (),
        defaults: Iterable[Template] | None = None,
        broken: Mapping[str, tuple[TemplateProblem, ...]] | None = None,
    ) -> None:
        """`broken` maps the key of a team template that must not be used to its problems.

        Defaults are trusted (the shipped ones are checked by the tests); a broken default
        still never raises: rendering it fails with a `RenderFailure`.
        """
        self._broken: dict[str, tuple[TemplateProblem, ...]] = dict(broken or {})
        all_defaults = tuple(default_templates() if defaults is None else defaults)
        # A row identical to a default (the seeded tab, untouched) is that default, not the
        # team's own template: the sync behaves the same before and after the tab is seeded.
        shipped = frozenset(_as_written(t) for t in all_defaults)
        team_list = [t for t in team if _as_written(t) not in shipped]
        self._team_keys = frozenset(t.key for t in team_list)
        # A usable team template replaces the default with its key; a broken one does not,
        # so the default remains as the fallback. Every default is kept here, since a team
        # template can still be refused while this sync renders (`choose` hides the replaced).
        default_list = [t for t in all_defaults if not self._replaced(t.key)]
        self._team: dict[Triple, Template] = {}
        for t in team_list:
            self._team.setdefault(_triple(t), t)
        self._defaults: dict[Triple, Template] = {}
        for t in all_defaults:
            self._defaults.setdefault(_triple(t), t)
        self._all = tuple(team_list + default_list)
        # Insertion-ordered sets (dicts): a template failing for many cases stays linear.
        self._runtime: dict[str, dict[TemplateProblem, None]] = {}

    def __iter__(self) -> Iterator[Template]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def refuse(self, template: Template, problems: Iterable[TemplateProblem]) -> bool:
        """Stop using the team's `template` for the rest of this sync (it passed a limit).

        False for a default template (nothing to fall back to): the reply then fails. A
        default shares its key with the team template that replaces it, so it is told apart
        by what it is, not by its key (else a failing default would be "refused" forever).
        """
        if not self._is_team(template):
            return False
        found = tuple(problems)
        known = self._broken.get(template.key, ())
        self._broken[template.key] = (*known, *(p for p in found if p not in known))
        self._note(template.key, found)
        return True

    def fail(self, template: Template, problems: Iterable[TemplateProblem]) -> bool:
        """Record that the team's `template` failed for one case; True if it is a team one."""
        if not self._is_team(template):
            return False
        self._note(template.key, tuple(problems))
        return True

    def _is_team(self, template: Template) -> bool:
        return self._team.get(_triple(template)) is template

    def runtime_problems(self) -> tuple[TemplateProblem, ...]:
        """The problems team templates had while rendering this sync, for the Templates tab."""
        return tuple(p for found in self._runtime.values() for p in found)

    def _replaced(self, key: str, skip: frozenset[str] = frozenset()) -> bool:
        """Whether a usable team template with this key replaces the default with it."""
        return key in self._team_keys and key not in self._broken and key not in skip

    def _note(self, key: str, problems: tuple[TemplateProblem, ...]) -> None:
        self._runtime.setdefault(key, {}).update(dict.fromkeys(problems))

    def choose(
        self, audience: str, situation: str, language: str, skip: frozenset[str] = frozenset()
    ) -> Choice:
        """The template for a reply (see the module doc for the order), with skipped problems.

        `skip`: team template keys not to use for this reply (they failed for this case).
        """
        code = language_code(language) or FALLBACK_LANGUAGE
        order: list[Triple] = [(audience, situation, code)]
        if code != FALLBACK_LANGUAGE:
            order.append((audience, situation, FALLBACK_LANGUAGE))
        problems: list[TemplateProblem] = []
        for triple in order:
            for tier in (self._team, self._defaults):
                t = tier.get(triple)
                if t is None:
                    continue
                if tier is self._team and t.key in self._broken:
                    problems.extend(p for p in self._broken[t.key] if p not in problems)
                    continue
                if tier is self._team and t.key in skip:
                    continue
                if tier is self._defaults and self._replaced(t.key, skip):
                    continue
                return Choice(t, tuple(problems))
        missing = TemplateProblem(
            key=f"{audience}.{situation}.{code}",
            field="situation",
            kind="missing",
            message=f"no usable {audience} template for situation {situation!r} "
            f"in {code!r} or {FALLBACK_LANGUAGE!r}",
        )
        return Choice(None, (*problems, missing))

    def get(self, audience: str, situation: str, language: str) -> Template | None:
        return self.choose(audience, situation, language).template


def load_templates(
    rows: Iterable[Mapping[str, object]], defaults: Iterable[Template] | None = None
) -> tuple[TemplateSet, list[TemplateProblem]]:
    """The team's Templates tab rows (dicts by column key) merged over the defaults.

    Never raises for a bad row: every problem names the template key (or 'row N' when the key
    is blank) and the field. Blank rows are skipped; extra columns are ignored.
    """
    problems: list[TemplateProblem] = []
    team: list[Template] = []
    broken: dict[str, tuple[TemplateProblem, ...]] = {}
    seen_keys: set[str] = set()
    seen_triples: dict[Triple, str] = {}
    for index, row in enumerate(rows, start=1):
        values = {column: _cell(row.get(column)) for column in TEMPLATE_COLUMNS}
        if not any(values.values()):
            continue
        key = values["key"].strip() or f"row {index}"
        try:
            template = Template.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors():
                name = field_path([p for p in err["loc"] if isinstance(p, str | int)])
                problems.append(TemplateProblem(key, name, "invalid", describe_error(dict(err))))
            continue
        if template.key in seen_keys:
            problems.append(
                TemplateProblem(key, "key", "invalid", "another row has the same key; not used")
            )
            continue
        seen_keys.add(template.key)
        triple = _triple(template)
        if triple in seen_triples:
            problems.append(
                TemplateProblem(
                    key,
                    "situation",
                    "invalid",
                    f"template {seen_triples[triple]!r} already covers {'/'.join(triple)}; "
                    "this row is not used",
                )
            )
            continue
        seen_triples[triple] = template.key
        found = check_template(template)
        if found:
            broken[template.key] = tuple(found)
            problems.extend(found)
        team.append(template)
    return TemplateSet(team, defaults, broken), problems


def _as_written(t: Template) -> tuple[str, ...]:
    """What a sheet keeps of a template: cells lose their surrounding whitespace on read."""
    return (t.key, t.audience, t.situation, t.language, t.subject.strip(), t.body.strip())


def _triple(t: Template) -> Triple:
    return (t.audience, t.situation, t.language)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
