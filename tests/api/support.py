"""Helpers for the API tests: the running app and how to call it (HMAC-signed, with an identity
token, or anonymously), a settable clock, the routes of an app, and workbook edits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import openpyxl
import requests
import requests.auth
from fastapi import FastAPI
from fastapi.testclient import TestClient
from google.auth import jwt
from starlette.routing import BaseRoute

from app.api.context import ServiceContext
from app.auth import derive_sheet_secret, sign_request
from app.sheets.backend import SheetBackend
from tests.auth.support import GOOGLE_KID, MASTER_SECRET, SigningKey, claims_at
from tests.workbooks import NOW, case

SHEET = "desk"
# Who may call the non-sheet endpoints; the sheet `desk` has its own list (SHEET_ALLOWED).
ALLOWED_EMAILS = ["ops@agency.com"]
SHEET_ALLOWED = ["lily@agency.com", "@desk.example"]
INFER = "infer"  # sign with the key of the sheet named in the path (the master key elsewhere)


class Clock:
    """The service's clock: fixed at `NOW` until a test moves it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def base_cases() -> list[dict[str, Any]]:
    """Two valid cases: a Superbuy defect and a Bhiner defect without the video proof."""
    return [
        case(),
        case(
            **{
                "Case ID": "AS-T-0002",
                "Platform": "Bhiner",
                "Order No.": "BH-777",
                "Customer": "Wang Fang",
                "Video Proof": "No",
            }
        ),
    ]


def sheet_of(path: str) -> str | None:
    """The sheet id in a request path (percent-decoded, as the app sees it), or None for a
    non-sheet endpoint."""
    parts = path.partition("?")[0].split("/")
    if len(parts) > 3 and parts[1] == "v1" and parts[2] == "sheets":
        return unquote(parts[3])
    return None


class Signer:
    """Signs requests with the test master secret (or a sheet's key derived from it), as the
    add-on does: the current second and a fresh nonce, so no two requests share a signature."""

    def headers(
        self,
        method: str,
        target: str,
        body: bytes,
        sheet: str | None,
        secret: str | None = None,
    ) -> dict[str, str]:
        if secret is None:
            secret = derive_sheet_secret(MASTER_SECRET, sheet) if sheet else MASTER_SECRET
        return sign_request(secret, method, target, body, int(time.time()))


class HmacAuth(requests.auth.AuthBase):
    """requests auth that signs the prepared request exactly as it goes out: the percent-encoded
    path and query, and the body bytes, with the key of the sheet in the path (or the master)."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(str(request.url))
        target = url.path + (f"?{url.query}" if url.query else "")
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        sheet = sheet_of(url.path) if url.path.startswith("/v1/sheets/") else None
        request.headers.update(self.signer.headers(str(request.method), target, raw, sheet))
        return request


@dataclass
class Api:
    """The running app and ways to call it."""

    app: FastAPI
    client: TestClient
    tmp: Path
    google_key: SigningKey
    clock: Clock
    signer: Signer = field(default_factory=lambda: Signer())

    @property
    def context(self) -> ServiceContext:
        context: ServiceContext = self.app.state.context
        return context

    # -- sheets ------------------------------------------------------------------------------

    def add_sheet(
        self, sheet: str, workbook: Path, allowed: Sequence[str] = tuple(SHEET_ALLOWED)
    ) -> Path:
        self.context.registry.add(sheet, kind="workbook", location=str(workbook), allowed=allowed)
        return workbook

    def workbook(self, sheet: str = SHEET) -> Path:
        return self.context.registry.get(sheet).path

    def sheet_key(self, sheet: str = SHEET) -> str:
        return self.context.registry.get(sheet).sheet_key

    # -- requests ------------------------------------------------------------------------------

    def signature(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        key_sheet: str | None = INFER,
        secret: str | None = None,
    ) -> dict[str, str]:
        sheet = sheet_of(path) if key_sheet == INFER else key_sheet
        return self.signer.headers(method, path, body, sheet, secret)

    def signed(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        key_sheet: str | None = INFER,
        secret: str | None = None,
    ) -> httpx.Response:
        """A request signed with the key of `key_sheet` (default: the sheet in the path), or
        with `secret` when given (a sheet secret as `aftersales sheets secret` prints it)."""
        headers = self.signature(method, path, body, key_sheet, secret)
        response: httpx.Response = self.client.request(method, path, content=body, headers=headers)
        return response

    def token(self, email: str, hosted_domain: str | None = None) -> str:
        """A Google-style identity token for `email` (of the `hosted_domain` Workspace, or a
        personal account), valid now, signed with the test key."""
        claims = claims_at(time.time(), email=email, hd=hosted_domain)
        token: bytes = jwt.encode(  # type: ignore[no-untyped-call]
            self.google_key.signer(), claims, key_id=GOOGLE_KID
        )
        return token.decode()

    def as_user(
        self, email: str, method: str, path: str, hosted_domain: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(email, hosted_domain)}"}
        response: httpx.Response = self.client.request(method, path, headers=headers)
        return response

    def sync(self, sheet: str = SHEET, *, action: str = "sync") -> dict[str, Any]:
        response = self.signed("POST", f"/v1/sheets/{sheet}/{action}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def get(self, path: str) -> Any:
        response = self.signed("GET", path)
        assert response.status_code == 200, response.text
        return response.json()


# -- routes -----------------------------------------------------------------------------------


def all_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route the app serves, routers included, HEAD left out.

    Works whether the app lists included routes flat or (newer FastAPI) as included routers.
    """
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from all_routes(included.routes, prefix + getattr(context, "prefix", ""))
            continue
        path = getattr(route, "path", None)
        assert path is not None, f"a route without a path: {route!r}"
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                yield method, prefix + path


