"""Delivering due outbox messages: working hours, retries with backoff, exactly-once marking.

`deliver_due` is called by the scheduler (e.g. every minute) and after each sync:

- outside the team's working hours nothing is sent: due messages stay queued (`deferred`);
- each due message is claimed (attempt counted, leased), sent through its channel and marked
  sent only after the channel confirmed it (2xx / SMTP accept);
- a failure that can pass (5xx, 408, 429, timeouts, connection errors) is retried after an
  exponential backoff with jitter (at least the receiver's Retry-After), until `max_attempts`;
  a permanent one (other 4xx, a refused recipient) fails the message at once; failed messages
  are kept, never deleted;
- a crash after the receiver got a message but before it was marked sent leaves it claimed;
  when the lease runs out it is sent again with the same idempotency key, so the receiver can
  drop the repeat.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.notify.channels import Channel, SendError
from app.notify.messages import OutboxRecord
from app.notify.outbox import Outbox
from app.notify.settings import NotifySettings
from app.probe import CLAIMED, SENT, Probe, no_probe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: base, 2*base, 4*base, ... capped at `maximum`, each
    shortened by up to `jitter` (a fraction) at random; give up after `max_attempts`."""

    base: timedelta = timedelta(minutes=1)
    maximum: timedelta = timedelta(hours=6)
    jitter: float = 0.2
    max_attempts: int = 10
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: NotifySettings, rng: random.Random | None = None) -> Backoff:
        return cls(
            base=timedelta(seconds=settings.backoff_base_seconds),
            maximum=timedelta(seconds=settings.backoff_max_seconds),
            jitter=settings.backoff_jitter,
            max_attempts=settings.max_attempts,
            rng=rng or random.Random(),
        )

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        exponent = min(max(attempts - 1, 0), 30)
        raw = min(self.base * (1 << exponent), self.maximum)
        if self.jitter:
            raw = raw * (1 - self.jitter * self.rng.random())
        return raw


@dataclass
class DeliveryReport:
    """What one `deliver_due` call did."""

    deferred: int = 0  # due, but outside working hours: left queued
    attempted: int = 0
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again
    failed: int = 0  # given up (permanent error or attempts used up)
    sent_keys: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (idempotency key, error)


def deliver_due(
    outbox: Outbox,
    channels: Mapping[str, Channel],
    now: datetime,
    is_working_time: Callable[[datetime], bool],
    backoff: Backoff,
    *,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=5),
    clock: Callable[[], datetime] | None = None,
    probe: Probe | None = None,
) -> DeliveryReport:
    """Send up to `limit` due messages now, if `now` is working time.

    `channels` maps a message's `channel` to the channel that sends it. `clock` gives the
    current time for leases and records when sends take a while (default: always `now`).
    Exceptions other than `Exception` (a crash, KeyboardInterrupt) propagate, leaving the
    message claimed: it is retried, with the same key, after the lease. `probe` is told each
    message's "claimed" and "sent" steps (app/probe.py; the crash tests kill there).
    """
    report = DeliveryReport()
    if not is_working_time(now):
        report.deferred = len(outbox.due(now, limit))
        return report
    current = clock or (lambda: now)
    for _ in range(limit):
        batch = outbox.claim(current(), 1, lease)
        if not batch:
            break
        _deliver_one(outbox, channels, batch[0], backoff, current, report, probe or no_probe)
    return report


def _deliver_one(
    outbox: Outbox,
    channels: Mapping[str, Channel],
    message: OutboxRecord,
    backoff: Backoff,
    current: Callable[[], datetime],
    report: DeliveryReport,
    probe: Probe,
) -> None:
    report.attempted += 1
    probe(CLAIMED)
    channel = channels.get(message.channel)
    try:
        if channel is None:
            raise SendError(f"channel {message.channel!r} is not configured", permanent=False)
        channel.send(message)
    except SendError as exc:
        _failed(outbox, message, exc, backoff, current(), report)
        return
    except Exception as exc:  # a bug in a channel must not stop the others
        log.exception("notification %s: unexpected error", message.idempotency_key)
        error = SendError(f"unexpected {type(exc).__name__}", permanent=False)
        _failed(outbox, message, error, backoff, current(), report)
        return
    probe(SENT)
    outbox.mark_sent(message.id, current())
    report.sent += 1
    report.sent_keys.append(message.idempotency_key)


def _failed(
    outbox: Outbox,
    message: OutboxRecord,
    exc: SendError,
    backoff: Backoff,
    now: datetime,
    report: DeliveryReport,
) -> None:
    report.errors.append((message.idempotency_key, exc.message))
    if exc.permanent or message.attempts >= backoff.max_attempts:
        reason = "permanent error" if exc.permanent else f"gave up after {message.attempts}"
        outbox.mark_failed(message.id, error=f"{exc.message} ({reason})", next_attempt_at=None)
        report.failed += 1
        log.warning("notification %s failed: %s", message.idempotency_key, exc.message)
        return
    wait = backoff.delay(message.attempts)
    if exc.retry_after is not None:
        wait = max(wait, min(exc.retry_after, backoff.maximum))
    outbox.mark_failed(message.id, error=exc.message, next_attempt_at=now + wait)
    report.retrying += 1
