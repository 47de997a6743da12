"""Suggested Reply and Seller Message: chosen by situation, deterministic, language fallback."""

from __future__ import annotations

from typing import Any

import pytest

from app.automation.replies import compose, replies, seller_situation, situation
from app.automation.templates import TemplateSet, default_templates, load_templates
from policies import SlaState

from .conftest import NOW, clock, ev, facts, run, sh

ROW = {"customer": "Emma Wilson", "order_no": "SB-1001", "assignee": "Chen"}
TEMPLATES, _ = load_templates([])


@pytest.mark.parametrize(
    ("fact_changes", "ev_changes", "csat", "expected"),
    [
        ({"status": "New"}, {}, None, "acknowledgement"),
        ({"status": None}, {}, None, "acknowledgement"),
        ({"status": "New"}, {"missing_evidence": ("photos",)}, None, "acknowledgement"),
        ({}, {"missing_evidence": ("photos",)}, None, "evidence_request"),
        (
            {"status": "Awaiting Customer"},
            {"missing_evidence": ("photos",)},
            None,
            "evidence_request",
        ),
        ({}, {}, None, "progress_update"),
        ({"status": "Awaiting Seller"}, {}, None, "progress_update"),
        ({"platform_response_at": sh(2025, 10, 9, 15)}, {}, None, "platform_response"),
        ({}, {"sla_state": SlaState.OVERDUE}, None, "overdue_apology"),
        (
            {"platform_response_at": sh(2025, 10, 9, 15)},
            {"sla_state": SlaState.OVERDUE},
            None,
            "platform_response",
        ),
        ({"outcome": "Full Refund"}, {}, None, "outcome_full_refund"),
        ({"outcome": "partial refund"}, {}, None, "outcome_partial_refund"),
        ({"outcome": "Store Credit"}, {}, None, "outcome_store_credit"),
        ({"outcome": "Exchange"}, {}, None, "outcome_exchange"),
        ({"outcome": "Reship"}, {}, None, "outcome_reship"),
        ({"outcome": "Rejected"}, {"sla_state": SlaState.OVERDUE}, None, "outcome_rejected"),
        ({"outcome": "Withdrawn"}, {}, None, "outcome_withdrawn"),
        ({"status": "Resolved", "outcome": "Rejected"}, {"closed": True}, None, "outcome_rejected"),
        ({"status": "Closed", "outcome": "Full Refund"}, {"closed": True}, None, "closing"),
        ({"status": "Resolved"}, {"closed": True}, None, "closing"),
        ({"status": "Closed"}, {"closed": True}, "", "closing"),
        ({"status": "Closed"}, {"closed": True}, 5, None),
    ],
)
def test_situation(
    fact_changes: dict[str, Any], ev_changes: dict[str, Any], csat: object, expected: str | None
) -> None:
    """The customer situation follows the documented order."""
    assert situation(facts(**fact_changes), ev(**ev_changes), csat) == expected


@pytest.mark.parametrize(
    ("fact_changes", "ev_changes", "expected"),
    [
        ({}, {}, "request"),
        (
            {"status": "Awaiting Seller"},
            {"sla": (clock("seller_response", SlaState.OVERDUE),)},
            "chase",
        ),
        ({"status": "Return Shipped"}, {}, "return_shipped"),
        ({"outcome": "Exchange"}, {}, "outcome"),
        ({"status": "Closed"}, {"closed": True}, None),
    ],
)
def test_seller_situation(
    fact_changes: dict[str, Any], ev_changes: dict[str, Any], expected: str | None
) -> None:
    """The seller situation: request, chase, return shipped, outcome; none once closed."""
    assert seller_situation(facts(**fact_changes), ev(**ev_changes)) == expected


def test_same_inputs_give_identical_text() -> None:
    """The same case twice gives byte-identical replies (a second sync writes nothing)."""
    case = facts(status="In Progress", evidence=())
    first = replies(case, run(case), TEMPLATES, "English", ROW)
    again = replies(case, run(case), load_templates([])[0], "English", dict(ROW))
    assert first == again
    assert first.customer and first.seller and not first.problems


def test_text_does_not_move_with_the_clock() -> None:
    """While the situation holds, a day passing (Days Left changing) leaves the text alone."""
    case = facts()
    today = replies(case, ev(days_left=25, missing_evidence=("photos",)), TEMPLATES, "en", ROW)
    tomorrow = replies(case, ev(days_left=24, missing_evidence=("photos",)), TEMPLATES, "en", ROW)
    assert today.customer == tomorrow.customer and today.seller == tomorrow.seller


