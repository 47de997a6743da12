"""Endpoints about one sheet: sync, recalculate, case details, runs and undo."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.analytics import default_period
from app.api.context import ServiceContext
from app.api.deps import ContextDep, SheetDep
from app.api.errors import error_responses
from app.api.run_state import (
    accepted,
    run_error,
    run_location,
    run_progress,
    run_state,
    run_summary,
)
from app.api.schemas import (
    CaseDetails,
    CellWriteOut,
    ClockOut,
    FindingOut,
    KpisOut,
    RepliesOut,
    RunAccepted,
    RunDetail,
    RunOut,
    SyncSummary,
    TimelineOut,
    UndoOut,
)
from app.errors import AftersalesError, NotFoundError, SheetError, SyncInProgressError
from app.registry import SheetEntry
from app.service.coordinator import PressPending, SyncResult
from app.store import RunRecord
from app.store.codec import encode_value
from app.sync.engine import SyncEngine
from app.sync.run_record import internal_error_message
from app.sync.undo import undo_run
from sheet_schema import ParseContext
from sheet_schema.messages import text


class InvalidPeriodError(SheetError):
    code = "invalid_period"


log = logging.getLogger("aftersales.api")
ERRORS = error_responses(401, 403, 404, 409, 413, 422, 423, 503)
# A press can also be refused because the service is busy (429, with Retry-After), or be
# answered before its run ended (202, with the run to poll).
PRESS_ERRORS: dict[int | str, dict[str, object]] = {
    **error_responses(429),
    202: {
        "model": RunAccepted,
        "description": "The run did not end within the bound (`wait`, default "
        "AFTERSALES_PRESS_ANSWER_SECONDS): it goes on; poll `Location` (GET the run, "
        "`?writes=false`) until its state is no longer queued or running.",
        "headers": {
            "Location": {
                "description": "The run to poll: /v1/sheets/{sheet}/runs/{run_id}",
                "schema": {"type": "string"},
            }
        },
    },
}
router = APIRouter(prefix="/v1/sheets/{sheet}", tags=["sheets"], responses=ERRORS)
WaitQuery = Query(
    None,
    ge=0,
    le=600,
    description="Seconds to wait for the run before answering 202 with the run to poll "
    "(default: the service's AFTERSALES_PRESS_ANSWER_SECONDS, 20 s). Scripts and the CLI that "
    "want the summary in one answer ask for ?wait=600.",
)


@router.post("/sync", response_model=SyncSummary, summary="Sync now", responses=PRESS_ERRORS)
async def sync_now(
    entry: SheetDep, context: ContextDep, request: Request, wait: float | None = WaitQuery
) -> SyncSummary | JSONResponse:
    """Sync the sheet; a press while a run is in progress gets that run's result. A run that
    takes longer than `wait` is answered 202 with the run to poll; it goes on regardless."""
    answer = await _run(context, entry, trigger="sync-now", full=False, wait=wait)
    _log_credential(request, entry, _answered_run(answer), "sync-now")
    return answer


@router.post(
    "/recalculate", response_model=SyncSummary, summary="Recalculate all", responses=PRESS_ERRORS
)
async def recalculate(
    entry: SheetDep, context: ContextDep, request: Request, wait: float | None = WaitQuery
) -> SyncSummary | JSONResponse:
    """Full recomputation with the sheet's layout checked and repaired (202 as for Sync now)."""
    answer = await _run(context, entry, trigger="recalculate", full=True, wait=wait)
    _log_credential(request, entry, _answered_run(answer), "recalculate")
    return answer


@router.get("/cases/{case_id}", response_model=CaseDetails, summary="Case details")
async def case_details(
    entry: SheetDep,
    context: ContextDep,
    case_id: str = Path(min_length=1, max_length=100),
) -> CaseDetails:
    """Policy, deadlines, findings, timeline and replies of one case (what the sidebar shows)."""
    return await run_in_threadpool(_case_details, context, entry, case_id)


@router.get("/kpis", response_model=KpisOut, summary="KPIs")
async def kpis(
    entry: SheetDep,
    context: ContextDep,
    start: date | None = Query(None, alias="from", description="First day (default: 90 days ago)"),
    end: date | None = Query(None, alias="to", description="Last day (default: today)"),
    by: Literal["all", "platform", "assignee", "platform_assignee", "week"] = Query(
        "all", description="Which grouping to return"
    ),
) -> dict[str, object]:
    """First response time, resolution rate, re-opened %, CSAT, policy exceptions and resolution
    time, per platform, team member, both, and ISO week (definitions: docs/kpis.md)."""
    return await run_in_threadpool(_kpis, context, entry, start, end, by)


@router.get("/runs", response_model=list[RunOut], summary="Recent runs")
async def runs(
    entry: SheetDep, context: ContextDep, limit: int = Query(50, ge=1, le=500)
) -> list[RunOut]:
    records = await run_in_threadpool(context.store.list_runs, entry.sheet_key, limit)
    return [_run_out(r) for r in records]


