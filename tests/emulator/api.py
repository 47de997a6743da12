"""Serving one API request: authentication, quota, validation, access control and the
Sheets v4 endpoints (Drive lives in drive.py)."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import drive
from .access import require
from .append import values_append
from .auth import Principal
from .batch_update import apply_requests, batch_update
from .bu_sheets import sheet_props_out
from .calc import Calc
from .discovery import validator
from .errors import ApiError, bad_request, not_found, unauthenticated
from .fieldmask import MaskError, parse_mask
from .model import Spreadsheet, new_int_id, new_spreadsheet
from .normalize import strip_nulls
from .render import render_spreadsheet, wants_grid_data
from .routes import Route
from .state import EmulatorState, Reply
from .values import (
    Params,
    check_render_options,
    flag,
    param,
    values_batch_clear,
    values_batch_get,
    values_batch_update,
    values_clear,
    values_get,
    values_update,
)

WRITE_KINDS = frozenset(
    {
        "spreadsheets.batchUpdate",
        "values.update",
        "values.append",
        "values.clear",
        "values.batchUpdate",
        "values.batchClear",
        "sheets.copyTo",
    }
)
SERVICE_METHODS = {
    "spreadsheets.get": "GetSpreadsheet",
    "spreadsheets.create": "CreateSpreadsheet",
    "spreadsheets.batchUpdate": "BatchUpdateSpreadsheet",
}


@dataclass
class Call:
    state: EmulatorState
    route: Route
    params: Params
    body: Any
    principal: Principal
    raw_body: bytes


def authenticate(state: EmulatorState, route: Route, headers: dict[str, str]) -> Principal:
    auth = headers.get("authorization", "")
    method = "google.apps.sheets.v4.SpreadsheetsService." + SERVICE_METHODS.get(
        route.kind, "".join(p[:1].upper() + p[1:] for p in route.kind.split("."))
    )
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        raise unauthenticated(True, method)
    principal = state.authority.principal(auth[7:].strip())
    if principal is None:
        raise unauthenticated(False, method)
    return principal


def parse_body(raw: bytes, content_type: str) -> Any:
    if not raw.strip():
        return {}
    if "json" not in content_type and content_type and not raw.lstrip().startswith(b"{"):
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"Invalid JSON payload received. {exc}.", "") from exc


def handle_api(
    state: EmulatorState,
    route: Route,
    params: Params,
    headers: dict[str, str],
    raw_body: bytes,
) -> Reply:
    """Authenticate, check quota and serve; ApiErrors become Google's error bodies."""
    try:
        principal = authenticate(state, route, headers)
        state.quota.check(principal.email, principal.project, route.kind)
        body = parse_body(raw_body, headers.get("content-type", ""))
        check = validator()
        if route.method_id and check.enabled:
            check.check_query(route.method_id, params)
            prefix = "data" if route.kind in ("values.update", "values.append") else ""
            if route.kind == "spreadsheets.create":
                prefix = "spreadsheet"
            check.check_body(route.method_id, body, prefix)
        call = Call(state, route, params, body, principal, raw_body)
        handler = drive.handle if route.is_drive else SHEETS_HANDLERS[route.kind]
        with state.lock:
            result = handler(call)
        if isinstance(result, Reply):
            return result
        return Reply(200, _masked(result, params))
    except ApiError as err:
        return Reply(err.code, err.body(), err.headers)
    except Exception as exc:  # an emulator bug: answer 500 and keep the trace for the test
        state.internal_errors.append(traceback.format_exc())
        message = f"Internal error encountered. (emulator: {type(exc).__name__}: {exc})"
        return Reply(500, {"error": {"code": 500, "message": message, "status": "INTERNAL"}})


def _masked(result: Any, params: Params) -> Any:
    fields = param(params, "fields")
    if not fields or not isinstance(result, dict):
        return result
    from .fieldmask import filter_fields

    try:
        return filter_fields(result, parse_mask(fields))
    except MaskError as exc:
        raise bad_request(f"Invalid field selection {fields}", "fields") from exc


def _book(call: Call, write: bool) -> Spreadsheet:
    book = call.state.books.get(call.route.spreadsheet_id or "")
    if book is None:
        raise not_found()
    require(book, call.principal.email, write)
    return book


def _get(call: Call) -> Any:
    book = _book(call, write=False)
    fields = param(call.params, "fields")
    try:
        mask = parse_mask(fields) if fields else None
    except MaskError as exc:
        raise bad_request(f"Invalid field selection {fields}", "fields") from exc
    include = wants_grid_data(mask, flag(call.params, "includeGridData"))
    calc = Calc(book, call.state.now())
    return render_spreadsheet(calc, include, call.params.get("ranges", []), call.principal.email)


