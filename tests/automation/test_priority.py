"""Priority from rules kept as data: table-driven cases, overrides, high value, bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.automation.config import AutomationConfigError
from app.automation.priority import (
    PRIORITY_FILE,
    explain,
    load_priority_rules,
    parse_override,
    priority,
)
from policies import SlaState

from .conftest import NOW, ev, facts, run

CASES: list[tuple[str, dict[str, Any], dict[str, Any], float | None, str]] = [
    # (id, facts changes, evaluation changes, order value, expected)
    ("on track, plenty of time", {}, {}, None, "P3"),
    ("sla overdue", {}, {"sla_state": SlaState.OVERDUE}, None, "P1"),
    ("sla due soon", {}, {"sla_state": SlaState.DUE_SOON}, None, "P2"),
    ("2 days left, not shipped", {}, {"days_left": 2}, None, "P1"),
    ("deadline passed, not shipped", {}, {"days_left": -1}, None, "P1"),
    ("3 days left, not shipped", {}, {"days_left": 3}, None, "P2"),
    ("5 days left, not shipped", {}, {"days_left": 5}, None, "P2"),
    ("6 days left", {}, {"days_left": 6}, None, "P3"),
    ("2 days left but shipped", {"status": "Return Shipped"}, {"days_left": 2}, None, "P3"),
    (
        "shipped, due soon",
        {"status": "return shipped"},
        {"sla_state": SlaState.DUE_SOON},
        None,
        "P2",
    ),
    ("no window (lost parcel)", {"issue_type": "Lost Parcel"}, {"days_left": None}, None, "P3"),
    ("closed", {"status": "Closed"}, {"closed": True, "sla_state": SlaState.CLOSED}, None, "P4"),
    ("closed, high value", {"status": "Resolved"}, {"closed": True}, 999.0, "P4"),
    ("paused", {"status": "Awaiting Customer"}, {"sla_state": SlaState.PAUSED}, None, "P4"),
    ("paused, 1 day left", {}, {"sla_state": SlaState.PAUSED, "days_left": 1}, None, "P1"),
    ("high value bumps P3", {}, {}, 200.0, "P2"),
    ("high value bumps P2", {}, {"days_left": 4}, 250.0, "P1"),
    ("high value keeps P1", {}, {"sla_state": SlaState.OVERDUE}, 5000.0, "P1"),
    ("just below high value", {}, {}, 199.99, "P3"),
    ("high value bumps paused", {}, {"sla_state": SlaState.PAUSED}, 300.0, "P3"),
]


@pytest.mark.parametrize(
    ("fact_changes", "ev_changes", "order_value", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_default_rules(
    fact_changes: dict[str, Any],
    ev_changes: dict[str, Any],
    order_value: float | None,
    expected: str,
) -> None:
    """The shipped rules give the documented priority for each situation."""
    assert priority(facts(**fact_changes), ev(**ev_changes), order_value) == expected


def test_matches_real_evaluations() -> None:
    """On real evaluations: overdue first response is P1, a closed case P4."""
    fresh = facts(opened=NOW, first_response_at=None, status="New")
    assert priority(fresh, run(fresh)) == "P3"
    late = facts(opened=NOW.replace(day=7), status="New")
    assert run(late).sla_state is SlaState.OVERDUE
    assert priority(late, run(late)) == "P1"
    closed = facts(status="Closed", outcome="Full Refund")
    assert priority(closed, run(closed)) == "P4"


@pytest.mark.parametrize("override", ["P1", "p2", " P4 ", "P3"])
def test_override_wins(override: str) -> None:
    """A valid Priority Override wins over every rule, the bump included."""
    decision = explain(facts(), ev(sla_state=SlaState.OVERDUE), 9999.0, override)
    assert decision.priority == override.strip().upper()
    assert decision.overridden and decision.rule == "override"


@pytest.mark.parametrize("override", [None, "", "urgent", "P5", "1"])
def test_invalid_override_is_ignored(override: str | None) -> None:
    """A blank or unknown override leaves the rules in charge."""
    assert parse_override(override) is None
    assert priority(facts(), ev(sla_state=SlaState.OVERDUE), None, override) == "P1"


def test_explain_names_the_rule() -> None:
    """`explain` says which rule decided and whether the high-value bump applied."""
    decision = explain(facts(), ev(days_left=4), 300.0)
    assert decision.rule == "return window ends within 5 days, return not shipped"
    assert (decision.base, decision.priority, decision.bumped) == ("P2", "P1", True)
    assert explain(facts(), ev()).rule == "default"


def test_rules_are_data(tmp_path: Path) -> None:
    """A team's own file changes thresholds, conditions and the bump without code changes."""
    path = tmp_path / "triage.yaml"
    path.write_text(
        "version: 1\n"
        "high_value: {min_order_value: 1000, levels: 2}\n"
        "rules:\n"
        "  - {name: lost parcels, priority: P1, when: {issue_types: [lost parcel]}}\n"
        "  - {name: waiting on seller, priority: P2, when: {statuses: [Awaiting Seller]}}\n"
        "  - {name: evidence, priority: P3, when: {missing_evidence: true}, bump: false}\n"
        "default: P4\n",
        encoding="utf-8",
    )
    rules = load_priority_rules(path)
    assert priority(facts(issue_type="Lost Parcel"), ev(), rules=rules) == "P1"
    assert priority(facts(status="Awaiting Seller"), ev(), rules=rules) == "P2"
    assert priority(facts(), ev(missing_evidence=("photos",)), 5000.0, rules=rules) == "P3"
    assert priority(facts(), ev(), rules=rules) == "P4"
    assert priority(facts(), ev(), 1000.0, rules=rules) == "P2"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("rules:\n  - {name: x, priority: P9}\n", "rules[0].priority", "P1"),
        (
            "rules:\n  - {name: x, priority: P1, when: {sla_state: [Late]}}\n",
            "rules[0].when.sla_state",
            "Late",
        ),
        (
            "rules:\n  - {name: x, priority: P1, when: {colour: red}}\n",
            "rules[0].when.colour",
            "not a known field",
        ),
        ("rules: []\n", "rules", "at least 1"),
        (
            "high_value: {min_order_value: -5}\nrules:\n  - {name: x, priority: P1}\n",
            "high_value.min_order_value",
            "greater than 0",
        ),
        ("rules:\n  - {priority: P1}\n", "rules[0].name", "required"),
        ("rules: [\n", "(yaml)", "not valid YAML"),
        ("- just a list\n", "(document)", "mapping"),
    ],
)
def test_bad_file_names_file_and_field(tmp_path: Path, text: str, field: str, words: str) -> None:
    """A broken rules file is one error naming the file and the field."""
    path = tmp_path / "triage.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AutomationConfigError) as caught:
        load_priority_rules(path)
    error = caught.value
    assert error.file == str(path)
    assert error.field == field
    assert words in error.problem
    assert str(error).startswith(f"{path}: {field}: ")


def test_shipped_file_is_shown_relative() -> None:
    """Errors about the shipped file name it as app/automation/data/triage.yaml."""
    from app.automation.config import display_path

    assert display_path(PRIORITY_FILE) == "app/automation/data/triage.yaml"
    assert load_priority_rules().high_value is not None