@router.get("/runs/{run}", response_model=RunDetail, summary="One run and the cells it wrote")
async def run_detail(
    entry: SheetDep,
    context: ContextDep,
    run: int = Path(ge=1, le=2**62),
    writes: bool = Query(
        True, description="false: leave out the cells written (what a poller asks for)"
    ),
) -> RunDetail:
    """The run, its state and progress (poll it after a 202), its summary once it succeeded,
    its error once it failed, and the cells it wrote."""
    record = await run_in_threadpool(_own_run, context, entry, run)
    out = _run_out(record)
    fields = {
        **out.model_dump(),
        "progress": run_progress(record),
        "summary": run_summary(record, context.coordinator.recent(record.id)),
        "error": run_error(record, out.message),
    }
    if not writes:
        return RunDetail(**fields, writes=None)
    cells = await run_in_threadpool(context.store.cell_writes, run)
    return RunDetail(
        **fields,
        writes=[
            CellWriteOut(
                tab=w.tab,
                case_id=w.case_id,
                column=w.column,
                header=w.header,
                row=w.row_hint,
                old_value=encode_value(w.old_value),
                new_value=encode_value(w.new_value),
            )
            for w in cells
        ],
    )


@router.post("/runs/{run}/undo", response_model=UndoOut, summary="Undo a run")
async def undo(
    entry: SheetDep, context: ContextDep, request: Request, run: int = Path(ge=1, le=2**62)
) -> UndoOut:
    """Restore the cells the run wrote, where nobody changed them since."""
    result = await run_in_threadpool(_undo, context, entry, run)
    _log_credential(request, entry, result.run_id, f"undo:{run}")
    return result


def _log_credential(request: Request, entry: SheetEntry, run_id: int | None, what: str) -> None:
    """Record which kind of credential (Google sign-in or the sheet's HMAC secret) and whose
    started a run, so a sheet secret's use can be audited run by run."""
    principal = getattr(request.state, "principal", None)
    kind = principal.kind if principal is not None else "unknown"
    subject = principal.subject if principal is not None else "unknown"
    log.info(
        "run %s of sheet %s (%s): credential %s, caller %s", run_id, entry.id, what, kind, subject
    )


async def _run(
    context: ServiceContext, entry: SheetEntry, *, trigger: str, full: bool, wait: float | None
) -> SyncSummary | JSONResponse:
    """The press's summary, or 202 with the run to poll when it did not end within `wait`."""
    bound = context.settings.press_answer_seconds if wait is None else wait
    try:
        answer = await context.coordinator.press(entry.id, trigger=trigger, full=full, bound=bound)
    except Exception as exc:
        _count_failure(context, trigger, exc)
        raise
    if isinstance(answer, PressPending):
        # Counted when the run ends, as a press that waited for it would have counted it.
        answer.result.add_done_callback(partial(_count_later, context, trigger, answer.joined))
        record = await run_in_threadpool(_own_run, context, entry, answer.run_id)
        body = accepted(entry.id, record)
        return JSONResponse(
            body.model_dump(mode="json"),
            status_code=202,
            headers={"Location": run_location(entry.id, answer.run_id)},
        )
    context.record_metrics(trigger, answer)
    return SyncSummary.model_validate(answer.summary())


def _count_failure(context: ServiceContext, trigger: str, exc: BaseException) -> None:
    """Unexpected errors too: a failed sync is counted whatever failed."""
    code = exc.code if isinstance(exc, AftersalesError) else "internal_error"
    context.metrics.syncs.labels(trigger, "failed").inc()
    context.metrics.failures.labels(code).inc()


def _count_later(
    context: ServiceContext, trigger: str, joined: bool, future: Future[SyncResult]
) -> None:
    """The metrics of a run a 202 answer left running, once it ended."""
    exc = future.exception()
    if exc is not None:
        _count_failure(context, trigger, exc)
        return
    result = future.result()
    context.record_metrics(trigger, replace(result, joined=True) if joined else result)


def _answered_run(answer: SyncSummary | JSONResponse) -> int | None:
    """The run a press was answered with (its summary's, or the one to poll)."""
    if isinstance(answer, SyncSummary):
        return answer.run_id
    location = answer.headers.get("location", "")
    return int(location.rsplit("/", 1)[-1]) if location else None


def _own_run(context: ServiceContext, entry: SheetEntry, run: int) -> RunRecord:
    record = context.store.get_run(run)
    if record is None or record.sheet_key != entry.sheet_key:
        raise NotFoundError(f"Run {run} does not exist for sheet {entry.id}.")
    return record


