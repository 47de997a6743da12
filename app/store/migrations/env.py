"""Alembic environment for the store's migrations.

Called two ways: by `Store.open` (via `app.store.migrate`), which hands over an open connection
in `config.attributes["connection"]`, and by the `alembic` command line, which takes the URL
from `-x url=...` or AFTERSALES_DATABASE_URL. On PostgreSQL the migration holds a transaction
advisory lock so several replicas starting at once migrate one at a time.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, text

from app.store.engine import build_engine, parse_url
from app.store.models import Base

# Arbitrary constant: "aftersales store migrations" as a 63-bit advisory lock key.
MIGRATION_LOCK_KEY = 0x41_53_4D_49_47_52_41_54

config = context.config
target_metadata = Base.metadata


def _url_from_command_line() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "AFTERSALES_DATABASE_URL"
    )
    if not url:
        raise SystemExit("give the database URL with -x url=... or AFTERSALES_DATABASE_URL")
    return url


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=parse_url(_url_from_command_line()),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = build_engine(parse_url(_url_from_command_line()))
    try:
        with engine.begin() as own_connection:
            _migrate(own_connection)
    finally:
        engine.dispose()


if config.attributes.get("connection") is None and config.config_file_name is not None:
    # Only the command line configures logging; a service calling Store.open keeps its own.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
else:
    run_online()
