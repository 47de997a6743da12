"""What is told (`Notice`), what is queued (`NewMessage`), what the outbox holds (`OutboxRecord`).

A `Notice` is one event worth telling people about (an escalation, a customer-visible status
change, an evidence reminder). `routing.route` fans it out into one `NewMessage` per configured
channel and recipient, each with its own idempotency key derived from the notice key, so
enqueueing the same notice again (a repeated or interrupted sync) inserts nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.values import Notice, Recipient

__all__ = ["NewMessage", "Notice", "OutboxRecord", "Recipient", "idempotency_key"]


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to put in the outbox (one channel, one target)."""

    sheet_key: str
    idempotency_key: str
    kind: str
    channel: str  # name of a configured channel: a webhook's name, or "email"
    target: str  # the webhook's name, or the email address
    payload: dict[str, Any]
    created_at: datetime
    case_id: str | None = None
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """A row of the outbox; datetimes are aware UTC."""

    id: int
    sheet_key: str
    idempotency_key: str
    kind: str
    case_id: str | None
    channel: str
    target: str
    payload: dict[str, Any]
    created_at: datetime
    not_before: datetime | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None

    @property
    def title(self) -> str:
        return str(self.payload.get("title") or "")

    @property
    def text(self) -> str:
        return str(self.payload.get("text") or "")


def idempotency_key(sheet_key: str, notice_key: str, channel: str, target: str) -> str:
    """The one key of a message, the same on every attempt and after every restart.

    A digest, so that it is short, URL- and header-safe and leaks no email address.
    """
    raw = "\x1f".join((sheet_key, notice_key, channel, target.casefold()))
    return "ad-" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]
