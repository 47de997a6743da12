"""The error tree. Every error the service raises on purpose derives from `AftersalesError`.

Each class carries the HTTP status the API answers with, so endpoints never map errors by hand:

    AftersalesError (500)
    ├── ConfigurationError (500)        settings or data files are unusable
    ├── SheetError (422)                the sheet cannot be synced as it is
    │   ├── SheetContractError (422)    missing Cases tab, missing/duplicate required headers
    │   ├── SheetNotFoundError (404)    no such workbook or spreadsheet
    │   ├── SheetAccessError (403)      the spreadsheet is not shared with our service account
    │   └── SheetLockedError (423)      a workbook is open in an office suite
    ├── ConcurrentEditError (409)       the sheet changed under us more often than we retry
    ├── ConflictError (409)             e.g. undoing a run that was already undone
    ├── SyncInProgressError (409)       another run holds the sheet's lock
    ├── ServiceBusyError (429)          too many presses already wait in this process
    ├── BackendUnavailableError (503)   Google kept failing after our retry budget
    │   └── QuotaExhaustedError (503)   no Google quota slot frees up within the maximum wait
    ├── StoreError (503)                the database failed (app.store.errors)
    ├── NotFoundError (404)             a run, case or sheet the caller named does not exist
    └── AuthError (401) / ForbiddenError (403)

An error that is worth retrying as it is (the service is busy, a backend is down for a moment)
carries `retry_after`, whole seconds; the API sends it as the `Retry-After` header.
"""

from __future__ import annotations


class AftersalesError(Exception):
    status_code: int = 500
    code: str = "internal_error"
    # Seconds after which the same request may succeed (the `Retry-After` header); None when
    # retrying as it is would not help.
    retry_after: int | None = None

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if retry_after is not None:
            self.retry_after = retry_after


class ConfigurationError(AftersalesError):
    code = "configuration_error"


class SheetError(AftersalesError):
    status_code = 422
    code = "sheet_error"


class SheetContractError(SheetError):
    code = "sheet_contract"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class SheetNotFoundError(SheetError):
    status_code = 404
    code = "sheet_not_found"


class SheetAccessError(SheetError):
    status_code = 403
    code = "sheet_access"


class SheetLockedError(SheetError):
    status_code = 423
    code = "sheet_locked"


class ConcurrentEditError(AftersalesError):
    status_code = 409
    code = "concurrent_edit"


class ConflictError(AftersalesError):
    status_code = 409
    code = "conflict"


class SyncInProgressError(AftersalesError):
    status_code = 409
    code = "sync_in_progress"


class ServiceBusyError(AftersalesError):
    """This process already has as many presses waiting as it allows (a burst of them): the
    press was not started nor joined; it may be pressed again after `retry_after` seconds."""

    status_code = 429
    code = "busy"
    retry_after = 5


class BackendUnavailableError(AftersalesError):
    status_code = 503
    code = "backend_unavailable"
    retry_after = 30


class QuotaExhaustedError(BackendUnavailableError):
    """Every Google quota slot stays taken (by any replica) for longer than a caller may wait;
    the request was not sent."""

    code = "quota_exhausted"
    retry_after = 60


class NotFoundError(AftersalesError):
    status_code = 404
    code = "not_found"


class AuthError(AftersalesError):
    status_code = 401
    code = "unauthenticated"


class ForbiddenError(AftersalesError):
    status_code = 403
    code = "forbidden"
