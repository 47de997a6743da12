"""One error body for the whole API: `{"error": code, "detail": message}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import ErrorBody
from app.errors import AftersalesError, AuthError

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
    500: "The service failed; the error was logged",
    503: "A backend (Google, the database) is unavailable; retry shortly",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error codes (and 500), all with the `{error, detail}` body."""
    return {
        code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]}
        for code in sorted({*codes, 500})
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AftersalesError)
    async def _domain(_: Request, exc: AftersalesError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
        return JSONResponse(
            {"error": exc.code, "detail": exc.message}, status_code=exc.status_code, headers=headers
        )

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
