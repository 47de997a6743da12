"""Registry of spreadsheets.batchUpdate request handlers and their shared context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .calc import Calc
from .errors import RequestError
from .fieldmask import MaskError, MaskTree, pair_colors, parse_mask
from .model import Sheet, Spreadsheet


@dataclass
class BatchContext:
    """State a handler works on: a working copy of the spreadsheet and the caller."""

    book: Spreadsheet
    email: str | None  # None: a person editing through the test hook
    now: dt.datetime

    def calc(self) -> Calc:
        return Calc(self.book, self.now)

    def sheet(self, sheet_id: Any, what: str = "grid") -> Sheet:
        sheet = self.book.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise RequestError(f"No {what} with id: {int(sheet_id or 0)}")
        return sheet


Reply = dict[str, Any] | None
Handler = Callable[[BatchContext, dict[str, Any]], Reply]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def mask_of(request: dict[str, Any], required: bool = True) -> MaskTree:
    text = request.get("fields")
    if not text:
        if required:
            raise RequestError("At least one field must be updated, but 'fields' is empty.")
        return {"*": None}
    try:
        return pair_colors(parse_mask(text))
    except MaskError as exc:
        raise RequestError(f"Invalid field mask: '{text}'") from exc
