"""A database outage is the same `StoreError` (503 `store_unavailable`, with Retry-After) from
every class that reads or writes the store's database, the sheet registry included."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.notify.outbox import Outbox
from app.registry import SheetRegistry
from app.service.quota import QuotaSettings
from app.service.quota_pg import PostgresQuotaGovernor
from app.store import Store, StoreError
from app.store.replay import StoreReplayCache

# Nothing listens on port 1: every connection attempt fails at once, as in an outage.
UNREACHABLE = "postgresql+psycopg://desk:hunter22@127.0.0.1:1/aftersales?connect_timeout=2"
NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store(UNREACHABLE)  # lazy: connects only when asked to do something
    yield store
    store.close()


def _calls(store: Store) -> dict[str, Callable[[], object]]:
    registry = SheetRegistry(store)
    outbox = Outbox(store.engine)
    governor = PostgresQuotaGovernor(store.engine, QuotaSettings())
    return {
        "registry.get": lambda: registry.get("shenzhen-desk"),
        "registry.key_version": lambda: registry.key_version("shenzhen-desk"),
        "registry.list": registry.list,
        "registry.add": lambda: registry.add(
            "shenzhen-desk", kind="workbook", location="/srv/售后.xlsx", allowed=["@agency.com"]
        ),
        "registry.rotate_key": lambda: registry.rotate_key("shenzhen-desk"),
        "registry.remove": lambda: registry.remove("shenzhen-desk"),
        "store.list_runs": lambda: store.list_runs("workbook:/srv/售后.xlsx"),
        "outbox.claim": lambda: outbox.claim(NOW, 10, timedelta(minutes=5)),
        "replay.check_and_remember": lambda: StoreReplayCache(store.engine).check_and_remember(
            "sig-1", expires_at=NOW.timestamp() + 300, now=NOW.timestamp()
        ),
        "quota.acquire": lambda: governor.acquire("lily@agency.com", "desk-project", "read"),
    }


@pytest.mark.parametrize(
    "call",
    [
        "registry.get",
        "registry.key_version",
        "registry.list",
        "registry.add",
        "registry.rotate_key",
        "registry.remove",
        "store.list_runs",
        "outbox.claim",
        "replay.check_and_remember",
        "quota.acquire",
    ],
)
def test_an_unreachable_database_is_503_store_unavailable_everywhere(
    store: Store, call: str
) -> None:
    """Each accessor turns a refused connection into StoreError: 503, store_unavailable, a
    Retry-After, the database named with its password masked."""
    with pytest.raises(StoreError) as raised:
        _calls(store)[call]()
    error = raised.value
    assert (error.status_code, error.code) == (503, "store_unavailable")
    assert error.retry_after is not None and error.retry_after > 0
    message = str(error)
    assert "hunter22" not in message
    assert "desk:***@127.0.0.1:1/aftersales" in message
