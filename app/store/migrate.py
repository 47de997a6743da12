"""Run the packaged Alembic migrations programmatically.

`Store.open` calls `upgrade_to_head` so a fresh machine needs no separate migration step. The
configuration is located next to this module, never relative to the working directory, and the
upgrade runs on the store's own engine (so SQLite gets the same pragmas as at run time) inside
one transaction. Replicas that start together migrate one after the other: threads of one
process through a lock here (Alembic's `context` is process-global), processes through an
advisory lock on PostgreSQL (taken in `migrations/env.py`) or SQLite's write lock.

A store already at `SHIPPED_HEAD` (every start but the first after an upgrade) is recognised by
one SELECT, without loading Alembic: Alembic, Mako and Pygments are some 11 MB a process would
otherwise keep for its whole life to learn that there is nothing to do.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from app.store.engine import READ_ONLY_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE / "alembic.ini"
MIGRATIONS_DIR = HERE / "migrations"
# The newest migration in migrations/versions (tests/store/test_migrations.py checks that it is
# Alembic's head, so a new migration cannot be shipped without it).
SHIPPED_HEAD = "0009_cell_write_batches"
VERSION_TABLE = "alembic_version"  # Alembic's default (migrations/env.py keeps it)

# Alembic publishes the running migration through module globals (`alembic.context`,
# `alembic.op`), so two threads of one process must never migrate at the same time.
_MIGRATION_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """The packaged Alembic config; with `connection`, env.py migrates on that connection."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    # ConfigParser interpolates "%", so escape it in the absolute path.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def stored_revision(connection: Connection) -> str | None:
    """The revision the database's schema is at (None: never migrated), read as Alembic keeps
    it, without loading Alembic."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return str(found) if found is not None else None


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema to the newest revision; a no-op when it is already there."""
    # A read (a deferred BEGIN): it neither takes nor waits for SQLite's write lock.
    with engine.execution_options(**{READ_ONLY_OPTION: True}).connect() as connection:
        if stored_revision(connection) == SHIPPED_HEAD:
            return
    from alembic import command

    with _MIGRATION_LOCK, engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head
