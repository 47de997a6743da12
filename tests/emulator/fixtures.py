"""pytest plugin: ``pytest_plugins = ["tests.emulator.fixtures"]``.

* ``sheets_emulator`` (session): one emulator per test session (per xdist worker) on a free
  loopback port, in a background thread.
* ``emulator`` (function): the same emulator, reset before the test (keys survive).
* ``service_account`` (session): a generated test service account registered with the
  emulator; its JSON key file has ``token_uri`` pointing at the emulator.
* ``gspread_client`` (function): a ``gspread.Client`` for ``service_account`` over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .auth import ServiceAccount
from .client import gspread_client as make_gspread_client
from .emulator import Emulator

if TYPE_CHECKING:
    import gspread


@pytest.fixture(scope="session")
def sheets_emulator() -> Iterator[Emulator]:
    """A running emulator shared by the whole session."""
    emu = Emulator().start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="session")
def service_account(
    sheets_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> ServiceAccount:
    """A test service account whose public key the emulator trusts."""
    return sheets_emulator.create_service_account(tmp_path_factory.mktemp("service-account"))


@pytest.fixture
def emulator(sheets_emulator: Emulator, service_account: ServiceAccount) -> Iterator[Emulator]:
    """The session emulator, reset for this test."""
    sheets_emulator.reset()
    yield sheets_emulator
    bugs = sheets_emulator.internal_errors
    sheets_emulator.reset()
    if bugs:
        pytest.fail("the Sheets emulator failed internally:\n" + "\n".join(bugs))


@pytest.fixture
def gspread_client(emulator: Emulator, service_account: ServiceAccount) -> gspread.Client:
    """A gspread client authenticated as ``service_account``, talking to ``emulator``."""
    return make_gspread_client(emulator, service_account)
