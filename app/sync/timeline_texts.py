"""The Timeline tab's Event and Detail cells in the team language. Pure.

An event is recorded once, with its English detail and the facts it was made from (`data`);
the row the tab shows is written from those facts in the team language. An English sheet shows
the recorded detail as it always has; an event without the facts a detail needs (one recorded
before they were kept) shows its recorded text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from app.store import TimelineEvent
from sheet_schema.messages import Language, load_catalogue, text
from sheet_schema.team_texts import word_in

# The detail's placeholders, by event kind: placeholder -> the fact in `TimelineEvent.data`.
DETAIL_FACTS: Final[Mapping[str, Mapping[str, str]]] = {
    "created": {"status": "status"},
    "status_changed": {"before": "from", "after": "to"},
    "reopened": {"before": "from", "after": "to"},
    "evidence_added": {"added": "added"},
    "platform_response": {"response": "response"},
    "reply_generated": {"situation": "situation", "template": "template"},
    "evidence_requested": {"missing": "missing"},
    "evidence_reminder": {"sequence": "sequence"},
    "escalated": {"level": "level"},
}
# Facts that may be blank (a case opened with no status): shown as "(blank)".
BLANK_ALLOWED: Final = frozenset({"status", "from", "to"})
# Facts holding a canonical status, shown in the team's words ("In Progress" -> 处理中).
STATUS_FACTS: Final = frozenset({"status", "from", "to"})


def event_name(kind: str, fallback: str, language: Language) -> str:
    """The Event cell: the kind's name in `language` (`fallback` for a kind without one)."""
    key = f"timeline.event_{kind}"
    return text(key, language) if key in load_catalogue().texts else fallback


def event_detail(event: TimelineEvent, language: Language) -> str:
    """The Detail cell in `language` (the recorded detail for English, or without the facts)."""
    facts = DETAIL_FACTS.get(event.kind)
    if language == "en" or facts is None:
        return event.detail
    params: dict[str, object] = {}
    for name, fact in facts.items():
        value = event.data.get(fact)
        if value is None or value == "":
            if fact not in BLANK_ALLOWED:
                return event.detail
            value = text("timeline.blank", language)
        elif fact in STATUS_FACTS:
            value = word_in("status", str(value), language)
        params[name] = value
    return text(f"timeline.detail_{event.kind}", language, **params)
