"""FastAPI dependencies as `Annotated` types; shared resources live on `app.state` (built in
`lifespan`) and are swapped with `dependency_overrides` in tests.

The caller is authenticated before anything in the request is validated or looked up, so a
caller without credentials learns nothing (not even whether an id is well-formed): it gets 401.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from app.api.context import ServiceContext
from app.auth import Principal
from app.auth.fastapi_adapter import authenticate_request
from app.registry import SheetEntry

SHEET_ID_PATTERN = r"^[A-Za-z0-9_\-]+$"
SHEET_ID_MAX_LENGTH = 200
_SHEET_ID = re.compile(SHEET_ID_PATTERN)


def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]
# Documented with its rules, but checked in `sheet_caller` after authentication: FastAPI would
# otherwise answer a malformed id with 422 before the caller is known.
SheetId = Annotated[
    str,
    Path(
        description="Google spreadsheet id, or the name of a registered workbook",
        json_schema_extra={
            "minLength": 1,
            "maxLength": SHEET_ID_MAX_LENGTH,
            "pattern": SHEET_ID_PATTERN,
        },
    ),
]


def check_sheet_id(sheet: str) -> None:
    """422 (like any invalid parameter) unless `sheet` is a well-formed sheet id."""
    if len(sheet) > SHEET_ID_MAX_LENGTH or not _SHEET_ID.match(sheet):
        raise RequestValidationError(
            [
                {
                    "type": "string_pattern_mismatch",
                    "loc": ("path", "sheet"),
                    "msg": f"a sheet id is 1-{SHEET_ID_MAX_LENGTH} letters, digits, '-' or '_'",
                    "input": sheet,
                }
            ]
        )


async def sheet_caller(request: Request, sheet: SheetId, context: ContextDep) -> SheetEntry:
    """Authenticate the caller and check it may act on this sheet; return the sheet."""
    principal = await authenticate_request(request, context.authenticator, sheet=sheet)
    check_sheet_id(sheet)
    # In a worker thread: waiting for a pooled connection must never block the event loop.
    entry = await run_in_threadpool(context.registry.get, sheet)
    context.authenticator.authorize(principal, sheet=sheet, allowed=entry.allowed)
    request.state.principal = principal  # runs log which credential started them
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
