"""The quota governor's rule (`decide`) and waiting loop, on an injected clock: who may send
now, how long a caller sleeps, when it gives up. The shared behaviour of the local and the
PostgreSQL governor is in test_quota_contract.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import BackendUnavailableError, QuotaExhaustedError
from app.service.quota import (
    LocalQuotaGovernor,
    QuotaSettings,
    Slot,
    decide,
    governor_for,
    quota_slot,
)
from app.service.quota_pg import PostgresQuotaGovernor
from app.settings import Settings
from app.store import Store
from tests.service.conftest import PgSchema

SA = "desk@aftersales.iam.gserviceaccount.com"
LIMITS = QuotaSettings(per_user=3, per_project=5, window_seconds=60.0, lease_seconds=120.0)


class FakeTime:
    """A clock that only moves when the governor sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def done(at: float, ended: float | None, user: str = SA, project: str = "p") -> Slot:
    return Slot(user, project, "read", at, ended)


def test_a_request_under_every_limit_may_go_now() -> None:
    """Two finished requests of three allowed per user: a third may go at once."""
    slots = [done(10.0, 10.5), done(11.0, 11.2)]
    assert decide(slots, SA, "p", "read", 20.0, LIMITS) is None


def test_a_full_user_waits_until_its_oldest_request_left_the_window() -> None:
    """Three requests of three: the next one may go one window after the earliest ended."""
    slots = [done(10.0, 12.0), done(11.0, 11.5), done(13.0, 13.1)]
    assert decide(slots, SA, "p", "read", 20.0, LIMITS) == 11.5 + 60.0


def test_a_request_in_flight_counts_at_least_one_more_window() -> None:
    """A request still in flight may end any moment: it frees no sooner than a window from
    now, and a finished request that left the window no longer counts."""
    slots = [done(10.0, None), done(11.0, None), done(12.0, None), done(0.0, 1.0)]
    assert decide(slots, SA, "p", "read", 70.0, LIMITS) == 70.0 + 60.0


def test_a_request_never_reported_finished_stops_counting_after_its_lease() -> None:
    """A holder that died never releases: its slot counts until lease + window after grant."""
    slots = [done(0.0, None), done(1.0, None), done(2.0, None)]
    assert decide(slots, SA, "p", "read", 179.0, LIMITS) == 180.0
    assert decide(slots, SA, "p", "read", 180.0, LIMITS) is None


def test_the_project_limit_holds_a_user_under_its_own_limit() -> None:
    """Five requests in the project by two users: a third user waits for the project."""
    slots = [done(1.0, 2.0, "a")] * 3 + [done(3.0, 4.0, "b"), done(5.0, 6.0, "b")]
    assert decide(slots, "c", "p", "read", 10.0, LIMITS) == 2.0 + 60.0
    assert decide(slots, "c", "other-project", "read", 10.0, LIMITS) is None


def test_split_reads_and_writes_count_apart() -> None:
    """With reads and writes split, three reads fill the reads' quota, not the writes'."""
    split = LIMITS.model_copy(update={"split_reads_writes": True})
    reads = [done(1.0, 2.0)] * 3
    assert decide(reads, SA, "p", "write", 10.0, split) is None
    assert decide(reads, SA, "p", "read", 10.0, split) == 62.0
    assert decide(reads, SA, "p", "write", 10.0, LIMITS) == 62.0


def test_the_local_governor_sleeps_exactly_until_a_slot_frees() -> None:
    """The fourth request of a user in one window sleeps until the first one has been over
    for a window (one sleep, no polling), and the wait is reported."""
    fake = FakeTime()
    waits: list[float] = []
    governor = LocalQuotaGovernor(LIMITS, clock=fake, sleep=fake.sleep, observe=waits.append)
    grants = []
    for _ in range(3):
        with quota_slot(governor, SA, "p", "read") as grant:
            fake.now += 0.25  # the request takes a quarter of a second
        grants.append(grant)
    assert [g.waited if g else None for g in grants] == [0.0, 0.0, 0.0]

    fourth = governor.acquire(SA, "p", "read")
    first = grants[0]
    assert first is not None and first.done_at == 1_000.25
    assert fake.slept == [pytest.approx(1_000.25 + 60.0 - 1_000.75)]
    assert fourth.at == pytest.approx(1_060.25)
    assert waits == [0.0, 0.0, 0.0, pytest.approx(59.5)]


def test_a_wait_longer_than_the_maximum_is_refused_at_once() -> None:
    """When no slot can free within max_wait_seconds the caller gets QuotaExhaustedError at
    once (a 503, naming the limits), nothing is taken and nothing slept."""
    fake = FakeTime()
    governor = LocalQuotaGovernor(
        LIMITS.model_copy(update={"max_wait_seconds": 30.0}), clock=fake, sleep=fake.sleep
    )
    for _ in range(3):
        governor.release(governor.acquire(SA, "p", "write"))
    with pytest.raises(QuotaExhaustedError) as refused:
        governor.acquire(SA, "p", "write")
    assert isinstance(refused.value, BackendUnavailableError)
    assert (refused.value.status_code, refused.value.code) == (503, "quota_exhausted")
    assert "3 per user and 5 per project every 60 s" in refused.value.message
    assert fake.slept == [] and governor.live_slots() == 3


def test_the_governor_comes_from_the_store_and_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AFTERSALES_QUOTA__* set the limits; SQLite gets the in-process governor, PostgreSQL the
    shared one, and `enabled=false` none."""
    monkeypatch.setenv("AFTERSALES_QUOTA__PER_USER", "40")
    monkeypatch.setenv("AFTERSALES_QUOTA__WINDOW_SECONDS", "30")
    quota = Settings(_env_file=None).quota  # type: ignore[call-arg]
    assert (quota.per_project, quota.per_user, quota.window_seconds) == (300, 40, 30.0)
    with Store.open(f"sqlite:///{tmp_path}/s.db") as store:
        assert isinstance(governor_for(store.engine, quota), LocalQuotaGovernor)
        off = quota.model_copy(update={"enabled": False})
        assert governor_for(store.engine, off) is None


@pytest.mark.postgres
def test_postgresql_stores_get_the_shared_governor(pg_schema: PgSchema) -> None:
    """A PostgreSQL store gets the governor whose slots live in the database."""
    with Store.open(pg_schema.url) as store:
        assert isinstance(governor_for(store.engine, QuotaSettings()), PostgresQuotaGovernor)
