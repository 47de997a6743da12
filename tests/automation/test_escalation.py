"""Escalation levels from data: climbing with overdue days, window risk, each level once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.automation.config import AutomationConfigError
from app.automation.escalation import (
    EscalationRules,
    escalation_level,
    escalation_text,
    load_escalation_rules,
    new_escalations,
)
from policies import Evaluation, SlaState

from .conftest import NOW, clock, ev, facts, run, sh

RULES = EscalationRules.model_validate(
    {
        "people": {"Wang": "wang@example.com", "Chen": "chen@example.com"},
        "levels": [
            {
                "key": "L1",
                "name": "assignee",
                "who": "assignee",
                "when": [{"sla_overdue": "any"}, {"window_risk_hours": 48}],
            },
            {
                "key": "L2",
                "name": "lead",
                "who": ["Chen"],
                "when": [
                    {"sla_overdue": "resolution", "overdue_days_at_least": 1},
                    {"window_risk_hours": 24},
                ],
            },
            {
                "key": "L3",
                "name": "manager",
                "who": [{"name": "Zhou", "email": "zhou@example.com"}],
                "when": [{"sla_overdue": "resolution", "overdue_days_at_least": 3}],
            },
        ],
    }
)


def overdue(name: str, by: timedelta) -> Evaluation:
    return ev(sla=(clock(name, SlaState.OVERDUE, due_at=NOW - by),), sla_state=SlaState.OVERDUE)


@pytest.mark.parametrize(
    ("by", "key", "text"),
    [
        (timedelta(hours=3), "L1", "L1 assignee: Wang (resolution overdue)"),
        (timedelta(days=1), "L2", "L2 lead: Chen (resolution overdue 1 day)"),
        (timedelta(days=2, hours=5), "L2", "L2 lead: Chen (resolution overdue 2 days)"),
        (timedelta(days=3), "L3", "L3 manager: Zhou (resolution overdue 3 days)"),
        (timedelta(days=9), "L3", "L3 manager: Zhou (resolution overdue 9 days)"),
    ],
)
def test_levels_climb_with_overdue_days(by: timedelta, key: str, text: str) -> None:
    """The level reached is the highest whose condition holds; the text says who and why."""
    level = escalation_level(facts(), overdue("resolution", by), NOW, RULES, assignee="Wang")
    assert level is not None and level.key == key
    assert escalation_text(level) == text


def test_first_response_overdue_is_level_one_for_the_assignee() -> None:
    """An overdue first response reaches L1, addressed to the case's Assignee (with email)."""
    level = escalation_level(
        facts(),
        overdue("first_response", timedelta(days=5)),
        NOW,
        RULES,
        assignee="wang",
    )
    assert level is not None and level.key == "L1"
    assert [(p.name, p.email) for p in level.who] == [("wang", "wang@example.com")]
    assert "first response overdue 5 days" in escalation_text(level)
    assert "首次回复超时5天" in escalation_text(level, "zh")


def test_unassigned_case() -> None:
    """Without an Assignee, level 1 still fires and says the case is unassigned."""
    level = escalation_level(facts(), overdue("resolution", timedelta(hours=1)), NOW, RULES)
    assert level is not None and level.who == ()
    assert escalation_text(level) == "L1 assignee: (unassigned) (resolution overdue)"


@pytest.mark.parametrize(
    ("hours_left", "status", "key"),
    [
        (72, "In Progress", None),
        (47, "In Progress", "L1"),
        (23, "Awaiting Customer", "L2"),
        (23, "Return Shipped", None),
        (-5, "In Progress", None),
    ],
)
def test_window_risk(hours_left: int, status: str, key: str | None) -> None:
    """A return deadline close with the return not shipped escalates; a shipped one does not."""
    deadline = NOW + timedelta(hours=hours_left)
    evaluation = ev(return_deadline=deadline, return_deadline_date=deadline.date())
    level = escalation_level(facts(status=status), evaluation, NOW, RULES, "Wang")
    assert (level.key if level else None) == key
    if level is not None:
        assert f"return deadline {deadline.date().isoformat()}, return not shipped" in (
            escalation_text(level)
        )


