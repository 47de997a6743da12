"""Builds one sync's input to incremental evaluation: the context version its fingerprints share
and the horizon basis (offsets, zones and instants from the rules in force). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from app.automation.workflow import Automation
from app.notify.settings import NotifySettings
from app.sync.fingerprint import context_version
from app.sync.read_step import SheetRead
from app.sync.reuse import CachedCase, Reuse
from policies import PolicySet, TeamSettings
from policies.horizon import HorizonBasis, moments_in, offsets_in, zones_in
from policies.marketplaces import shipped_marketplaces

__all__ = ["build_reuse"]


def build_reuse(
    sheet: SheetRead,
    output_titles: tuple[str, ...],
    *,
    now: datetime,
    tz: tzinfo,
    policies: PolicySet,
    team: TeamSettings,
    automation: Automation,
    notify: NotifySettings | None,
    language: str,
    cached: Mapping[str, CachedCase],
    check: bool,
) -> Reuse:
    """The Reuse for a sync at `now`. `output_titles`: the tabs the service fills from its own
    results (Timeline, Outbox, KPIs), which no case's evaluation reads."""
    cases = sheet.tab("cases")
    versions = tuple(policies.all_versions())
    rules = (automation.settings, automation.priority_rules, automation.escalation_rules)
    context = context_version(
        sheet.data.tabs,
        (cases.title if cases else "", *output_titles),
        cases,
        (sheet.schema.version, versions, team, *rules, notify, language, str(tz), sheet.ctx),
    )
    market = shipped_marketplaces()  # the seller windows' rules (their zones and hours)
    config = (versions, team, *rules, tuple(market.rule(name) for name in market.names))
    basis = HorizonBasis.of(
        now,
        offsets_in(config),
        (tz, *zones_in(config)),
        moments_in(versions, tz),
        team.due_soon_fraction,
    )
    return Reuse(context=context, basis=basis, cached=cached, check=check)
