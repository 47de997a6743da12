"""`GET/POST /v1/sheets/{sheet}/adopt`: how the sheet maps (the add-on's Set up → Check my
sheet), and writing that mapping into its Settings and Vocabulary tabs (Apply). The logic is
`app.adopt`, the same as `aftersales adopt`."""

from __future__ import annotations

from dataclasses import asdict
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.adopt import Proposal, apply, propose
from app.api.context import ServiceContext
from app.api.deps import ContextDep, SheetDep
from app.api.errors import error_responses
from app.registry import SheetEntry
from sheet_schema import ParseContext, load_schema

router = APIRouter(
    prefix="/v1/sheets/{sheet}",
    tags=["sheets"],
    responses=error_responses(401, 403, 404, 409, 413, 422, 423, 503),
)


class ColumnOut(BaseModel):
    header: str
    column: str
    means: str
    how: str


class WordOut(BaseModel):
    column: str
    word: str
    rows: int
    means: str | None
    how: str


class AdoptOut(BaseModel):
    """The proposal: the cases tab, header roles, the team's columns, the words; what Apply
    writes; what needs a person; `exit_code` as `aftersales adopt` would exit."""

    cases_tab: str | None
    found_by: str | None
    syncable: bool
    columns: list[ColumnOut]
    extra_columns: list[str]
    missing: list[str]
    words: list[WordOut]
    settings_rows: list[tuple[str, str]]
    vocabulary_rows: list[tuple[str, str, str]]
    needs_person: list[str]
    exit_code: int
    applied: bool
    cells_written: int


@router.get("/adopt", response_model=AdoptOut, summary="Check my sheet")
async def check_sheet(entry: SheetDep, context: ContextDep) -> AdoptOut:
    return await run_in_threadpool(_adopt, context, entry, False)


@router.post("/adopt", response_model=AdoptOut, summary="Apply the sheet's mapping")
async def apply_mapping(entry: SheetDep, context: ContextDep) -> AdoptOut:
    return await run_in_threadpool(_adopt, context, entry, True)


def _adopt(context: ServiceContext, entry: SheetEntry, yes: bool) -> AdoptOut:
    backend = context.backend_for(entry)
    data = backend.read(list)
    schema = load_schema()
    ctx = ParseContext(tz=ZoneInfo(entry.timezone), date_order=data.date_order)
    proposal = propose(data, schema, context.settings.tab_names, ctx)
    written = apply(backend, data, schema, proposal) if yes else 0
    return _out(proposal, yes, written)


def _out(proposal: Proposal, applied: bool, written: int) -> AdoptOut:
    return AdoptOut(
        cases_tab=proposal.cases_tab,
        found_by=proposal.found_by,
        syncable=proposal.syncable,
        columns=[ColumnOut(**asdict(c)) for c in proposal.columns],
        extra_columns=proposal.extra_columns,
        missing=proposal.missing,
        words=[WordOut(**asdict(w)) for w in proposal.words],
        settings_rows=proposal.settings_rows,
        vocabulary_rows=proposal.vocabulary_rows,
        needs_person=proposal.needs_person,
        exit_code=proposal.exit_code,
        applied=applied,
        cells_written=written,
    )
