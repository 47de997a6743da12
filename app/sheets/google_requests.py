"""How `GoogleBackend` sends a request: under the quota governor, counted, retried and with
Google's refusals translated into errors a person can act on.

Every attempt, a retry too, first waits for a slot under the project's and the service
account's per-minute quotas (with a governor; app/sheets/quota.py). 429, 5xx, timeouts,
dropped connections and answers cut off mid-way are retried with backoff and jitter inside a
time budget (retry.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import requests
from gspread.exceptions import APIError

from app.errors import (
    AftersalesError,
    BackendUnavailableError,
    ConfigurationError,
    SheetAccessError,
    SheetError,
    SheetNotFoundError,
)
from app.sheets.backend import ApiCallCounter
from app.sheets.quota import Kind, QuotaGovernor, quota_slot
from app.sheets.retry import RETRIABLE_STATUS, RetryPolicy

T = TypeVar("T")


class GoogleRequests:
    """Sends the requests of one spreadsheet's backend, as `account` of `project`."""

    def __init__(
        self,
        *,
        sheet: str,
        account: str,
        project: str,
        retry: RetryPolicy,
        governor: QuotaGovernor | None,
        calls: ApiCallCounter,
    ) -> None:
        self.sheet = sheet  # how messages name the spreadsheet
        self.account = account
        self.project = project
        self.retry = retry
        self.governor = governor
        self.calls = calls

    def call(self, family: str, kind: str, fn: Callable[[], T]) -> T:
        """`fn`'s answer; `family` (read, write, layout) and `kind` (the API method) count it."""
        policy = self.retry
        started = policy.monotonic()
        quota_kind: Kind = "read" if family == "read" else "write"  # layout changes write
        retry = 0
        while True:
            try:
                with quota_slot(self.governor, self.account, self.project, quota_kind):
                    # Counted once sent: a request that got no quota slot was never sent.
                    setattr(self.calls, family, getattr(self.calls, family) + 1)
                    self.calls.by_kind[kind] = self.calls.by_kind.get(kind, 0) + 1
                    return fn()
            except APIError as exc:
                status = exc.response.status_code
                if status not in RETRIABLE_STATUS:
                    raise self.translate(exc, status) from None
                failure: AftersalesError = BackendUnavailableError(
                    f"Google answered {status} to {kind} {retry + 1} times for "
                    f"{self.sheet}; nothing more was written. Try again in a minute."
                )
            except (
                requests.ConnectionError,
                requests.Timeout,
                # An answer cut off mid-way (a read streams long ones): sent again, as a
                # dropped connection is (reads, and the idempotent values writes).
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                failure = BackendUnavailableError(
                    f"Google could not be reached for {kind} ({type(exc).__name__}) after "
                    f"{retry + 1} tries; nothing more was written."
                )
            retry += 1
            delay = policy.delay(retry - 1)
            elapsed = policy.monotonic() - started
            if retry >= policy.attempts or elapsed + delay > policy.budget:
                raise failure
            self.calls.retries += 1
            policy.sleep(delay)

    def translate(self, exc: APIError, status: int) -> AftersalesError:
        """The error a refused request means, saying what to do about it."""
        message = str(exc.error.get("message", "")) if isinstance(exc.error, Mapping) else ""
        if status == 403:
            return SheetAccessError(
                f"{self.sheet} is not shared with the service account {self.account}. "
                f"Share it with {self.account} as an Editor, then sync again."
            )
        if status == 404:
            return SheetNotFoundError(
                f"There is no {self.sheet} (check the id in the sheet's URL)."
            )
        if status == 401:
            return ConfigurationError(
                f"Google refused the credentials of {self.account}: {message or 'unauthorised'}"
            )
        return SheetError(f"Google rejected a request for {self.sheet}: {message}")
