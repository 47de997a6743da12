"""`evaluate`: one case, one moment, every conclusion the sheet needs.

Reading order: vocabularies -> platform and policy version -> return window -> exception reasons
(late opening, missing evidence) -> refund kinds and outcome -> SLA clocks -> calendar warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from policies import findings as F
from policies.calendars import Calendars
from policies.china import YearStatus
from policies.facts import (
    CaseFacts,
    Evaluation,
    Finding,
    PauseInterval,
    Severity,
    SlaClock,
    SlaState,
)
from policies.loader import PolicySet
from policies.marketplaces import MarketplaceSet, shipped_marketplaces
from policies.models import Policy
from policies.seller import excluded_category, seller_window
from policies.sharing import shared
from policies.sla import compute_sla
from policies.team import TeamSettings
from policies.vocab import (
    ALWAYS_ALLOWED_OUTCOMES,
    EVIDENCE_KINDS,
    ISSUE_TYPES,
    ITEM_CONDITIONS,
    OUTCOMES,
    STATUSES,
    allowed_outcomes,
    is_blank,
    normalise,
    outcome_allowed,
    parse_evidence,
)
from policies.window_result import WindowResult, window_result
from policies.window_result import aware as _aware
from sheet_schema.team_texts import word_in

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class _Vocab:
    issue_type: str | None
    item_condition: str | None
    status: str | None
    outcome: str | None


def _read_vocab(case: CaseFacts, out: list[Finding]) -> _Vocab:
    def read(
        text: str | None, vocabulary: tuple[str, ...], unknown: F.FindingTemplate
    ) -> str | None:
        if is_blank(text):
            return None
        canon = normalise(vocabulary, text)
        if canon is None:
            out.append(unknown.make(value=(text or "").strip(), expected=", ".join(vocabulary)))
        return canon

    issue = read(case.issue_type, ISSUE_TYPES, F.ISSUE_TYPE_UNKNOWN)
    if is_blank(case.issue_type):
        out.append(F.ISSUE_TYPE_MISSING.make())
    return _Vocab(
        issue_type=issue,
        item_condition=read(case.item_condition, ITEM_CONDITIONS, F.ITEM_CONDITION_UNKNOWN),
        status=read(case.status, STATUSES, F.STATUS_UNKNOWN),
        outcome=read(case.outcome, OUTCOMES, F.OUTCOME_UNKNOWN),
    )


def _choose_policy(
    case: CaseFacts,
    policies: PolicySet,
    opened: datetime | None,
    now: datetime,
    out: list[Finding],
) -> Policy | None:
    if is_blank(case.platform):
        out.append(F.PLATFORM_MISSING.make())
        return None
    key = policies.resolve(case.platform)
    if key is None:
        known = ", ".join(policies.display_name(k) for k in policies.platforms)
        out.append(F.PLATFORM_UNKNOWN.make(value=(case.platform or "").strip(), known=known))
        return None
    latest = policies.latest(key)
    tz = latest.tz if latest is not None else DEFAULT_TZ
    on = (opened or now).astimezone(tz).date()
    policy = policies.in_force(key, on)
    if policy is None:
        versions = policies.versions(key)
        if not versions:
            return None
        policy = versions[0]
        out.append(
            F.POLICY_BEFORE_FIRST_VERSION.make(
                platform=policy.name,
                on=on.isoformat(),
                ref=policy.title,
                effective_from=policy.effective_from.isoformat(),
            )
        )
    return policy


def _calendar_findings(years: set[int], calendars: Calendars) -> list[Finding]:
    out: list[Finding] = []
    for year in sorted(years):
        status = calendars.china.year_status(year)
        if status is YearStatus.UNOFFICIAL:
            out.append(F.CALENDAR_YEAR_UNOFFICIAL.make(year=year))
        elif status is YearStatus.TEAM:
            out.append(F.CALENDAR_YEAR_TEAM.make(year=year))
    return out


def _sla_years(clocks: tuple[SlaClock, ...], now: datetime, team: TeamSettings) -> set[int]:
    """Years whose Chinese holiday data the SLA clocks relied on."""
    years: set[int] = set()
    for clock in clocks:
        if clock.started_at is None or (clock.state is SlaState.CLOSED and clock.met_at is None):
            continue  # not started, or stopped by a closed status at an unknown time
        if clock.calendar == "team" and team.holidays_country != "CN":
            continue
        ends = [clock.met_at if clock.met_at is not None else now]
        if clock.due_at is not None and clock.met_at is None:
            ends.append(clock.due_at)
        last = max(ends)
        first = clock.started_at
        if last < first:
            continue
        years.update(range(first.year, last.year + 1))
    return years


def evaluate(
    case: CaseFacts,
    policies: PolicySet,
    calendars: Calendars,
    now: datetime,
    team: TeamSettings | None = None,
    marketplaces: MarketplaceSet | None = None,
) -> Evaluation:
    """Evaluate one case at `now` (timezone-aware). Pure: the same inputs give the same answer.

    `team` defaults to `TeamSettings()` (the documented defaults); pass the settings the
    `calendars` were built from. Naive datetimes in the case are read in the team's time zone.
    `marketplaces` (default: the shipped rules) give the Seller Deadline.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    team = team if team is not None else TeamSettings()
    findings: list[Finding] = []
    tz = team.tz
    opened = _aware(case.opened, tz)

    if is_blank(case.case_id):
        findings.append(F.CASE_ID_MISSING.make())
    if opened is None:
        findings.append(F.OPENED_MISSING.make())
    elif opened > now:
        findings.append(F.OPENED_FUTURE.make(opened=opened.isoformat(timespec="minutes")))

    vocab = _read_vocab(case, findings)
    policy = _choose_policy(case, policies, opened, now, findings)
    window = WindowResult()
    checks = _PolicyChecks()
    years: set[int] = set()
    excluded = None
    if policy is not None:
        category = excluded_category(case, policy, findings)
        window = window_result(
            case, policy, vocab.issue_type, vocab.item_condition, opened, now, calendars, tz
        )
        findings.extend(window.findings)
        years.update(window.years)
        checks = _check_policy(case, policy, vocab, window, opened)
        if category is not None:  # a Policy Exception is needed (and, when set, not idle)
            checks.reasons.append(F.REASON_EXCLUDED_CATEGORY.format(category=category))
            checks.findings = [f for f in checks.findings if f.code != "exception.not_needed"]
            excluded = None if case.policy_exception else category
        findings.extend(checks.findings)

    first_response_at = _aware(case.first_response_at, tz)
    if opened is not None and first_response_at is not None and first_response_at < opened:
        findings.append(
            F.FIRST_RESPONSE_BEFORE_OPENED.make(
                at=first_response_at.isoformat(timespec="minutes"),
                opened=opened.isoformat(timespec="minutes"),
            )
        )
    sla = compute_sla(
        opened=opened,
        first_response_at=first_response_at,
        seller_requested_at=_aware(case.seller_requested_at, tz),
        platform_response_at=_aware(case.platform_response_at, tz),
        resolved_at=_aware(case.resolved_at, tz),
        status=vocab.status,
        pauses=tuple(
            PauseInterval(start=_aware(p.start, tz) or p.start, end=_aware(p.end, tz))
            for p in case.pauses
        ),
        now=now,
        team=team,
        calendars=calendars,
    )
    # an item nobody may return has no return to start with the seller either
    seller = (
        None
        if excluded
        else seller_window(
            case,
            vocab.issue_type,
            vocab.status,
            marketplaces if marketplaces is not None else shipped_marketplaces(),
            team,
            calendars,
            now,
            findings,
        )
    )
    years.update(_sla_years(sla.clocks, now, team))
    findings.extend(_calendar_findings(years, calendars))
    if sla.closed:
        findings = _still_matters_when_closed(findings)

    pool = calendars.pool  # one object for equal values (the cache keeps them between syncs)
    return Evaluation(
        case_id=case.case_id,
        platform=policy.platform if policy is not None else None,
        policy_ref=shared(pool, policy.ref) if policy is not None else None,
        return_deadline=shared(pool, window.deadline_at),
        return_deadline_date=shared(pool, window.deadline_date),
        return_deadline_timed=window.deadline_timed,
        days_left=shared(pool, window.days_left),
        in_window_at_opened=window.in_window_at_opened,
        exception_needed=bool(checks.reasons),
        exception_reasons=shared(pool, tuple(checks.reasons)),
        missing_evidence=shared(pool, checks.missing),
        refund_kinds=shared(pool, checks.refund_kinds),
        sla=shared(pool, sla.clocks, tuple(map(id, sla.clocks))),
        sla_state=sla.state,
        closed=sla.closed,
        findings=shared(pool, tuple(findings)),
        excluded_category=excluded,
        seller=shared(pool, seller),
    )


