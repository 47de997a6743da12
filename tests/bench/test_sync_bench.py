"""Sync benchmarks (run by `make bench`, never by `make test`): for 1,000, 10,000 and 50,000
cases, the workbook backend beside openpyxl's own load + save of the same file, and the Google
backend through the emulator beside a naive one-row-at-a-time gspread script (at 1,000 cases).

Each measured job runs in a fresh child process (tests/bench/child.py), so peak memory is the
job's own; the emulator runs here, in the parent. "first" is the sync of a sheet the service
has never seen (every service cell written), "second" the next one (the steady state: only
what changed is written). "own CPU" is the second sync's CPU times the share a profiled run
spent in app/, policies/ and sheet_schema/. Figures only: no timed assertions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bench.dataset import NOW, typed_rows, workbook_rows
from tests.bench.harness import publish, run_child, sizes
from tests.emulator.auth import ServiceAccount
from tests.emulator.edits import Edit
from tests.emulator.emulator import Emulator
from tests.workbooks import write_workbook

ROWS: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _publish_at_end() -> Iterator[None]:
    yield
    if ROWS:
        publish("sync", ROWS)


def _record(backend: str, cases: int, run: str, figures: dict[str, Any]) -> dict[str, Any]:
    row = {"backend": backend, "cases": cases, "run": run, **figures}
    ROWS.append(row)
    print(row)
    return row


def _runs(base: dict[str, Any], backend: str, cases: int) -> dict[str, Any]:
    """A first and a second sync in one process (as the service runs them), then the same two
    in another process with the second profiled, for the own-code share of its CPU."""
    figures = run_child({**base, "job": "sync", "runs": ["first", "second"]})
    first = _record(backend, cases, "first", figures["first"])
    second = _record(backend, cases, "second", figures["second"])
    if cases <= 10_000:
        again = {**base, "db": base["db"] + "-profiled", "job": "sync"}
        again["runs"], again["profile"] = ["first", "second"], ["second"]
        if backend == "workbook":  # a copy of the file as it was
            again["path"] = base["pristine"]
        profiled = run_child(again)
        second["own_cpu_s"] = round(second["cpu_s"] * profiled["second"]["own_share"], 3)
    return {"first": first, "second": second}


@pytest.mark.parametrize("cases", sizes())
def test_workbook_sync(tmp_path: Path, cases: int) -> None:
    """The workbook sync's time, memory and writes beside openpyxl's load + save."""
    path = write_workbook(tmp_path / "bench.xlsx", workbook_rows(cases))
    pristine = tmp_path / "pristine.xlsx"
    shutil.copyfile(path, pristine)
    base = {"backend": "workbook", "path": str(path), "db": f"sqlite:///{tmp_path}/s.db"}
    base |= {"now": NOW.isoformat(), "pristine": str(pristine)}
    runs = _runs(base, "workbook", cases)
    yardstick = run_child({"job": "openpyxl", "path": str(path), "copy": str(tmp_path / "c.xlsx")})
    _record("openpyxl load+save", cases, "-", yardstick)
    for row in runs.values():  # CPU, not wall: steady on a machine shared with other work
        row["vs_openpyxl"] = round(row["cpu_s"] / yardstick["cpu_s"], 2)


@pytest.fixture(scope="module")
def bench_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emu = Emulator().start()
    try:
        yield emu
    finally:
        emu.stop()


def _google_sheet(
    emu: Emulator, account: ServiceAccount, folder: Path, cases: int
) -> dict[str, Any]:
    """A spreadsheet laid out by `init` and holding `cases` typed rows."""
    from app.runtime import open_runtime
    from app.settings import Settings

    sheet_id = emu.create_spreadsheet("Bench", shared_with={account.email: "writer"})
    base = {
        "backend": "google",
        "sheet": sheet_id,
        "key": str(account.path),
        "api": emu.base_url,
        "db": f"sqlite:///{folder}/store-{sheet_id}.db",
        "now": NOW.isoformat(),
    }
    settings = Settings(
        environment="test",
        database_url=base["db"],
        google_credentials=base["key"],
        google_api_override=base["api"],
    )
    runtime = open_runtime(settings, sheet=sheet_id)
    runtime.initialise()
    runtime.store.close()
    tab = next(t for t in emu.spreadsheet(sheet_id).sheets if t.title == "Cases")
    have = int(tab.props["gridProperties"]["rowCount"])
    if cases + 1 > have:
        grow = {"sheetId": tab.sheet_id, "dimension": "ROWS", "length": cases + 1 - have}
        emu.edit_now(Edit.requests(sheet_id, [{"appendDimension": grow}]))
    rows = typed_rows(cases)
    for start in range(0, cases, 5_000):
        emu.set_values(sheet_id, f"'Cases'!A{start + 2}", rows[start : start + 5_000])
    return base


@pytest.mark.parametrize("cases", sizes())
def test_google_sync(bench_emulator: Emulator, tmp_path: Path, cases: int) -> None:
    """The Google sync's calls, bytes, time and memory; at 1,000 cases the naive script too."""
    account = bench_emulator.create_service_account(tmp_path / "account")
    base = _google_sheet(bench_emulator, account, tmp_path, cases)
    _runs(base, "google", cases)
    if cases == 1_000:
        naive = _google_sheet(bench_emulator, account, tmp_path, cases)
        _record("naive gspread, row by row", cases, "first", run_child({**naive, "job": "naive"}))
