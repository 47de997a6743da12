"""From a `Notice` to outbox messages, and from settings to channels.

Each configured webhook that takes the notice's kind gets one message; with SMTP configured,
each recipient with an email address (plus `smtp.to`) gets one email. Every message has its
own idempotency key derived from (sheet, notice key, channel, target), so routing the same
notice twice gives the same keys and `Outbox.enqueue` inserts nothing the second time.
"""

from __future__ import annotations

from datetime import datetime

from app.notify.channels import Channel, SmtpChannel, WebhookChannel
from app.notify.messages import NewMessage, Notice, idempotency_key
from app.notify.settings import EMAIL_CHANNEL, NotifySettings


def route(
    notice: Notice,
    settings: NotifySettings,
    sheet_key: str,
    now: datetime,
    *,
    not_before: datetime | None = None,
) -> list[NewMessage]:
    """The outbox messages for `notice` (empty when notifications are off or unrouted)."""
    if not settings.enabled:
        return []
    payload = {
        "kind": notice.kind,
        "case_id": notice.case_id,
        "title": notice.title,
        "text": notice.text,
        "fields": dict(notice.fields),
        "recipients": [r.name for r in notice.recipients],
    }
    out: list[NewMessage] = []

    def add(channel: str, target: str) -> None:
        out.append(
            NewMessage(
                sheet_key=sheet_key,
                idempotency_key=idempotency_key(sheet_key, notice.key, channel, target),
                kind=notice.kind,
                channel=channel,
                target=target,
                payload=payload,
                created_at=now,
                case_id=notice.case_id,
                not_before=not_before,
            )
        )

    for hook in settings.webhooks:
        if not hook.events or notice.kind in hook.events:
            add(hook.name, hook.name)
    smtp = settings.smtp
    if smtp is not None and (not smtp.events or notice.kind in smtp.events):
        addresses: list[str] = []
        for address in (*(r.email for r in notice.recipients if r.email), *smtp.to):
            if address and address.casefold() not in {a.casefold() for a in addresses}:
                addresses.append(address)
        for address in addresses:
            add(EMAIL_CHANNEL, address)
    return out


def build_channels(settings: NotifySettings) -> dict[str, Channel]:
    """One channel per configured webhook (by name) and 'email' when SMTP is configured."""
    channels: dict[str, Channel] = {}
    for hook in settings.webhooks:
        channels[hook.name] = WebhookChannel(
            hook.url, hook.style, name=hook.name, timeout=hook.timeout_seconds
        )
    smtp = settings.smtp
    if smtp is not None:
        channels[EMAIL_CHANNEL] = SmtpChannel(
            smtp.host,
            smtp.port,
            smtp.sender,
            smtp.username,
            smtp.password,
            smtp.starttls,
            use_ssl=smtp.ssl,
            timeout=smtp.timeout_seconds,
        )
    return channels