def test_status_change_changes_the_template() -> None:
    """Moving the case on (New -> evidence -> outcome -> closed) picks a different template."""
    steps = [
        (facts(status="New"), ev(missing_evidence=("original_packaging",))),
        (facts(status="Awaiting Customer"), ev(missing_evidence=("original_packaging",))),
        (facts(status="Awaiting Platform", original_packaging=True), ev()),
        (facts(status="Awaiting Platform", outcome="Full Refund"), ev()),
        (facts(status="Closed", outcome="Full Refund"), ev(closed=True)),
    ]
    seen = []
    for case, evaluation in steps:
        result = replies(case, evaluation, TEMPLATES, "English", ROW)
        assert result.customer_reply is not None
        seen.append((result.customer_situation, result.customer_reply.template_key))
        assert result.customer
    assert [s for s, _ in seen] == [
        "acknowledgement",
        "evidence_request",
        "progress_update",
        "outcome_full_refund",
        "closing",
    ]
    assert len({k for _, k in seen}) == len(seen)


def test_evidence_request_lists_exactly_what_is_missing() -> None:
    """The evidence request names the policy's missing evidence, in the customer's language."""
    case = facts(platform="Bhiner", issue_type="Defect", evidence=("photos",))
    evaluation = run(case)
    assert evaluation.missing_evidence == ("video_proof",)
    en = replies(case, evaluation, TEMPLATES, "English", ROW)
    zh = replies(case, evaluation, TEMPLATES, "Chinese", ROW)
    assert en.customer_situation == "evidence_request"
    assert "- video proof" in (en.customer or "") and "photos" not in (en.customer or "")
    assert "- 视频证明" in (zh.customer or "")


def test_customer_language_falls_back_to_english() -> None:
    """An unknown or blank Language, or no template in it, gives the English reply."""
    case = facts(status="New")
    english = replies(case, ev(), TEMPLATES, "English", ROW).customer
    assert replies(case, ev(), TEMPLATES, None, ROW).customer == english
    assert replies(case, ev(), TEMPLATES, "日本語", ROW).customer == english
    assert replies(case, ev(), TEMPLATES, "ja", ROW).customer == english
    only_english = TemplateSet(defaults=[t for t in default_templates() if t.language == "en"])
    result = replies(case, ev(), only_english, "Chinese", ROW)
    assert result.customer == english
    assert result.customer_reply is not None and result.customer_reply.language == "en"


def test_seller_message_is_chinese() -> None:
    """The Seller Message is in Chinese whatever the customer's language."""
    result = replies(facts(), ev(), TEMPLATES, "English", ROW)
    assert result.seller_reply is not None and result.seller_reply.language == "zh"
    assert "售后申请" in (result.seller or "")


def test_closed_case_with_csat_has_no_replies() -> None:
    """Once closed and rated, nothing is suggested to anyone."""
    result = replies(facts(status="Closed"), ev(closed=True), TEMPLATES, "en", {**ROW, "csat": 4})
    assert (result.customer, result.seller, result.problems) == (None, None, ())


def test_broken_team_template_is_a_problem_for_that_case_only() -> None:
    """A broken template makes a problem for the cases that need it; the others are unaffected."""
    bad = {
        "key": "team.ack",
        "situation": "acknowledgement",
        "audience": "customer",
        "language": "en",
        "body": "Hi {{ custmer }}",
    }
    templates, problems = load_templates([bad])
    assert [(p.key, p.placeholder) for p in problems] == [("team.ack", "custmer")]
    hit = replies(facts(status="New"), ev(), templates, "en", ROW)
    assert [p.key for p in hit.problems] == ["team.ack"]
    assert hit.customer is not None  # the default acknowledgement is used meanwhile
    finding = hit.problems[0].to_finding("suggested_reply")
    assert "team.ack" in finding.message and "custmer" in finding.message
    other = replies(facts(status="In Progress"), ev(), templates, "en", ROW)
    assert other.problems == ()


def test_a_subject_no_cell_shows_does_not_stop_the_reply() -> None:
    """A team template's subject line is not rendered for the reply (no cell shows it), so a
    subject that would fail only while rendering neither replaces the team's reply with the
    default nor reports a problem; a subject the check refuses is still reported."""
    team = {
        "key": "team.ack",
        "situation": "acknowledgement",
        "audience": "customer",
        "language": "en",
        "subject": "案件 {{ case_id + 1 }}",  # str + int: fails only when rendered
        "body": "您好 {{ customer }}，工单 {{ case_id }} 已收到。",
    }
    templates, problems = load_templates([team])
    assert problems == []
    hit = replies(facts(status="New"), ev(), templates, "en", ROW)
    assert hit.problems == ()
    assert hit.customer == f"您好 {ROW['customer']}，工单 AS-251009-0001 已收到。"
    _, refused = load_templates([{**team, "subject": "案件 {{ custmer }}"}])
    assert [(p.field, p.placeholder) for p in refused] == [("subject", "custmer")]


def test_reminder_is_composed_with_its_number() -> None:
    """The evidence reminder renders with its sequence number and the missing evidence."""
    reply, problems = compose(
        "customer",
        "evidence_reminder",
        facts(),
        ev(missing_evidence=("photos",)),
        TEMPLATES,
        "English",
        ROW,
        reminder_number=2,
    )
    assert problems == ()
    assert reply is not None and "(no. 2)" in reply.text and "- photos" in reply.text
    assert NOW.tzinfo is not None
