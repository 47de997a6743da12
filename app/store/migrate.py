"""Run the packaged Alembic migrations programmatically.

`Store.open` calls `upgrade_to_head` so a fresh machine needs no separate migration step. The
configuration is located next to this module, never relative to the working directory, and the
upgrade runs on the store's own engine (so SQLite gets the same pragmas as at run time) inside
one transaction. Replicas that start together migrate one after the other: threads of one
process through a lock here (Alembic's `context` is process-global), processes through an
advisory lock on PostgreSQL (taken in `migrations/env.py`) or SQLite's write lock.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE / "alembic.ini"
MIGRATIONS_DIR = HERE / "migrations"

# Alembic publishes the running migration through module globals (`alembic.context`,
# `alembic.op`), so two threads of one process must never migrate at the same time.
_MIGRATION_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """The packaged Alembic config; with `connection`, env.py migrates on that connection."""
    config = Config(str(ALEMBIC_INI))
    # ConfigParser interpolates "%", so escape it in the absolute path.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema to the newest revision; a no-op when it is already there."""
    with _MIGRATION_LOCK, engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head