def test_passed_deadline_only_when_asked() -> None:
    """`include_passed` also escalates once the deadline has gone by."""
    rules = EscalationRules.model_validate(
        {
            "levels": [
                {
                    "key": "L1",
                    "name": "assignee",
                    "when": [{"window_risk_hours": 48, "include_passed": True}],
                }
            ]
        }
    )
    deadline = NOW - timedelta(hours=2)
    evaluation = ev(return_deadline=deadline, return_deadline_date=deadline.date())
    level = escalation_level(facts(), evaluation, NOW, rules, "Wang")
    assert level is not None and "passed" in level.reason


def test_closed_cases_do_not_escalate() -> None:
    """A closed case never escalates, however late it was."""
    evaluation = overdue("resolution", timedelta(days=30))
    closed = ev(sla=evaluation.sla, sla_state=SlaState.CLOSED, closed=True)
    assert escalation_level(facts(status="Closed"), closed, NOW, RULES) is None


def test_each_level_fires_once() -> None:
    """Each level fires once per case; a lower level never fires after a higher one."""
    fired: set[str] = set()
    timeline = []
    for by in (
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(days=1, hours=1),
        timedelta(days=1, hours=2),
        timedelta(days=4),
        timedelta(days=5),
    ):
        level = escalation_level(facts(), overdue("resolution", by), NOW, RULES, "Wang")
        new = new_escalations(level, fired)
        timeline.append([lv.key for lv in new])
        fired.update(lv.key for lv in new)
        assert new_escalations(level, fired) == []  # a second evaluation: nothing new
    assert timeline == [["L1"], [], ["L2"], [], ["L3"], []]
    back_to_l1 = escalation_level(facts(), overdue("resolution", timedelta(hours=1)), NOW, RULES)
    assert new_escalations(back_to_l1, fired) == []
    assert new_escalations(back_to_l1, {"L2"}) == []
    assert new_escalations(None, set()) == []


def test_real_evaluations_climb_over_days() -> None:
    """With the shipped rules and real SLA clocks, a stuck case climbs L1 -> L2 -> L3."""
    case = facts(opened=sh(2025, 10, 9, 10), status="In Progress")
    resolution = next(c for c in run(case).sla if c.name == "resolution")
    assert resolution.due_at is not None
    keys = []
    for offset in (
        timedelta(hours=-30),
        timedelta(hours=1),
        timedelta(days=1, hours=1),
        timedelta(days=3, hours=1),
    ):
        at = resolution.due_at + offset
        level = escalation_level(case, run(case, at), at, None, "Wang")
        keys.append(level.key if level else None)
    assert keys == [None, "L1", "L2", "L3"]


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            "levels:\n  - {key: L1, name: a, when: [{sla_overdue: late}]}\n",
            "levels[0].when[0].sla_overdue",
            "first_response",
        ),
        (
            "levels:\n  - {key: L1, name: a, when: [{sla_overdue: any, window_risk_hours: 4}]}\n",
            "levels[0].when[0]",
            "exactly one",
        ),
        ("levels:\n  - {key: L1, name: a, when: []}\n", "levels[0].when", "at least 1"),
        (
            "levels:\n  - {key: L1, name: a, when: [{window_risk_hours: 4}]}\n"
            "  - {key: L1, name: b, when: [{window_risk_hours: 2}]}\n",
            "levels",
            "unique",
        ),
        (
            "levels:\n  - {key: L1, name: a, who: [{name: X, email: nope}], "
            "when: [{window_risk_hours: 4}]}\n",
            "levels[0].who",
            "email",
        ),
    ],
)
def test_bad_file_names_file_and_field(tmp_path: Path, text: str, field: str, words: str) -> None:
    """A broken escalation file is one error naming the file and the field."""
    path = tmp_path / "escalation.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AutomationConfigError) as caught:
        load_escalation_rules(path)
    assert caught.value.file == str(path)
    assert caught.value.field.startswith(field)
    assert words in str(caught.value)


def test_shipped_rules_load() -> None:
    """The shipped escalation file loads: assignee, lead, manager."""
    rules = load_escalation_rules()
    assert [(lv.key, lv.name) for lv in rules.levels] == [
        ("L1", "assignee"),
        ("L2", "lead"),
        ("L3", "manager"),
    ]
