"""The Timeline's Detail cells of automation events (evidence asked for, reminders, escalations)
in the team language: a Chinese team reads them in Chinese, an English team as recorded."""

from __future__ import annotations

from datetime import timedelta

from app.automation.reminders import ReminderSettings
from app.automation.settings import AutomationSettings
from app.automation.workflow import Automation, CaseInput, CaseState, automate_case
from app.store.records import TimelineEvent
from app.sync.timeline_texts import event_detail
from policies import SlaState

from .conftest import NOW, clock, ev, facts

ROW = {"customer": "王芳", "assignee": "小王", "language": "中文", "order_no": "SB-1"}
AUTOMATION = Automation.load(
    AutomationSettings(reminders=ReminderSettings(interval_hours=24, max_reminders=2))
)


def synced(times: list[tuple[object, object, object]]) -> dict[str, TimelineEvent]:
    """The Timeline after syncing a case at each (facts, evaluation, moment), once per event."""
    timeline: dict[str, TimelineEvent] = {}
    for case, evaluation, at in times:
        state = CaseState.from_events(timeline.values())
        result = automate_case(
            AUTOMATION,
            CaseInput(case, evaluation, at, ROW, state, team_language="zh"),  # type: ignore[arg-type]
        )
        for event in result.events:
            timeline.setdefault(event.event_key, event)
    return timeline


def test_evidence_request_and_reminder_read_in_chinese_for_a_chinese_team() -> None:
    """The missing video proof is 视频证明 and the reminder is numbered in Chinese; English
    keeps the recorded text."""
    missing = ev(missing_evidence=("video_proof", "photos"))
    timeline = synced(
        [
            (facts(status="New"), missing, NOW),
            (facts(status="Awaiting Customer"), missing, NOW + timedelta(hours=25)),
        ]
    )
    requested = timeline["AS-251009-0001/evidence_requested"]
    assert event_detail(requested, "zh") == "已请求证据：视频证明、照片"
    assert event_detail(requested, "en") == "Evidence requested: video_proof, photos"
    reminder = timeline["AS-251009-0001/evidence_reminder/1"]
    assert event_detail(reminder, "zh") == "第 1 次证据提醒已排队"
    assert event_detail(reminder, "en") == "Evidence reminder 1 queued"


def test_an_escalation_reads_its_level_people_and_reason_in_chinese() -> None:
    """Resolution overdue 2 days reaches L2: the lead and the reason read in Chinese."""
    late = ev(
        sla=(clock("resolution", SlaState.OVERDUE, due_at=NOW - timedelta(days=2, hours=1)),),
        sla_state=SlaState.OVERDUE,
    )
    timeline = synced([(facts(), late, NOW)])
    escalated = timeline["AS-251009-0001/escalation/L2"]
    assert event_detail(escalated, "zh") == "已升级：L2 组长：组长（结案超时2天）"
    assert event_detail(escalated, "en") == (
        "Escalated: L2 lead: Team lead (resolution overdue 2 days)"
    )


def test_an_escalation_recorded_before_its_parts_were_kept_shows_its_level() -> None:
    """An older event keeps only the level: the Chinese detail names the level, as before."""
    old = TimelineEvent(
        event_key="AS-1/escalation/L1",
        case_id="AS-1",
        kind="escalated",
        at=NOW,
        detail="Escalated: L1 assignee: Wang (first response overdue)",
        data={"level": "L1", "reason": "first response overdue"},
    )
    assert event_detail(old, "zh") == "已升级：L1 级"
    assert event_detail(old, "en") == "Escalated: L1 assignee: Wang (first response overdue)"


def test_a_reminder_that_went_nowhere_says_so_in_chinese() -> None:
    """A reminder recorded with no channel to send it: 第 2 次证据提醒 — 未发送：未配置通知渠道."""
    held = TimelineEvent(
        event_key="AS-1/evidence_reminder/2",
        case_id="AS-1",
        kind="evidence_reminder",
        at=NOW,
        detail="Evidence reminder 2 — 未发送：未配置通知渠道",
        data={"sequence": 2, "not_sent": "notify.no_channel"},
    )
    assert event_detail(held, "zh") == "第 2 次证据提醒 — 未发送：未配置通知渠道"
    assert event_detail(held, "en") == "Evidence reminder 2 — 未发送：未配置通知渠道"
