"""Notifications: an outbox in the store, delivered by webhooks and SMTP in working hours.

Every message carries one idempotency key, the same on every attempt, so a receiver can drop a
repeat. Messages are enqueued idempotently (`Outbox.enqueue`), delivered by `deliver_due` with
exponential backoff and jitter, marked sent only after a confirmed 2xx / SMTP accept, and never
lost across retries and restarts. Channels are configured in `NotifySettings` (never from a
sheet cell).
"""

from app.notify.channels import Channel, SendError, SmtpChannel, WebhookChannel, webhook_body
from app.notify.delivery import Backoff, DeliveryReport, deliver_due
from app.notify.messages import NewMessage, Notice, OutboxRecord, Recipient
from app.notify.outbox import Outbox
from app.notify.routing import build_channels, route
from app.notify.settings import NotifySettings, SmtpSettings, WebhookSettings

__all__ = [
    "Backoff",
    "Channel",
    "DeliveryReport",
    "NewMessage",
    "Notice",
    "NotifySettings",
    "Outbox",
    "OutboxRecord",
    "Recipient",
    "SendError",
    "SmtpChannel",
    "SmtpSettings",
    "WebhookChannel",
    "WebhookSettings",
    "build_channels",
    "deliver_due",
    "route",
    "webhook_body",
]
