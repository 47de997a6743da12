"""evaluate(): policy choice, exceptions, evidence, refunds, outcomes and findings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from policies import (
    CaseFacts,
    PolicyOverride,
    Severity,
    apply_override,
    evaluate,
    load_policies,
)
from policies.findings import ALL_TEMPLATES

from .conftest import CALENDARS, POLICIES, TEAM, Evaluate, d, sh

NOW = sh(2025, 10, 2, 10)


def codes(result: object) -> dict[str, Severity]:
    return {f.code: f.severity for f in result.findings}  # type: ignore[attr-defined]


def test_policy_ref_and_refund_kinds(run: Evaluate) -> None:
    """The Policy Ref names the version in force and the refund kinds come from it."""
    result = run(
        now=NOW,
        platform="yoybuy",
        issue_type="Defect",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
    )
    assert result.platform == "yoybuy"
    assert result.policy_ref == "yoybuy@2025.1"
    assert result.refund_kinds == ("full_refund_after_inspection", "store_credit")
    assert result.in_window_at_opened is True
    assert not result.exception_needed
    assert result.findings == ()


@pytest.mark.parametrize(
    ("platform", "issue", "condition", "kinds"),
    [
        ("Bhiner", "Defect", "Used", ("partial_refund",)),
        ("Bhiner", "Defect", "New", ("full_refund_after_inspection",)),
        ("Superbuy", "Wrong Size", "Unused", ("full_refund_after_inspection",)),
        ("Yoybuy", "Changed Mind", "Used", ("full_refund_after_inspection", "store_credit")),
    ],
)
def test_refund_kinds_by_condition(
    run: Evaluate, platform: str, issue: str, condition: str, kinds: tuple[str, ...]
) -> None:
    """Refund kinds follow the platform's rules, e.g. Bhiner refunds used items only in part."""
    result = run(
        now=NOW,
        platform=platform,
        issue_type=issue,
        item_condition=condition,
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        video_proof=True,
        original_packaging=True,
    )
    assert result.refund_kinds == kinds


@pytest.mark.parametrize(
    ("platform", "issue", "fields", "missing"),
    [
        ("Bhiner", "Defect", {}, ("video_proof",)),
        ("Bhiner", "Defect", {"video_proof": True}, ()),
        ("Bhiner", "Defect", {"evidence": ("视频",)}, ()),
        ("Bhiner", "Defect", {"video_proof": False, "evidence": ("unboxing video",)}, ()),
        ("Bhiner", "Wrong Size", {}, ()),
        ("Superbuy", "Wrong Size", {}, ("original_packaging",)),
        ("Superbuy", "Defect", {"evidence": ("photos, packaging",)}, ()),
        ("Superbuy", "Defect", {"original_packaging": True}, ()),
        ("Yoybuy", "Defect", {}, ()),
    ],
)
def test_missing_evidence(
    run: Evaluate, platform: str, issue: str, fields: dict[str, object], missing: tuple[str, ...]
) -> None:
    """Missing evidence names each required kind not shown by the Evidence cell or Yes columns."""
    result = run(
        now=NOW,
        platform=platform,
        issue_type=issue,
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        **fields,
    )
    assert result.missing_evidence == missing
    assert result.exception_reasons == tuple(f"missing evidence: {k}" for k in missing)
    found = [f for f in result.findings if f.code == "evidence.missing"]
    assert len(found) == len(missing)
    if missing:
        assert found[0].column == missing[0]
        assert found[0].severity is Severity.WARNING


def test_opened_after_window_needs_exception(run: Evaluate) -> None:
    """A case opened after the deadline needs a policy exception and says why."""
    result = run(
        now=sh(2025, 10, 20, 12),
        platform="Superbuy",
        issue_type="Changed Mind",
        window_start=d("2025-09-28"),
        opened=sh(2025, 10, 6, 9),
        original_packaging=True,
    )
    assert result.in_window_at_opened is False
    assert result.exception_needed
    assert result.exception_reasons == ("opened after return window",)
    finding = next(f for f in result.findings if f.code == "window.opened_after_deadline")
    assert finding.severity is Severity.WARNING
    assert "2025-10-05" in finding.message and "2025-10-05" in finding.message_zh


def test_opened_on_deadline_day_is_in_window(run: Evaluate) -> None:
    """Opening late on the deadline day (Shanghai time) is still inside the window."""
    opened = datetime.fromisoformat("2025-10-05T15:59:00+00:00")  # 23:59 in Shanghai
    result = run(
        now=NOW,
        platform="Superbuy",
        issue_type="Changed Mind",
        window_start=d("2025-09-28"),
        opened=opened,
        original_packaging=True,
    )
    assert result.in_window_at_opened is True


