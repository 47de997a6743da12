"""Whether a notice goes anywhere, said where people read about it. Pure.

The Timeline and the Escalation column announce notices ("Evidence reminder 1", "Escalated:
L2 lead"). With no channel configured nothing is sent, and a sheet that says "queued" is
telling the team something untrue; these notes say so instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.notify.messages import Notice
from app.notify.routing import route
from app.notify.settings import NotifySettings

NO_CHANNEL = "not sent: no channel configured"
TURNED_OFF = "not sent: notifications are turned off"
UNROUTED = "not sent: no configured channel takes it"
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def channel_note(settings: NotifySettings) -> str | None:
    """Why nothing at all can be sent, or None when some channel is configured."""
    if not settings.enabled:
        return TURNED_OFF
    if not settings.webhooks and settings.smtp is None:
        return NO_CHANNEL
    return None


def delivery_note(notice: Notice, settings: NotifySettings) -> str | None:
    """Why this notice is not sent, or None when it goes to at least one channel."""
    note = channel_note(settings)
    if note is not None:
        return note
    return None if route(notice, settings, "-", _ANY_TIME) else UNROUTED
