"""Delivery channels: webhooks (Slack, Discord, Feishu, WeCom or generic JSON) and SMTP email.

A channel's `send` returns only when the receiver confirmed the message (a 2xx answer, and for
Feishu / WeCom a zero result code in the body; an SMTP server accepting the message) and
raises `SendError` otherwise, saying whether trying again can help (`permanent`). Every attempt
carries the message's idempotency key: the `Idempotency-Key` header and an `idempotency_key`
field in the JSON body for webhooks, the `X-Idempotency-Key` header and a `Message-ID` derived
from it for email. Errors never contain a webhook URL or a password.
"""

from __future__ import annotations

import hashlib
import json
import re
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Final, Protocol

import requests
from pydantic import SecretStr

from app.notify.messages import OutboxRecord
from app.notify.settings import EMAIL_CHANNEL, WebhookStyle

USER_AGENT: Final = "aftersales-desk-notify/1"
_MESSAGE_ID_LOCAL: Final = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
DISCORD_LIMIT: Final = 2000
WECOM_LIMIT_BYTES: Final = 2048
# Result codes in a 200 answer that mean "try again later" (rate limits, busy server).
_TRANSIENT_CODES: Final[dict[str, frozenset[int]]] = {
    "feishu": frozenset({9499, 11232}),
    "wecom": frozenset({-1, 45009, 45033}),
}


