"""Google API error shapes (``{"error": {"code", "message", "status", ...}}``)."""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answered to the client with Google's JSON error body."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        drive: bool = False,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_BY_CODE.get(code, "UNKNOWN")
        self.details = details
        self.headers = headers or {}
        self.drive = drive
        self.reason = reason

    def body(self) -> dict[str, Any]:
        """The JSON body Google sends for this error."""
        if self.drive:
            err: dict[str, Any] = {
                "code": self.code,
                "message": self.message,
                "errors": [
                    {
                        "message": self.message,
                        "domain": "global",
                        "reason": self.reason or "notFound",
                    }
                ],
            }
            return {"error": err}
        err = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            err["details"] = self.details
        return {"error": err}


def bad_request(message: str, field: str | None = None) -> ApiError:
    """A 400 INVALID_ARGUMENT, with a BadRequest detail when a field is named."""
    details = None
    if field is not None:
        violation: dict[str, str] = {"description": message}
        if field:
            violation = {"field": field, "description": message}
        details = [
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
        ]
    return ApiError(400, message, details=details)


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


def permission_denied() -> ApiError:
    return ApiError(403, "The caller does not have permission")


def invalid_request(index: int, kind: str, message: str) -> ApiError:
    """The error for one request of a spreadsheets.batchUpdate."""
    return ApiError(400, f"Invalid requests[{index}].{kind}: {message}")


class RequestError(Exception):
    """Raised by a batchUpdate handler; wrapped into ``Invalid requests[i].kind: ...``."""


MAX_CELL_CHARS = 50_000  # Google's limit on the characters of one cell
CELL_TOO_LONG = (
    f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell."
)


def unauthenticated(missing: bool, method: str) -> ApiError:
    """Google's 401 for a missing or invalid access token."""
    if missing:
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
        reason = "CREDENTIALS_MISSING"
    else:
        message = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
        reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "googleapis.com",
            "metadata": {"method": method, "service": "sheets.googleapis.com"},
        }
    ]
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    if not missing:
        headers["WWW-Authenticate"] += ', error="invalid_token"'
    return ApiError(401, message, details=details, headers=headers)


def quota_exceeded(metric: str, limit_name: str, limit: int, project: str) -> ApiError:
    """Google's 429 RESOURCE_EXHAUSTED for a per-minute quota."""
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{limit_name}' of service "
        f"'sheets.googleapis.com' for consumer 'project_number:{project}'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_location": "global",
                "quota_limit": limit_name.replace(" ", ""),
                "quota_metric": "sheets.googleapis.com/" + metric.lower().replace(" ", "_"),
                "consumer": f"projects/{project}",
                "service": "sheets.googleapis.com",
                "quota_limit_value": str(limit),
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return ApiError(429, message, details=details)
