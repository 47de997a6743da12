"""One error body for the whole API: `{"error": code, "detail": message}`; an error worth
retrying as it is (429, 503) also carries a `Retry-After` header, in seconds."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import ErrorBody
from app.errors import AftersalesError, AuthError
from app.store import StoreBusyError

log = logging.getLogger("aftersales.api")

ERROR_DESCRIPTIONS = {
    401: "No valid credentials: an identity token, an HMAC signature (or, for /metrics, the "
    "metrics token)",
    403: "The caller may not use this sheet or endpoint, or the sheet is not shared with the "
    "service",
    404: "No such sheet, case or run",
    409: "The run was already undone, or the sheet kept changing during the sync",
    413: "The request body is larger than the service accepts (max_request_body_bytes)",
    422: "An invalid parameter, or a sheet that breaks the sheet contract",
    423: "The workbook is open in an office suite",
    429: "The service is busy: too many presses are already waiting (`busy`); press again "
    "after the seconds in the Retry-After header",
    500: "The service failed; the error was logged",
    503: "A backend (Google, the database) is unavailable, or every database connection is in "
    "use; retry after the seconds in the Retry-After header",
}
# Answers that say when to try again.
RETRY_AFTER_CODES = frozenset({429, 503})
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error codes (and 500), all with the `{error, detail}` body;
    429 and 503 with their `Retry-After` header."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in sorted({*codes, 500}):
        response: dict[str, Any] = {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]}
        if code in RETRY_AFTER_CODES:
            response["headers"] = RETRY_AFTER_HEADER
        responses[code] = response
    return responses


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AftersalesError)
    async def _domain(_: Request, exc: AftersalesError) -> JSONResponse:
        headers: dict[str, str] = {}
        if isinstance(exc, AuthError):
            headers["WWW-Authenticate"] = "Bearer"
        if exc.retry_after is not None:
            headers["Retry-After"] = str(max(1, exc.retry_after))
        return JSONResponse(
            {"error": exc.code, "detail": exc.message}, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(PoolTimeoutError)
    async def _pool_full(request: Request, exc: PoolTimeoutError) -> JSONResponse:
        # A database call that no layer wrapped: still a busy service, not a failure.
        return await _domain(request, StoreBusyError(f"{request.method} {request.url.path}"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return JSONResponse({"error": "invalid_request", "detail": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": "http_error", "detail": str(exc.detail)}, status_code=exc.status_code
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            {"error": "internal_error", "detail": "The service failed; the error was logged."},
            status_code=500,
        )
