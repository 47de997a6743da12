"""Engine set-up that makes SQLite behave like a small PostgreSQL, and URL masking.

SQLite needs help to be a safe default for a service with a scheduler and an API running at
once: foreign keys on, WAL so readers never wait for a sync, a generous busy timeout, and write
transactions that take the write lock at BEGIN (`BEGIN IMMEDIATE`). Without the last one a
transaction that reads and then writes can fail at once with "database is locked" instead of
waiting its turn. Read-only work uses a plain deferred BEGIN.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from app.fast_json import decode_json, encode_json
from app.store.errors import StoreError

READ_ONLY_OPTION = "aftersales_read_only"
"""Execution option marking a connection whose transactions only read."""

SQLITE_BUSY_TIMEOUT_S = 30.0


class DatabaseSettings(BaseModel):
    """The connection pool of one process (`AFTERSALES_DATABASE__POOL_SIZE`, ...).

    A running sync holds at most two connections on PostgreSQL (its sheet's advisory lock and
    one for the store); presses that wait hold none. The pool timeout is short on purpose: a
    request that finds every connection in use for that long is answered 503 with a
    `Retry-After` instead of hanging.
    """

    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_timeout_seconds: float = Field(default=5.0, gt=0)


_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def mask_url(url: str | URL) -> str:
    """The URL with any password replaced by ***, safe for messages and logs.

    Text is masked without trusting a URL parser: everything between "user:" and the last "@"
    goes, so even a password with an unescaped "@" does not leak (masking too much is fine).
    """
    if isinstance(url, URL):
        if "password" in url.query:  # libpq also takes ?password=...
            url = url.update_query_dict({"password": "***"})
        return url.render_as_string(hide_password=True)
    url = _QUERY_PASSWORD.sub(r"\g<1>***", url)
    scheme, separator, rest = url.partition("://")
    userinfo, at, host_and_path = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host_and_path}"


def scrub(text: str, url: URL) -> str:
    """Remove the URL's password from a message that a driver produced, just in case."""
    secrets = [str(url.password)] if url.password else []
    query_password = url.query.get("password")  # a str, or a tuple when given twice
    if isinstance(query_password, str):
        secrets.append(query_password)
    elif query_password:
        secrets.extend(query_password)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def parse_url(url: str) -> URL:
    """Parse and normalise a database URL; only SQLite and PostgreSQL (psycopg 3) are allowed."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"not a database URL: {mask_url(url)}") from exc
    if parsed.host and "@" in parsed.host:
        raise StoreError(
            f"malformed database URL {mask_url(url)}: percent-encode '@' in the password as %40"
        )
    backend = parsed.get_backend_name()
    if backend == "postgres":  # the spelling some hosting providers hand out
        parsed = parsed.set(drivername="postgresql")
        backend = "postgresql"
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {mask_url(parsed)}: use sqlite:///path or postgresql+psycopg://"
        )
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise StoreError(f"unsupported PostgreSQL driver in {mask_url(parsed)}: use +psycopg")
    return parsed


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def build_engine(url: URL, database: DatabaseSettings | None = None) -> Engine:
    """An engine for `url`; for a SQLite file, its parent directory is created."""
    database = database or DatabaseSettings()
    pool: dict[str, Any] = {
        "pool_size": database.pool_size,
        "max_overflow": database.max_overflow,
        "pool_timeout": database.pool_timeout_seconds,
    }
    if url.get_backend_name() == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            hide_parameters=True,
            json_deserializer=decode_json,
            json_serializer=encode_json,
            **pool,
        )
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
    if is_memory_sqlite(url):
        # One shared in-memory database for every thread, instead of one per connection.
        engine = create_engine(
            url,
            connect_args=connect_args,
            poolclass=StaticPool,
            hide_parameters=True,
            json_deserializer=decode_json,
            json_serializer=encode_json,
        )
    else:
        if url.database and not url.database.startswith("file:"):
            try:
                Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the directory for the SQLite database {mask_url(url)}: {exc}"
                ) from exc
        engine = create_engine(
            url,
            connect_args=connect_args,
            hide_parameters=True,
            # the snapshots of every case are read each sync, a first fill's cell writes stored
            json_deserializer=decode_json,
            json_serializer=encode_json,
            **pool,
        )
    _configure_sqlite(engine, wal=not is_memory_sqlite(url))
    return engine


def _use_wal(cursor: Any, timeout: float = SQLITE_BUSY_TIMEOUT_S) -> None:
    """Switch the database file to WAL, waiting up to `timeout` for other connections.

    SQLite answers the switch with "database is locked" at once, without calling the busy
    handler, while another connection writes to a file not yet in WAL: two replicas (or two
    threads) opening a new store together, one of them already migrating it. So it is retried
    here as the busy handler would."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of pysqlite's own logic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                _use_wal(cursor)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
