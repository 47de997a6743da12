"""Run the packaged Alembic migrations programmatically.

`Store.open` calls `upgrade_to_head` so a fresh machine needs no separate migration step. The
configuration is located next to this module, never relative to the working directory, and the
upgrade runs on the store's own engine (so SQLite gets the same pragmas as at run time) inside
one transaction. Replicas that start together migrate one after the other: threads of one
process through a lock here (Alembic's `context` is process-global), processes through an
advisory lock on PostgreSQL (taken in `migrations/env.py`) or SQLite's write lock.

A store already at the packaged head (read from the migration files and the alembic_version
table) is left alone without importing Alembic at all: its modules (Mako, Pygments) are ~11 MB
that a process which only syncs never needs.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE / "alembic.ini"
MIGRATIONS_DIR = HERE / "migrations"

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


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema to the newest revision; a no-op when it is already there."""
    if _at_head(engine):
        return
    from alembic import command

    with _MIGRATION_LOCK, engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def _at_head(engine: Engine) -> bool:
    """True when the store's one recorded revision is the packaged head; False when that is
    not certain (no such table yet, another revision, or the files name no single head), and
    then Alembic decides."""
    head = _packaged_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in found] == [head]


def _packaged_head() -> str | None:
    """The newest revision as the migration files name it (the one no other names as its
    down_revision), or None unless there is exactly one such."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision\s*(?::[^=]*)?=\s*"([^"]+)"', source, re.M)
        down = re.search(r'^down_revision\s*(?::[^=]*)?=\s*(?:"([^"]+)"|None)', source, re.M)
        if revision is None or down is None:
            return None  # a file this reading does not understand: let Alembic look
        revisions[revision.group(1)] = down.group(1)
    heads = set(revisions) - {down for down in revisions.values() if down}
    return heads.pop() if len(heads) == 1 else None


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head
