"""The Timeline tab's Event and Detail cells in the team language. Pure.

An event is recorded once, with its English detail and the facts it was made from (`data`);
the row the tab shows is written from those facts in the team language. An English sheet shows
the recorded detail as it always has; an event without the facts a detail needs (one recorded
before they were kept) shows its recorded text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from app.automation.escalation import escalation_line
from app.store import TimelineEvent
from policies.vocab import EVIDENCE_LABELS, evidence_kind
from sheet_schema.messages import LANGUAGES, Language, load_catalogue, text
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
# Facts listing evidence ("video proof, photos" or kinds "video_proof, photos"), each known
# kind shown by its label in the team language; a word no kind knows stays as written.
EVIDENCE_FACTS: Final = frozenset({"added", "missing"})


def event_name(kind: str, fallback: str, language: Language) -> str:
    """The Event cell: the kind's name in `language` (`fallback` for a kind without one)."""
    key = f"timeline.event_{kind}"
    return text(key, language) if key in load_catalogue().texts else fallback


def event_detail(event: TimelineEvent, language: Language) -> str:
    """The Detail cell in `language` (the recorded detail for English, or without the facts)."""
    if language == "en" or event.kind not in DETAIL_FACTS:
        return event.detail
    detail = _detail(event, language)
    note = event.data.get("not_sent")  # the notice it announces goes nowhere: say why
    if detail is None or not isinstance(note, str) or note not in load_catalogue().texts:
        return detail if detail is not None else event.detail
    if event.kind == "evidence_reminder":  # not "queued": it is not sent
        detail = text("timeline.detail_evidence_reminder_held", language, **event.data)
    return text("timeline.not_sent", language, detail=detail, note=text(note, language))


def _detail(event: TimelineEvent, language: Language) -> str | None:
    facts = DETAIL_FACTS[event.kind]
    if event.kind == "escalated" and _has_level_line(event.data):
        return text("timeline.detail_escalated_line", language, line=_level_line(event, language))
    params: dict[str, object] = {}
    for name, fact in facts.items():
        value = event.data.get(fact)
        if value is None or value == "":
            if fact not in BLANK_ALLOWED:
                return None
            value = text("timeline.blank", language)
        elif fact in STATUS_FACTS:
            value = word_in("status", str(value), language)
        elif fact in EVIDENCE_FACTS:
            value = evidence_in(str(value), language)
        params[name] = value
    return text(f"timeline.detail_{event.kind}", language, **params)


def evidence_in(listed: str, language: Language) -> str:
    """'video proof, receipt' -> '视频证明、receipt': each known kind by its label in
    `language`, any other word as the person wrote it."""
    column = LANGUAGES.index(language)
    words = []
    for token in (t.strip() for t in listed.split(",")):
        kind = token if token in EVIDENCE_LABELS else evidence_kind(token)
        words.append(EVIDENCE_LABELS[kind][column] if kind in EVIDENCE_LABELS else token)
    return text("timeline.list_separator", language).join(w for w in words if w)


def _has_level_line(data: Mapping[str, object]) -> bool:
    """An escalation recorded with its line's parts (events before them keep the level only)."""
    return all(isinstance(data.get(f), str) for f in ("level", "reason_zh", "name", "who"))


def _level_line(event: TimelineEvent, language: Language) -> str:
    data = event.data
    reason = data["reason_zh"] if language == "zh" else data["reason"]
    return escalation_line(
        str(data["level"]),
        str(data["name"]),
        [person.strip() for person in str(data["who"]).split(",")],
        str(reason),
        language,
    )
