"""What the Google backend asks of a quota governor: a slot per request, released when the
request ended. The interface lives here, beside the backend that uses it; the governors that
implement it (in one process, or shared through PostgreSQL) are app/service/quota.py and
app/service/quota_pg.py, a layer above.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

Kind = Literal["read", "write"]


@dataclass(slots=True)
class Grant:
    """One slot: granted at `at` on the governor's clock; `done_at` is set on release."""

    id: int
    user: str
    project: str
    kind: Kind
    at: float
    waited: float  # seconds the caller waited for it (0.0: granted on the first try)
    done_at: float | None = None


class QuotaGovernor(Protocol):
    """Hands out request slots under per-minute quotas (see app/service/quota.py)."""

    def acquire(self, user: str, project: str, kind: Kind) -> Grant:
        """Block until one request of `user` in `project` fits under every limit; raises
        QuotaExhaustedError (taking nothing) when that is more than the maximum wait away."""
        ...

    def release(self, grant: Grant) -> None:
        """The granted request ended (answered, failed or timed out)."""
        ...


@contextmanager
def quota_slot(
    governor: QuotaGovernor | None, user: str, project: str, kind: Kind
) -> Iterator[Grant | None]:
    """Hold a slot for the duration of one request (no governor: hold nothing)."""
    if governor is None:
        yield None
        return
    grant = governor.acquire(user, project, kind)
    try:
        yield grant
    finally:
        governor.release(grant)
