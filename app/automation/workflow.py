"""One call per case for the sync planner: priority, replies, escalation, reminders, notices. Pure.

The planner loads an `Automation` once per sync (rules, templates merged with the Templates tab)
and, for every usable case, calls `automate_case` with a `CaseInput`: the case's facts,
evaluation, row values, the time, and the `CaseState` read from the case's Timeline. It gets back:

- `values()`: the service cells to write (Priority, Suggested Reply, Seller Message, Escalation);
- `notices`: to route (`app.notify.route`) and enqueue in the outbox;
- `events`: Timeline events to record (keys make them exactly-once), which is how the next sync
  knows which levels fired, how many reminders went out and when evidence was first requested;
- `findings`: template problems for the case's Validation cell.

Enqueue the notices before (or in the same transaction as) recording the events: enqueueing is
idempotent, so a crash in between only repeats the enqueue, never loses a notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.automation.escalation import (
    EscalationRules,
    Level,
    escalation_event_key,
    escalation_level,
    escalation_text,
    load_escalation_rules,
    new_escalations,
)
from app.automation.holds import holding
from app.automation.notices import (
    customer_update_notice,
    escalation_notice,
    evidence_reminder_notice,
)
from app.automation.priority import PriorityRules, explain, load_priority_rules
from app.automation.reminders import evidence_reminder_due, reminder_event_key
from app.automation.replies import compose, replies
from app.automation.settings import AutomationSettings
from app.automation.template_model import TemplateProblem
from app.automation.templates import TemplateSet, default_templates, load_templates
from app.values import CellValue, Notice, TimelineEvent
from policies import CaseFacts, Evaluation, Finding

REPLY_GENERATED = "reply_generated"
EVIDENCE_REQUESTED = "evidence_requested"
EVIDENCE_REMINDER = "evidence_reminder"
ESCALATED = "escalated"
_ASKS_FOR_EVIDENCE = frozenset({"acknowledgement", "evidence_request", "overdue_apology"})


@dataclass(frozen=True)
class Automation:
    """Everything loaded once per sync."""

    settings: AutomationSettings
    priority_rules: PriorityRules
    escalation_rules: EscalationRules
    templates: TemplateSet
    template_problems: tuple[TemplateProblem, ...] = ()

    @classmethod
    def load(
        cls,
        settings: AutomationSettings | None = None,
        template_rows: Iterable[Mapping[str, object]] = (),
    ) -> Automation:
        """Load the rule files and merge the Templates tab rows over the default templates.

        A broken rules file raises `AutomationConfigError` (naming file and field); bad
        template rows never raise: they are `template_problems` (for the run report and the
        Templates tab).
        """
        config = settings if settings is not None else AutomationSettings()
        defaults = default_templates(config.templates_file)
        templates, problems = load_templates(template_rows, defaults)
        return cls(
            settings=config,
            priority_rules=load_priority_rules(config.priority_file),
            escalation_rules=load_escalation_rules(config.escalation_file),
            templates=templates,
            template_problems=tuple(problems),
        )


@dataclass(frozen=True)
class CaseState:
    """What earlier syncs did for a case, read back from its Timeline events."""

    fired_levels: frozenset[str] = frozenset()
    reminders_sent: int = 0
    last_reminder_at: datetime | None = None
    evidence_requested_at: datetime | None = None
    replied_situations: frozenset[str] = frozenset()

    @classmethod
    def from_events(cls, events: Iterable[TimelineEvent]) -> CaseState:
        fired: set[str] = set()
        reminders: list[datetime] = []
        requested: list[datetime] = []
        replied: set[str] = set()
        for event in events:
            if event.kind == ESCALATED and isinstance(event.data.get("level"), str):
                fired.add(str(event.data["level"]))
            elif event.kind == EVIDENCE_REMINDER:
                reminders.append(event.at)
            elif event.kind == EVIDENCE_REQUESTED:
                requested.append(event.at)
            elif event.kind == REPLY_GENERATED and isinstance(event.data.get("situation"), str):
                replied.add(str(event.data["situation"]))
        return cls(
            fired_levels=frozenset(fired),
            reminders_sent=len(reminders),
            last_reminder_at=max(reminders, default=None),
            evidence_requested_at=min(requested, default=None),
            replied_situations=frozenset(replied),
        )


@dataclass(frozen=True)
class StatusChange:
    """A status change the planner recorded this sync (its Timeline event key, from, to)."""

    event_key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class CaseAutomation:
    """What the automation concluded for one case at one moment."""

    priority: str
    priority_rule: str
    suggested_reply: str | None
    seller_message: str | None
    escalation: str
    level: Level | None
    notices: tuple[Notice, ...] = ()
    events: tuple[TimelineEvent, ...] = ()
    findings: tuple[Finding, ...] = ()

    def values(self) -> dict[str, CellValue]:
        """The service-owned cells this module owns, by column key."""
        return {
            "priority": self.priority,
            "suggested_reply": self.suggested_reply,
            "seller_message": self.seller_message,
            "escalation": self.escalation or None,
        }


@dataclass(frozen=True)
class CaseInput:
    """One evaluated case, as `automate_case` sees it.

    `findings` (default: the evaluation's) are what may hold a message: a held reply is shown
    in its cell, never sent, reminded of or recorded as generated.
    """

    facts: CaseFacts
    ev: Evaluation
    now: datetime
    row_values: Mapping[str, object]
    state: CaseState
    status_change: StatusChange | None = None
    order_value: float | None = None
    platform_name: str | None = None
    next_action: str | None = None
    findings: Sequence[Finding] | None = None
    team_language: str = "en"  # what the team reads (the customer's reply follows Language)


def automate_case(automation: Automation, case: CaseInput) -> CaseAutomation:
    """Run the case workflow for one evaluated case (see the module doc)."""
    facts, ev, now, row_values, state = (
        case.facts,
        case.ev,
        case.now,
        case.row_values,
        case.state,
    )
    status_change, order_value = case.status_change, case.order_value
    platform_name, next_action = case.platform_name, case.next_action
    flagged = tuple(ev.findings if case.findings is None else case.findings)
    case_id = facts.case_id
    assignee = _text(row_values.get("assignee"))
    assignee_email = automation.escalation_rules.email_of(assignee) if assignee else None
    language = _text(row_values.get("language"))
    team = case.team_language
    decision = explain(
        facts,
        ev,
        order_value,
        _text(row_values.get("priority_override")),
        automation.priority_rules,
    )
    written = replies(
        facts,
        ev,
        automation.templates,
        language,
        row_values,
        platform_name=platform_name,
        findings=flagged,
        team_language=team,
    )
    problems = list(written.problems)
    events: list[TimelineEvent] = []
    notices: list[Notice] = []

    which = written.customer_situation
    if written.customer_reply is not None and which not in state.replied_situations:
        events.append(
            _event(
                f"{case_id}/reply/{which}",
                case_id,
                REPLY_GENERATED,
                now,
                f"Suggested reply: {which} ({written.customer_reply.template_key})",
                {"situation": which, "template": written.customer_reply.template_key},
            )
        )

    requested_at = state.evidence_requested_at
    if (
        requested_at is None
        and ev.missing_evidence
        and not ev.closed
        and which in _ASKS_FOR_EVIDENCE
    ):
        requested_at = now
        events.append(
            _event(
                f"{case_id}/evidence_requested",
                case_id,
                EVIDENCE_REQUESTED,
                now,
                "Evidence requested: " + ", ".join(ev.missing_evidence),
                {"missing": ", ".join(ev.missing_evidence)},
            )
        )

    due = evidence_reminder_due(
        ev,
        requested_at,
        state.reminders_sent,
        state.last_reminder_at,
        now,
        automation.settings.reminders,
    )
    if due.due and due.sequence is not None:
        reminder, found = compose(
            "customer",
            "evidence_reminder",
            facts,
            ev,
            automation.templates,
            language,
            row_values,
            reminder_number=due.sequence,
            platform_name=platform_name,
        )
        problems.extend(p for p in found if p not in problems)
        if reminder is not None and holding(flagged, reminder.inputs):
            reminder = None  # held like any reply: it goes out once the finding clears
        if reminder is not None:  # without a text nothing is recorded: retried next sync
            notices.append(
                evidence_reminder_notice(
                    case_id,
                    due.sequence,
                    reminder.text,
                    assignee=assignee,
                    assignee_email=assignee_email,
                    language=team,
                )
            )
            events.append(
                _event(
                    reminder_event_key(case_id, due.sequence),
                    case_id,
                    EVIDENCE_REMINDER,
                    now,
                    f"Evidence reminder {due.sequence} queued",
                    {"sequence": due.sequence},
                )
            )

    level = escalation_level(facts, ev, now, automation.escalation_rules, assignee)
    for fired in new_escalations(level, state.fired_levels):
        notices.append(
            escalation_notice(
                case_id,
                fired,
                next_action=next_action,
                customer=_text(row_values.get("customer")),
                language=team,
            )
        )
        events.append(
            _event(
                escalation_event_key(case_id, fired.key),
                case_id,
                ESCALATED,
                now,
                f"Escalated: {escalation_text(fired)}",
                {  # the parts of the level's line, so the Timeline shows it in any language
                    "level": fired.key,
                    "reason": fired.reason,
                    "reason_zh": fired.reason_zh,
                    "name": fired.name,
                    "who": ", ".join(p.name for p in fired.who if p.name),
                },
            )
        )

    if status_change is not None:
        update = customer_update_notice(
            case_id,
            status_change.event_key,
            status_change.old,
            status_change.new,
            automation.settings.customer_visible_statuses,
            written.customer,
            assignee=assignee,
            assignee_email=assignee_email,
            language=team,
        )
        if update is not None:
            notices.append(update)

    return CaseAutomation(
        priority=decision.priority,
        priority_rule=decision.rule,
        suggested_reply=written.customer_cell,
        seller_message=written.seller_cell,
        escalation=escalation_text(level, team),
        level=level,
        notices=tuple(notices),
        events=tuple(events),
        findings=tuple(p.to_finding() for p in problems),
    )


def _event(
    key: str, case_id: str, kind: str, at: datetime, detail: str, data: dict[str, CellValue]
) -> TimelineEvent:
    return TimelineEvent(event_key=key, case_id=case_id, kind=kind, at=at, detail=detail, data=data)


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
