"""Notification settings: where messages go and how delivery retries. Never read from a sheet.

Embedded by the service's `Settings` as `notify: NotifySettings`, so with the
`AFTERSALES_` prefix and `__` nesting e.g. `AFTERSALES_NOTIFY__SMTP__HOST=smtp.example.com`,
or `AFTERSALES_NOTIFY__WEBHOOKS='[{"name": "team", "url": "https://hooks.slack.com/...",
"style": "slack"}]'`. Webhook URLs and the SMTP password are secrets (`SecretStr`): they never
appear in logs, reprs or error messages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

WebhookStyle = Literal["slack", "discord", "feishu", "wecom", "generic"]
EMAIL_CHANNEL = "email"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WebhookSettings(_Model):
    """One incoming-webhook target (a Slack / Discord / Feishu / WeCom bot, or any JSON URL)."""

    name: str
    url: SecretStr
    style: WebhookStyle = "generic"
    # Notice kinds this webhook receives; empty = all.
    events: tuple[str, ...] = ()
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value) or value == EMAIL_CHANNEL:
            raise ValueError(
                f"webhook name {value!r}: use letters, digits, '.', '-', '_' (and not 'email')"
            )
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("webhook url must be an http(s) URL")
        return value


class SmtpSettings(_Model):
    """An SMTP server for email notices."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    sender: str
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465); excludes starttls
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Addresses that receive every email notice besides the notice's own recipients.
    to: tuple[str, ...] = ()
    # Notice kinds sent by email; empty = all.
    events: tuple[str, ...] = ()

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"not an email address: {value!r}")
        return value

    @field_validator("to")
    @classmethod
    def _to(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not _EMAIL.match(v)]
        if bad:
            raise ValueError(f"not email addresses: {', '.join(map(repr, bad))}")
        return value

    @model_validator(mode="after")
    def _tls(self) -> SmtpSettings:
        if self.ssl and self.starttls:
            raise ValueError("choose ssl (implicit TLS) or starttls, not both")
        if self.password is not None and self.username is None:
            raise ValueError("a password needs a username")
        return self


class NotifySettings(_Model):
    """Channels and delivery policy for the outbox."""

    enabled: bool = True
    webhooks: tuple[WebhookSettings, ...] = ()
    smtp: SmtpSettings | None = None
    max_attempts: int = Field(default=10, ge=1, le=100)
    backoff_base_seconds: float = Field(default=60.0, gt=0)
    backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    backoff_jitter: float = Field(default=0.2, ge=0, le=1)
    # How long a claimed message is left alone before it is tried again (covers a crash
    # between sending and recording the result); must exceed the channel timeouts.
    lease_seconds: float = Field(default=300.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, value: tuple[WebhookSettings, ...]) -> tuple[WebhookSettings, ...]:
        names = [w.name for w in value]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"webhook names must be unique: {', '.join(doubles)}")
        return value

    @model_validator(mode="after")
    def _backoff(self) -> NotifySettings:
        if self.backoff_max_seconds < self.backoff_base_seconds:
            raise ValueError("backoff_max_seconds must be at least backoff_base_seconds")
        return self

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)