def _undo(context: ServiceContext, entry: SheetEntry, run: int) -> UndoOut:
    _own_run(context, entry, run)
    engine = context.engine_for(entry.id)
    with context.coordinator.locks.hold(entry.sheet_key, wait=True, timeout=120) as held:
        if not held:
            raise SyncInProgressError(
                f"Sheet {entry.id} is being synced; undo run {run} when that sync has finished."
            )
        report = undo_run(
            engine.backend,
            context.store,
            sheet_key=entry.sheet_key,
            run_id=run,
            now=context.clock(),
            ctx=ParseContext(tz=ZoneInfo(engine.team.timezone)),
            tab_names=context.settings.tab_names,
        )
    return UndoOut(
        run_id=report.run_id,
        undone_run=report.undone_run,
        restored=report.restored,
        skipped=report.skipped,
    )


def _dry_run_engine(context: ServiceContext, entry: SheetEntry) -> SyncEngine:
    """A separate engine and backend: a dry run must not share a backend with a running sync."""
    return context.root.engine_for(entry, dry_run=True)


def _kpis(
    context: ServiceContext, entry: SheetEntry, start: date | None, end: date | None, by: str
) -> dict[str, object]:
    engine = _dry_run_engine(context, entry)
    now = context.clock()
    period = None
    if start is not None or end is not None:
        default_start, default_end = default_period(now, ZoneInfo(engine.team.timezone))
        period = (start or default_start, end or default_end)
        if period[0] > period[1]:
            raise InvalidPeriodError(f"from {period[0]} is after to {period[1]}")
    report = engine.sync(now=now, trigger="kpis", dry_run=True, kpi_period=period)
    assert report.kpis is not None
    data = report.kpis.as_json()
    groups = data["groups"]
    assert isinstance(groups, dict)
    data["groups"] = {by: groups[by]} if by != "all" else groups
    return data


def _case_details(context: ServiceContext, entry: SheetEntry, case_id: str) -> CaseDetails:
    engine = _dry_run_engine(context, entry)
    report = engine.sync(now=context.clock(), trigger="details", dry_run=True)
    result = next((r for r in report.results if r.case_id == case_id), None)
    if result is None:
        raise NotFoundError(f"No case {case_id!r} in sheet {entry.id}.")
    ev = result.evaluation
    # The computed cells say what the sync writes into the row, so the sidebar and the sheet
    # agree: a row with errors shows only how to fix it, a closed case no days left. The
    # evaluation's details (clocks, evidence, findings) are shown in any case.
    usable = ev if ev is not None and result.errors == 0 else None
    tz = ZoneInfo(engine.team.timezone)
    events = context.store.timeline(entry.sheet_key, case_id)
    return CaseDetails(
        case_id=case_id,
        row=result.row,
        platform=ev.platform if ev else None,
        policy_ref=usable.policy_ref if usable else None,
        return_deadline=(
            usable.return_deadline.astimezone(tz)
            if usable and usable.return_deadline_timed and usable.return_deadline
            else usable.return_deadline_date
            if usable
            else None
        ),
        days_left=usable.days_left if usable and not usable.closed else None,
        in_window_at_opened=ev.in_window_at_opened if ev else None,
        sla_state=usable.sla_state.value if usable else None,
        sla=[
            ClockOut(
                name=c.name,
                state=c.state.value,
                due_at=c.due_at.astimezone(tz) if c.due_at else None,
                met_at=c.met_at.astimezone(tz) if c.met_at else None,
                elapsed_minutes=int(c.elapsed / timedelta(minutes=1)),
            )
            for c in (ev.sla if ev else ())
        ],
        missing_evidence=list(ev.missing_evidence) if ev else [],
        refund_kinds=list(ev.refund_kinds) if ev else [],
        exception_reasons=list(ev.exception_reasons) if ev else [],
        next_action=result.next_action if usable else text("case.fix_first", report.language),
        next_due=result.next_due.astimezone(tz) if usable and result.next_due else None,
        priority=result.priority if usable else None,
        validation=result.validation,
        findings=[
            FindingOut(
                code=f.code,
                severity=f.severity.value,
                message=f.message,
                message_zh=f.message_zh,
                column=f.column,
            )
            for f in (ev.findings if ev else ())
        ],
        timeline=[
            TimelineOut(at=e.at.astimezone(tz), kind=e.kind, detail=e.detail) for e in events
        ],
        replies=RepliesOut(customer=result.suggested_reply, seller=result.seller_message),
        seller_deadline=ev.seller.deadline.astimezone(tz) if ev and ev.seller else None,
        marketplace=ev.seller.marketplace if ev and ev.seller else None,
        seller_window_missed=bool(ev and ev.seller and ev.seller.missed),
    )


def _run_out(record: RunRecord) -> RunOut:
    run = RunOut.model_validate(record)
    message = _run_message(run.id, run.message)
    return run.model_copy(update={"message": message, "state": run_state(record)})


def _run_message(run_id: int, message: str | None) -> str | None:
    """The run's message; runs recorded before internal errors got a stable message carried
    the exception's repr ('internal error: ...'), which is not shown."""
    if message is not None and message.startswith("internal error: "):
        return internal_error_message(run_id)
    return message
