"""The platform catalogue: every shipped policy file, the published agents' windows worked by
hand, hour windows, and platforms a team declares in its Policies tab."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from policies import PolicyError, PolicyOverride, Severity, apply_override
from policies.declared import declare_platform, platform_key
from policies.loader import DATA_DIR, NOT_POLICY_FILES, load_policy_file
from policies.vocab import ISSUE_TYPES
from tests.policies.conftest import POLICIES, SHANGHAI, Evaluate, sh

POLICY_FILES = sorted(p for p in DATA_DIR.glob("*.yaml") if p.name not in NOT_POLICY_FILES)
END_OF_DAY = time(23, 59, 59, 999999)


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_every_policy_file_gives_every_case_a_deadline_or_no_window(
    path: Path, run: Evaluate
) -> None:
    """Each file in policies/data loads and decides a window (or none) for every issue type,
    so adding an agent is a YAML file: a case of each issue type gets a deadline or none."""
    for policy in load_policy_file(path):
        assert policy.source.strip() and policy.window.starts_at.strip()
        start = policy.effective_from + timedelta(days=3)
        opened = datetime.combine(start + timedelta(days=1), time(9), tzinfo=SHANGHAI)
        for issue in ISSUE_TYPES:
            result = run(
                platform=policy.name,
                issue_type=issue,
                item_condition="New",
                window_start=start,
                opened=opened,
                now=opened,
            )
            assert result.policy_ref == policy.ref
            codes = {f.code for f in result.findings}
            assert "window.undetermined" not in codes, (policy.ref, issue)
            if issue == "Lost Parcel":
                assert result.return_deadline is None
            else:
                assert result.return_deadline is not None and result.return_deadline > opened


def test_wegobuy_five_days_from_warehouse_stock_in(run: Evaluate) -> None:
    """Wegobuy: stocked in 2025-10-03, five calendar days (National Day does not pause them)."""
    result = run(
        platform="wegobuy.com",
        issue_type="Changed Mind",
        window_start=date(2025, 10, 3),
        opened=sh(2025, 10, 6, 9),
        now=sh(2025, 10, 6, 10),
    )
    assert result.policy_ref == "wegobuy@2025.1"
    # 3 Oct + 5 days = 8 Oct, to the end of that day in Shanghai
    assert result.return_deadline_date == date(2025, 10, 8)
    assert result.return_deadline == datetime.combine(date(2025, 10, 8), END_OF_DAY, SHANGHAI)
    assert result.days_left == 2  # 6 Oct -> 8 Oct
    assert result.return_deadline_timed is False
    assert set(result.refund_kinds) == {"full_refund_after_inspection", "store_credit"}


def test_mulebuy_five_days_and_its_excluded_categories(run: Evaluate) -> None:
    """Mulebuy: stored 2025-10-28, five days to 2 November; the guarantee's exclusions are data."""
    result = run(
        platform="Mulebuy",
        issue_type="Wrong Size",
        window_start=date(2025, 10, 28),
        opened=sh(2025, 10, 30, 11),
        now=sh(2025, 11, 1, 18),
    )
    assert result.policy_ref == "mulebuy@2024.11"
    assert result.return_deadline_date == date(2025, 11, 2)  # 28 Oct + 5 days, across month end
    assert result.days_left == 1
    mulebuy = POLICIES.latest("mulebuy")
    assert mulebuy is not None
    assert mulebuy.excluded_categories == (
        "custom_made",
        "tags_removed",
        "second_hand",
        "overseas_purchase",
        "underwear",
        "adult",
        "food",
        "books_15_plus",
        "opened_sealed",
    )


def test_ponybuy_120_hours_from_the_next_full_hour(run: Evaluate) -> None:
    """Ponybuy: stocked in 2025-10-09 14:20 -> counted from 15:00 -> ends 2025-10-14 15:00."""
    result = run(
        platform="Ponybuy",
        issue_type="Defect",
        window_start=sh(2025, 10, 9, 14, 20),
        opened=sh(2025, 10, 9, 16),
        now=sh(2025, 10, 10, 10),
    )
    assert result.policy_ref == "ponybuy@2025.1"
    assert result.return_deadline == sh(2025, 10, 14, 15)
    assert result.return_deadline_timed is True
    assert result.return_deadline_date == date(2025, 10, 14)
    # 10 Oct 10:00 -> 14 Oct 15:00 is 4 days 5 hours: 4 whole days left
    assert result.days_left == 4
    assert "window_start.date_only" not in {f.code for f in result.findings}


