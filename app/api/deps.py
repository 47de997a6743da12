"""FastAPI dependencies as `Annotated` types; shared resources live on `app.state` (built in
`lifespan`) and are swapped with `dependency_overrides` in tests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from app.api.context import ServiceContext
from app.auth import Principal
from app.auth.fastapi_adapter import authenticate_request
from app.registry import SheetEntry


def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]
SheetId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="Google spreadsheet id, or the name of a registered workbook",
    ),
]


async def sheet_caller(request: Request, sheet: SheetId, context: ContextDep) -> SheetEntry:
    """Authenticate the caller and check it may act on this sheet; return the sheet."""
    principal = await authenticate_request(request, context.authenticator, sheet=sheet)
    entry = context.registry.get(sheet)
    context.authenticator.authorize(principal, sheet=sheet, allowed=entry.allowed)
    return entry


async def service_caller(request: Request, context: ContextDep) -> Principal:
    """Authenticate a caller of an endpoint that is not about one sheet."""
    principal = await authenticate_request(request, context.authenticator, sheet=None)
    context.authenticator.authorize(
        principal, sheet=None, allowed=context.settings.auth.allowed_principals
    )
    return principal


SheetDep = Annotated[SheetEntry, Depends(sheet_caller)]
CallerDep = Annotated[Principal, Depends(service_caller)]
