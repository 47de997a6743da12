"""Fixtures: the notification peers (a webhook receiver and an SMTP server, as in tests/notify),
the store on SQLite and PostgreSQL (as in tests/store), and the control runs, played once per
test process and backend because every kill is compared with the same uninterrupted sync."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.crash.harness import Peers
from tests.crash.observe import Control, Played
from tests.crash.scenario import LEASE_SECONDS
from tests.notify.conftest import (  # noqa: F401
    MailReceiver,
    WebhookReceiver,
    _webhook_server,
    smtp_server,
    webhook,
)
from tests.store.conftest import postgres_schema_url, store_url  # noqa: F401


@pytest.fixture
def peers(webhook: WebhookReceiver, smtp_server: MailReceiver) -> Peers:  # noqa: F811
    return Peers(webhook, smtp_server, LEASE_SECONDS)


@pytest.fixture(scope="session")
def _controls() -> dict[str, Played]:
    return {}


@pytest.fixture
def control(_controls: dict[str, Played]) -> Control:
    """The control for a backend: played by `make` the first time, then remembered."""

    def get(backend: str, make: Callable[[], Played]) -> Played:
        if backend not in _controls:
            _controls[backend] = make()
        return _controls[backend]

    return get