def test_an_hour_window_past_its_end_on_the_same_day_has_minus_one_day_left(
    run: Evaluate,
) -> None:
    """At 16:00 on the day a 15:00 deadline passed, Days Left is -1, not 0."""
    result = run(
        platform="Ponybuy",
        issue_type="Defect",
        window_start=sh(2025, 10, 9, 14, 20),
        opened=sh(2025, 10, 9, 16),
        now=sh(2025, 10, 14, 16),
    )
    assert result.return_deadline == sh(2025, 10, 14, 15)
    assert result.days_left == -1


def test_ponybuy_date_only_start_counts_from_midnight_and_says_so(run: Evaluate) -> None:
    """A date alone counts from 00:00: 120 hours end at midnight, shown as the day before, with
    one information note on Window Start."""
    result = run(
        platform="Ponybuy",
        issue_type="Defect",
        window_start=date(2025, 10, 9),
        opened=sh(2025, 10, 9, 16),
        now=sh(2025, 10, 10, 10),
    )
    # 9 Oct 00:00 + 120 h = 14 Oct 00:00, the end of 13 Oct
    assert result.return_deadline_date == date(2025, 10, 13)
    assert result.return_deadline_timed is False
    assert result.return_deadline == datetime.combine(date(2025, 10, 13), END_OF_DAY, SHANGHAI)
    notes = [f for f in result.findings if f.code == "window_start.date_only"]
    assert len(notes) == 1
    assert notes[0].severity is Severity.INFO and notes[0].column == "window_start"
    assert "2025-10-09 00:00" in notes[0].message and "120-hour" in notes[0].message


def _declared(**row: object) -> PolicyOverride:
    base = {"platform": "Joy Buy", "version": "2025.1", "effective_from": "2025-01-01"}
    return PolicyOverride.from_row({"source": "team lead", **base, **row})


def test_an_hour_window_across_midnight(run: Evaluate) -> None:
    """36 hours from 22:10 start at 23:00 and end at 11:00 two days later."""
    policies = declare_platform(POLICIES, _declared(window_hours="36"))
    result = run(
        policies=policies,
        platform="joy buy",
        issue_type="Wrong Item",
        window_start=sh(2025, 10, 9, 22, 10),
        opened=sh(2025, 10, 9, 23, 30),
        now=sh(2025, 10, 10, 8),
    )
    assert result.policy_ref == "joy_buy@2025.1"
    assert result.return_deadline == sh(2025, 10, 11, 11)  # 9 Oct 23:00 + 36 h
    assert result.days_left == 1  # 10 Oct 08:00 -> 11 Oct 11:00 is 1 day 3 hours


def test_an_hour_window_from_a_date_only_start_ending_mid_day(run: Evaluate) -> None:
    """30 hours from a date alone: from 00:00 of 9 Oct to 06:00 of 10 Oct, a timed deadline."""
    policies = declare_platform(POLICIES, _declared(window_hours=30))
    result = run(
        policies=policies,
        platform="Joy Buy",
        issue_type="Defect",
        window_start=date(2025, 10, 9),
        opened=sh(2025, 10, 9, 12),
        now=sh(2025, 10, 9, 12),
    )
    assert result.return_deadline == sh(2025, 10, 10, 6)
    assert result.return_deadline_timed is True
    assert [f.severity for f in result.findings if f.code == "window_start.date_only"] == [
        Severity.INFO
    ]


def test_an_instant_on_the_hour_starts_counting_at_once(run: Evaluate) -> None:
    """Stocked in at 15:00 sharp counts from 15:00 (the next full hour is that one)."""
    result = run(
        platform="Ponybuy",
        issue_type="Defect",
        window_start=sh(2025, 10, 9, 15),
        opened=sh(2025, 10, 9, 16),
        now=sh(2025, 10, 9, 16),
    )
    assert result.return_deadline == sh(2025, 10, 14, 15)


