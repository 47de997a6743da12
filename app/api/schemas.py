"""Response bodies of the HTTP API (pydantic), documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

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
    language: str = Field(
        default="en", description="The team language the service writes and shows in: en or zh"
    )


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
    # A date; a date and time (in the team's zone) when an hour window ends at a time of day.
    return_deadline: datetime | date | None
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
    state: str = Field(
        default="running",
        description="queued (waiting for the sheet's lock or a sync slot), running, succeeded, "
        "failed, interrupted (its process stopped), or the run's outcome as recorded",
    )


class CellWriteOut(BaseModel):
    tab: str
    case_id: str
    column: str
    header: str
    row: int | None
    old_value: Any
    new_value: Any


class Progress(BaseModel):
    """How far a run has got: its step and the cases done of the total (None: not known)."""

    step: Literal["read", "evaluate", "write", "record", "notify"]
    done: int
    total: int | None


class RunError(BaseModel):
    """Why a failed run failed: its stable code and a sentence a person can act on."""

    error: str
    detail: str


class RunDetail(RunOut):
    progress: Progress | None = Field(description="Where a run is (its last step once it ended)")
    summary: SyncSummary | None = Field(description="The sync's summary once it succeeded")
    error: RunError | None = Field(description="The error once the run failed")
    writes: list[CellWriteOut] | None = Field(
        description="The cells the run wrote (null when asked with ?writes=false)"
    )


class RunAccepted(BaseModel):
    """A press answered before its run ended (202): poll `location` until the run ends."""

    run_id: int
    state: Literal["queued", "running"]
    progress: Progress | None
    location: str


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
    default_window_hours: int | None = None  # a window counted in hours (e.g. Ponybuy's 120)
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
    language: str = Field(
        default="en", description="The team language the service writes and shows in: en or zh"
    )


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


class CheckOut(BaseModel):
    name: str = Field(description="What was checked, e.g. 'sheet: can edit'")
    ok: bool = Field(description="False when a person must fix something")
    detail: str = Field(description="What was seen (for a skipped check: why it was skipped)")
    fix: str = Field(description="The exact fix, when ok is false")
    skipped: bool = Field(description="The check does not apply, or what it needs failed")


class DoctorOut(BaseModel):
    """`aftersales doctor` for this sheet, as run by the service itself."""

    target: str
    ok: bool
    exit_code: int = Field(description="As `aftersales doctor` would exit: 0 all hold, 1 not")
    service_account: str | None = Field(description="The client_email to share the sheet with")
    checks: list[CheckOut]
    language: str = Field(
        default="en", description="The team language the service writes and shows in: en or zh"
    )
