"""`RequestGuard`: a pure ASGI middleware that bounds request bodies and checks the credentials
that do not need the body, before any of the body is read.

Without it an anonymous 256 MiB POST was read whole (twice its size in memory) only to be told
401. In order, for every HTTP request:

1. A declared `Content-Length` over the limit is a 413, before reading anything.
2. A request without any credential header (no `Authorization`, no `X-Aftersales-*` signature
   header) is a 401, except on the open paths (/healthz).
3. A bearer token with a body on its way is verified now (it does not cover the body), so a bad
   token is a 401 before the body is read; the endpoint's dependency checks it again.
4. A body without a declared length (chunked) is read here, counting, and refused with a 413 as
   soon as it passes the limit; what was read (at most the limit) is handed on to the app.

It is pure ASGI rather than `BaseHTTPMiddleware` so it sees the body as it streams in and can
answer before the app runs, for every route. Early answers carry `Connection: close`, so the
server stops reading the rest of the refused body.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import Authenticator
from app.auth.authenticator import has_credentials, missing_credentials, needs_body
from app.auth.fastapi_adapter import scope_target
from app.errors import AftersalesError, AuthError

PAYLOAD_TOO_LARGE = "payload_too_large"


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        authenticator: Callable[[], Authenticator],
        open_paths: Collection[str] = ("/healthz",),
    ) -> None:
        """`authenticator` returns the app's authenticator (built in lifespan, after this)."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.authenticator = authenticator
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and _over(declared, self.max_body_bytes):
            await self._too_large(scope, receive, send)
            return
        if scope["path"] not in self.open_paths:
            refusal = await self._refuse_before_body(scope, headers, expecting_body=declared)
            if refusal is not None:
                await _answer(refusal, scope, receive, send)
                return
        if declared is None and "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._read_bounded(receive)
            if body is None:
                await self._too_large(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    async def _refuse_before_body(
        self, scope: Scope, headers: Headers, *, expecting_body: str | None
    ) -> AftersalesError | None:
        """The error to answer with before reading the body, or None to go on."""
        if not has_credentials(headers):
            return missing_credentials()
        has_body = expecting_body not in (None, "0") or "transfer-encoding" in headers
        if needs_body(headers) or not has_body:
            return None  # a signature is checked with the body; no body: the endpoint checks
        target = scope_target(scope)
        try:
            await run_in_threadpool(  # fetching Google's certificates is blocking I/O
                self.authenticator().authenticate,
                method=scope["method"],
                path=target,
                headers=headers,
                body=b"",
                sheet=None,
            )
        except AftersalesError as exc:
            return exc
        return None

    async def _read_bounded(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_bytes
        response = JSONResponse(
            {
                "error": PAYLOAD_TOO_LARGE,
                "detail": f"The request body is larger than this service accepts "
                f"({_size(limit)}); nothing of it was processed.",
            },
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _over(declared: str, limit: int) -> bool:
    """True when a Content-Length is over the limit (or not a number the server would accept:
    uvicorn refuses those itself, and this never lets one through)."""
    text = declared.strip()
    return not text.isdigit() or int(text) > limit


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then defers to the server's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _answer(error: AftersalesError, scope: Scope, receive: Receive, send: Send) -> None:
    """The API's error body (see app.api.errors), closing the connection."""
    headers = {"Connection": "close"}
    if isinstance(error, AuthError):
        headers["WWW-Authenticate"] = "Bearer"
    response = JSONResponse(
        {"error": error.code, "detail": error.message},
        status_code=error.status_code,
        headers=headers,
    )
    await response(scope, receive, send)
