"""One contract for both quota governors: the in-process one (a single replica) and the
PostgreSQL one, where each "replica" is a governor on its own engine sharing one schema.

Times are the governors' own (the database clock for PostgreSQL), read from the grants, so the
checks are about order and counts, never about how long anything took.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from app.errors import QuotaExhaustedError
from app.service.quota import Grant, LocalQuotaGovernor, QuotaGovernor, QuotaSettings
from app.service.quota_pg import DB_NOW, SLOTS, PostgresQuotaGovernor
from app.store import Store
from tests.service.conftest import PgSchema

Replicas = Callable[..., list[QuotaGovernor]]


@pytest.fixture(
    params=[
        pytest.param("local", id="local"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def replicas(request: pytest.FixtureRequest) -> Iterator[Replicas]:
    """`replicas(n, **limits)`: n governors that must share the quota. In-process, one
    governor serves the whole process; on PostgreSQL each has its own engine (and pool)."""
    stores: list[Store] = []

    def make(n: int = 1, **limits: Any) -> list[QuotaGovernor]:
        settings = QuotaSettings(**limits)
        if request.param == "local":
            return [LocalQuotaGovernor(settings)] * n
        url = request.getfixturevalue("pg_schema").url
        stores.extend(Store.open(url) for _ in range(n))
        return [PostgresQuotaGovernor(s.engine, settings) for s in stores[-n:]]

    yield make
    for store in stores:
        store.close()


def test_requests_under_the_limits_go_at_once(replicas: Replicas) -> None:
    """As many requests as the user's limit are granted without waiting, in order; a release
    records when the request ended."""
    [governor] = replicas(per_user=3, per_project=10)
    grants = [governor.acquire("sa@p", "p", "read") for _ in range(3)]
    for grant in grants:
        governor.release(grant)
    assert [g.waited for g in grants] == [0.0, 0.0, 0.0]
    assert [g.at for g in grants] == sorted(g.at for g in grants)
    assert all(g.done_at is not None and g.done_at >= g.at for g in grants)


def test_one_more_waits_until_an_earlier_request_has_ended_a_window_ago(
    replicas: Replicas,
) -> None:
    """The third request of a user allowed two per window is granted only once one of the
    first two ended a whole window before, and says it waited."""
    [governor] = replicas(per_user=2, per_project=10, window_seconds=0.3)
    first = [governor.acquire("sa@p", "p", "read") for _ in range(2)]
    for grant in first:
        governor.release(grant)
    third = governor.acquire("sa@p", "p", "write")
    governor.release(third)
    earliest_end = min(g.done_at for g in first if g.done_at is not None)
    assert third.at >= earliest_end + 0.3
    assert third.waited > 0.0


def test_the_project_limit_spans_users_and_other_projects_are_free(replicas: Replicas) -> None:
    """Two users filling their project's limit hold back a third request of either, although
    each is under its own limit; a user of another project is not held."""
    a, b = replicas(2, per_user=2, per_project=3, window_seconds=30, max_wait_seconds=0)
    a.acquire("one@p", "p", "read")
    a.acquire("one@p", "p", "read")
    b.acquire("two@p", "p", "read")
    with pytest.raises(QuotaExhaustedError):
        b.acquire("two@p", "p", "read")
    assert a.acquire("three@q", "q", "read").waited == 0.0


def test_a_request_in_flight_keeps_its_slot_for_a_window_after_it_ends(
    replicas: Replicas,
) -> None:
    """With one request allowed, a request in flight holds the slot: another replica is
    refused (no slot can free within its maximum wait) before and right after the release."""
    a, b = replicas(2, per_user=1, per_project=1, window_seconds=30, max_wait_seconds=1)
    held = a.acquire("sa@p", "p", "write")
    with pytest.raises(QuotaExhaustedError):
        b.acquire("sa@p", "p", "read")
    a.release(held)
    with pytest.raises(QuotaExhaustedError):
        b.acquire("sa@p", "p", "read")


def test_reads_and_writes_can_be_counted_apart(replicas: Replicas) -> None:
    """With split_reads_writes a read and a write each fit under a limit of one; a second
    read does not."""
    [governor] = replicas(
        per_user=1, per_project=1, window_seconds=30, split_reads_writes=True, max_wait_seconds=0
    )
    governor.acquire("sa@p", "p", "read")
    governor.acquire("sa@p", "p", "write")
    with pytest.raises(QuotaExhaustedError):
        governor.acquire("sa@p", "p", "read")


def test_a_slot_never_released_stops_counting_after_its_lease(replicas: Replicas) -> None:
    """A holder that died never releases its slot; the next request is granted once the
    slot's lease and one window have passed."""
    a, b = replicas(2, per_user=1, per_project=1, window_seconds=0.2, lease_seconds=0.3)
    lost = a.acquire("sa@p", "p", "read")  # never released
    later = b.acquire("sa@p", "p", "read")
    assert later.at >= lost.at + 0.5


def test_threads_of_two_replicas_never_exceed_a_limit(replicas: Replicas) -> None:
    """Six threads on two replicas, two users of one project, 48 requests: every request is
    granted, and at each grant fewer than the limit of earlier ones still counted (granted
    before it and not yet ended a window before it), per user and per project."""
    window, per_user, per_project = 0.25, 4, 6
    governors = replicas(2, per_user=per_user, per_project=per_project, window_seconds=window)
    grants: list[Grant] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def work(n: int) -> None:
        governor, user = governors[n % 2], f"user{n % 2}@p"
        try:
            for _ in range(8):
                grant = governor.acquire(user, "p", "read")
                time.sleep(0.005)  # the request itself
                governor.release(grant)
                with guard:
                    grants.append(grant)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(grants) == 48

    def counted(g: Grant, scope: list[Grant]) -> int:
        return sum(1 for h in scope if h.id < g.id and h.done_at and g.at < h.done_at + window)

    for user in ("user0@p", "user1@p"):
        mine = [g for g in grants if g.user == user]
        assert max(counted(g, mine) for g in mine) < per_user
    assert max(counted(g, grants) for g in grants) < per_project
    assert any(g.waited > 0 for g in grants)  # the limits did bind


@pytest.mark.postgres
def test_slots_that_stopped_counting_are_pruned(pg_schema: PgSchema) -> None:
    """Each attempt deletes the slots that no longer count (ended a window ago, or in flight
    past their lease), so the shared table stays as small as the quota."""
    store = Store.open(pg_schema.url)
    settings = QuotaSettings(per_user=10, per_project=10, window_seconds=60, lease_seconds=120)
    governor = PostgresQuotaGovernor(store.engine, settings)
    with governor.engine.begin() as conn:
        now = float(conn.execute(select(DB_NOW)).scalar_one())
        old = {"principal": "sa@p", "project": "p", "kind": "read"}
        conn.execute(
            insert(SLOTS),
            [
                {**old, "granted_at": now - 100, "done_at": now - 90},  # over a window ago
                {**old, "granted_at": now - 200, "done_at": None},  # holder died long ago
                {**old, "granted_at": now - 30, "done_at": now - 29},  # still counts
                {**old, "granted_at": now - 5, "done_at": None},  # in flight
            ],
        )
    governor.acquire("sa@p", "p", "read")
    with governor.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(SLOTS)).scalar_one()
    store.close()
    assert left == 3
