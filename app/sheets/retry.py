"""Bounded retries with exponential backoff and full jitter for Google API calls.

Why our own: gspread's BackOffHTTPClient is marked not production-ready and gives up on a 429
whose body is not JSON. This retries 429, 5xx, timeouts and dropped connections, never longer
than the budget, and never sleeps past it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRIABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6  # tries in all, the first included
    base_delay: float = 0.5  # seconds before the first retry (before jitter)
    max_delay: float = 16.0
    budget: float = 60.0  # seconds from the first try after which no retry starts
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, retry: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**retry)]."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * (2**retry)))
