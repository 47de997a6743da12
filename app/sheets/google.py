"""`GoogleBackend`: a Google spreadsheet through gspread over a google-auth session.

Calls per sync do not grow with the sheet: one `values:batchGet` reads every tab the sync needs
(unformatted values, dates as serial numbers), one `values:batchUpdate` writes every changed
cell (RAW, so text that starts with `=` stays text; split only above ~2 MB), and the layout is
one `spreadsheets.batchUpdate`, sent only when something is missing. Spreadsheet metadata (tab
titles and ids, grid sizes, locale, highlight rules, protections) is fetched on the first read
and cached; `refresh()` drops it (a full recalculation does, to repair the layout).

Every request has a timeout and goes through `GoogleRequests.call` (google_requests.py), which
retries 429, 5xx, timeouts and dropped connections with backoff and jitter inside a time budget
(see `retry.py`). With a quota governor (the interface: app/sheets/quota.py; the governors:
app/service/quota.py) every attempt, a retry too, first waits for a slot under the project's and
the service account's per-minute quotas, shared by every replica. What the cached metadata says
(date order, grid growth) is in google_metadata.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import gspread
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError
from gspread.http_client import ParamsType
from gspread.urls import SPREADSHEET_VALUES_BATCH_UPDATE_URL, SPREADSHEET_VALUES_BATCH_URL

from app.errors import ConfigurationError, SheetError
from app.fast_json import decode_json
from app.sheets.backend import (
    ApiCallCounter,
    CellValue,
    RowLetGo,
    SheetData,
    TabData,
    TabLayout,
    TabSelector,
    Write,
    WriteResult,
    cell_count,
    column_letter,
    let_rows_go,
    share_equal_texts,
)
from app.sheets.google_cell_requests import format_requests, one_cell_body
from app.sheets.google_layout import layout_requests
from app.sheets.google_metadata import METADATA_FIELDS, date_order, grid_growth, locale
from app.sheets.google_requests import GoogleRequests
from app.sheets.google_stream import RangeLetGo, value_ranges
from app.sheets.google_values import (
    MAX_BODY_BYTES,
    FormulaLookup,
    quote_title,
    value_bodies,
)
from app.sheets.quota import QuotaGovernor
from app.sheets.retry import RetryPolicy

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)


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
        governor: QuotaGovernor | None = None,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.account = getattr(credentials, "service_account_email", "the service account")
        # Whose quotas a request counts against: the service account's, and its project's.
        self.project = str(getattr(credentials, "project_id", None) or "default")
        self._http = gspread.HTTPClient(auth=credentials, session=session or _session(credentials))
        self._http.set_timeout(timeout)
        self._requests = GoogleRequests(
            sheet=self.describe(),
            account=self.account,
            project=self.project,
            retry=retry or RetryPolicy(),
            governor=governor,
            calls=ApiCallCounter(),
        )
        self._meta: dict[str, Any] | None = None
        self._headers: dict[str, list[CellValue]] = {}
        # Cells found to hold a formula that shows nothing, by tab, 0-based (row, col): the
        # values API gives only what a formula computes, so they are looked up (find_formulas)
        # before a blank-looking Case ID or Opened is filled, and reported by every read.
        self._formulas: dict[str, set[tuple[int, int]]] = {}

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

    @property
    def calls(self) -> ApiCallCounter:
        """The requests sent so far, by family and kind, and the retries."""
        return self._requests.calls

    @calls.setter
    def calls(self, counter: ApiCallCounter) -> None:
        self._requests.calls = counter

    @property
    def retry(self) -> RetryPolicy:
        return self._requests.retry

    @property
    def governor(self) -> QuotaGovernor | None:
        return self._requests.governor

    def describe(self) -> str:
        return f"Google spreadsheet {self.spreadsheet_id}"

    def refresh(self) -> None:
        """Forget cached metadata; the next read fetches it again."""
        self._meta = None

    # -- reading -------------------------------------------------------------------------------

    def read(
        self,
        select: TabSelector,
        narrow: Mapping[str, int] | None = None,
        let_go: Mapping[str, RowLetGo] | None = None,
    ) -> SheetData:
        meta = self._metadata()
        titles = tuple(s["properties"]["title"] for s in meta.get("sheets", []))
        chosen = [t for t in select(titles) if t in titles]
        narrow = narrow or {}
        if not chosen:
            return SheetData(
                titles=titles, tabs={}, date_order=date_order(self._meta), locale=locale(self._meta)
            )
        let_go = let_go or {}
        try:
            payload = self._batch_get(chosen, narrow, let_go)
        except SheetError:
            # A tab renamed or deleted since the metadata was cached: look again, once.
            self.refresh()
            meta = self._metadata()
            titles = tuple(s["properties"]["title"] for s in meta.get("sheets", []))
            chosen = [t for t in select(titles) if t in titles]
            payload = self._batch_get(chosen, narrow, let_go) if chosen else {"valueRanges": []}
        tabs: dict[str, TabData] = {}
        answered: Iterator[dict[str, Any]] = iter(payload.get("valueRanges", []))
        for title in chosen:
            rows: list[list[CellValue]] = next(answered, {}).get("values", [])  # lists already
            if title in narrow:  # the header row, then the rows below it (narrowed)
                below: list[list[CellValue]] = next(answered, {}).get("values", [])
                rows = [rows[0] if rows else [], *below] if rows or below else []
            formulas = frozenset(self._formulas.get(title, ()))
            tabs[title] = TabData(title=title, rows=rows, formulas=formulas)
            self._headers[title] = rows[0] if rows else []
        return SheetData(
            titles=titles, tabs=tabs, date_order=date_order(self._meta), locale=locale(self._meta)
        )

    def _batch_get(
        self, titles: Sequence[str], narrow: Mapping[str, int], let_go: Mapping[str, RowLetGo]
    ) -> dict[str, Any]:
        params = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        ranges: list[str] = []
        rules: list[RangeLetGo] = []  # by value range
        for title in titles:
            quoted = quote_title(title)
            rule = let_go.get(title)
            if title in narrow:  # (the API leaves out trailing empty rows and cells)
                ranges += [f"{quoted}!1:1", f"{quoted}!A2:{column_letter(narrow[title])}"]
                rules += [None, (2, rule) if rule else None]
            else:
                ranges.append(quoted)
                rules.append((1, rule) if rule else None)
        return self._values_batch_get({**params, "ranges": ranges}, rules)

    def _values_batch_get(
        self, params: ParamsType, let_go: Sequence[RangeLetGo] = ()
    ) -> dict[str, Any]:
        """One values:batchGet, its value ranges decoded as the answer arrives (a 10,000-case
        tab is MBs of JSON: app/sheets/google_stream.py), each range's rows let go by its rule
        in `let_go`. The rare answer that escapes a UTF-16 surrogate is asked for again and
        decoded whole, as the json module reads it."""
        url = SPREADSHEET_VALUES_BATCH_URL % self.spreadsheet_id
        streamed = self._requests.call(
            "read", "values.batchGet", lambda: self._streamed_ranges(url, params, let_go)
        )
        if streamed is not None:
            return {"valueRanges": streamed}
        result: dict[str, Any] = self._requests.call(
            "read",
            "values.batchGet",
            lambda: decode_json(self._http.request("get", url, params=params).content),
        )
        for index, value_range in enumerate(result.get("valueRanges", [])):
            rows = value_range.get("values") or []
            rule = let_go[index] if index < len(let_go) else None
            if rule is not None:
                let_rows_go(rows, *rule)
            share_equal_texts(rows)  # as the streamed read does
        return result

    def _streamed_ranges(
        self, url: str, params: ParamsType, let_go: Sequence[RangeLetGo]
    ) -> list[dict[str, Any]] | None:
        # gspread's HTTPClient.request reads the whole body: its session streams it.
        response = self._http.session.request(
            "get", url, params=params, timeout=self._http.timeout, stream=True
        )
        with response:
            if not response.ok:
                raise APIError(response)  # (it reads the error's body)
            return value_ranges(response, let_go)

    def find_formulas(self, cells: Sequence[tuple[str, int, int]]) -> bool:
        """Look up which of `cells` (tab, 1-based row, col), blank as read, hold a formula, and
        recheck those found before (a person may have typed a value over one since). One
        values:batchGet with FORMULA rendering; nothing is sent when there is nothing to look
        at. True when what `read` reports changed."""
        wanted = {(tab, row - 1, col - 1) for tab, row, col in cells}
        wanted |= {(tab, r, c) for tab, found in self._formulas.items() for r, c in found}
        if not wanted:
            return False
        lookup = FormulaLookup(wanted)
        params: ParamsType = {
            "valueRenderOption": "FORMULA",
            "majorDimension": "COLUMNS",
            "ranges": lookup.ranges,
        }
        payload = self._values_batch_get(params)
        found = lookup.formulas(payload)
        changed = found != self._formulas
        self._formulas = found
        return changed

    def _metadata(self) -> dict[str, Any]:
        if self._meta is None:
            fetched: Mapping[str, Any] = self._requests.call(
                "read",
                "spreadsheets.get",
                lambda: self._http.fetch_sheet_metadata(
                    self.spreadsheet_id,
                    params={"includeGridData": "false", "fields": METADATA_FIELDS},
                ),
            )
            self._meta = dict(fetched)
        return self._meta

    # -- writing -------------------------------------------------------------------------------

    def write(
        self,
        updates: Sequence[Write],
        *,
        expect_version: str | None = None,
        reserve_rows: Mapping[str, int] | None = None,
    ) -> WriteResult:
        """Write every changed cell in one values:batchUpdate (RAW). When the cells reach past
        a tab's grid (the Timeline grows), or a cell carries its own number format (a Return
        Deadline with a time), the write is instead one spreadsheets.batchUpdate that grows the
        grid, formats and sets the cells together, so it still costs one call and is applied
        all-or-nothing. `expect_version` is ignored: the Sheets API has no conditional
        write; the engine's Computed For column and id read-back guard against a sort."""
        if not updates:
            return WriteResult(cells=0, api_calls=0)
        growth = grid_growth(self._metadata(), updates, reserve_rows or {})
        calls = 0
        if growth or any(u.own_format for u in updates):
            sheet_ids = {
                s["properties"]["title"]: s["properties"]["sheetId"]
                for s in self._metadata().get("sheets", [])
            }
            body = one_cell_body(updates, sheet_ids, MAX_BODY_BYTES)
            if body is not None:  # small (e.g. new ids): grow and set in one atomic call
                self._batch_update([*growth, *body], "write")
                return WriteResult(cells=cell_count(updates), api_calls=1)
            formats = format_requests(updates, sheet_ids)
            if growth or formats:  # too big for one call: grow and format first, then values
                self._batch_update([*growth, *formats], "write")
                calls += 1
        url = SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.spreadsheet_id
        bodies = value_bodies(updates)  # made one at a time, as each is sent
        while (data := next(bodies, None)) is not None:
            self._requests.call(
                "write",
                "values.batchUpdate",
                lambda data=data: self._http.request(  # type: ignore[misc]
                    "post", url, data=data, headers={"Content-Type": "application/json"}
                ),
            )
            calls += 1
            del data  # before the next body is made (2 MB each)
        return WriteResult(cells=cell_count(updates), api_calls=calls)

    # -- layout --------------------------------------------------------------------------------

    def apply_layout(self, layouts: Sequence[TabLayout]) -> int:
        meta = self._metadata()
        sheets = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
        used = [s["properties"]["sheetId"] for s in sheets.values()]
        requests_ = layout_requests(layouts, sheets, self._headers, max(used, default=0) + 1)
        if not requests_:
            return 0
        self._batch_update(requests_)
        for layout in layouts:
            header = self._headers.setdefault(layout.title, [])
            for column in layout.columns:
                while len(header) < column.index:
                    header.append(None)
                if header[column.index - 1] in (None, ""):
                    header[column.index - 1] = column.header
        return len(requests_)

    def _batch_update(self, requests_: list[dict[str, Any]], family: str = "layout") -> None:
        """One spreadsheets.batchUpdate; the updated metadata comes back in the same answer,
        so the cache stays current without another read."""
        body = {
            "requests": requests_,
            "includeSpreadsheetInResponse": True,
            "responseIncludeGridData": False,
        }
        reply: Mapping[str, Any] = self._requests.call(
            family,
            "spreadsheets.batchUpdate",
            lambda: self._http.batch_update(self.spreadsheet_id, body),
        )
        updated = reply.get("updatedSpreadsheet") if isinstance(reply, Mapping) else None
        self._meta = dict(updated) if isinstance(updated, Mapping) else None


def _session(credentials: Credentials) -> AuthorizedSession:
    return AuthorizedSession(credentials)  # type: ignore[no-untyped-call]
