"""A run as a poller sees it: its state, progress, summary or error, derived from its record
(so any replica answers the same), and the 202 answer of a press that did not wait for it."""

from __future__ import annotations

from typing import get_args
from urllib.parse import quote

from app.api.schemas import Progress, RunAccepted, RunError, SyncSummary
from app.service.coordinator import JOINED_PREFIX, SUMMARY_KEYS, SyncResult
from app.store import QUEUED, RunRecord

SUCCEEDED_OUTCOMES = ("ok", "nothing_to_do")
STEPS = get_args(Progress.model_fields["step"].annotation)


def run_state(record: RunRecord) -> str:
    """queued | running | succeeded | failed | interrupted | (another recorded outcome)."""
    if record.finished_at is None:
        return QUEUED if record.progress_step == QUEUED else "running"
    if record.outcome in SUCCEEDED_OUTCOMES:
        return "succeeded"
    return record.outcome or "unknown"


def run_progress(record: RunRecord) -> Progress | None:
    """The step the run is at (was at, once ended); None before its first step."""
    if record.progress_step not in STEPS:
        return None
    return Progress.model_validate(
        {
            "step": record.progress_step,
            "done": record.progress_done or 0,
            "total": record.progress_total,
        }
    )


def run_summary(record: RunRecord, recent: SyncResult | None) -> SyncSummary | None:
    """The sync's summary once it succeeded (an undo run has none); its notes when this
    process ran it lately (the store keeps counts, not notes)."""
    if run_state(record) != "succeeded" or record.trigger.startswith("undo"):
        return None
    if recent is not None:
        return SyncSummary.model_validate(recent.summary())
    counts = {k: record.counts.get(k, 0) for k in SUMMARY_KEYS}
    return SyncSummary(
        run_id=record.id,
        backend=record.backend,
        **counts,
        findings=counts["errors"] + counts["warnings"],
        notes=[],
        joined=(record.message or "").startswith(JOINED_PREFIX),
        language=record.language or "en",
    )


def run_error(record: RunRecord, message: str | None) -> RunError | None:
    """The error a failed run ended with (`message`: the run's message as shown)."""
    if run_state(record) != "failed":
        return None
    return RunError(
        error=record.error_code or "sync_failed",
        detail=message or "the run failed; its cause was not recorded",
    )


def run_location(sheet: str, run_id: int) -> str:
    return f"/v1/sheets/{quote(sheet, safe='')}/runs/{run_id}"


def accepted(sheet: str, record: RunRecord) -> RunAccepted:
    """The 202 answer: the run to poll, where, and how far it has got."""
    state = run_state(record)
    return RunAccepted(
        run_id=record.id,
        state=QUEUED if state == QUEUED else "running",
        progress=run_progress(record),
        location=run_location(sheet, record.id),
    )
