"""Vocabularies: normalising what people type, evidence tokens, outcomes and refund kinds."""

from __future__ import annotations

import pytest

from policies import ISSUE_TYPES, ITEM_CONDITIONS, OUTCOMES, STATUSES, allowed_outcomes, normalise
from policies.vocab import outcome_allowed, parse_evidence, refund_kind


@pytest.mark.parametrize(
    ("vocabulary", "text", "expected"),
    [
        (STATUSES, "  awaiting   customer ", "Awaiting Customer"),
        (STATUSES, "IN PROGRESS", "In Progress"),
        (STATUSES, "inprogress", "In Progress"),
        (ISSUE_TYPES, "not as described", "Not as Described"),
        (ISSUE_TYPES, "damaged in\ttransit", "Damaged in Transit"),
        (ISSUE_TYPES, "wrong_size", "Wrong Size"),
        (ITEM_CONDITIONS, "used", "Used"),
        (OUTCOMES, "store credit", "Store Credit"),
        (OUTCOMES, "refund", None),
        (STATUSES, "", None),
        (STATUSES, "   ", None),
        (STATUSES, None, None),
    ],
)
def test_normalise(vocabulary: tuple[str, ...], text: str | None, expected: str | None) -> None:
    """normalise matches ignoring case and spacing and returns the canonical display string."""
    assert normalise(vocabulary, text) == expected


@pytest.mark.parametrize(
    ("tokens", "kinds", "unknown"),
    [
        (("photo",), {"photos"}, ()),
        (("Photos, Video",), {"photos", "video_proof"}, ()),
        (("照片", "视频", "原包装"), {"photos", "video_proof", "original_packaging"}, ()),
        (("packaging; tracking number",), {"original_packaging", "tracking_proof"}, ()),
        (("video_proof", "Original Packaging"), {"video_proof", "original_packaging"}, ()),
        (("照片、物流截图",), {"photos", "tracking_proof"}, ()),
        (("receipt", "photo"), {"photos"}, ("receipt",)),
        ((), set(), ()),
    ],
)
def test_parse_evidence(tokens: tuple[str, ...], kinds: set[str], unknown: tuple[str, ...]) -> None:
    """Evidence tokens in English or Chinese map to canonical kinds; the rest are reported."""
    assert parse_evidence(tokens) == (frozenset(kinds), unknown)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("store_credit", "store_credit"),
        ("Store Credit", "store_credit"),
        ("Full Refund", "full_refund_after_inspection"),
        ("partial refund", "partial_refund"),
        ("Rejected", None),
        ("cash", None),
    ],
)
def test_refund_kind(text: str, kind: str | None) -> None:
    """Refund kinds are read from their key or from the matching Outcome."""
    assert refund_kind(text) == kind


def test_rejected_and_withdrawn_always_allowed() -> None:
    """Rejected and Withdrawn are consistent with every policy, even one allowing nothing else."""
    assert outcome_allowed("Rejected", ())
    assert outcome_allowed("Withdrawn", ())
    assert not outcome_allowed("Store Credit", ("full_refund_after_inspection",))
    assert allowed_outcomes(("store_credit",)) == ("Store Credit", "Rejected", "Withdrawn")