def fill_path(path: str, **values: str) -> str:
    """A concrete path for a route template: {sheet} -> desk, {run} -> 1, {case_id} -> ..."""
    defaults = {"sheet": SHEET, "run": "1", "case_id": "AS-T-0001"} | values
    for name, value in defaults.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no test value for a parameter of {path}"
    return path


# -- workbooks ----------------------------------------------------------------------------------


def edit_cell(workbook: Path, case_id: str, header: str, value: Any) -> None:
    """Type a value into one cell of the Cases tab, the way a person would in an office suite."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["Cases"]
    headers = [c.value for c in sheet[1]]
    column = headers.index(header) + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=headers.index("Case ID") + 1).value == case_id:
            sheet.cell(row=row, column=column).value = value
            book.save(workbook)
            return
    raise AssertionError(f"no case {case_id} in {workbook}")


# -- slow syncs -------------------------------------------------------------------------------


class SlowBackend:
    """A backend whose reads wait for `gate` (when given) and then `delay` seconds, so that
    requests arrive while a run is reading; `reading` is set as soon as a read starts."""

    def __init__(
        self, inner: SheetBackend, delay: float, gate: threading.Event | None = None
    ) -> None:
        self._inner = inner
        self._delay = delay
        self._gate = gate
        self.reads = 0
        self.reading = threading.Event()

    def read(self, select: Any, narrow: Any = None, let_go: Any = None) -> Any:
        self.reads += 1
        self.reading.set()
        if self._gate is not None:
            self._gate.wait(timeout=10)
        time.sleep(self._delay)
        return self._inner.read(select, narrow, let_go)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def slow_down(
    api: Api, delay: float, gate: threading.Event | None = None, sheet: str = SHEET
) -> SlowBackend:
    """Slow the reads of the engine the service keeps for `sheet` (syncs and undo use it)."""
    engine = api.context.engine_for(sheet)
    slow = SlowBackend(engine.backend, delay, gate)
    engine.backend = slow
    return slow


def press_together(api: Api, paths: Sequence[str]) -> list[httpx.Response]:
    """Send a signed POST to each path at the same instant, one thread each."""
    headers = [api.signature("POST", path) for path in paths]
    start = threading.Barrier(len(paths))

    def press(i: int) -> httpx.Response:
        start.wait()
        response: httpx.Response = api.client.post(paths[i], headers=headers[i])
        return response

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(press, range(len(paths))))
