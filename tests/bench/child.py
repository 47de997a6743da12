"""One measured job in a fresh process, so peak memory is that job's alone.

``python -m tests.bench.child '<json>'`` prints one JSON line of figures. Jobs:
- ``sync``: one sync through the workbook or the Google backend (the emulator runs in the
  parent), with API calls and request bytes counted by a response hook on the session;
- ``openpyxl``: openpyxl's own load + save of the same file (the workbook's yardstick);
- ``naive``: what a team's first script does: read the sheet, then update one row at a time
  through gspread (the values are the ones our sync would write, from a dry run);
- ``floor``: one values:batchGet of the Cases tab, decoded: the least any sync can cost.
A sync job's ``status_edits`` ({run: n}) types n status changes into the sheet before that run.
With ``"profile": true`` the sync runs under cProfile and the figures add the share of CPU spent
in our own modules (app/, policies/, sheet_schema/).
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import json
import os
import pstats
import resource
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
OWN = tuple(str(REPO / name) + "/" for name in ("app", "policies", "sheet_schema"))


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries
    that over from the parent across fork + exec, so a child would report the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _reset_peak() -> None:
    """Start a new peak (VmHWM) from the current size, so each sync of a job reports its own
    (Linux 4.0+: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


class Traffic:
    """Requests and bytes sent, counted from each response's request."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes_sent = 0

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        body = response.request.body or b""
        self.requests += 1
        self.bytes_sent += len(body) + len(response.request.url or "")


def _settings(job: dict[str, Any]) -> Any:
    from app.settings import Settings

    extra: dict[str, Any] = {}
    if job["backend"] == "google":
        extra = {"google_credentials": job["key"], "google_api_override": job["api"]}
    else:
        extra = {"workbook": Path(job["path"])}
    return Settings(environment="test", database_url=job["db"], **extra)


def _own_share(profile: cProfile.Profile) -> float:
    stats = pstats.Stats(profile)
    total = own = 0.0
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        if filename.startswith(OWN):
            own += tottime
    return own / total if total else 0.0


def sync(job: dict[str, Any]) -> dict[str, Any]:
    """Sync as the service does: one engine (one backend, metadata cached) for every run."""
    from app.runtime import open_runtime

    runtime = open_runtime(_settings(job), sheet=job.get("sheet"))
    traffic = Traffic()
    engine = runtime.engine()
    session = getattr(getattr(engine.backend, "_http", None), "session", None)
    if session is not None:
        session.hooks["response"].append(traffic.hook)
    now = datetime.fromisoformat(job["now"]).replace(tzinfo=UTC)
    out: dict[str, Any] = {}
    for label in job["runs"]:
        if label in job.get("status_edits", {}):
            _edit_statuses(engine.backend, job["cases"], job["status_edits"][label])
        profile = cProfile.Profile() if label in job.get("profile", ()) else None
        calls = getattr(engine.backend, "calls", None)
        before = (calls.read, calls.write, calls.layout) if calls else (0, 0, 0)
        sent, requests_before = traffic.bytes_sent, traffic.requests
        gc.collect()
        _reset_peak()
        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        report = engine.sync(now=now, trigger="bench")
        if profile is not None:
            profile.disable()
        figures: dict[str, Any] = {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "peak_rss_mb": _peak_mb(),
            "cells_written": report.cells_written,
            "cases": report.cases,
        }
        # The service keeps a run's counts and notes, never its report (SyncResult): neither
        # does the bench, so the next sync's peak is not raised by this one's case results.
        del report
        if calls is not None and session is not None:
            figures.update(
                reads=calls.read - before[0],
                writes=calls.write - before[1],
                layout_calls=calls.layout - before[2],
                requests=traffic.requests - requests_before,
                bytes_sent=traffic.bytes_sent - sent,
            )
        if profile is not None:
            figures["own_share"] = round(_own_share(profile), 3)
            if job.get("profile_out"):  # for `python -m pstats` or snakeviz
                profile.dump_stats(f"{job['profile_out']}.{label}.pstats")
        out[label] = figures
    runtime.store.close()
    return out


def _edit_statuses(backend: Any, cases: int, edits: int) -> None:
    """A team's morning: `edits` cases spread over the sheet move to their next status, typed
    in one values:batchUpdate (USER_ENTERED, as the Sheets UI enters them), before the run."""
    from tests.bench.dataset import STATUSES, USER_KEYS, status_rows

    column = USER_KEYS.index("status") + 1
    letter = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letter = chr(65 + rem) + letter
    data = [
        {"range": f"'Cases'!{letter}{row}", "values": [[STATUSES[(row - 2 + 1) % len(STATUSES)]]]}
        for row in status_rows(cases, edits)
    ]
    body = {"valueInputOption": "USER_ENTERED", "data": data}
    backend._http.values_batch_update(backend.spreadsheet_id, body)


def floor(job: dict[str, Any]) -> dict[str, Any]:
    """The floor: this fresh process fetches the Cases tab in one values:batchGet and decodes
    it, as the plainest script would (requests + the json module; `decoder: orjson` for
    orjson), with a bearer token the parent got for it. `cpu_s` is the whole process's CPU
    (start-up and imports included: what the floor is); `fetch_cpu_s` the request and decode."""
    import json as stdlib_json

    loads = stdlib_json.loads
    if job.get("decoder") == "orjson":
        import orjson

        loads = orjson.loads
    url = f"{job['api']}/v4/spreadsheets/{job['sheet']}/values:batchGet"
    params = {
        "ranges": "'Cases'",
        "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER",
        "majorDimension": "ROWS",
    }
    wall, cpu = time.perf_counter(), time.process_time()
    headers = {"Authorization": f"Bearer {job['token']}"}
    response = requests.get(url, params=params, headers=headers, timeout=120)
    response.raise_for_status()
    payload = loads(response.content)
    fetch_cpu = time.process_time() - cpu
    return {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(sum(os.times()[:2]), 3),
        "fetch_cpu_s": round(fetch_cpu, 3),
        "peak_rss_mb": _peak_mb(),
        "cases": len(payload["valueRanges"][0]["values"]) - 1,
        "bytes_received": len(response.content),
    }


def load_save(job: dict[str, Any]) -> dict[str, Any]:
    import openpyxl

    wall, cpu = time.perf_counter(), time.process_time()
    book = openpyxl.load_workbook(job["path"])
    book.save(job["copy"])
    return {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "peak_rss_mb": _peak_mb(),
    }


def naive(job: dict[str, Any]) -> dict[str, Any]:
    """Read everything, then one `worksheet.update` per changed row: a first script."""
    import gspread
    from google.oauth2.service_account import Credentials

    from app.runtime import open_runtime
    from app.sheets.google import SCOPES
    from app.sheets.redirect import redirected_session
    from sheet_schema.cells import to_serial

    runtime = open_runtime(_settings(job), sheet=job["sheet"])
    now = datetime.fromisoformat(job["now"]).replace(tzinfo=UTC)
    prepared = runtime.engine().prepare(now, 0)  # the cells our sync would write
    updates = [u for u in prepared.updates if u.tab == "Cases"]
    credentials = Credentials.from_service_account_file(job["key"], scopes=SCOPES)
    session = redirected_session(credentials, job["api"])
    traffic = Traffic()
    session.hooks["response"].append(traffic.hook)
    wall, cpu = time.perf_counter(), time.process_time()
    client = gspread.Client(credentials, session=session)
    sheet = client.open_by_key(job["sheet"]).worksheet("Cases")
    sheet.get_all_values()
    by_row: dict[int, dict[int, Any]] = defaultdict(dict)
    for update in updates:
        value = update.value
        by_row[update.row][update.col] = to_serial(value) if isinstance(value, date) else value
    for row, cells in sorted(by_row.items()):
        first, last = min(cells), max(cells)
        values = [[cells.get(c, "") for c in range(first, last + 1)]]
        start = gspread.utils.rowcol_to_a1(row, first)
        end = gspread.utils.rowcol_to_a1(row, last)
        sheet.update(values, f"{start}:{end}", value_input_option="RAW")
    figures = {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "peak_rss_mb": _peak_mb(),
        "requests": traffic.requests,
        "bytes_sent": traffic.bytes_sent,
        "rows_updated": len(by_row),
    }
    runtime.store.close()
    return figures


JOBS = {"sync": sync, "openpyxl": load_save, "naive": naive, "floor": floor}

if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    print(json.dumps(JOBS[job["job"]](job)))
