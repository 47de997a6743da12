"""HMAC replay protection with two replicas (real processes) on one PostgreSQL database."""

from __future__ import annotations

import time

import pytest

from app.auth import sign_request
from tests.service.conftest import PgSchema, ServerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


class ReplayAccepted(AssertionError):
    """The one failure the xfail below stands for (anything else is a real failure)."""


def test_a_signed_request_replayed_at_another_replica_is_refused(
    pg_schema: PgSchema, servers: ServerFactory, master_secret: str
) -> None:
    """A signed request accepted by replica A and replayed verbatim at replica B (same
    database) is refused by B as a replay, as it is by A."""
    a, b = servers(2, pg_schema.url, env={"AFTERSALES_SCHEDULER_ENABLED": "false"})
    headers = sign_request(master_secret, "GET", "/readyz", b"", int(time.time()))

    assert a.client.get("/readyz", headers=headers).status_code == 200
    replay_at_a = a.client.get("/readyz", headers=headers)
    assert replay_at_a.status_code == 401 and "replayed" in replay_at_a.text  # within one process
    replay_at_b = b.client.get("/readyz", headers=headers)
    if replay_at_b.status_code != 401:
        raise ReplayAccepted(f"replica B answered a replayed signature with {replay_at_b}")
