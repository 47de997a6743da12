"""Presses that wait for a sheet another replica holds keep no pooled connection while they
wait: on a pool of one connection, several waiters leave it free for everything else, and each
gets its sheet once the other replica lets go."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from app.service.locks import PostgresLocks, lock_key
from tests.service.conftest import PgSchema, wait_for

pytestmark = pytest.mark.postgres

WAIT = 60.0  # seconds a step may take on a loaded machine before it counts as hung
SHEETS = [f"google:1Qx-售后-{n}" for n in range(4)]


@pytest.fixture
def one_connection_engine(pg_schema: PgSchema) -> Iterator[Engine]:
    """A real engine whose pool has a single connection (no overflow)."""
    engine = create_engine(
        make_url(pg_schema.url).set(drivername="postgresql+psycopg"),
        pool_size=1,
        max_overflow=0,
        pool_timeout=WAIT,
    )
    yield engine
    engine.dispose()


def polls_seen(schema: PgSchema) -> int:
    """Connections of the schema whose last statement was a try for an advisory lock."""
    with schema.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND query LIKE %s AND pid <> pg_backend_pid()",
            (schema.name, "%pg_try_advisory_lock%"),
        ).fetchone()
    return int(row[0]) if row else 0


def test_waiters_for_locked_sheets_leave_a_one_connection_pool_free(
    pg_schema: PgSchema, one_connection_engine: Engine
) -> None:
    """Four presses wait for four sheets another replica holds, on a pool of one connection:
    meanwhile ten queries on that pool succeed, and once the replica lets go each press
    gets its sheet."""
    other_replica = pg_schema.connect()
    for sheet in SHEETS:
        other_replica.execute("SELECT pg_advisory_lock(%s)", (lock_key(sheet),))
    locks = PostgresLocks(one_connection_engine, poll_seconds=0.05)
    outcomes: dict[str, bool] = {}

    def press(sheet: str) -> None:
        with locks.hold(sheet, wait=True, timeout=WAIT) as held:
            outcomes[sheet] = held

    threads = [threading.Thread(target=press, args=(s,), daemon=True) for s in SHEETS]
    with ExitStack() as cleanup:
        cleanup.callback(other_replica.close)
        for thread in threads:
            thread.start()
        wait_for(lambda: polls_seen(pg_schema) >= 1, WAIT, what="a waiter trying a lock")

        for _ in range(10):
            with one_connection_engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
        assert outcomes == {}, "a press got a sheet the other replica still holds"

        other_replica.execute("SELECT pg_advisory_unlock_all()")
        for thread in threads:
            thread.join(WAIT)
            assert not thread.is_alive(), "a press never got its sheet"
    assert outcomes == dict.fromkeys(SHEETS, True)
