"""Holding a reply whose content depends on something a finding flags. Pure.

A reply (or seller message) is built from inputs: the columns that chose its situation (an
Outcome chooses the outcome notice) and the columns behind every placeholder its template uses
(`deadline` comes from Platform, Opened, Issue Type, Item Condition and Window Start; see
`placeholders.PLACEHOLDER_INPUTS`). A finding names the inputs it puts in doubt
(`Finding.inputs`). Where the two meet, the message is held: its cell says why and what clears
it, nothing is sent or recorded as sent, and the message comes back at the first sync after the
finding clears. Only what a person must correct or decide holds a message (errors and
warnings); to-dos and notes never do.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from app.automation.placeholders import PLACEHOLDER_INPUTS
from app.automation.render import used_placeholders
from app.automation.template_model import Template
from policies import Finding, FindingKind, Severity
from sheet_schema.messages import text

_HOLDING = frozenset({Severity.ERROR, Severity.WARNING})


@lru_cache(maxsize=1024)  # asked for every reply of every case, of a few templates
def template_inputs(template: Template) -> frozenset[str]:
    """The Cases columns a template's text is built from."""
    inputs: set[str] = set()
    for name in used_placeholders(template):
        inputs.update(PLACEHOLDER_INPUTS[name])
    return frozenset(inputs)


def holding(findings: Iterable[Finding], inputs: frozenset[str]) -> tuple[Finding, ...]:
    """The findings that hold a message built from `inputs` (empty: the message may go)."""
    return tuple(
        f
        for f in findings
        if f.severity in _HOLDING
        and f.kind is not FindingKind.TODO
        and not inputs.isdisjoint(f.inputs)
    )


def held_text(findings: Iterable[Finding], language: str = "en") -> str:
    """What a held message's cell says, in the team's language: each reason, and what clears it."""
    zh = language == "zh"
    parts: list[str] = []
    for finding in findings:
        headline = finding.headline_zh if zh and finding.message_zh else finding.headline
        fix = finding.fix_zh if zh and finding.fix_zh else finding.fix
        part = text("case.held_reason_fix", language, reason=headline, fix=fix) if fix else headline
        if part not in parts:
            parts.append(part)
    return text("case.held", language, reasons=text("case.held_separator", language).join(parts))
