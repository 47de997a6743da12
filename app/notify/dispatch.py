"""Delivering the outbox from the running service (scheduler) and the CLI, with the team's
working hours deciding when messages may go out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from app.notify.delivery import Backoff, DeliveryReport, deliver_due
from app.notify.outbox import Outbox
from app.notify.routing import build_channels
from app.notify.settings import NotifySettings
from app.probe import Probe
from policies import TeamSettings, build_calendars


def deliver_now(
    engine: Engine,
    settings: NotifySettings,
    team: TeamSettings,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
    probe: Probe | None = None,
) -> DeliveryReport | None:
    """Send what is due (nothing outside working hours); None when nothing is configured."""
    channels = build_channels(settings)
    if not settings.enabled or not channels:
        return None
    working = build_calendars(team).team.is_working_time
    return deliver_due(
        Outbox(engine),
        channels,
        now,
        working,
        Backoff.from_settings(settings),
        limit=settings.batch_size,
        lease=settings.lease,
        clock=clock,
        probe=probe,
    )
