"""Many Google sheets on the emulator, recalculated by two service replicas at once, under a
quota the emulator enforces: the set-up, the load and the figures, shared by the scaled test
(tests/service/test_many_sheets.py, part of `make test`) and the full benchmark
(tests/bench/test_many_sheets.py, 1,000 sheets, `make bench`).

Each replica is a real `aftersales serve` process on one PostgreSQL schema, talking to the
emulator; replica A recalculates the sheets from the first, replica B from the last, several
at a time, so they meet and contend for the same sheets (by default both do every sheet;
`overlap` < 1 gives each a part, the parts overlapping in that share of the sheets). The
sheets are new (only a Cases tab: the first recalculation lays every tab out), or in use: one
sheet synced a day before, copied, so tonight's recalculation rewrites what a day changed.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from app.registry import SheetRegistry
from app.runtime import open_runtime
from app.settings import Settings
from app.store import Store
from sheet_schema import Owner
from tests.emulator.auth import ServiceAccount
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator
from tests.google.conftest import CASES, USER_KEYS, typed_row
from tests.service.conftest import PgSchema, Server, ServerFactory

USER_HEADERS = [c.header for c in CASES.columns if c.owner is Owner.USER]


@dataclass(frozen=True)
class Load:
    """How many sheets, the quota (the emulator's and the governor's), and how many
    recalculations each replica has in flight at once."""

    sheets: int
    per_user: int
    per_project: int
    window: float  # seconds
    in_flight: int  # per replica
    rows: int = 3  # cases per sheet
    governed: bool = True  # False: the replicas run without the quota governor
    in_use: bool = False  # True: copies of a sheet synced the day before; False: new sheets
    overlap: float = 1.0  # the share of the sheets both replicas recalculate


@dataclass
class Figures:
    sheets: int
    replicas: int
    per_user_limit: int
    per_project_limit: int
    window_s: float
    wall_s: float
    requests: int
    requests_by_kind: dict[str, int]
    answers_429: int
    other_errors: int
    peak_user_per_window: int
    peak_project_per_window: int
    requests_per_s: float
    runs: int
    sheets_recalculated: int
    joined_answers: int
    failed_answers: int
    overlapping_runs: int
    quota_waits: int
    quota_waited_s: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        rows = [
            ("sheets / replicas", f"{self.sheets} / {self.replicas}"),
            (
                "quota (user, project / window)",
                f"{self.per_user_limit}, {self.per_project_limit} / {self.window_s:g} s",
            ),
            ("wall time", f"{self.wall_s:.1f} s"),
            ("Google requests", f"{self.requests} ({self.requests_per_s:.1f}/s)"),
            (
                "peak in one window (user, project)",
                f"{self.peak_user_per_window}, {self.peak_project_per_window}",
            ),
            ("429 answers / other errors", f"{self.answers_429} / {self.other_errors}"),
            (
                "runs / sheets recalculated / joined",
                f"{self.runs} / {self.sheets_recalculated} / {self.joined_answers}",
            ),
            ("overlapping runs of one sheet", str(self.overlapping_runs)),
            ("requests that waited / waited", f"{self.quota_waits} / {self.quota_waited_s:.1f} s"),
        ]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def make_sheets(emulator: Emulator, account: ServiceAccount, load: Load) -> list[str]:
    """Spreadsheets shared with the service account, each a Cases tab with `rows` typed
    cases, made through the emulator's hooks (no API request, nothing logged)."""
    ids = []
    for n in range(load.sheets):
        sid = emulator.create_spreadsheet(f"Team {n}", shared_with={account.email: "writer"})
        rename = {"properties": {"sheetId": 0, "title": "Cases"}, "fields": "title"}
        emulator.edit_now(Edit.requests(sid, [{"updateSheetProperties": rename}]))
        rows = [[typed_row(n * 10 + r).get(k, "") for k in USER_KEYS] for r in range(load.rows)]
        emulator.set_values(sid, "'Cases'!A1", [USER_HEADERS, *rows])
        ids.append(sid)
    return ids


def sheets_in_use(
    emulator: Emulator, account: ServiceAccount, load: Load, workdir: Path
) -> list[str]:
    """One sheet synced a day ago (through the real backend, its own store), copied
    `load.sheets` times through the emulator's hook: sheets whose tabs are laid out and whose
    Days Left, SLA state, ... change tonight."""
    [template] = make_sheets(emulator, account, replace(load, sheets=1))
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{workdir}/template.db",  # type: ignore[arg-type]
        google_credentials=str(account.path),  # type: ignore[arg-type]
        google_api_override=emulator.base_url,
        workbook=workdir / "unused.xlsx",
    )
    runtime = open_runtime(settings, sheet=template)
    try:
        runtime.engine().sync(now=datetime.now(UTC) - timedelta(days=1), trigger="nightly")
    finally:
        runtime.store.close()
    return [emulator.copy_spreadsheet(template, f"Team {n}") for n in range(load.sheets)]


def register(schema: PgSchema, sheets: list[str]) -> None:
    with Store.open(schema.url) as store:
        registry = SheetRegistry(store)
        for sid in sheets:
            registry.add(sid, kind="google", location=sid)


def start_replicas(
    servers: ServerFactory,
    schema: PgSchema,
    emulator: Emulator,
    account: ServiceAccount,
    load: Load,
) -> list[Server]:
    """Two `aftersales serve` processes, scheduler off, governed by the emulator's quota."""
    env = {
        "AFTERSALES_SCHEDULER_ENABLED": "false",
        "AFTERSALES_GOOGLE_CREDENTIALS": str(account.path),
        "AFTERSALES_GOOGLE_API_OVERRIDE": emulator.base_url,
        "AFTERSALES_QUOTA__PER_USER": str(load.per_user),
        "AFTERSALES_QUOTA__PER_PROJECT": str(load.per_project),
        "AFTERSALES_QUOTA__WINDOW_SECONDS": str(load.window),
        "AFTERSALES_QUOTA__MAX_WAIT_SECONDS": "120",
        "AFTERSALES_QUOTA__ENABLED": "true" if load.governed else "false",
    }
    return servers(2, schema.url, env=env)


