"""Scale and endurance in full (run by `make bench`, never by `make test`): the nightly
recalculation of 1,000 Google sheets on the emulator by two replicas (real `aftersales serve`
processes on one PostgreSQL schema), the emulator enforcing the quota, scaled to a 2-second
window; and, for comparison, 200 sheets under the same quota with the governor switched off.

The sheets are in use (copies of one sheet synced the day before, so tonight's recalculation
rewrites what a day changed). Replica A works from the first sheet, B from the last, four at a
time each; their shares overlap in a fifth of the sheets, which both recalculate. Prints a
table and writes JSON to tests/bench/results/many_sheets.json. The governed run's correctness
is asserted (every sheet recalculated, no 429, no overlapping runs of a sheet); nothing timed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator
from tests.service import conftest as service_fixtures
from tests.service.conftest import PgSchema, ServerFactory
from tests.service.many_sheets import Load, run_many_sheets

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Borrowed fixtures: private PostgreSQL schemas and `aftersales serve` processes.
make_pg_schema = service_fixtures.make_pg_schema
pg_schema = service_fixtures.pg_schema
master_secret = service_fixtures.master_secret
servers = service_fixtures.servers

RESULTS = Path(__file__).with_name("results")


def _load(sheets: int, *, governed: bool) -> Load:
    """The bench's quota (32 requests per user, 48 per project every 2 s: at most 16 a
    second) and shape (in use, four in flight per replica, a fifth of the sheets shared)."""
    return Load(
        sheets=sheets,
        per_user=32,
        per_project=48,
        window=2.0,
        in_flight=4,
        in_use=True,
        overlap=0.2,
        governed=governed,
    )


LOADS = {"governed": _load(1_000, governed=True), "ungoverned": _load(200, governed=False)}
ROWS: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module", autouse=True)
def _publish_at_end() -> Iterator[None]:
    yield
    if ROWS:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "many_sheets.json").write_text(json.dumps(ROWS, indent=2) + "\n")


@pytest.mark.parametrize("label", list(LOADS))
def test_nightly_recalculation_of_many_sheets_by_two_replicas(
    label: str,
    emulator: Emulator,
    service_account: ServiceAccount,
    servers: ServerFactory,
    pg_schema: PgSchema,
    tmp_path: Path,
) -> None:
    """Figures of one run; the governed one must recalculate every sheet with no 429 and no
    two runs of a sheet at once."""
    load = LOADS[label]
    figures = run_many_sheets(emulator, service_account, servers, pg_schema, load, tmp_path)
    ROWS[label] = figures.as_json()
    print(f"\n{label}\n{figures.table()}")
    if load.governed:
        assert figures.failed_answers == 0
        assert figures.sheets_recalculated == load.sheets
        assert figures.answers_429 == 0 and figures.other_errors == 0
        assert figures.peak_user_per_window <= load.per_user
        assert figures.overlapping_runs == 0