def _still_matters_when_closed(findings: list[Finding]) -> list[Finding]:
    """A closed case keeps its errors and its outcome's consistency with the policy; windows,
    evidence and dates no longer change what anyone does with it."""
    return [f for f in findings if f.severity is Severity.ERROR or f.column == "outcome"]


@dataclass
class _PolicyChecks:
    reasons: list[str] = field(default_factory=list)
    missing: tuple[str, ...] = ()
    refund_kinds: tuple[str, ...] = ()
    findings: list[Finding] = field(default_factory=list)


def _check_policy(
    case: CaseFacts,
    policy: Policy,
    vocab: _Vocab,
    window: WindowResult,
    opened: datetime | None,
) -> _PolicyChecks:
    """Exception reasons, missing evidence, refund kinds and outcome consistency.

    Cases without a return window (Lost Parcel) get refund kinds but no policy findings. A
    recorded Policy Exception = Yes silences what it covers (a late opening, an Outcome the
    policy does not allow; missing evidence stays a to-do, at info); so does a rejected or
    withdrawn Outcome for a late opening, which is the other way to decide it.
    """
    checks = _PolicyChecks()
    checks.refund_kinds = policy.refunds.allowed(vocab.issue_type, vocab.item_condition)
    if not window.has_window:
        return checks
    acknowledged = bool(case.policy_exception)
    soft = Severity.INFO if acknowledged else Severity.WARNING
    out = checks.findings
    declined = vocab.outcome in ALWAYS_ALLOWED_OUTCOMES  # Rejected / Withdrawn
    if window.in_window_at_opened is False and window.deadline_date and opened:
        checks.reasons.append(F.REASON_OPENED_AFTER_WINDOW)
        if not acknowledged and not declined:
            out.append(
                F.OPENED_AFTER_DEADLINE.make(
                    opened=opened.astimezone(policy.tz).date().isoformat(),
                    deadline=window.deadline_date.isoformat(),
                    ref=policy.title,
                )
            )
    checks.missing = _missing_evidence(case, policy, vocab, out, soft)
    checks.reasons.extend(F.REASON_MISSING_EVIDENCE.format(kind=k) for k in checks.missing)
    outcome_conflict = vocab.outcome is not None and not outcome_allowed(
        vocab.outcome, checks.refund_kinds
    )
    if outcome_conflict and not acknowledged:
        allowed = allowed_outcomes(checks.refund_kinds)
        out.append(
            F.OUTCOME_NOT_ALLOWED.make(
                outcome=vocab.outcome,
                ref=policy.title,
                allowed=", ".join(allowed),
                zh_values={
                    "outcome": word_in("outcome", vocab.outcome or "", "zh"),
                    "allowed": "、".join(word_in("outcome", o, "zh") for o in allowed),
                },
            )
        )
    if is_blank(case.item_condition) and _uses_condition(policy):
        out.append(F.ITEM_CONDITION_MISSING.make(ref=policy.title))
    needed = checks.reasons or outcome_conflict
    if acknowledged and not needed and window.deadline_date is not None:
        out.append(F.EXCEPTION_NOT_NEEDED.make(ref=policy.title))
    return checks


def _uses_condition(policy: Policy) -> bool:
    rules = (
        *(r.when for r in policy.window.rules),
        *(r.when for r in policy.refunds.rules),
        *(r.when for r in policy.evidence),
    )
    return any(when.item_conditions is not None for when in rules)


def _missing_evidence(
    case: CaseFacts, policy: Policy, vocab: _Vocab, out: list[Finding], severity: Severity
) -> tuple[str, ...]:
    kinds, unknown = parse_evidence(case.evidence)
    present = set(kinds)
    if case.video_proof:
        present.add("video_proof")
    if case.original_packaging:
        present.add("original_packaging")
    for token in unknown:
        out.append(F.EVIDENCE_UNRECOGNISED.make(token=token, known=", ".join(EVIDENCE_KINDS)))
    required = policy.required_evidence(vocab.issue_type, vocab.item_condition)
    missing = tuple(kind for kind in required if kind not in present)
    for kind in missing:
        en, zh = F.evidence_names(kind)
        out.append(
            F.EVIDENCE_MISSING.make(
                severity=severity,
                column=F.EVIDENCE_COLUMNS.get(kind, "evidence"),
                ref=policy.title,
                kind_en=en,
                kind_zh=zh,
            )
        )
    return missing
