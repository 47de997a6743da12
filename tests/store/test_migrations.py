"""Migrations: Alembic and the models agree, and Store.open is idempotent from any directory."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.store import CaseSnapshot, Store
from app.store.migrate import SHIPPED_HEAD, alembic_config, head_revision, stored_revision
from app.store.models import Base

from .conftest import T0


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migration_matches_models(store: Store) -> None:
    """After upgrade head, autogenerate finds no difference between database and models."""
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(store) == head_revision()


def test_open_twice_is_idempotent(store_url: str) -> None:
    """Opening an already migrated store again keeps the schema revision and the data."""
    with Store.open(store_url) as first:
        run_id = first.start_run("sheet-1", "sync_now", T0, "workbook")
        first.save_snapshots("sheet-1", run_id, [CaseSnapshot("C-1", {"a": 1})])
    with Store.open(store_url) as second:
        assert current_revision(second) == head_revision()
        assert second.get_run(run_id) is not None
        assert second.load_snapshots("sheet-1")["C-1"].seq == 1


def test_the_shipped_head_is_alembics_head(store: Store) -> None:
    """The revision a start compares the store with (without Alembic) is the newest migration
    Alembic finds, and what the store records once migrated (a new migration must move it)."""
    assert head_revision() == SHIPPED_HEAD
    with store.engine.connect() as connection:
        stored = stored_revision(connection)
    assert stored == SHIPPED_HEAD == current_revision(store)


def test_a_start_on_a_migrated_store_does_not_load_alembic(store_url: str, tmp_path: Path) -> None:
    """A process opening a store already at head (every start after the first) keeps no
    Alembic, Mako or Pygments (some 11 MB for its lifetime); a fresh database is migrated."""
    script = (
        "import sys\n"
        "from app.store import Store\n"
        "with Store.open(sys.argv[1]) as store:\n"
        "    store.list_runs('any')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'mako', 'pygments'}))\n"
    )

    def start() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, store_url],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert "alembic" in start()  # the first start migrates
    assert start() == "[]"
    with Store(store_url) as store:
        assert current_revision(store) == head_revision()


def test_open_from_another_directory(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migrations are found through the package, whatever the working directory is."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with Store.open(store_url) as store:
        assert current_revision(store) == head_revision()


def test_downgrade_and_upgrade_again(store: Store) -> None:
    """The initial migration can be rolled back to an empty schema and applied again."""
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    with store.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    store.migrate()
    with store.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= set(Base.metadata.tables)


def test_plain_store_does_not_migrate(store_url: str) -> None:
    """Store(url) alone leaves the schema alone; only Store.open migrates."""
    with Store(store_url) as store:
        assert current_revision(store) is None


def test_concurrent_open_of_a_fresh_database(store_url: str) -> None:
    """Two replicas opening the same empty database at once both end up on head, no error."""
    barrier = threading.Barrier(2)

    def open_and_close() -> str | None:
        barrier.wait(timeout=10)
        with Store.open(store_url) as store:
            return current_revision(store)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(open_and_close) for _ in range(2)]
        assert [future.result(timeout=60) for future in futures] == [head_revision()] * 2


def test_concurrent_open_from_two_processes(store_url: str, tmp_path: Path) -> None:
    """Two processes migrating the same empty database at once both succeed (database lock)."""
    script = (
        "import sys\n"
        "from app.store import Store\n"
        "with Store.open(sys.argv[1]) as store:\n"
        "    store.list_runs('any')\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, store_url],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    with Store(store_url) as store:
        assert current_revision(store) == head_revision()


def test_open_waits_for_a_writer_on_a_new_sqlite_file(tmp_path: Path) -> None:
    """A store opened while another connection writes to a new SQLite file (not yet in WAL)
    waits for it and migrates, instead of failing with "database is locked": SQLite refuses
    the switch to WAL at once there, without waiting out the busy timeout."""
    path = tmp_path / "store" / "x.db"
    path.parent.mkdir()
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE team_notes (note TEXT)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO team_notes VALUES ('客户说下周寄回')")
    done = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    done.start()
    try:
        with Store.open(f"sqlite:///{path}") as store:
            assert current_revision(store) == head_revision()
    finally:
        done.join()
    assert writer.execute("SELECT note FROM team_notes").fetchall() == [("客户说下周寄回",)]
    writer.close()
