"""The per-case workflow over repeated syncs: nothing twice, reminders and escalations on time."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.automation.reminders import ReminderSettings
from app.automation.settings import AutomationSettings
from app.automation.workflow import (
    Automation,
    CaseAutomation,
    CaseInput,
    CaseState,
    StatusChange,
    automate_case,
)
from app.store.records import TimelineEvent
from policies import CaseFacts, Evaluation, SlaState

from .conftest import NOW, clock, ev, facts

ROW = {"customer": "Emma", "assignee": "Wang", "language": "English", "order_no": "SB-1"}
AUTOMATION = Automation.load(
    AutomationSettings(reminders=ReminderSettings(interval_hours=24, max_reminders=2))
)


class Case:
    """A case synced again and again: the Timeline keeps what each sync recorded."""

    def __init__(self) -> None:
        self.timeline: dict[str, TimelineEvent] = {}

    def sync(
        self, case: CaseFacts, evaluation: Evaluation, at: datetime, **kw: object
    ) -> CaseAutomation:
        state = CaseState.from_events(self.timeline.values())
        result = automate_case(AUTOMATION, CaseInput(case, evaluation, at, ROW, state, **kw))  # type: ignore[arg-type]
        for event in result.events:
            self.timeline.setdefault(event.event_key, event)  # exactly-once, like the store
        return result


def test_second_sync_changes_nothing() -> None:
    """Syncing the same case at the same moment twice gives the same cells and nothing new."""
    case = Case()
    new = facts(status="New")
    first = case.sync(new, ev(missing_evidence=("photos",)), NOW)
    assert first.priority == "P3" and first.suggested_reply and first.seller_message
    assert [e.kind for e in first.events] == ["reply_generated", "evidence_requested"]
    second = case.sync(new, ev(missing_evidence=("photos",)), NOW)
    assert second.values() == first.values()
    assert second.events == () and second.notices == ()


def test_evidence_reminders_on_schedule() -> None:
    """Reminders go out once per interval after the request, at most max_reminders times."""
    case = Case()
    missing = ev(missing_evidence=("video_proof",))
    case.sync(facts(status="New"), missing, NOW)
    sent = []
    at = NOW
    while at < NOW + timedelta(days=5):
        result = case.sync(facts(status="Awaiting Customer"), missing, at)
        sent += [(n.key, at - NOW) for n in result.notices if n.kind == "evidence_reminder"]
        at += timedelta(hours=1)
    assert sent == [
        ("AS-251009-0001/evidence_reminder/1", timedelta(hours=24)),
        ("AS-251009-0001/evidence_reminder/2", timedelta(hours=48)),
    ]
    text = case.timeline["AS-251009-0001/evidence_reminder/1"].detail
    assert text == "Evidence reminder 1 queued"


def test_no_reminder_once_evidence_arrives() -> None:
    """When the evidence is in, no reminder is queued."""
    case = Case()
    case.sync(facts(status="New"), ev(missing_evidence=("photos",)), NOW)
    later = case.sync(facts(), ev(), NOW + timedelta(days=3))
    assert not [n for n in later.notices if n.kind == "evidence_reminder"]


def test_escalations_fire_once_and_climb() -> None:
    """Each level is announced once; the Escalation cell shows the level reached."""
    case = Case()
    keys = []
    for days in (0, 0, 1, 1, 4, 4):
        late = ev(
            sla=(
                clock("resolution", SlaState.OVERDUE, due_at=NOW - timedelta(days=days, hours=1)),
            ),
            sla_state=SlaState.OVERDUE,
        )
        result = case.sync(facts(), late, NOW, next_action="Chase the seller")
        keys.append([n.key for n in result.notices if n.kind == "escalation"])
        assert result.escalation.startswith(result.level.key if result.level else "")
    assert keys == [
        ["AS-251009-0001/escalation/L1"],
        [],
        ["AS-251009-0001/escalation/L2"],
        [],
        ["AS-251009-0001/escalation/L3"],
        [],
    ]
    assert result.values()["escalation"] == "L3 manager: Manager (resolution overdue 4 days)"
    assert result.priority == "P1"


def test_customer_update_on_visible_status_change() -> None:
    """A status change into a customer-visible status queues one 'tell the customer' notice."""
    case = Case()
    change = StatusChange("AS-251009-0001/s2/status", "Awaiting Platform", "Resolved")
    result = case.sync(
        facts(status="Resolved", outcome="Full Refund"), ev(closed=True), NOW, status_change=change
    )
    [notice] = [n for n in result.notices if n.kind == "customer_update"]
    assert notice.key == "AS-251009-0001/s2/status/customer_update"
    assert "full refund" in notice.text.lower()
    hidden = StatusChange("AS-251009-0001/s3/status", "In Progress", "Awaiting Seller")
    result = case.sync(facts(status="Awaiting Seller"), ev(), NOW, status_change=hidden)
    assert not [n for n in result.notices if n.kind == "customer_update"]


def test_priority_override_and_template_findings() -> None:
    """The Priority Override cell wins; a broken team template is a finding on the case."""
    automation = Automation.load(
        template_rows=[
            {
                "key": "team.progress",
                "situation": "progress_update",
                "audience": "customer",
                "language": "en",
                "body": "{{ customer.__class__ }}",
            }
        ]
    )
    assert [p.key for p in automation.template_problems] == ["team.progress"]
    result = automate_case(
        automation, CaseInput(facts(), ev(), NOW, {**ROW, "priority_override": "p1"}, CaseState())
    )
    assert result.priority == "P1" and result.priority_rule == "override"
    assert [f.code for f in result.findings] == ["template_unsafe"]
    assert result.suggested_reply  # the default progress update meanwhile
