"""spreadsheets.batchUpdate: every request applied to a working copy, all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import bu_cells, bu_charts, bu_dims, bu_move, bu_objects, bu_sheets  # noqa: F401  (registration)
from .errors import ApiError, RequestError, bad_request, invalid_request
from .model import Spreadsheet
from .normalize import strip_nulls
from .registry import HANDLERS, BatchContext
from .render import render_spreadsheet


def apply_requests(
    book: Spreadsheet, requests: list[dict[str, Any]], email: str | None, now: dt.datetime
) -> tuple[Spreadsheet, list[dict[str, Any]]]:
    """Apply requests to a copy of the spreadsheet; the copy and the replies on success.

    Any failing request raises and leaves the original untouched."""
    if not requests:
        raise bad_request("Must specify at least one request.")
    working = book.clone()
    ctx = BatchContext(working, email, now)
    replies: list[dict[str, Any]] = []
    for index, request in enumerate(requests):
        kinds = [k for k, v in (request or {}).items() if v is not None]
        if len(kinds) != 1:
            raise bad_request(
                f"Invalid requests[{index}]: exactly one kind of request must be set, "
                f"found {len(kinds)}."
            )
        kind = kinds[0]
        fn = HANDLERS.get(kind)
        if fn is None:
            raise ApiError(
                501,
                f"Invalid requests[{index}].{kind}: this request kind is not implemented by the "
                "local Sheets emulator.",
            )
        try:
            reply = fn(ctx, request[kind])
        except RequestError as exc:
            raise invalid_request(index, kind, str(exc)) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise invalid_request(index, kind, f"Invalid request: {exc}") from exc
        replies.append({} if reply is None else {kind: strip_nulls(reply)})
    return working, replies


def batch_update(
    book: Spreadsheet, body: dict[str, Any], email: str | None, now: dt.datetime
) -> tuple[Spreadsheet, dict[str, Any]]:
    """The new spreadsheet state and the BatchUpdateSpreadsheetResponse."""
    working, replies = apply_requests(book, body.get("requests") or [], email, now)
    response: dict[str, Any] = {"spreadsheetId": book.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        from .calc import Calc

        response["updatedSpreadsheet"] = render_spreadsheet(
            Calc(working, now),
            bool(body.get("responseIncludeGridData")),
            list(body.get("responseRanges") or []),
            email,
        )
    return working, response
