"""A saturated service answers at once with 429 `busy` or 503 `store_unavailable` and a
`Retry-After` header: past the bound on waiting presses, and when every pooled database
connection is taken; it never hangs on the pool nor names the pool's internals, and it serves
again once the burst is over."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.settings import Settings
from tests.api.conftest import api_settings
from tests.api.support import SHEET, Api, Clock, base_cases
from tests.auth.support import CertServer, SigningKey
from tests.service.conftest import wait_for
from tests.workbooks import write_workbook

WAIT = 60.0  # seconds a step may take on a loaded machine before it counts as hung
SYNC = f"/v1/sheets/{SHEET}/sync"

ApiFactory = Callable[..., Api]


@pytest.fixture
def make_api(
    tmp_path: Path, cert_server: CertServer, google_key: SigningKey
) -> Iterator[ApiFactory]:
    """The running app (sheet `desk` registered) with some settings given as the environment
    would give them, e.g. `database={"pool_size": 1}`."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> Api:
            base = api_settings(tmp_path, cert_server.url)
            given = {name: getattr(base, name) for name in base.model_fields_set}
            settings = Settings(**given, **overrides)
            clock = Clock()
            app = create_app(settings, clock=clock, start_scheduler=False)
            client = stack.enter_context(TestClient(app))
            api = Api(app=app, client=client, tmp=tmp_path, google_key=google_key, clock=clock)
            api.add_sheet(SHEET, write_workbook(tmp_path / "desk.xlsx", base_cases()))
            return api

        yield make


def retry_after(response: httpx.Response) -> int:
    value = response.headers.get("Retry-After")
    assert value is not None and value.isdigit(), response.headers
    return int(value)


def test_a_press_beyond_the_waiting_bound_gets_429_busy_with_retry_after(
    make_api: ApiFactory,
) -> None:
    """With one waiting press allowed, a second press while the first waits for the sheet is
    answered 429 `busy` with Retry-After at once (not after the sheet is free); the first press
    then syncs, and a press after the burst is served again."""
    api = make_api(syncs={"max_waiting": 1, "retry_after_seconds": 7})
    locks = api.context.coordinator.locks
    with ThreadPoolExecutor(2) as pool, ExitStack() as stack:
        # An undo (say) holds the sheet, so the first press waits for it.
        assert stack.enter_context(locks.hold(api.sheet_key(), wait=True))
        first = pool.submit(api.signed, "POST", SYNC)
        wait_for(lambda: api.context.coordinator.waiting() == 1, WAIT, what="first press")

        second = pool.submit(api.signed, "POST", SYNC).result(timeout=WAIT)
        assert second.status_code == 429, second.text
        assert second.json()["error"] == "busy"
        assert retry_after(second) == 7
        assert not first.done(), "the first press was answered while the sheet was held"
        stack.close()  # the undo ends
        answered = first.result(timeout=WAIT)
    assert answered.status_code == 200, answered.text
    assert answered.json()["joined"] is False and answered.json()["cells_written"] > 0
    assert len(api.context.store.list_runs(api.sheet_key())) == 1
    after = api.signed("POST", SYNC)
    assert after.status_code == 200, after.text
    assert api.context.coordinator.waiting() == 0


def test_a_full_database_pool_is_a_503_with_retry_after_not_a_pool_timeout(
    make_api: ApiFactory,
) -> None:
    """With a pool of one connection that something else holds, a press is answered 503
    `store_unavailable` with Retry-After, saying the service is busy without the pool's
    internals; once the connection is back, the press syncs."""
    api = make_api(database={"pool_size": 1, "max_overflow": 0, "pool_timeout_seconds": 1})
    with api.context.store.engine.connect():
        busy = api.signed("POST", SYNC)
    assert busy.status_code == 503, busy.text
    body = busy.json()
    assert body["error"] == "store_unavailable"
    assert "busy" in body["detail"] and "QueuePool" not in body["detail"], body
    assert retry_after(busy) >= 1
    served = api.signed("POST", SYNC)
    assert served.status_code == 200, served.text