def test_a_declared_platform_by_days_with_its_aliases_and_exclusions(run: Evaluate) -> None:
    """A declared platform: its name and the team's aliases resolve, its window is its own."""
    row = _declared(
        platform="CNFans",
        seller_fault_days="10",
        buyer_reason_days="3",
        aliases="CF；cn fans、希恩凡",
        excluded_categories="Food, second hand",
        refund_kinds="Store Credit",
        requires="video",
    )
    policies = declare_platform(POLICIES, row)
    assert platform_key("CNFans") == "cnfans"
    assert {policies.resolve(t) for t in ("CNFans", "cf", "CN FANS", "希恩凡")} == {"cnfans"}
    declared = policies.latest("cnfans")
    assert declared is not None
    assert declared.excluded_categories == ("food", "second_hand")
    wrong_size = run(
        policies=policies,
        platform="希恩凡",
        issue_type="Wrong Size",
        window_start=date(2025, 10, 1),
        opened=sh(2025, 10, 2, 9),
        now=sh(2025, 10, 2, 9),
    )
    assert wrong_size.return_deadline_date == date(2025, 10, 4)  # 1 Oct + 3
    defect = run(
        policies=policies,
        platform="CF",
        issue_type="Defect",
        window_start=date(2025, 10, 1),
        opened=sh(2025, 10, 2, 9),
        now=sh(2025, 10, 2, 9),
    )
    assert defect.return_deadline_date == date(2025, 10, 11)  # 1 Oct + 10
    assert defect.missing_evidence == ("video_proof",)
    assert defect.refund_kinds == ("store_credit",)


def test_a_later_row_is_a_later_version_of_a_declared_platform(run: Evaluate) -> None:
    """A second row with a later Effective From changes the window for cases opened after it."""
    policies = declare_platform(POLICIES, _declared(window_days=7))
    policies = apply_override(
        policies,
        PolicyOverride.from_row(
            {
                "platform": "Joy Buy",
                "version": "2025.2",
                "effective_from": "2025-10-05",
                "source": "lead",
                "window_hours": 48,
            }
        ),
    )
    before = run(
        policies=policies,
        platform="Joy Buy",
        issue_type="Defect",
        window_start=date(2025, 10, 1),
        opened=sh(2025, 10, 2, 9),
        now=sh(2025, 10, 2, 9),
    )
    after = run(
        policies=policies,
        platform="Joy Buy",
        issue_type="Defect",
        window_start=sh(2025, 10, 6, 8, 45),
        opened=sh(2025, 10, 6, 9),
        now=sh(2025, 10, 6, 9),
    )
    assert before.policy_ref == "joy_buy@2025.1"
    assert before.return_deadline_date == date(2025, 10, 8)
    assert after.policy_ref == "joy_buy@2025.2"
    assert after.return_deadline == sh(2025, 10, 8, 9)  # 6 Oct 09:00 + 48 h


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({}, "window_days", "give its window"),
        ({"window_hours": 24, "window_days": 2}, "(document)", "not both"),
        ({"window_hours": 24, "holiday_rule": "skip_official_holiday_periods"}, "window", "hour"),
        ({"window_days": 3, "platform": "Super-buy!"}, "platform", "already a platform"),
    ],
)
def test_a_declared_row_that_cannot_be_a_policy_names_the_problem(
    row: dict[str, object], field: str, words: str
) -> None:
    """No window, days and hours together, hours with a holiday rule, a name that collides."""
    with pytest.raises(PolicyError) as caught:
        declare_platform(POLICIES, _declared(**row))
    assert caught.value.field.startswith(field)
    assert words in caught.value.problem


def test_a_category_that_is_not_a_key_is_refused() -> None:
    """Excluded Categories hold keys: 'food!' names itself and the expected shape."""
    with pytest.raises(PolicyError, match="'food!' is not a category key"):
        _declared(window_days=3, excluded_categories="food!, underwear")
