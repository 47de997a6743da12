"""Platform after-sales policies as versioned data, and the pure engine that interprets them.

Nothing here reads the clock, the environment, the network or a database: "now" is always an
argument. Start with `docs/policies.md`, then `evaluate.py`.
"""

from policies.calendars import BusinessCalendar, Calendars, build_calendars
from policies.china import OFFICIAL_YEARS, ChinaCalendar, DayKind, ExtraDay, YearStatus
from policies.errors import PolicyError
from policies.evaluate import evaluate
from policies.facts import (
    CaseFacts,
    Evaluation,
    Finding,
    FindingKind,
    PauseInterval,
    Severity,
    SlaClock,
    SlaState,
)
from policies.loader import PolicySet, apply_override, load_policies
from policies.models import Policy
from policies.overrides import PolicyOverride
from policies.team import TeamSettings, load_team_settings
from policies.vocab import (
    EVIDENCE_KINDS,
    ISSUE_TYPES,
    ITEM_CONDITIONS,
    OUTCOMES,
    REFUND_KINDS,
    STATUSES,
    allowed_outcomes,
    normalise,
)

__all__ = [
    "EVIDENCE_KINDS",
    "ISSUE_TYPES",
    "ITEM_CONDITIONS",
    "OFFICIAL_YEARS",
    "OUTCOMES",
    "REFUND_KINDS",
    "STATUSES",
    "BusinessCalendar",
    "Calendars",
    "CaseFacts",
    "ChinaCalendar",
    "DayKind",
    "Evaluation",
    "ExtraDay",
    "Finding",
    "FindingKind",
    "PauseInterval",
    "Policy",
    "PolicyError",
    "PolicyOverride",
    "PolicySet",
    "Severity",
    "SlaClock",
    "SlaState",
    "TeamSettings",
    "YearStatus",
    "allowed_outcomes",
    "apply_override",
    "build_calendars",
    "evaluate",
    "load_policies",
    "load_team_settings",
    "normalise",
]
