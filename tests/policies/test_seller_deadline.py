"""The Seller Deadline and item exclusions in the pure engine: 168 calendar hours from signing
(a timed Window Start), or from 00:00 of the next day (a date alone), across the 2026 Spring
Festival week, and what it drives: next action, priority, escalation and the KPI."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.analytics import kpi_case
from app.analytics.compute import compute_kpis
from app.automation.escalation import escalation_level
from app.automation.priority import explain
from app.automation.triage import triage
from policies import CaseFacts, PolicySet, TeamSettings, build_calendars, evaluate
from policies.errors import PolicyError
from policies.loader import load_policy_file
from policies.marketplaces import load_marketplaces

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEAM = TeamSettings()
CALENDARS = build_calendars(TEAM)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


TEST_POLICY = """\
platform: mulebuy
name: Mulebuy
aliases: [木骡]
version: "test-1"
effective_from: 2025-01-01
source: test policy (excluded categories as the Mulebuy help centre lists them)
window:
  default_days: 5
refunds:
  kinds: [store_credit]
excluded_categories: [custom_made, underwear, food]
"""


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> PolicySet:
    folder = tmp_path_factory.mktemp("policies")
    (folder / "mulebuy.yaml").write_text(TEST_POLICY, encoding="utf-8")
    return PolicySet(load_policy_file(folder / "mulebuy.yaml"))


def case(**values: object) -> CaseFacts:
    base: dict[str, object] = {
        "case_id": "MB-0001",
        "platform": "木骡",
        "issue_type": "Changed Mind",
        "opened": at(2026, 2, 13, 9, 30),
        "window_start": date(2026, 2, 13),
        "status": "In Progress",
        "first_response_at": at(2026, 2, 13, 9, 45),
    }
    base.update(values)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_a_timed_start_counts_168_hours_through_the_spring_festival(policies: PolicySet) -> None:
    """Signed Saturday 14 Feb 2026 16:20 on Taobao: due Saturday 21 Feb 16:20, holidays and all."""
    facts = case(window_start=date(2026, 2, 14), window_start_at=at(2026, 2, 14, 16, 20))
    ev = evaluate(facts, policies, CALENDARS, at(2026, 2, 15, 10, 0), TEAM)
    assert ev.seller is not None
    # 7 days x 24 h, and the festival (15-23 Feb off) does not stop the law's clock.
    assert ev.seller.deadline == at(2026, 2, 21, 16, 20)
    assert ev.seller.marketplace == "Taobao" and not ev.seller.date_only


def test_a_date_only_start_counts_from_midnight_of_the_next_day(policies: PolicySet) -> None:
    """Signed on 13 Feb (date only): 168 hours from 00:00 on 14 Feb, so 00:00 on 21 Feb."""
    ev = evaluate(case(marketplace="京东"), policies, CALENDARS, at(2026, 2, 13, 17, 0), TEAM)
    assert ev.seller is not None
    assert ev.seller.deadline == datetime(2026, 2, 14, tzinfo=SHANGHAI) + timedelta(hours=168)
    assert ev.seller.deadline == at(2026, 2, 21, 0, 0)
    assert ev.seller.marketplace == "JD" and ev.seller.date_only


def test_working_time_left_skips_the_festival_and_makes_it_p1(policies: PolicySet) -> None:
    """On Fri 13 Feb 17:00 a week of calendar time is left but 9.5 working hours: P1."""
    facts = case()
    now = at(2026, 2, 13, 17, 0)
    ev = evaluate(facts, policies, CALENDARS, now, TEAM)
    assert ev.seller is not None
    # Fri 17:00-18:30 (1.5 h) + Sat 14 Feb, an official make-up working day (3 h + 5 h);
    # 15-20 Feb are the festival and a weekend day.
    assert ev.seller.working_left == timedelta(hours=1.5 + 3 + 5)
    decision = explain(facts, ev)
    assert decision.priority == "P1"
    assert decision.rule.startswith("seller deadline within 24 working hours")
    action = triage(facts, ev, now)
    assert action.next_action == "Start the return with the seller before 2026-02-21 00:00"
    assert action.next_due == at(2026, 2, 21, 0, 0)


def test_two_working_days_ahead_is_not_p1(policies: PolicySet) -> None:
    """A case signed after the festival has 168 h and far more than 24 working hours: not P1."""
    facts = case(window_start=date(2026, 3, 2), opened=at(2026, 3, 2, 9, 30))
    ev = evaluate(facts, policies, CALENDARS, at(2026, 3, 3, 10, 0), TEAM)
    assert ev.seller is not None and ev.seller.deadline == at(2026, 3, 10, 0, 0)
    assert explain(facts, ev).priority != "P1"


def test_a_missed_window_escalates_and_counts_in_the_kpi(policies: PolicySet) -> None:
    """Not started by 21 Feb 00:00: missed, an escalation level, and the KPI counts it."""
    facts = case(marketplace="tmall")
    now = at(2026, 2, 24, 10, 0)
    ev = evaluate(facts, policies, CALENDARS, now, TEAM)
    assert ev.seller is not None and ev.seller.missed and not ev.seller.started
    level = escalation_level(facts, ev, now, assignee="Lily")
    assert level is not None and level.key == "L2"
    assert level.reason == "seller window missed: Tmall return not started by 2026-02-21 00:00"
    assert triage(facts, ev, now).next_action.startswith(
        "The seller's return window closed 2026-02-21 00:00"
    )
    kept = case(case_id="MB-0002", status="Awaiting Seller", seller_requested_at=at(2026, 2, 14))
    kept_ev = evaluate(kept, policies, CALENDARS, now, TEAM)
    assert kept_ev.seller is not None and kept_ev.seller.started and not kept_ev.seller.missed
    assert escalation_level(kept, kept_ev, now) is None or "seller" not in (
        escalation_level(kept, kept_ev, now).reason  # type: ignore[union-attr]
    )
    cases = [
        kpi_case(
            c.case_id, {"platform": "Mulebuy", "assignee": who, "opened": c.opened}, e, tz=SHANGHAI
        )
        for c, e, who in ((facts, ev, "Lily"), (kept, kept_ev, "Chen"))
    ]
    report = compute_kpis(
        cases,
        {},
        CALENDARS.team,
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        tz=SHANGHAI,
        business_day_hours=8.0,
    )
    platform = report.row("platform", platform="Mulebuy")
    assert platform is not None
    assert (platform.seller_windows, platform.seller_window_missed) == (2, 1)
    lily, chen = report.row("assignee", assignee="Lily"), report.row("assignee", assignee="Chen")
    assert lily is not None and lily.seller_window_missed == 1
    assert chen is not None and chen.seller_window_missed == 0


@pytest.mark.parametrize("marketplace", ["1688", "阿里巴巴", "闲鱼"])
def test_b2b_and_second_hand_marketplaces_have_no_seller_deadline(
    policies: PolicySet, marketplace: str
) -> None:
    """1688 (B2B) and Xianyu (private sellers) have no no-reason rule: no Seller Deadline."""
    ev = evaluate(case(marketplace=marketplace), policies, CALENDARS, at(2026, 2, 13, 17), TEAM)
    assert ev.seller is None
    assert not [f for f in ev.findings if f.code.startswith("marketplace")]


def test_a_seller_fault_issue_has_no_seller_deadline(policies: PolicySet) -> None:
    """A defect is the seller's fault: the 7-day no-reason window is not the agent's clock."""
    ev = evaluate(case(issue_type="质量问题"), policies, CALENDARS, at(2026, 2, 13, 17), TEAM)
    assert ev.seller is None


def test_the_team_default_marketplace_applies_to_a_blank_cell(policies: PolicySet) -> None:
    """A team whose default is 1688 gets no Seller Deadline for a blank Marketplace."""
    team = TeamSettings(default_marketplace="1688")
    ev = evaluate(case(), policies, CALENDARS, at(2026, 2, 13, 17), team)
    assert ev.seller is None


def test_an_unknown_marketplace_word_is_named_and_gives_no_deadline(policies: PolicySet) -> None:
    """'Shopee' is no marketplace the service knows: a finding naming it, no guess, no deadline."""
    ev = evaluate(case(marketplace="Shopee"), policies, CALENDARS, at(2026, 2, 13, 17), TEAM)
    assert ev.seller is None
    found = [f for f in ev.findings if f.code == "marketplace.unknown"]
    assert len(found) == 1 and "'Shopee'" in found[0].message and found[0].column == "marketplace"


@pytest.mark.parametrize(("word", "label"), [("定制", "custom-made item"), ("内衣", "underwear")])
def test_an_excluded_category_is_not_returnable(policies: PolicySet, word: str, label: str) -> None:
    """A Chinese category word the policy excludes: a finding, the next action, no deadline."""
    facts = case(item_category=word, issue_type="Wrong Size")
    now = at(2026, 2, 13, 17, 0)
    ev = evaluate(facts, policies, CALENDARS, now, TEAM)
    found = [f for f in ev.findings if f.code == "item_category.excluded"]
    assert len(found) == 1
    assert found[0].message.startswith(f"Not returnable under Mulebuy test-1: {label}")
    assert found[0].message_zh.startswith("Mulebuy test-1 不接受退货：")
    assert ev.seller is None  # nothing to return to the seller either
    assert triage(facts, ev, now).next_action == (
        f"Not returnable under Mulebuy test-1: {label}: tell the customer it cannot be returned"
    )


def test_a_category_the_policy_allows_and_an_unknown_one(policies: PolicySet) -> None:
    """Shoes are returnable (no finding); 'gizmo' is named as an unknown category."""
    now = at(2026, 2, 13, 17, 0)
    shoes = evaluate(case(item_category="球鞋"), policies, CALENDARS, now, TEAM)
    assert shoes.excluded_category is None
    assert not [f for f in shoes.findings if f.code.startswith("item_category")]
    gizmo = evaluate(case(item_category="gizmo"), policies, CALENDARS, now, TEAM)
    assert [f.code for f in gizmo.findings if f.column == "item_category"] == [
        "item_category.unknown"
    ]


def test_a_marketplace_file_with_a_bad_field_is_named(tmp_path: Path) -> None:
    """A marketplace rule with an unknown marketplace names the file and the field."""
    (tmp_path / "shopee.yaml").write_text(
        "marketplace: Shopee\nsource: x\nread_on: 2026-12-06\nno_reason_return: {hours: 168}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_marketplaces(tmp_path)
    assert "shopee.yaml" in str(caught.value) and "marketplace" in str(caught.value)


def test_a_policy_exception_accepts_an_excluded_item(policies: PolicySet) -> None:
    """With Policy Exception = Yes the exclusion is information and the seller clock runs."""
    facts = case(item_category="custom made", policy_exception=True)
    now = at(2026, 2, 13, 17, 0)
    ev = evaluate(facts, policies, CALENDARS, now, TEAM)
    found = [f for f in ev.findings if f.code == "item_category.excluded"]
    assert [f.severity.value for f in found] == ["info"]
    assert ev.excluded_category is None
    assert ev.exception_reasons == ("excluded category: custom_made",)
    assert "exception.not_needed" not in [f.code for f in ev.findings]
    assert ev.seller is not None and ev.seller.deadline == at(2026, 2, 21, 0, 0)
    assert triage(facts, ev, now).next_action.startswith("Start the return with the seller")


def test_a_team_abroad_reads_the_deadline_in_its_own_zone(policies: PolicySet) -> None:
    """A Berlin team: the date counts from 00:00 in Shanghai, shown as 17:00 the day before."""
    team = TeamSettings(timezone="Europe/Berlin")
    now = datetime(2026, 2, 13, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    facts = case(first_response_at=now)
    ev = evaluate(facts, policies, build_calendars(team), now, team)
    assert ev.seller is not None
    # 00:00 on 21 Feb in Shanghai (UTC+8) is 17:00 on 20 Feb in Berlin (UTC+1 in winter).
    assert ev.seller.deadline == datetime(2026, 2, 20, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert ev.seller.deadline == at(2026, 2, 21, 0, 0)
    assert triage(facts, ev, now).next_action == (
        "Start the return with the seller before 2026-02-20 17:00"
    )
