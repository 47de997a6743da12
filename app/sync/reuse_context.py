"""One sync's incremental evaluation around the planner: its input (the context version the
fingerprints share and the horizon basis: offsets, zones and instants from the rules in force),
and keeping what it concluded for the next sync (the process's ResultCache; mismatches the full
recalculation found are logged, each with its case)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from app.analytics import Measured
from app.automation.workflow import Automation
from app.notify.settings import NotifySettings
from app.store import CaseMarks
from app.sync.fingerprint import context_version
from app.sync.read_step import SheetRead, cases_parser, reread_cached_rows
from app.sync.reuse import (
    RESULTS,
    NarrowRead,
    Reuse,
    ReuseOutcome,
    SheetCache,
    reusable_rows,
    slim_row,
)
from policies import PolicySet, TeamSettings
from policies.horizon import HorizonBasis, moments_in, offsets_in, zones_in
from policies.marketplaces import shipped_marketplaces

__all__ = ["build_reuse", "keep_reuse", "reused_measures"]

log = logging.getLogger("aftersales.sync")


def build_reuse(
    sheet: SheetRead,
    kpis_titles: Sequence[str],
    *,
    now: datetime,
    tz: tzinfo,
    policies: PolicySet,
    team: TeamSettings,
    automation: Automation,
    notify: NotifySettings | None,
    language: str,
    cache: SheetCache | None,
    marks: CaseMarks,
    check: bool,
) -> Reuse:
    """The Reuse for a sync at `now`: the context version, the horizon basis and the rows whose
    cached planning stands. The tabs the service fills from its own results (Timeline, Outbox,
    KPIs under any of `kpis_titles`) are left out of the context: no case's evaluation reads
    them."""
    output_titles = (
        sheet.placed["timeline"].headers.title,
        sheet.placed["outbox"].headers.title,
        *kpis_titles,
    )
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
    hits = reusable_rows(sheet.rows["cases"], cache, context, marks, now)
    if cache is not None and cache.parse_key == sheet.cases_parse_key:
        # A full recalculation plans every case, those it compares with the cache too.
        reread_cached_rows(sheet, cache.entries, () if check else hits)
    return Reuse(
        context=context,
        basis=basis,
        marks=marks,
        hits=hits,
        check=check,
        parse_again=cases_parser(sheet),
    )


def keep_reuse(
    sheet_key: str,
    cases_title: str,
    parse_key: bytes,
    reuse: Reuse,
    outcome: ReuseOutcome,
    measured: Mapping[str, Measured],
    narrow: Mapping[str, NarrowRead] | None = None,
) -> None:
    """Keep a planning's cache entries, each with its KPI measures and its row slimmed to its
    parsed values (`slim_row`: the cells are read again whenever the row is), for the next
    sync (and how it may read the tabs `narrow` names), and log each mismatch with its case.

    Every entry is a quiet planning of inputs its fingerprint pins down: valid whatever becomes
    of this sync (a failed write, a dry run, a re-plan)."""
    packer = outcome.packer
    for entry in outcome.cached.values():
        if entry.measured is None:  # planned by this sync (slim already, once settled)
            entry.measured = measured.get(entry.result.case_id)
            entry.row = slim_row(entry.row, packer)
    RESULTS.put(
        sheet_key,
        SheetCache(parse_key, reuse.context, outcome.cached, narrow or {}, cases_title),
    )
    for case_id in outcome.mismatches:
        log.error(
            "incremental cache of sheet %r: case %s recomputed differently from what the cache "
            "would have reused",
            sheet_key,
            case_id,
        )


def reused_measures(reuse: Reuse | None) -> dict[str, Measured]:
    """The KPI measures of the cases whose cached planning the planner takes (none in a full
    recalculation, which plans and measures every case)."""
    if reuse is None or reuse.check:
        return {}
    return {
        entry.result.case_id: entry.measured
        for entry in reuse.hits.values()
        if entry.measured is not None
    }
