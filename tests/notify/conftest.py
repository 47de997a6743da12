"""Fixtures: an outbox on SQLite and PostgreSQL, a local webhook receiver, a local SMTP server.

PostgreSQL isolation as in tests/store: a fresh schema per test selected through the URL's
`options=-csearch_path=...`, dropped afterwards. Unreachable PostgreSQL fails the test when CI
is set, else skips it.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from app.notify import NewMessage, Outbox
from app.store.engine import build_engine, parse_url

POSTGRES_URL = os.environ.get(
    "AFTERSALES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
T0 = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Friday


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@cache
def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(_libpq(make_url(POSTGRES_URL)), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {make_url(POSTGRES_URL)!r} is not reachable: {exc}".strip()
    return None


def _require_postgres() -> None:
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI is set, so PostgreSQL tests must run)")
    pytest.skip(f"{problem} (set CI to make this a failure)")


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/notify.db"
        return
    _require_postgres()
    base = make_url(POSTGRES_URL)
    schema = f"notify_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq(base), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


OpenOutbox = Callable[[], Outbox]


@pytest.fixture
def open_outbox(db_url: str) -> Iterator[OpenOutbox]:
    """Opens an outbox on the test database with a brand-new engine (a process "restart")."""
    engines: list[Engine] = []

    def open_() -> Outbox:
        engine = build_engine(parse_url(db_url))
        engines.append(engine)
        outbox = Outbox(engine)
        outbox.create_tables()
        return outbox

    yield open_
    for engine in engines:
        engine.dispose()


@pytest.fixture
def outbox(open_outbox: OpenOutbox) -> Outbox:
    return open_outbox()


def message(key: str = "k-1", **changes: Any) -> NewMessage:
    """A queued message for the 'team' webhook."""
    values: dict[str, Any] = {
        "sheet_key": "sheet-1",
        "idempotency_key": key,
        "kind": "escalation",
        "channel": "team",
        "target": "team",
        "payload": {"title": "Escalation L2", "text": "Case AS-1 is late", "fields": {}},
        "created_at": T0,
        "case_id": "AS-1",
    }
    values.update(changes)
    return NewMessage(**values)


# --- a local webhook receiver -----------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers from a script."""

    url: str
    requests: list[Received] = field(default_factory=list)
    script: list[int | tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    delay: float = 0.0

    def keys(self) -> list[str]:
        return [r.headers["Idempotency-Key"] for r in self.requests]

    def unique(self) -> set[str]:
        """What a receiver that drops repeats by idempotency key would keep."""
        return set(self.keys())


@pytest.fixture(scope="module")
def _webhook_server() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            receiver.requests.append(
                Received(self.path, dict(self.headers.items()), json.loads(raw or b"{}"))
            )
            answer = receiver.script.pop(0) if receiver.script else 200
            if receiver.delay:  # after taking the answer: a late wake-up touches nothing
                time.sleep(receiver.delay)
            status, headers, body = answer if isinstance(answer, tuple) else (answer, {}, b"ok")
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T0SECRET/B0SECRET"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook(_webhook_server: WebhookReceiver) -> WebhookReceiver:
    """The module's receiver, emptied: no requests recorded, answering 200 at once."""
    _webhook_server.requests.clear()
    _webhook_server.script.clear()
    _webhook_server.delay = 0.0
    return _webhook_server


# --- a local SMTP server ----------------------------------------------------------------------


@dataclass
class MailReceiver:
    """An aiosmtpd server on 127.0.0.1 recording accepted mail; `script` answers DATA first."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    attempts: list[Message] = field(default_factory=list)
    script: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[MailReceiver]:
    receiver = MailReceiver(host="127.0.0.1", port=_free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            mail = message_from_bytes(envelope.original_content or envelope.content)
            receiver.attempts.append(mail)
            if receiver.script:
                return receiver.script.pop(0)
            receiver.messages.append(mail)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=receiver.host, port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