class SendError(Exception):
    """A send that was not confirmed. `permanent`: trying again cannot help (e.g. HTTP 404)."""

    def __init__(
        self, message: str, *, permanent: bool, retry_after: timedelta | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


class Channel(Protocol):
    """Something that delivers an outbox message; returns only once delivery is confirmed."""

    @property
    def name(self) -> str: ...

    def send(self, message: OutboxRecord) -> None: ...


# --- webhooks ---------------------------------------------------------------------------------


def webhook_body(style: WebhookStyle, message: OutboxRecord) -> dict[str, Any]:
    """The JSON body for a webhook of `style`; always includes `idempotency_key`."""
    title, text, key = message.title, message.text, message.idempotency_key
    if style == "slack":
        return {"text": f"*{_slack_escape(title)}*\n{_slack_escape(text)}", "idempotency_key": key}
    if style == "discord":
        content = f"**{title}**\n{text}"
        if len(content) > DISCORD_LIMIT:
            content = content[: DISCORD_LIMIT - 1] + "…"
        # No @everyone / role / user pings from text people typed into the sheet.
        return {"content": content, "allowed_mentions": {"parse": []}, "idempotency_key": key}
    if style == "feishu":
        return {"msg_type": "text", "content": {"text": f"{title}\n{text}"}, "idempotency_key": key}
    if style == "wecom":
        content = _truncate_bytes(f"{title}\n{text}", WECOM_LIMIT_BYTES)
        return {"msgtype": "text", "text": {"content": content}, "idempotency_key": key}
    return {
        "idempotency_key": key,
        "kind": message.kind,
        "sheet_key": message.sheet_key,
        "case_id": message.case_id,
        "title": title,
        "text": text,
        "fields": message.payload.get("fields") or {},
        "created_at": message.created_at.isoformat(),
    }


class WebhookChannel:
    """POSTs the message as JSON to an incoming-webhook URL."""

    def __init__(
        self,
        url: str | SecretStr,
        style: WebhookStyle = "generic",
        *,
        name: str = "webhook",
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self._name = name
        self._url = url if isinstance(url, SecretStr) else SecretStr(url)
        self.style: WebhookStyle = style
        self.timeout = timeout
        self._session = session

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"WebhookChannel(name={self._name!r}, style={self.style!r})"

    def send(self, message: OutboxRecord) -> None:
        body = json.dumps(webhook_body(self.style, message), ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
            "User-Agent": USER_AGENT,
        }
        post = self._session.post if self._session is not None else requests.post
        try:
            response = post(
                self._url.get_secret_value(),
                data=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise SendError(f"webhook {self._name}: timed out", permanent=False) from None
        except requests.ConnectionError:
            raise SendError(f"webhook {self._name}: connection failed", permanent=False) from None
        except requests.RequestException as exc:
            # The exception text may contain the URL (a secret): report only its type.
            raise SendError(
                f"webhook {self._name}: request failed ({type(exc).__name__})", permanent=False
            ) from None
        self._check(response)

    def _check(self, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            self._check_body(response)
            return
        what = f"webhook {self._name}: HTTP {status}"
        if status in (408, 429) or status >= 500:
            raise SendError(what, permanent=False, retry_after=_retry_after(response))
        if 300 <= status < 400:
            raise SendError(f"{what} (redirects are not followed; fix the URL)", permanent=True)
        raise SendError(f"{what} {_snippet(response)}".rstrip(), permanent=True)

    def _check_body(self, response: requests.Response) -> None:
        if self.style not in _TRANSIENT_CODES:
            return
        try:
            data = response.json()
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        code = data.get("code", data.get("StatusCode", data.get("errcode", 0)))
        if not isinstance(code, int) or code == 0:
            return
        msg = str(data.get("msg") or data.get("errmsg") or "")[:200]
        raise SendError(
            f"webhook {self._name}: answered code {code} {msg}".rstrip(),
            permanent=code not in _TRANSIENT_CODES[self.style],
        )


def _retry_after(response: requests.Response) -> timedelta | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return timedelta(seconds=max(float(value), 0.0))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        date_header = response.headers.get("Date")
        now = parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError):
        return None
    if now is None:
        return None
    return max(when - now, timedelta(0))


def _snippet(response: requests.Response) -> str:
    text = " ".join(response.text.split())[:200]
    return f"({text})" if text else ""


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


# --- email ------------------------------------------------------------------------------------


def message_id(idempotency_key: str, sender: str) -> str:
    """A Message-ID derived from the idempotency key: the same on every attempt."""
    domain = sender.rpartition("@")[2] or "aftersales-desk.invalid"
    local = idempotency_key
    if not _MESSAGE_ID_LOCAL.match(local):
        local = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<{local}@{domain}>"


class SmtpChannel:
    """Sends the message as a plain-text email to its target address."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: SecretStr | None = None,
        starttls: bool = True,
        *,
        use_ssl: bool = False,
        timeout: float = 30.0,
        name: str = EMAIL_CHANNEL,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self._password = password
        self.starttls = starttls
        self.use_ssl = use_ssl
        self.timeout = timeout
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"SmtpChannel(host={self.host!r}, port={self.port}, sender={self.sender!r})"

    def build(self, message: OutboxRecord) -> EmailMessage:
        """The email for `message`: identical on every attempt (same Message-ID and Date)."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.target
        email["Subject"] = message.title or message.kind
        email["Date"] = format_datetime(message.created_at)
        email["Message-ID"] = message_id(message.idempotency_key, self.sender)
        email["X-Idempotency-Key"] = message.idempotency_key
        email.set_content(message.text or message.title)
        return email

    def send(self, message: OutboxRecord) -> None:
        email = self.build(message)
        where = f"smtp {self.host}:{self.port}"
        try:
            with self._connect() as smtp:
                if self.starttls and not self.use_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    password = self._password.get_secret_value() if self._password else ""
                    smtp.login(self.username, password)
                refused = smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendError(
                f"{where}: recipient refused ({', '.join(map(str, codes))})",
                permanent=all(500 <= c < 600 for c in codes),
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"{where}: login failed ({exc.smtp_code})", permanent=False) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                f"{where}: {exc.smtp_code} {_smtp_text(exc.smtp_error)}",
                permanent=500 <= exc.smtp_code < 600,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"{where}: {type(exc).__name__}", permanent=False) from None
        if refused:
            raise SendError(f"{where}: recipient refused", permanent=True)

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _smtp_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:200]
