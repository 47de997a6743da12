"""Channel formats and error classification, routing of notices, and the settings models."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.automation.escalation import escalation_level, load_escalation_rules
from app.automation.notices import (
    customer_update_notice,
    escalation_notice,
    evidence_reminder_notice,
)
from app.notify import (
    Notice,
    NotifySettings,
    OutboxRecord,
    Recipient,
    SendError,
    SmtpChannel,
    WebhookChannel,
    route,
    webhook_body,
)
from app.notify.channels import message_id
from app.notify.settings import SmtpSettings, WebhookSettings
from policies import SlaState
from tests.automation.conftest import NOW, clock, ev, facts

from .conftest import T0, WebhookReceiver


def record(**changes: Any) -> OutboxRecord:
    values: dict[str, Any] = {
        "id": 1,
        "sheet_key": "sheet-1",
        "idempotency_key": "ad-abc",
        "kind": "escalation",
        "case_id": "AS-1",
        "channel": "team",
        "target": "team",
        "payload": {"title": "Case <AS-1> & co", "text": "@everyone late", "fields": {"a": "1"}},
        "created_at": T0,
        "not_before": None,
        "status": "pending",
        "attempts": 1,
        "next_attempt_at": T0,
        "last_attempt_at": T0,
        "last_error": None,
        "sent_at": None,
    }
    values.update(changes)
    return OutboxRecord(**values)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("slack", {"text": "*Case &lt;AS-1&gt; &amp; co*\n@everyone late"}),
        (
            "discord",
            {"content": "**Case <AS-1> & co**\n@everyone late", "allowed_mentions": {"parse": []}},
        ),
        ("feishu", {"msg_type": "text", "content": {"text": "Case <AS-1> & co\n@everyone late"}}),
        ("wecom", {"msgtype": "text", "text": {"content": "Case <AS-1> & co\n@everyone late"}}),
        (
            "generic",
            {
                "kind": "escalation",
                "sheet_key": "sheet-1",
                "case_id": "AS-1",
                "title": "Case <AS-1> & co",
                "text": "@everyone late",
                "fields": {"a": "1"},
                "created_at": "2025-10-10T02:00:00+00:00",
            },
        ),
    ],
)
def test_webhook_bodies(style: str, expected: dict[str, Any]) -> None:
    """Each style gets its platform's JSON shape, plus the idempotency key."""
    body = webhook_body(style, record())  # type: ignore[arg-type]
    assert body == {**expected, "idempotency_key": "ad-abc"}


def test_long_messages_fit_the_platform_limits() -> None:
    """Discord content stays within 2000 chars, WeCom within 2048 bytes."""
    long = record(payload={"title": "t", "text": "长" * 3000})
    assert len(webhook_body("discord", long)["content"]) == 2000
    assert len(webhook_body("wecom", long)["text"]["content"].encode("utf-8")) <= 2048


@pytest.mark.parametrize(
    ("style", "answer", "permanent"),
    [
        ("feishu", {"code": 19021, "msg": "sign match fail"}, True),
        ("feishu", {"code": 11232, "msg": "frequency limited"}, False),
        ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, True),
        ("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"}, False),
    ],
)
def test_bot_result_codes(
    webhook: WebhookReceiver, style: str, answer: dict[str, Any], permanent: bool
) -> None:
    """Feishu and WeCom answer 200 with an error code: that is not a confirmed send."""
    webhook.script = [(200, {"Content-Type": "application/json"}, json.dumps(answer).encode())]
    channel = WebhookChannel(webhook.url, style, name="bot")  # type: ignore[arg-type]
    with pytest.raises(SendError) as caught:
        channel.send(record())
    assert caught.value.permanent is permanent
    assert str(next(iter(answer.values()))) in caught.value.message
    webhook.script = [(200, {}, b'{"code": 0, "msg": "success"}')]
    channel.send(record())


def test_redirects_are_not_followed(webhook: WebhookReceiver) -> None:
    """A 3xx answer is a permanent error: the message is never re-posted elsewhere."""
    webhook.script = [(302, {"Location": "http://example.com/"}, b"")]
    with pytest.raises(SendError) as caught:
        WebhookChannel(webhook.url, name="team").send(record())
    assert caught.value.permanent and "redirect" in caught.value.message


def test_message_id_derives_from_key() -> None:
    """The Message-ID is a function of the key and the sender's domain only."""
    assert message_id("ad-1", "desk@team.example") == "<ad-1@team.example>"
    odd = message_id("a key/with spaces", "desk@team.example")
    assert odd == message_id("a key/with spaces", "other@team.example")
    assert " " not in odd and odd.endswith("@team.example>")
    email = SmtpChannel("localhost", 25, "desk@team.example").build(record())
    assert email["Message-ID"] == "<ad-abc@team.example>"
    assert email["X-Idempotency-Key"] == "ad-abc"


def test_smtp_connection_refused_is_transient() -> None:
    """No mail server listening is a failure worth retrying."""
    channel = SmtpChannel("127.0.0.1", 9, "desk@team.example", starttls=False, timeout=1)
    with pytest.raises(SendError) as caught:
        channel.send(record(channel="email", target="a@team.example"))
    assert not caught.value.permanent


