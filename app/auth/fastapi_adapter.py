"""Thin FastAPI/Starlette glue: read what the framework-free `Authenticator` needs from a request.

Per request the API layer does:

    principal = await authenticate_request(request, authenticator, sheet=sheet_id_or_None)
    authenticator.authorize(principal, sheet=sheet_id_or_None, allowed=allow_list)

and lets its `AftersalesError` handler turn AuthError/ForbiddenError into 401/403.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import Scope

from app.auth.authenticator import Authenticator, needs_body
from app.auth.principal import Principal


def scope_target(scope: Scope) -> str:
    """The path and query exactly as the client sent them (what HMAC signatures cover)."""
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else str(scope["path"])
    query = scope.get("query_string", b"")
    if isinstance(query, bytes) and query:
        return f"{path}?{query.decode('latin-1')}"
    return path


def request_target(request: Request) -> str:
    """The path and query exactly as the client sent them (what HMAC signatures cover)."""
    return scope_target(request.scope)


async def authenticate_request(
    request: Request, authenticator: Authenticator, *, sheet: str | None
) -> Principal:
    """Authenticate a FastAPI request (the body stays readable by the endpoint afterwards).

    The body is read only for an HMAC signature, which covers it; a bearer token is checked
    without it. Runs in the thread pool because fetching Google's certificates is blocking I/O.
    """
    body = await request.body() if needs_body(request.headers) else b""
    return await run_in_threadpool(
        authenticator.authenticate,
        method=request.method,
        path=request_target(request),
        headers=request.headers,
        body=body,
        sheet=sheet,
    )
