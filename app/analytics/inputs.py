"""From a synced case (parsed Cases row values + its `Evaluation`) to a `KpiCase`. Pure.

The sync already has both: `SheetRow.values` (typed user cells, keyed by sheet_schema column key)
and `CaseResult.evaluation`. This module only picks the fields the KPIs use, so the sync engine,
the API and the CLI build `KpiCase`s the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, tzinfo

from app.analytics.model import DEFAULT_CLOSED_STATUSES, KpiCase
from policies import Evaluation

RESOLUTION_CLOCK = "resolution"


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _moment(value: object, tz: tzinfo) -> datetime | None:
    """An aware datetime; a naive one is read as the team's wall-clock time."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def kpi_case(
    case_id: str,
    values: Mapping[str, object],
    evaluation: Evaluation | None,
    *,
    tz: tzinfo,
    platform_name: Callable[[str], str] | None = None,
    closed_statuses: Collection[str] = DEFAULT_CLOSED_STATUSES,
) -> KpiCase:
    """The KPI view of one case.

    `values` are the parsed Cases values by column key (platform, assignee, opened,
    first_response_at, status, outcome, csat, policy_exception). `evaluation` gives the
    exception reasons, whether the case is closed and the resolution SLA's due time; without
    one (a row that could not be evaluated) the case is closed when its status is one of
    `closed_statuses` and has no exception reasons and no due time. `platform_name` turns the
    evaluation's platform key into its display name (e.g. `PolicySet.display_name`); without it,
    or for a platform no policy knows, the Platform cell's text is used.
    """
    status = _text(values.get("status"))
    platform = _text(values.get("platform"))
    if evaluation is not None and evaluation.platform and platform_name is not None:
        platform = platform_name(evaluation.platform)
    csat = values.get("csat")
    exception = values.get("policy_exception")
    if evaluation is not None:
        closed = evaluation.closed
        reasons = evaluation.exception_reasons
        clock = next((c for c in evaluation.sla if c.name == RESOLUTION_CLOCK), None)
        due = clock.due_at if clock is not None else None
    else:
        folded = {s.casefold() for s in closed_statuses}
        closed = status is not None and status.casefold() in folded
        reasons = ()
        due = None
    return KpiCase(
        case_id=case_id,
        platform=platform,
        assignee=_text(values.get("assignee")),
        opened=_moment(values.get("opened"), tz),
        first_response_at=_moment(values.get("first_response_at"), tz),
        status=status,
        outcome=_text(values.get("outcome")),
        csat=csat if type(csat) is int else None,
        policy_exception=exception if isinstance(exception, bool) else None,
        exception_reasons=tuple(reasons),
        closed=closed,
        resolution_due=due,
        seller_window_missed=evaluation.seller.missed
        if evaluation is not None and evaluation.seller is not None
        else None,
    )