def _create(call: Call) -> Any:
    body = strip_nulls(call.body or {})
    props = body.get("properties") or {}
    book = new_spreadsheet(
        props.get("title") or "Untitled spreadsheet",
        call.principal.email,
        props.get("locale") or "en_US",
        props.get("timeZone") or "Etc/GMT",
    )
    book.created = call.state.now()
    for key in ("autoRecalc", "defaultFormat", "iterativeCalculationSettings", "spreadsheetTheme"):
        if key in props:
            book.props[key] = props[key]
    requests: list[dict[str, Any]] = []
    sheets = body.get("sheets") or []
    if sheets:
        first = dict(sheets[0].get("properties") or {})
        first.setdefault("sheetId", 0)
        first.setdefault("title", "Sheet1")
        requests.append({"updateSheetProperties": {"properties": first, "fields": "*"}})
        for extra in sheets[1:]:
            requests.append({"addSheet": {"properties": extra.get("properties") or {}}})
    for named in body.get("namedRanges") or []:
        requests.append({"addNamedRange": {"namedRange": named}})
    if requests:
        book.sheets[0].props["gridProperties"] = {"rowCount": 1000, "columnCount": 26}
        book, _ = apply_requests(book, requests, call.principal.email, call.state.now())
        if sheets and "sheetId" not in (sheets[0].get("properties") or {}):
            book.sheets[0].props["sheetId"] = 0
    for index, sheet_body in enumerate(sheets):
        for block in sheet_body.get("data") or []:
            rows = block.get("rowData") or []
            start = {
                "sheetId": book.sheets[index].sheet_id,
                "rowIndex": block.get("startRow", 0),
                "columnIndex": block.get("startColumn", 0),
            }
            request = {"updateCells": {"rows": rows, "fields": "*", "start": start}}
            book, _ = apply_requests(book, [request], call.principal.email, call.state.now())
    call.state.commit(book)
    return render_spreadsheet(Calc(book, call.state.now()), False, [], call.principal.email)


def _batch_update(call: Call) -> Any:
    book = _book(call, write=True)
    new_book, response = batch_update(book, call.body or {}, call.principal.email, call.state.now())
    call.state.commit(new_book)
    return response


def _values(fn: Callable[[Calc, Call], Any], write: bool) -> Callable[[Call], Any]:
    def run(call: Call) -> Any:
        check_render_options(call.params)
        book = _book(call, write)
        work = book.clone() if write else book
        result = fn(Calc(work, call.state.now()), call)
        if write:
            call.state.commit(work)
        return result

    return run


def _copy_to(call: Call) -> Any:
    source = _book(call, write=False)
    dest_id = (call.body or {}).get("destinationSpreadsheetId")
    dest = call.state.books.get(dest_id or "")
    if dest is None:
        raise not_found()
    require(dest, call.principal.email, write=True)
    sheet = source.sheet_by_id(int(call.route.sheet_id or 0))
    if sheet is None:
        raise not_found()
    work = dest.clone()
    copy_sheet = sheet.clone()
    copy_sheet.props["sheetId"] = new_int_id(work.sheet_ids())
    title, n = f"Copy of {sheet.title}", 2
    while work.sheet_by_title(title) is not None:
        title, n = f"Copy of {sheet.title} {n}", n + 1
    copy_sheet.props["title"] = title
    copy_sheet.protected = []
    copy_sheet.retarget()
    work.sheets.append(copy_sheet)
    work.reindex()
    call.state.commit(work)
    return sheet_props_out(copy_sheet.props)


SHEETS_HANDLERS: dict[str, Callable[[Call], Any]] = {
    "spreadsheets.get": _get,
    "spreadsheets.create": _create,
    "spreadsheets.batchUpdate": _batch_update,
    "values.get": _values(
        lambda c, call: values_get(c, call.route.range or "", call.params), False
    ),
    "values.batchGet": _values(lambda c, call: values_batch_get(c, call.params), False),
    "values.update": _values(
        lambda c, call: values_update(
            c, call.route.range or "", call.body or {}, call.params, call.principal.email
        ),
        True,
    ),
    "values.append": _values(
        lambda c, call: values_append(
            c, call.route.range or "", call.body or {}, call.params, call.principal.email
        ),
        True,
    ),
    "values.clear": _values(
        lambda c, call: values_clear(c, call.route.range or "", call.principal.email), True
    ),
    "values.batchUpdate": _values(
        lambda c, call: values_batch_update(c, call.body or {}, call.principal.email), True
    ),
    "values.batchClear": _values(
        lambda c, call: values_batch_clear(c, call.body or {}, call.principal.email), True
    ),
    "sheets.copyTo": _copy_to,
}