SETTINGS = NotifySettings(
    webhooks=(
        WebhookSettings(name="team", url=SecretStr("https://hooks.example/T/1"), style="slack"),
        WebhookSettings(
            name="managers",
            url=SecretStr("https://open.feishu.example/hook/2"),
            style="feishu",
            events=("escalation",),
        ),
    ),
    smtp=SmtpSettings(host="smtp.example", sender="desk@team.example", to=("ops@team.example",)),
)


def test_route_fans_out_with_stable_keys() -> None:
    """A notice becomes one message per webhook and email recipient, keys stable per event."""
    notice = Notice(
        key="AS-1/escalation/L2",
        kind="escalation",
        title="Escalation",
        text="late",
        case_id="AS-1",
        recipients=(
            Recipient("Chen", "chen@team.example"),
            Recipient("Zhou"),
            Recipient("Ops", "OPS@team.example"),
        ),
    )
    messages = route(notice, SETTINGS, "sheet-1", NOW)
    assert [(m.channel, m.target) for m in messages] == [
        ("team", "team"),
        ("managers", "managers"),
        ("email", "chen@team.example"),
        ("email", "OPS@team.example"),
    ]
    assert len({m.idempotency_key for m in messages}) == 4
    again = route(notice, SETTINGS, "sheet-1", NOW.replace(hour=15))
    assert [m.idempotency_key for m in again] == [m.idempotency_key for m in messages]
    other_sheet = route(notice, SETTINGS, "sheet-2", NOW)
    assert not {m.idempotency_key for m in other_sheet} & {m.idempotency_key for m in messages}
    reminder = Notice(key="AS-1/evidence_reminder/1", kind="evidence_reminder", title="t", text="x")
    assert [m.channel for m in route(reminder, SETTINGS, "sheet-1", NOW)] == ["team", "email"]
    assert route(notice, NotifySettings(enabled=False, webhooks=SETTINGS.webhooks), "s", NOW) == []


def test_notices_from_the_workflow() -> None:
    """Escalations, customer-visible status changes and reminders become keyed notices."""
    rules = load_escalation_rules()
    late = ev(
        sla=(clock("resolution", SlaState.OVERDUE, due_at=NOW - timedelta(days=2)),),
        sla_state=SlaState.OVERDUE,
    )
    level = escalation_level(facts(), late, NOW, rules, assignee="Wang")
    assert level is not None and level.key == "L2"
    notice = escalation_notice("AS-1", level, next_action="Chase the seller", customer="Emma")
    assert notice.key == "AS-1/escalation/L2" and notice.kind == "escalation"
    assert notice.text.startswith("L2 lead: Team lead (resolution overdue 2 days)")
    visible = ("In Progress", "Awaiting Customer", "Resolved", "Closed")
    update = customer_update_notice(
        "AS-1", "AS-1/s3/status", "Awaiting Platform", "resolved", visible, "Hi Emma, ..."
    )
    assert update is not None and update.key == "AS-1/s3/status/customer_update"
    assert "Resolved" in update.title and "Hi Emma" in update.text
    assert customer_update_notice("AS-1", "k", "New", "Awaiting Seller", visible, None) is None
    assert customer_update_notice("AS-1", "k", "Resolved", "Resolved", visible, None) is None
    reminder = evidence_reminder_notice("AS-1", 2, "Please send photos", assignee="Wang")
    assert reminder.key == "AS-1/evidence_reminder/2" and reminder.recipients[0].name == "Wang"


def test_settings_validation() -> None:
    """Bad settings are refused with the field named; secrets never show in reprs."""
    with pytest.raises(ValidationError, match="http"):
        WebhookSettings(name="x", url=SecretStr("ftp://example.com/hook"))
    with pytest.raises(ValidationError, match="unique"):
        NotifySettings(webhooks=(SETTINGS.webhooks[0], SETTINGS.webhooks[0]))
    with pytest.raises(ValidationError, match="email"):
        WebhookSettings(name="email", url=SecretStr("https://example.com/"))
    with pytest.raises(ValidationError, match="not both"):
        SmtpSettings(host="h", sender="a@b.example", ssl=True, starttls=True)
    with pytest.raises(ValidationError, match="sender"):
        SmtpSettings(host="h", sender="nobody")
    secret = NotifySettings(
        webhooks=(WebhookSettings(name="t", url=SecretStr("https://h.example/SECRET")),),
        smtp=SmtpSettings(host="h", sender="a@b.example", username="u", password=SecretStr("PW")),
    )
    assert "SECRET" not in repr(secret) and "PW" not in repr(secret)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Embedded in the service settings, channels come from AFTERSALES_NOTIFY__* variables."""

    class Service(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="AFTERSALES_", env_nested_delimiter="__")
        notify: NotifySettings = NotifySettings()

    monkeypatch.setenv(
        "AFTERSALES_NOTIFY__WEBHOOKS",
        '[{"name": "team", "url": "https://hooks.slack.example/T/B/x", "style": "slack"}]',
    )
    monkeypatch.setenv("AFTERSALES_NOTIFY__SMTP__HOST", "smtp.team.example")
    monkeypatch.setenv("AFTERSALES_NOTIFY__SMTP__SENDER", "desk@team.example")
    monkeypatch.setenv("AFTERSALES_NOTIFY__MAX_ATTEMPTS", "4")
    loaded = Service().notify
    assert loaded.webhooks[0].style == "slack" and loaded.max_attempts == 4
    assert loaded.smtp is not None and loaded.smtp.port == 587
    assert isinstance(loaded, BaseModel)
