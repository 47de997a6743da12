"""Endpoints about the service rather than one sheet's cases: health, readiness, metrics, the
shipped policies, and a sheet's registration with its last run (the add-on's connection test)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from app.api.deps import CallerDep, ContextDep, SheetDep
from app.api.errors import RETRY_AFTER_HEADER, error_responses
from app.api.schemas import ErrorBody, HealthOut, PolicyOut, ReadyOut, SheetOut
from app.auth import METRICS_PATH
from app.auth.fastapi_adapter import authenticate_request
from policies import Policy
from sheet_schema.messages import team_language

META_ERRORS = error_responses(401, 403, 413, 503)
# /readyz answers 503 with its own body when the service is not ready (and with the error body
# when, e.g., Google's certificates cannot be fetched to check the caller).
READY_ERRORS = META_ERRORS | {
    503: {
        "model": ReadyOut | ErrorBody,
        "description": "Not ready (the database or the scheduler is down), or a backend is "
        "unavailable",
        "headers": RETRY_AFTER_HEADER,
    }
}
METRICS_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Prometheus text exposition format",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}
router = APIRouter()


@router.get("/healthz", response_model=HealthOut, tags=["health"])
async def healthz() -> HealthOut:
    """Liveness: the process answers. The only endpoint that needs no credentials."""
    return HealthOut(status="ok")


@router.get("/readyz", response_model=ReadyOut, tags=["health"], responses=READY_ERRORS)
async def readyz(_: CallerDep, context: ContextDep, response: Response) -> ReadyOut:
    """Readiness: the database answers and the scheduler is where it should be."""
    database = await run_in_threadpool(_database_state, context.store.engine)
    scheduler = context.scheduler.state() if context.scheduler is not None else "disabled"
    ready = database == "ok" and scheduler != "failed"
    if not ready:
        response.status_code = 503
    return ReadyOut(
        status="ready" if ready else "not ready", database=database, scheduler=scheduler
    )


@router.get(
    METRICS_PATH, tags=["health"], response_class=Response, responses=METRICS_OK | META_ERRORS
)
async def metrics(request: Request, context: ContextDep) -> Response:
    """Prometheus metrics (the metrics token, a master HMAC signature or an allowed Google
    identity)."""
    principal = await authenticate_request(request, context.authenticator, sheet=None)
    if principal.kind != "metrics":
        context.authenticator.authorize(
            principal, sheet=None, allowed=context.settings.auth.allowed_principals
        )
    return Response(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/v1/policies", response_model=list[PolicyOut], tags=["policies"], responses=META_ERRORS
)
async def policies(_: CallerDep, context: ContextDep) -> list[PolicyOut]:
    """Every shipped policy version, with its source."""
    return [_policy_out(p) for p in context.policies.all_versions()]


@router.get(
    "/v1/sheets/{sheet}",
    response_model=SheetOut,
    tags=["sheets"],
    responses=error_responses(401, 403, 404, 422, 503),
)
async def sheet_info(entry: SheetDep, context: ContextDep) -> SheetOut:
    """The sheet as registered, and its last run: what the add-on's connection test shows."""
    runs = await run_in_threadpool(context.store.list_runs, entry.sheet_key, 1)
    last = runs[0] if runs else None
    written = await run_in_threadpool(context.store.written_language, entry.sheet_key)
    return SheetOut(
        id=entry.id,
        title=entry.title,
        kind=entry.kind,
        timezone=entry.timezone,
        last_run_id=last.id if last else None,
        last_run_outcome=last.outcome if last else None,
        last_run_at=last.started_at if last else None,
        # What the last sync wrote the sheet in; before any, what the registration chose.
        language=team_language(written or entry.language),
    )


def _database_state(engine: object) -> str:
    try:
        with engine.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text("SELECT 1"))
    except Exception:
        return "unreachable"
    return "ok"


def _policy_out(policy: Policy) -> PolicyOut:
    return PolicyOut(
        platform=policy.platform,
        name=policy.name,
        version=policy.version,
        ref=policy.ref,
        effective_from=policy.effective_from,
        source=policy.source,
        timezone=policy.timezone,
        holiday_rule=policy.window.holiday_rule,
        default_window_days=policy.window.default_days,
        default_window_hours=policy.window.default_hours,
        window_rules=[r.model_dump(mode="json") for r in policy.window.rules],
        refund_kinds=list(policy.refunds.kinds),
        evidence=[e.model_dump(mode="json") for e in policy.evidence],
        notes=list(policy.notes),
    )
