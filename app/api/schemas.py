"""Response bodies of the HTTP API (pydantic), documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    error: str = Field(description="Stable error code, e.g. sheet_contract, forbidden")
    detail: str = Field(description="What went wrong and how to fix it")


class SyncSummary(BaseModel):
    run_id: int | None
    backend: str
    cases: int
    new_cases: int
    cells_written: int
    timeline_events: int
    findings: int
    errors: int
    warnings: int
    duration_ms: int
    notes: list[str] = Field(
        default_factory=list,
        description="What the sheet as a whole should change (e.g. a missing evidence column), "
        "said once here instead of on every row",
    )
    joined: bool = Field(description="True when this request joined a run already in progress")


class ClockOut(BaseModel):
    name: str
    state: str
    due_at: datetime | None
    met_at: datetime | None
    elapsed_minutes: int


class FindingOut(BaseModel):
    code: str
    severity: str
    message: str
    message_zh: str = ""
    column: str | None = None


class TimelineOut(BaseModel):
    at: datetime
    kind: str
    detail: str


class RepliesOut(BaseModel):
    customer: str | None = None
    seller: str | None = None


class CaseDetails(BaseModel):
    case_id: str
    row: int
    platform: str | None
    policy_ref: str | None
    return_deadline: date | None
    days_left: int | None
    in_window_at_opened: bool | None
    sla_state: str | None
    sla: list[ClockOut]
    missing_evidence: list[str]
    refund_kinds: list[str]
    exception_reasons: list[str]
    next_action: str | None
    next_due: datetime | None
    priority: str | None
    validation: str
    findings: list[FindingOut]
    timeline: list[TimelineOut]
    replies: RepliesOut
    # The agent's own window to start the return with the marketplace seller (None: no rule).
    seller_deadline: datetime | None = None
    marketplace: str | None = None
    seller_window_missed: bool = False


class RunOut(BaseModel):
    """A run as the API shows it: built from the store's `RunRecord` by its field names."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    trigger: str
    backend: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    counts: dict[str, int]
    message: str | None = Field(
        description="Why a failed run failed, in words. An unexpected error reads "
        "'internal_error: the sync failed unexpectedly; the error was logged with run N': "
        "the detail is in the service log under that run id."
    )
    undone_by: int | None


class CellWriteOut(BaseModel):
    tab: str
    case_id: str
    column: str
    header: str
    row: int | None
    old_value: Any
    new_value: Any


class RunDetail(RunOut):
    writes: list[CellWriteOut]


class UndoOut(BaseModel):
    run_id: int
    undone_run: int
    restored: int
    skipped: list[str]


class PolicyOut(BaseModel):
    platform: str
    name: str
    version: str
    ref: str
    effective_from: date
    source: str
    timezone: str
    holiday_rule: str
    default_window_days: int | None
    window_rules: list[dict[str, Any]]
    refund_kinds: list[str]
    evidence: list[dict[str, Any]]
    notes: list[str]


class HealthOut(BaseModel):
    status: str


class ReadyOut(BaseModel):
    status: str
    database: str
    scheduler: str


class SheetOut(BaseModel):
    id: str
    title: str
    kind: str
    timezone: str
    last_run_id: int | None
    last_run_outcome: str | None
    last_run_at: datetime | None


class KpisOut(BaseModel):
    """KPIs over a period; `groups` maps a grouping (all, platform, assignee,
    platform_assignee, week) to its rows. Definitions: docs/kpis.md."""

    start: date
    end: date
    timezone: str
    business_day_hours: float
    generated_at: datetime | None
    cases_missing_opened: int
    cases_outside_period: int
    groups: dict[str, list[dict[str, Any]]]