def shares(sheets: list[str], overlap: float) -> list[list[str]]:
    """Replica A's sheets from the first, replica B's from the last; `overlap` of them both."""
    cut = round(len(sheets) * (1 - overlap) / 2)
    return [sheets[: len(sheets) - cut], sheets[cut:][::-1]]


def recalculate_everything(replicas: list[Server], sheets: list[str], load: Load) -> list[Any]:
    """Each replica recalculates its share of the sheets (`load.in_flight` at a time), A from
    the first sheet and B from the last; returns every answer's JSON (or its error text)."""
    orders = shares(sheets, load.overlap)

    def one(server: Server, sheet: str) -> Any:
        try:
            response = server.signed("POST", f"/v1/sheets/{sheet}/recalculate", sheet=sheet)
        except httpx.HTTPError as exc:
            return {"error": repr(exc)}
        return response.json() if response.status_code == 200 else {"error": response.text}

    with ThreadPoolExecutor(max_workers=load.in_flight * len(replicas)) as pool:
        futures = [
            pool.submit(one, server, order[position])
            for position in range(max(len(o) for o in orders))
            for server, order in zip(replicas, orders, strict=True)
            if position < len(order)
        ]
        return [f.result() for f in futures]


def collect(
    emulator: Emulator,
    schema: PgSchema,
    replicas: list[Server],
    load: Load,
    answers: list[Any],
    wall: float,
) -> Figures:
    requests = emulator.requests()
    statuses = Counter(r.status for r in requests)
    peaks = emulator.quota_peaks()
    runs = _runs(schema)
    ok = {
        key for key, trigger, _, _, outcome in runs if trigger == "recalculate" and outcome == "ok"
    }
    waits, waited = _quota_waits(replicas)
    return Figures(
        sheets=load.sheets,
        replicas=len(replicas),
        per_user_limit=load.per_user,
        per_project_limit=load.per_project,
        window_s=load.window,
        wall_s=round(wall, 2),
        requests=len(requests),
        requests_by_kind=dict(Counter(r.kind for r in requests)),
        answers_429=statuses.get(429, 0),
        other_errors=sum(n for status, n in statuses.items() if status not in (200, 429)),
        peak_user_per_window=max((v for k, v in peaks.items() if k.startswith("user:")), default=0),
        peak_project_per_window=max(
            (v for k, v in peaks.items() if k.startswith("project:")), default=0
        ),
        requests_per_s=round(len(requests) / wall, 2) if wall else 0.0,
        runs=len(runs),
        sheets_recalculated=len(ok),
        joined_answers=sum(1 for a in answers if a.get("joined") is True),
        failed_answers=sum(1 for a in answers if "error" in a),
        overlapping_runs=_overlaps(runs),
        quota_waits=waits,
        quota_waited_s=round(waited, 2),
    )


Run = tuple[str, str, Any, Any, str | None]


def _runs(schema: PgSchema) -> list[Run]:
    with schema.connect() as conn:
        rows = conn.execute(
            "SELECT sheet_key, trigger, started_at, finished_at, outcome FROM runs"
        ).fetchall()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def _overlaps(runs: list[Run]) -> int:
    """Runs of a sheet that started before the sheet's previous run had finished."""
    by_sheet: dict[str, list[Run]] = {}
    for run in runs:
        by_sheet.setdefault(run[0], []).append(run)
    overlapping = 0
    for sheet_runs in by_sheet.values():
        sheet_runs.sort(key=lambda r: r[2])
        for before, after in itertools.pairwise(sheet_runs):
            if before[3] is None or after[2] < before[3]:
                overlapping += 1
    return overlapping


def _quota_waits(replicas: list[Server]) -> tuple[int, float]:
    """From each replica's /metrics: requests that waited for a quota slot (longer than a
    millisecond), and the seconds waited in all."""
    waits, waited = 0, 0.0
    for server in replicas:
        text = server.signed("GET", "/metrics").text
        for family in text_string_to_metric_families(text):
            if family.name != "aftersales_google_quota_wait_seconds":
                continue
            samples = {(s.name, s.labels.get("le")): s.value for s in family.samples}
            count = samples.get(("aftersales_google_quota_wait_seconds_count", None), 0.0)
            quick = samples.get(("aftersales_google_quota_wait_seconds_bucket", "0.001"), 0.0)
            waits += int(count - quick)
            waited += samples.get(("aftersales_google_quota_wait_seconds_sum", None), 0.0)
    return waits, waited


def run_many_sheets(
    emulator: Emulator,
    account: ServiceAccount,
    servers: ServerFactory,
    schema: PgSchema,
    load: Load,
    workdir: Path,
) -> Figures:
    """Set up `load.sheets` sheets, start two replicas, recalculate everything at both under
    the emulator's quota, and collect the figures."""
    if load.in_use:
        sheets = sheets_in_use(emulator, account, load, workdir)
    else:
        sheets = make_sheets(emulator, account, load)
    register(schema, sheets)
    replicas = start_replicas(servers, schema, emulator, account, load)
    emulator.clear_requests()
    emulator.set_quota(per_user=load.per_user, per_project=load.per_project, window=load.window)
    began = time.monotonic()
    answers = recalculate_everything(replicas, sheets, load)
    wall = time.monotonic() - began
    figures = collect(emulator, schema, replicas, load, answers, wall)
    emulator.set_quota()
    return figures