def test_acknowledged_exception_silences_what_it_covers(run: Evaluate) -> None:
    """Policy Exception = Yes keeps the reasons but silences the late opening and the outcome
    it covers; the missing evidence stays, as an info to-do."""
    result = run(
        now=sh(2025, 10, 20, 12),
        platform="Superbuy",
        issue_type="Changed Mind",
        window_start=d("2025-09-28"),
        opened=sh(2025, 10, 6, 9),
        policy_exception=True,
        outcome="Store Credit",
    )
    assert result.exception_needed
    assert len(result.exception_reasons) == 2
    assert codes(result) == {"evidence.missing": Severity.INFO}


def test_exception_not_needed_is_info(run: Evaluate) -> None:
    """Policy Exception = Yes on a case within policy is mentioned as info."""
    result = run(
        now=NOW,
        platform="Yoybuy",
        issue_type="Defect",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        policy_exception=True,
    )
    assert codes(result) == {"exception.not_needed": Severity.INFO}


@pytest.mark.parametrize(
    ("platform", "condition", "outcome", "allowed"),
    [
        ("Superbuy", None, "Full Refund", True),
        ("Superbuy", None, "Store Credit", False),
        ("Superbuy", None, "Rejected", True),
        ("Yoybuy", None, "store credit", True),
        ("Yoybuy", None, "Exchange", False),
        ("Bhiner", "Used", "Full Refund", False),
        ("Bhiner", "Used", "Partial Refund", True),
        ("Bhiner", "New", "Withdrawn", True),
    ],
)
def test_outcome_consistency(
    run: Evaluate, platform: str, condition: str | None, outcome: str, allowed: bool
) -> None:
    """An Outcome the policy does not allow is a warning on the Outcome column."""
    result = run(
        now=NOW,
        platform=platform,
        issue_type="Wrong Size",
        item_condition=condition,
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        original_packaging=True,
        outcome=outcome,
    )
    found = [f for f in result.findings if f.code == "outcome.not_allowed"]
    assert (not found) is allowed
    if found:
        assert found[0].column == "outcome"


def test_an_outcome_not_allowed_reads_in_chinese_words_for_a_chinese_team(run: Evaluate) -> None:
    """The Chinese message names the Outcome and the allowed ones as a Chinese team writes them
    (no English word left in it); the English message is unchanged."""
    result = run(
        now=NOW,
        platform="Yoybuy",
        issue_type="Wrong Size",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        original_packaging=True,
        outcome="换货",
    )
    (found,) = [f for f in result.findings if f.code == "outcome.not_allowed"]
    assert found.message == (
        "Outcome 'Exchange' is not allowed by Yoybuy 2025.1; "
        "allowed: Full Refund, Store Credit, Rejected, Withdrawn."
    )
    assert (
        found.message_zh == "处理结果“换货”不符合 Yoybuy 2025.1；允许：全额退款、余额、拒绝、撤回。"
    )


@pytest.mark.parametrize(
    ("fields", "code", "severity", "column", "text"),
    [
        ({"platform": None}, "platform.missing", Severity.ERROR, "platform", "Platform"),
        ({"platform": "Pandabuy"}, "platform.unknown", Severity.ERROR, "platform", "Pandabuy"),
        (
            {"issue_type": "Smells Odd"},
            "issue_type.unknown",
            Severity.ERROR,
            "issue_type",
            "Smells Odd",
        ),
        ({"issue_type": None}, "issue_type.missing", Severity.WARNING, "issue_type", "Issue"),
        (
            {"item_condition": "Mint"},
            "item_condition.unknown",
            Severity.ERROR,
            "item_condition",
            "Mint",
        ),
        ({"status": "Waiting"}, "status.unknown", Severity.ERROR, "status", "Waiting"),
        ({"outcome": "Cash"}, "outcome.unknown", Severity.ERROR, "outcome", "Cash"),
        (
            {"window_start": None},
            "window_start.missing",
            Severity.WARNING,
            "window_start",
            "Window Start",
        ),
        (
            {"window_start": d("2025-10-09")},
            "window_start.future",
            Severity.WARNING,
            "window_start",
            "2025-10-09",
        ),
        (
            {"window_start": d("2025-09-30")},
            "window_start.after_opened",
            Severity.WARNING,
            "window_start",
            "2025-09-30",
        ),
        ({"opened": None}, "opened.missing", Severity.ERROR, "opened", "Opened"),
        ({"opened": sh(2025, 10, 3, 9)}, "opened.future", Severity.WARNING, "opened", "2025-10-03"),
        ({"case_id": " "}, "case_id.missing", Severity.ERROR, "case_id", "Case ID"),
        ({"evidence": ("receipt",)}, "evidence.unrecognised", Severity.INFO, "evidence", "receipt"),
        (
            {"first_response_at": sh(2025, 9, 29, 9)},
            "first_response_at.before_opened",
            Severity.WARNING,
            "first_response_at",
            "First Response",
        ),
        (
            {"opened": sh(2024, 12, 30, 9), "window_start": d("2024-12-28")},
            "policy.before_first_version",
            Severity.WARNING,
            "opened",
            "2024-12-30",
        ),
    ],
)
def test_findings(
    run: Evaluate,
    fields: dict[str, object],
    code: str,
    severity: Severity,
    column: str,
    text: str,
) -> None:
    """Each data problem gives one typed finding with a stable code, column and message."""
    case: dict[str, object] = {
        "platform": "Yoybuy",
        "issue_type": "Defect",
        "window_start": d("2025-09-28"),
        "opened": sh(2025, 9, 29, 10),
    }
    case.update(fields)
    result = run(now=NOW, **case)
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, result.findings
    assert found[0].severity is severity
    assert found[0].column == column
    assert text in found[0].message
    assert found[0].message_zh


