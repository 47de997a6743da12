"""Delivery end to end: a local webhook receiver and a local SMTP server, on both databases."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.notify import (
    Backoff,
    NotifySettings,
    Outbox,
    OutboxRecord,
    SmtpChannel,
    WebhookChannel,
    deliver_due,
)
from app.notify.channels import Channel
from app.notify.routing import build_channels
from app.notify.settings import SmtpSettings, WebhookSettings
from policies import build_calendars, load_team_settings

from .conftest import T0, MailReceiver, OpenOutbox, WebhookReceiver, message

MINUTE = timedelta(minutes=1)
BACKOFF = Backoff(base=MINUTE, maximum=timedelta(hours=1), jitter=0.0, max_attempts=5)
LEASE = timedelta(minutes=5)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def always(_: datetime) -> bool:
    return True


def never(_: datetime) -> bool:
    return False


def hooks(receiver: WebhookReceiver, style: str = "generic") -> dict[str, Channel]:
    return {"team": WebhookChannel(receiver.url, style, name="team", timeout=2.0)}  # type: ignore[arg-type]


def test_webhook_delivered_once_with_key(outbox: Outbox, webhook: WebhookReceiver) -> None:
    """A webhook gets the message once, with the idempotency key in header and body."""
    outbox.enqueue([message("k-1")])
    report = deliver_due(outbox, hooks(webhook), T0, always, BACKOFF)
    assert (report.attempted, report.sent) == (1, 1) and report.sent_keys == ["k-1"]
    [received] = webhook.requests
    assert received.path == "/hooks/T0SECRET/B0SECRET"
    assert received.headers["Idempotency-Key"] == "k-1"
    assert received.body["idempotency_key"] == "k-1"
    assert received.body["title"] == "Escalation L2" and received.body["case_id"] == "AS-1"
    record = outbox.get("k-1")
    assert record is not None and (record.status, record.sent_at) == ("sent", T0)
    assert deliver_due(outbox, hooks(webhook), T0 + timedelta(days=3), always, BACKOFF).sent == 0
    assert len(webhook.requests) == 1


def test_server_errors_are_retried_with_the_same_key(
    outbox: Outbox, webhook: WebhookReceiver
) -> None:
    """A receiver answering 5xx twice gets the message on the third try, and never again."""
    webhook.script = [503, 500]
    outbox.enqueue([message("k-1")])
    channels = hooks(webhook)
    first = deliver_due(outbox, channels, T0, always, BACKOFF)
    assert (first.retrying, first.sent) == (1, 0)
    assert (
        deliver_due(outbox, channels, T0 + 30 * timedelta(seconds=1), always, BACKOFF).attempted
        == 0
    )
    second = deliver_due(outbox, channels, T0 + MINUTE, always, BACKOFF)
    assert second.retrying == 1
    record = outbox.get("k-1")
    assert record is not None and record.next_attempt_at == T0 + 3 * MINUTE  # 1 min, then 2 min
    assert record.last_error == "webhook team: HTTP 500"
    third = deliver_due(outbox, channels, T0 + 3 * MINUTE, always, BACKOFF)
    assert third.sent == 1
    for later in (T0 + timedelta(hours=1), T0 + timedelta(days=30)):
        assert deliver_due(outbox, channels, later, always, BACKOFF).attempted == 0
    assert webhook.keys() == ["k-1", "k-1", "k-1"]
    assert [r.body["idempotency_key"] for r in webhook.requests] == ["k-1"] * 3
    record = outbox.get("k-1")
    assert record is not None and (record.status, record.attempts) == ("sent", 3)


def test_outside_working_hours_nothing_is_sent(outbox: Outbox, webhook: WebhookReceiver) -> None:
    """Outside working hours messages stay queued; inside them they go out."""
    outbox.enqueue([message("k-1"), message("k-2")])
    evening = deliver_due(outbox, hooks(webhook), T0, never, BACKOFF)
    assert (evening.deferred, evening.attempted) == (2, 0)
    assert webhook.requests == []
    assert outbox.counts() == {"pending": 2, "sent": 0, "failed": 0}
    morning = deliver_due(outbox, hooks(webhook), T0 + timedelta(hours=12), always, BACKOFF)
    assert morning.sent == 2 and sorted(webhook.keys()) == ["k-1", "k-2"]


def test_working_hours_predicate_is_asked_about_now(
    outbox: Outbox, webhook: WebhookReceiver
) -> None:
    """The predicate (e.g. a team calendar's `is_working_time`) is asked about each call's now."""
    asked: list[datetime] = []

    def nine_to_six_utc(moment: datetime) -> bool:
        asked.append(moment)
        return 1 <= moment.hour < 10

    outbox.enqueue([message("k-1")])
    assert (
        deliver_due(outbox, hooks(webhook), T0.replace(hour=12), nine_to_six_utc, BACKOFF).deferred
        == 1
    )
    assert deliver_due(outbox, hooks(webhook), T0, nine_to_six_utc, BACKOFF).sent == 1
    assert asked == [T0.replace(hour=12), T0]


def test_restart_loses_nothing_and_resends_nothing(
    open_outbox: OpenOutbox, webhook: WebhookReceiver
) -> None:
    """A new process (new engine, outbox and channels) continues where the old one stopped."""
    before = open_outbox()
    before.enqueue([message("k-1"), message("k-2")])
    webhook.script = [502]
    report = deliver_due(before, hooks(webhook), T0, always, BACKOFF)
    assert (report.sent, report.retrying) == (1, 1)
    sent_first = report.sent_keys[0]

    after = open_outbox()  # "restart"
    assert after.counts() == {"pending": 1, "sent": 1, "failed": 0}
    resumed = deliver_due(after, hooks(webhook), T0 + MINUTE, always, BACKOFF)
    assert resumed.sent == 1 and resumed.sent_keys != [sent_first]
    third = open_outbox()
    assert (
        deliver_due(third, hooks(webhook), T0 + timedelta(days=1), always, BACKOFF).attempted == 0
    )
    assert sorted(webhook.keys()) == sorted(["k-1", "k-2", "k-2" if sent_first == "k-1" else "k-1"])
    assert third.counts() == {"pending": 0, "sent": 2, "failed": 0}


class SimulatedCrash(BaseException):
    """The process dies (not an ordinary error: nothing catches it)."""


class CrashAfterSend:
    """Sends for real, then 'crashes' before the caller can record the send."""

    def __init__(self, inner: Channel) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    def send(self, message: OutboxRecord) -> None:
        self.inner.send(message)
        raise SimulatedCrash


def test_crash_between_send_and_mark_resends_with_same_key(
    open_outbox: OpenOutbox, webhook: WebhookReceiver
) -> None:
    """A crash after the receiver got it but before mark_sent resends it with the same key."""
    crashing = open_outbox()
    crashing.enqueue([message("k-1")])
    with pytest.raises(SimulatedCrash):
        deliver_due(
            crashing,
            {"team": CrashAfterSend(hooks(webhook)["team"])},
            T0,
            always,
            BACKOFF,
            lease=LEASE,
        )
    assert webhook.keys() == ["k-1"]

    restarted = open_outbox()
    early = deliver_due(restarted, hooks(webhook), T0 + MINUTE, always, BACKOFF, lease=LEASE)
    assert early.attempted == 0  # still leased to the crashed process
    late = deliver_due(restarted, hooks(webhook), T0 + LEASE, always, BACKOFF, lease=LEASE)
    assert late.sent == 1
    assert webhook.keys() == ["k-1", "k-1"]
    assert webhook.unique() == {"k-1"}  # the receiver can drop the repeat
    assert (
        deliver_due(restarted, hooks(webhook), T0 + timedelta(days=1), always, BACKOFF).attempted
        == 0
    )


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_are_permanent(outbox: Outbox, webhook: WebhookReceiver, status: int) -> None:
    """A 4xx other than 408/429 fails the message at once; it is kept and never retried."""
    webhook.script = [(status, {}, b'{"error": "no_service"}')]
    outbox.enqueue([message("k-1")])
    report = deliver_due(outbox, hooks(webhook), T0, always, BACKOFF)
    assert (report.failed, report.retrying) == (1, 0)
    record = outbox.get("k-1")
    assert record is not None and record.status == "failed"
    assert f"HTTP {status}" in (record.last_error or "") and "permanent" in (
        record.last_error or ""
    )
    assert (
        deliver_due(outbox, hooks(webhook), T0 + timedelta(days=1), always, BACKOFF).attempted == 0
    )
    assert len(webhook.requests) == 1


@pytest.mark.parametrize("status", [408, 429])
def test_timeout_and_rate_limit_answers_are_retried(
    outbox: Outbox, webhook: WebhookReceiver, status: int
) -> None:
    """408 and 429 are retried; a Retry-After longer than the backoff is honoured."""
    webhook.script = [(status, {"Retry-After": "600"}, b"slow down")]
    outbox.enqueue([message("k-1")])
    assert deliver_due(outbox, hooks(webhook), T0, always, BACKOFF).retrying == 1
    record = outbox.get("k-1")
    assert record is not None and record.next_attempt_at == T0 + timedelta(minutes=10)
    assert (
        deliver_due(outbox, hooks(webhook), T0 + timedelta(minutes=10), always, BACKOFF).sent == 1
    )


def test_attempts_run_out(outbox: Outbox, webhook: WebhookReceiver) -> None:
    """After max_attempts failures the message is failed (kept), with the last error."""
    webhook.script = [503] * 10
    outbox.enqueue([message("k-1")])
    at = T0
    for _ in range(BACKOFF.max_attempts):
        deliver_due(outbox, hooks(webhook), at, always, BACKOFF)
        at += timedelta(hours=2)
    record = outbox.get("k-1")
    assert record is not None and record.status == "failed" and record.attempts == 5
    assert "gave up after 5" in (record.last_error or "")
    assert len(webhook.requests) == 5


def test_timeouts_and_refused_connections_are_retried(
    outbox: Outbox, webhook: WebhookReceiver
) -> None:
    """A receiver that does not answer in time, or is not there, is tried again later."""
    outbox.enqueue([message("k-1"), message("k-2", channel="gone", target="gone")])
    webhook.delay = 0.5
    slow = {"team": WebhookChannel(webhook.url, name="team", timeout=0.1)}
    gone = WebhookChannel("http://127.0.0.1:9/never", name="gone", timeout=0.5)
    report = deliver_due(outbox, {**slow, "gone": gone}, T0, always, BACKOFF)
    assert (report.retrying, report.sent) == (2, 0)
    errors = dict(report.errors)
    assert errors == {"k-1": "webhook team: timed out", "k-2": "webhook gone: connection failed"}
    webhook.delay = 0
    assert deliver_due(outbox, hooks(webhook), T0 + MINUTE, always, BACKOFF).sent == 1


def test_unconfigured_channel_is_retried_not_lost(outbox: Outbox) -> None:
    """A message for a channel that is not configured (any more) waits, with a clear error."""
    outbox.enqueue([message("k-1", channel="old-hook")])
    report = deliver_due(outbox, {}, T0, always, BACKOFF)
    assert report.retrying == 1
    record = outbox.get("k-1")
    assert record is not None and record.status == "pending"
    assert record.last_error == "channel 'old-hook' is not configured"


def test_errors_never_show_the_webhook_url(outbox: Outbox, webhook: WebhookReceiver) -> None:
    """Webhook URLs carry secrets: no error message or repr contains them."""
    webhook.script = [(404, {}, b"not found")]
    outbox.enqueue([message("k-1"), message("k-2", channel="gone", target="gone")])
    gone = WebhookChannel("http://127.0.0.1:9/hooks/SECRET-TOKEN", name="gone", timeout=0.5)
    channels = {**hooks(webhook), "gone": gone}
    report = deliver_due(outbox, channels, T0, always, BACKOFF)
    texts = [e for _, e in report.errors] + [r.last_error or "" for r in outbox.records()]
    texts += [repr(c) for c in channels.values()]
    assert texts and not any("SECRET" in t for t in texts)


def test_email_delivered_with_stable_message_id(outbox: Outbox, smtp_server: MailReceiver) -> None:
    """SMTP: a 4xx is retried, every attempt has the same Message-ID and idempotency header."""
    smtp_server.script = ["451 4.3.0 Try again later"]
    channel = SmtpChannel(smtp_server.host, smtp_server.port, "desk@team.example", starttls=False)
    outbox.enqueue(
        [
            message(
                "ad-1234",
                channel="email",
                target="lead@team.example",
                payload={"title": "升级 L2：AS-1", "text": "Case AS-1 is late\n逾期2天"},
            )
        ]
    )
    assert deliver_due(outbox, {"email": channel}, T0, always, BACKOFF).retrying == 1
    assert deliver_due(outbox, {"email": channel}, T0 + MINUTE, always, BACKOFF).sent == 1
    assert (
        deliver_due(outbox, {"email": channel}, T0 + timedelta(days=1), always, BACKOFF).attempted
        == 0
    )
    assert len(smtp_server.attempts) == 2 and len(smtp_server.messages) == 1
    ids = {m["Message-ID"] for m in smtp_server.attempts}
    assert ids == {"<ad-1234@team.example>"}
    [mail] = smtp_server.messages
    assert mail["X-Idempotency-Key"] == "ad-1234"
    assert mail["To"] == "lead@team.example" and mail["From"] == "desk@team.example"
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes) and "逾期2天" in body.decode("utf-8")


def test_email_permanent_rejection(outbox: Outbox, smtp_server: MailReceiver) -> None:
    """An SMTP 5xx answer fails the message at once."""
    smtp_server.script = ["550 5.1.1 No such user"]
    channel = SmtpChannel(smtp_server.host, smtp_server.port, "desk@team.example", starttls=False)
    outbox.enqueue([message("k-1", channel="email", target="nobody@team.example")])
    report = deliver_due(outbox, {"email": channel}, T0, always, BACKOFF)
    assert report.failed == 1
    record = outbox.get("k-1")
    assert record is not None and record.status == "failed" and "550" in (record.last_error or "")


def test_settings_build_working_channels(
    outbox: Outbox, webhook: WebhookReceiver, smtp_server: MailReceiver
) -> None:
    """Channels built from NotifySettings deliver to the webhook and the mail server."""
    settings = NotifySettings(
        webhooks=(WebhookSettings(name="team", url=webhook.url, style="slack"),),
        smtp=SmtpSettings(
            host=smtp_server.host, port=smtp_server.port, sender="desk@team.example", starttls=False
        ),
    )
    outbox.enqueue([message("k-1"), message("k-2", channel="email", target="a@team.example")])
    backoff = Backoff.from_settings(settings, random.Random(1))
    report = deliver_due(outbox, build_channels(settings), T0, always, backoff)
    assert report.sent == 2
    assert webhook.requests[0].body["text"].startswith("*Escalation L2*")
    assert smtp_server.messages[0]["X-Idempotency-Key"] == "k-2"


def test_team_calendar_decides_working_hours(outbox: Outbox, webhook: WebhookReceiver) -> None:
    """With the team calendar, a Sunday evening queues and Monday morning sends."""
    calendar = build_calendars(load_team_settings(), []).business("team")
    outbox.enqueue([message("k-1")])
    sunday_evening = datetime(2025, 10, 12, 20, 0, tzinfo=SHANGHAI)
    report = deliver_due(outbox, hooks(webhook), sunday_evening, calendar.is_working_time, BACKOFF)
    assert report.deferred == 1 and webhook.requests == []
    monday = datetime(2025, 10, 13, 9, 30, tzinfo=SHANGHAI)
    assert deliver_due(outbox, hooks(webhook), monday, calendar.is_working_time, BACKOFF).sent == 1
