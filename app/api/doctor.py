"""`GET /v1/sheets/{sheet}/doctor`: the checks of `aftersales doctor` for one registered sheet,
run by the service with its own settings and store (what the add-on's Set up ▸ Test connection
shows line by line). Reads only."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.api.deps import ContextDep, SheetDep
from app.api.errors import error_responses
from app.api.schemas import CheckOut, DoctorOut
from app.doctor import diagnose
from sheet_schema.messages import team_language

router = APIRouter(
    prefix="/v1/sheets/{sheet}",
    tags=["sheets"],
    responses=error_responses(401, 403, 404, 413, 422, 503),
)


@router.get("/doctor", response_model=DoctorOut, summary="Check the deployment for this sheet")
async def doctor(entry: SheetDep, context: ContextDep) -> DoctorOut:
    """Settings, store, Google (key, token, sharing with edit rights, time zone, quota) and the
    sheet (opens, cases tab and required columns): each check with its fix, in the sheet's
    team language."""
    written = await run_in_threadpool(context.store.written_language, entry.sheet_key)
    # What the last sync wrote the sheet in; before any, what the registration chose.
    language = team_language(written or entry.language)
    report = await run_in_threadpool(
        diagnose, context.root, now=context.clock(), entry=entry, language=language
    )
    return DoctorOut(
        target=report.target,
        ok=report.ok,
        exit_code=report.exit_code,
        service_account=report.service_account,
        checks=[CheckOut(**asdict(check)) for check in report.checks],
        language=language,
    )