def test_superbuy_without_issue_type_has_no_window(run: Evaluate) -> None:
    """Superbuy's window depends on the Issue Type, so without one there is no deadline."""
    result = run(
        now=NOW,
        platform="Superbuy",
        issue_type=None,
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        original_packaging=True,
    )
    assert result.return_deadline is None
    assert set(codes(result)) == {"issue_type.missing"}


def test_policy_window_gap_is_reported(tmp_path: Path) -> None:
    """A policy with no window rule (and no default) for an Issue Type reports the gap."""
    (tmp_path / "demo.yaml").write_text(
        "platform: demo\nname: Demo\nversion: '1'\neffective_from: 2025-01-01\nsource: t\n"
        "window:\n  rules:\n    - when: {issue_types: [Defect]}\n      days: 10\n"
        "refunds:\n  kinds: [exchange]\n",
        encoding="utf-8",
    )
    case = CaseFacts(
        case_id="A",
        platform="demo",
        issue_type="Wrong Size",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
    )
    result = evaluate(case, load_policies(tmp_path), CALENDARS, NOW, TEAM)
    assert result.return_deadline is None
    finding = next(f for f in result.findings if f.code == "window.undetermined")
    assert "Wrong Size" in finding.message and finding.column == "issue_type"


def test_override_keeps_rules_it_does_not_touch() -> None:
    """An override of the seller-fault days keeps the buyer-reason window of the base version."""
    override = PolicyOverride(
        platform="Superbuy",
        version="t",
        effective_from=d("2025-01-01"),
        source="t",
        seller_fault_days=20,
    )
    policies = apply_override(POLICIES, override)
    case = CaseFacts(
        case_id="A",
        platform="Superbuy",
        issue_type="Wrong Size",
        window_start=d("2025-09-28"),
        opened=sh(2025, 9, 29, 10),
        original_packaging=True,
    )
    result = evaluate(case, policies, CALENDARS, NOW, TEAM)
    assert result.return_deadline_date == d("2025-10-05")  # buyer-reason rule still applies
    assert result.policy_ref == "superbuy@t"


def test_naive_case_datetimes_are_team_local(run: Evaluate) -> None:
    """A naive Opened is read in the team's time zone."""
    result = run(
        now=NOW,
        platform="Yoybuy",
        issue_type="Defect",
        window_start=d("2025-09-28"),
        opened=datetime(2025, 9, 29, 10),
    )
    assert result.sla[0].started_at == sh(2025, 9, 29, 10)


def test_naive_now_is_rejected() -> None:
    """evaluate refuses a naive `now` instead of guessing a zone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(CaseFacts(case_id="A"), POLICIES, CALENDARS, datetime(2025, 10, 2), TEAM)


def test_empty_case_does_not_crash() -> None:
    """A row with nothing but an id evaluates to findings, never an exception."""
    result = evaluate(CaseFacts(case_id="A"), POLICIES, CALENDARS, NOW)
    assert {"platform.missing", "opened.missing", "issue_type.missing"} <= set(codes(result))
    assert result.errors


def test_finding_codes_are_unique_and_bilingual() -> None:
    """Every finding template has a unique dotted code and both messages."""
    all_codes = [t.code for t in ALL_TEMPLATES]
    assert len(all_codes) == len(set(all_codes))
    for template in ALL_TEMPLATES:
        assert "." in template.code and template.en and template.zh
