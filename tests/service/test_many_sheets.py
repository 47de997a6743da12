"""Scale and endurance, scaled down: 30 new Google sheets on the emulator, two replicas (real
`aftersales serve` processes on one PostgreSQL schema) both recalculating every sheet, the
emulator enforcing a quota of a few seconds' window. The full run (1,000 sheets) is
tests/bench/test_many_sheets.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator
from tests.service.conftest import PgSchema, ServerFactory
from tests.service.many_sheets import Load, run_many_sheets

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# The emulator's quota, and the governor's: 15 requests per user and 20 per project every 2 s,
# i.e. at most 7.5 requests a second, well below what two replicas with 4 recalculations in
# flight each would send (so the limit binds and the governor has to hold requests back).
LOAD = Load(sheets=30, per_user=15, per_project=20, window=2.0, in_flight=4)


def test_two_replicas_recalculate_thirty_sheets_under_the_quota(
    emulator: Emulator,
    service_account: ServiceAccount,
    servers: ServerFactory,
    pg_schema: PgSchema,
    tmp_path: Path,
) -> None:
    """Every sheet gets a successful full recalculation; Google (the emulator) answers no
    429 and counts no more requests in one window than the quota; no two runs of one sheet
    overlap; and the governor did have to hold requests back."""
    figures = run_many_sheets(emulator, service_account, servers, pg_schema, LOAD, tmp_path)
    print(f"\n{figures.table()}")

    assert figures.failed_answers == 0
    assert figures.sheets_recalculated == LOAD.sheets
    assert figures.answers_429 == 0 and figures.other_errors == 0
    assert figures.peak_user_per_window <= LOAD.per_user
    assert figures.peak_project_per_window <= LOAD.per_project
    assert figures.overlapping_runs == 0
    assert figures.runs >= LOAD.sheets
    assert figures.quota_waits > 0
