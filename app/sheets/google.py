"""`GoogleBackend`: a Google spreadsheet through gspread over a google-auth session.

Calls per sync do not grow with the sheet: one `values:batchGet` reads every tab the sync needs
(unformatted values, dates as serial numbers), one `values:batchUpdate` writes every changed
cell (RAW, so text that starts with `=` stays text; split only above ~2 MB), and the layout is
one `spreadsheets.batchUpdate`, sent only when something is missing. Spreadsheet metadata (tab
titles and ids, grid sizes, locale, highlight rules, protections) is fetched on the first read
and cached; `refresh()` drops it (a full recalculation does, to repair the layout).

Every request has a timeout and goes through `_call`, which retries 429, 5xx, timeouts and
dropped connections with backoff and jitter inside a time budget (see `retry.py`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError

from app.errors import (
    AftersalesError,
    BackendUnavailableError,
    ConfigurationError,
    SheetAccessError,
    SheetError,
    SheetNotFoundError,
)
from app.sheets.backend import (
    ApiCallCounter,
    CellUpdate,
    CellValue,
    SheetData,
    TabData,
    TabLayout,
    TabSelector,
    WriteResult,
)
from app.sheets.google_layout import append_rows, layout_requests
from app.sheets.retry import RETRIABLE_STATUS, RetryPolicy
from sheet_schema import DateOrder, to_serial

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
MAX_BODY_BYTES = 2_000_000
METADATA_FIELDS = (
    "properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount)),"
    "conditionalFormats,protectedRanges(protectedRangeId,description))"
)
DMY_LANGUAGES = (
    "en_GB",
    "en_AU",
    "en_NZ",
    "en_IE",
    "en_IN",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "ru",
    "pl",
    "tr",
    "vi",
    "id",
    "ms",
    "da",
    "sv",
    "nb",
    "fi",
)
T = TypeVar("T")


class GoogleBackend:
    """A SheetBackend over one Google spreadsheet."""

    name = "google"
    atomic = False

    def __init__(
        self,
        spreadsheet_id: str,
        credentials: Credentials,
        *,
        session: AuthorizedSession | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.account = getattr(credentials, "service_account_email", "the service account")
        self._http = gspread.HTTPClient(auth=credentials, session=session or _session(credentials))
        self._http.set_timeout(timeout)
        self.retry = retry or RetryPolicy()
        self.calls = ApiCallCounter()
        self._meta: dict[str, Any] | None = None
        self._headers: dict[str, list[CellValue]] = {}

    @classmethod
    def from_service_account(
        cls,
        spreadsheet_id: str,
        key: Mapping[str, Any] | Path | str,
        *,
        session_factory: Callable[[Credentials], AuthorizedSession] | None = None,
        **kwargs: Any,
    ) -> GoogleBackend:
        """Build from a service-account key: a dict, a JSON string, or a key file path."""
        try:
            if isinstance(key, Mapping):
                info = dict(key)
            elif isinstance(key, Path) or not str(key).lstrip().startswith("{"):
                info = json.loads(Path(key).read_text(encoding="utf-8"))
            else:
                info = json.loads(str(key))
            credentials = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                info, scopes=SCOPES
            )
        except (OSError, ValueError, KeyError) as exc:
            # Never echo the key: say what is wrong with it, not what it holds.
            raise ConfigurationError(
                f"The Google service-account key is unusable ({type(exc).__name__}); "
                "set AFTERSALES_GOOGLE_CREDENTIALS to a key file path or its JSON."
            ) from None
        session = session_factory(credentials) if session_factory else None
        return cls(spreadsheet_id, credentials, session=session, **kwargs)

    def describe(self) -> str:
        return f"Google spreadsheet {self.spreadsheet_id}"

    def refresh(self) -> None:
        """Forget cached metadata; the next read fetches it again."""
        self._meta = None

    # -- reading -------------------------------------------------------------------------------

    def read(self, select: TabSelector) -> SheetData:
        meta = self._metadata()
        titles = tuple(s["properties"]["title"] for s in meta.get("sheets", []))
        chosen = list(select(titles))
        if not chosen:
            return SheetData(titles=titles, tabs={}, date_order=self._date_order())
        try:
            payload = self._batch_get(chosen)
        except SheetError:
            # A tab renamed or deleted since the metadata was cached: look again, once.
            self.refresh()
            meta = self._metadata()
            titles = tuple(s["properties"]["title"] for s in meta.get("sheets", []))
            chosen = list(select(titles))
            payload = self._batch_get(chosen) if chosen else {"valueRanges": []}
        tabs: dict[str, TabData] = {}
        for title, value_range in zip(chosen, payload.get("valueRanges", []), strict=False):
            rows = [list(r) for r in value_range.get("values", [])]
            tabs[title] = TabData(title=title, rows=rows)
            self._headers[title] = rows[0] if rows else []
        return SheetData(titles=titles, tabs=tabs, date_order=self._date_order())

    def _batch_get(self, titles: Sequence[str]) -> dict[str, Any]:
        params = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        ranges = [quote_title(t) for t in titles]
        result: dict[str, Any] = self._call(
            "read",
            "values.batchGet",
            lambda: self._http.values_batch_get(self.spreadsheet_id, ranges, params=dict(params)),
        )
        return result

    def _metadata(self) -> dict[str, Any]:
        if self._meta is None:
            fetched: Mapping[str, Any] = self._call(
                "read",
                "spreadsheets.get",
                lambda: self._http.fetch_sheet_metadata(
                    self.spreadsheet_id,
                    params={"includeGridData": "false", "fields": METADATA_FIELDS},
                ),
            )
            self._meta = dict(fetched)
        return self._meta

    def _date_order(self) -> DateOrder:
        locale = str((self._meta or {}).get("properties", {}).get("locale", ""))
        if locale.startswith("en_US") or locale.startswith("en_PH"):
            return DateOrder.MDY
        if any(locale == lang or locale.startswith(lang + "_") for lang in DMY_LANGUAGES):
            return DateOrder.DMY
        return DateOrder.UNKNOWN

    # -- writing -------------------------------------------------------------------------------

    def write(
        self, updates: Sequence[CellUpdate], *, expect_version: str | None = None
    ) -> WriteResult:
        """Write every cell in one values:batchUpdate (RAW). `expect_version` is ignored: the
        Sheets API has no conditional write; the engine's Computed For column and id read-back
        guard against a concurrent sort instead."""
        if not updates:
            return WriteResult(cells=0, api_calls=0)
        calls = self._grow_grids(updates)
        for body in _bodies(updates):
            self._call(
                "write",
                "values.batchUpdate",
                lambda body=body: self._http.values_batch_update(self.spreadsheet_id, body),  # type: ignore[misc]
            )
            calls += 1
        return WriteResult(cells=len(updates), api_calls=calls)

    def _grow_grids(self, updates: Sequence[CellUpdate]) -> int:
        """Add rows first when a write reaches past a tab's grid (Timeline grows)."""
        sheets = {s["properties"]["title"]: s for s in self._metadata().get("sheets", [])}
        requests_: list[dict[str, Any]] = []
        for title, sheet in sheets.items():
            rows = [u.row for u in updates if u.tab == title]
            have = sheet["properties"].get("gridProperties", {}).get("rowCount", 1000)
            if rows and max(rows) > have:
                grow = max(max(rows) - have, 500)
                requests_.append(append_rows(sheet["properties"]["sheetId"], grow))
                sheet["properties"].setdefault("gridProperties", {})["rowCount"] = have + grow
        if requests_:
            self._batch_update(requests_)
            return 1
        return 0

    # -- layout --------------------------------------------------------------------------------

    def apply_layout(self, layouts: Sequence[TabLayout]) -> int:
        meta = self._metadata()
        sheets = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
        used = [s["properties"]["sheetId"] for s in sheets.values()]
        requests_ = layout_requests(layouts, sheets, self._headers, max(used, default=0) + 1)
        if not requests_:
            return 0
        self._batch_update(requests_)
        self.refresh()  # grid sizes, rules and protections changed
        for layout in layouts:
            header = self._headers.setdefault(layout.title, [])
            for column in layout.columns:
                while len(header) < column.index:
                    header.append(None)
                if header[column.index - 1] in (None, ""):
                    header[column.index - 1] = column.header
        return len(requests_)

    def _batch_update(self, requests_: list[dict[str, Any]]) -> None:
        body = {"requests": requests_}
        self._call(
            "layout",
            "spreadsheets.batchUpdate",
            lambda: self._http.batch_update(self.spreadsheet_id, body),
        )

    # -- calls ---------------------------------------------------------------------------------

    def _call(self, family: str, kind: str, fn: Callable[[], T]) -> T:
        policy = self.retry
        started = policy.monotonic()
        retry = 0
        while True:
            setattr(self.calls, family, getattr(self.calls, family) + 1)
            self.calls.by_kind[kind] = self.calls.by_kind.get(kind, 0) + 1
            try:
                return fn()
            except APIError as exc:
                status = exc.response.status_code
                if status not in RETRIABLE_STATUS:
                    raise self._translate(exc, status) from None
                failure: AftersalesError = BackendUnavailableError(
                    f"Google answered {status} to {kind} {retry + 1} times for "
                    f"{self.describe()}; nothing more was written. Try again in a minute."
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
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

    def _translate(self, exc: APIError, status: int) -> AftersalesError:
        message = str(exc.error.get("message", "")) if isinstance(exc.error, Mapping) else ""
        if status == 403:
            return SheetAccessError(
                f"{self.describe()} is not shared with the service account {self.account}. "
                f"Share it with {self.account} as an Editor, then sync again."
            )
        if status == 404:
            return SheetNotFoundError(
                f"There is no {self.describe()} (check the id in the sheet's URL)."
            )
        if status == 401:
            return ConfigurationError(
                f"Google refused the credentials of {self.account}: {message or 'unauthorised'}"
            )
        return SheetError(f"Google rejected a request for {self.describe()}: {message}")


def _session(credentials: Credentials) -> AuthorizedSession:
    return AuthorizedSession(credentials)  # type: ignore[no-untyped-call]


def quote_title(title: str) -> str:
    """A1 notation for a whole tab: 'Tab name' with quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def encode(value: CellValue) -> Any:
    """A value as RAW input: text stays text, dates become serial numbers, None clears."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, datetime):
        return to_serial(value.replace(tzinfo=None, microsecond=0))
    if isinstance(value, date):
        return to_serial(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def _bodies(updates: Sequence[CellUpdate]) -> list[dict[str, Any]]:
    """values:batchUpdate bodies: runs of adjacent cells in a row become one range; a body
    is split only when it would pass ~2 MB."""
    runs: list[dict[str, Any]] = []
    ordered = sorted(updates, key=lambda u: (u.tab, u.row, u.col))
    current: list[CellUpdate] = []
    for update in ordered:
        if current and (
            update.tab != current[-1].tab
            or update.row != current[-1].row
            or update.col != current[-1].col + 1
        ):
            runs.append(_run(current))
            current = []
        current.append(update)
    if current:
        runs.append(_run(current))
    bodies: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    size = 0
    for run in runs:
        run_size = len(json.dumps(run, ensure_ascii=False).encode())
        if data and size + run_size > MAX_BODY_BYTES:
            bodies.append({"valueInputOption": "RAW", "data": data})
            data, size = [], 0
        data.append(run)
        size += run_size
    if data:
        bodies.append({"valueInputOption": "RAW", "data": data})
    return bodies


def _run(cells: list[CellUpdate]) -> dict[str, Any]:
    first, last = cells[0], cells[-1]
    a1 = f"{column_letter(first.col)}{first.row}"
    if len(cells) > 1:
        a1 += f":{column_letter(last.col)}{last.row}"
    return {
        "range": f"{quote_title(first.tab)}!{a1}",
        "majorDimension": "ROWS",
        "values": [[encode(c.value) for c in cells]],
    }
