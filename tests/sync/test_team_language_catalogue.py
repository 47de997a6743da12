"""Every message the service writes into a case's cells exists in both team languages: each
finding definition carries English and Chinese, every catalogue key the code names exists, and
every key of the case, SLA, parse, findings and notify areas is named by the code (issue 20, B).
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

from app.automation.escalation import default_escalation_rules
from app.automation.template_model import ProblemKind
from app.automation.templates import TEMPLATE_COLUMNS
from app.sync.setting_keys import known_settings
from policies import findings
from policies.facts import SlaState
from policies.findings import FindingTemplate
from policies.team import CLOCK_NAMES, load_team_settings
from sheet_schema.messages import load_catalogue, placeholders
from sheet_schema.vocabulary import shipped_vocabulary
from tests.sheet_schema.test_messages import ALLOWED_LATIN, LATIN_WORD

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("case", "sla", "parse", "findings", "notify")
# A key named whole in the code: "case.next_ask_evidence" (a complete string literal).
LITERAL_KEY = re.compile(r"""["']((?:""" + "|".join(AREAS) + r""")\.[a-z0-9_]+)["']""")


def code_keys() -> set[str]:
    """Every complete catalogue key of these areas written as a string literal in the code
    (bar the Settings tab's keys such as 'sla.first_response', which are a team's words)."""
    found: set[str] = set()
    for package in ("app", "policies", "sheet_schema"):
        for path in (ROOT / package).rglob("*.py"):
            found |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    settings = known_settings(load_team_settings(), default_escalation_rules())
    return found - set(settings)


def dynamic_keys() -> set[str]:
    """The keys the code builds from a name (an SLA state, a clock, an escalation level, a
    template problem's kind ...): one per name the shipped data or the types can give."""
    rules = default_escalation_rules()
    people = {p.name for level in rules.levels for p in (level.who or ())}

    def word(name: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")

    return {
        *(f"sla.{state.name.casefold()}" for state in SlaState),
        *(f"sla.clock_{name}" for name in CLOCK_NAMES),
        *(f"case.level_{word(level.name)}" for level in rules.levels),
        *(f"case.person_{word(name)}" for name in people),
        *(
            f"parse.until_then_{name}"
            for name, words in shipped_vocabulary().words.items()
            if words.unknown
        ),
        *(f"findings.template_{kind}" for kind in typing.get_args(ProblemKind)),
        *(f"findings.template_field_{column}" for column in TEMPLATE_COLUMNS),
    }


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    """Each key written in the code, and each key it builds from shipped names, has a text."""
    keys = set(load_catalogue().texts)
    named = code_keys()
    assert len(named) > 60  # the scan finds the code's keys (not vacuous)
    assert sorted((named | dynamic_keys()) - keys) == []


def test_every_key_of_these_areas_is_used_by_the_code() -> None:
    """No text of the case, SLA, parse, findings or notify areas is left unused in the
    catalogue (a renamed key would leave the old one behind)."""
    ours = {k for k in set(load_catalogue().texts) if k.split(".", 1)[0] in AREAS}
    assert sorted(ours - code_keys() - dynamic_keys()) == []


def test_every_finding_definition_has_english_and_chinese_with_the_same_placeholders() -> None:
    """Each finding the engine can report says its message (and its fix, when it has one) in
    both languages, filling in the same values."""
    templates = [v for v in vars(findings).values() if isinstance(v, FindingTemplate)]
    assert len(templates) >= 25
    problems: dict[str, str] = {}
    for t in templates:
        if not t.en.strip() or not t.zh.strip():
            problems[t.code] = "a message is empty"
        elif filled(t.en, "_en") != filled(t.zh, "_zh"):
            problems[t.code] = f"placeholders differ: {placeholders(t.en)} / {placeholders(t.zh)}"
        elif bool(t.fix_en) != bool(t.fix_zh):
            problems[t.code] = "the fix is said in one language only"
        elif placeholders(t.fix_en) != placeholders(t.fix_zh):
            problems[t.code] = "the fix's placeholders differ"
    assert problems == {}


def filled(message: str, suffix: str) -> frozenset[str]:
    """The values a message fills in; 'kind_en' and 'kind_zh' are one value in two languages."""
    return frozenset(name.removesuffix(suffix) for name in placeholders(message))


def test_no_finding_says_an_english_word_to_a_chinese_team() -> None:
    """The Chinese message and fix of every finding use Latin letters only for names and codes."""
    leaks: dict[str, list[str]] = {}
    for t in (v for v in vars(findings).values() if isinstance(v, FindingTemplate)):
        bare = re.sub(r"\{[^}]*\}", "", t.zh + " " + t.fix_zh)
        words = [w for w in LATIN_WORD.findall(bare) if w.casefold() not in ALLOWED_LATIN]
        if words:
            leaks[t.code] = words
    assert leaks == {}
