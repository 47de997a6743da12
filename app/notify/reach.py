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
from sheet_schema.messages import text

NO_CHANNEL = "notify.no_channel"
TURNED_OFF = "notify.turned_off"
UNROUTED = "notify.unrouted"
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def channel_note(settings: NotifySettings, language: str = "en") -> str | None:
    """Why nothing at all can be sent (in the team's language), or None when some channel is
    configured."""
    key = _channel_note_key(settings)
    return text(key, language) if key is not None else None


def _channel_note_key(settings: NotifySettings) -> str | None:
    if not settings.enabled:
        return TURNED_OFF
    if not settings.webhooks and settings.smtp is None:
        return NO_CHANNEL
    return None


def delivery_note(notice: Notice, settings: NotifySettings, language: str = "en") -> str | None:
    """Why this notice is not sent, or None when it goes to at least one channel."""
    key = delivery_note_key(notice, settings)
    return text(key, language) if key is not None else None


def delivery_note_key(notice: Notice, settings: NotifySettings) -> str | None:
    """The catalogue key of why this notice is not sent (kept with the Timeline event, so its
    detail reads in any language), or None when it goes to at least one channel."""
    key = _channel_note_key(settings)
    if key is not None:
        return key
    return None if route(notice, settings, "-", _ANY_TIME) else UNROUTED
