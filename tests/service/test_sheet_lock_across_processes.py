"""The per-sheet lock on a store no other machine shares (SQLite) holds across processes.

A real second process takes the sheet's lock as every entry point does (`locks_for` on the
store's engine) and keeps it until told to let go; meanwhile the CLI, the service's coordinator
(which the scheduler's jobs go through) and another process are refused, and a process killed
while holding the lock does not leave the sheet locked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import SyncInProgressError
from app.runtime import open_runtime
from app.service.coordinator import SyncCoordinator
from app.service.locks import FileLocks, locks_for, workbook_lock_path
from app.settings import Settings
from app.store import Store
from tests.workbooks import NOW, case, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
HOLDER = """
import sys
from app.service.locks import locks_for
from app.store import Store

store = Store(sys.argv[1])
with locks_for(store.engine).hold(sys.argv[2], wait=False) as held:
    print("held" if held else "busy", flush=True)
    sys.stdin.read()  # keep the lock until the parent closes our stdin (or kills us)
"""


class Holder:
    """A process holding the lock named `key` of the store at `url`."""

    def __init__(self, url: str, key: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, url, key],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.said = self.process.stdout.readline().strip()  # blocks until it holds (or not)

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)  # our own child
        self.process.wait(timeout=60)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    url = f"sqlite:///{tmp_path}/store.db"
    workbook = write_workbook(tmp_path / "售后 cases.xlsx", [case(**{"Case ID": None}), case()])
    settings = Settings(
        environment="test",
        database_url=url,  # type: ignore[arg-type]
        workbook=workbook,
        sheet_lock_wait_seconds=0.5,
    )
    Store.open(url).close()
    yield settings, f"workbook:{workbook.resolve()}"


def test_a_sheet_held_by_another_process_is_refused_everywhere_until_it_lets_go(
    setup: tuple[Settings, str],
) -> None:
    """While another process holds a workbook's lock: this process cannot take it, the CLI's
    sync exits 2 "being synced" and writes nothing, and the coordinator refuses with
    SyncInProgressError; once the holder lets go, all of them get the sheet."""
    settings, key = setup
    url = settings.database_url.get_secret_value()
    holder = Holder(url, key)
    assert holder.said == "held"
    assert workbook_lock_path(settings.workbook).exists()
    before = settings.workbook.read_bytes()

    rt = open_runtime(settings)
    with locks_for(rt.store.engine).hold(key, wait=False) as held:
        assert held is False
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    env |= {"AFTERSALES_DATABASE_URL": url, "AFTERSALES_SHEET_LOCK_WAIT_SECONDS": "0.5"}
    cli = subprocess.run(
        [str(AFTERSALES), "sync", "--workbook", str(settings.workbook), "--now", NOW.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert cli.returncode == 2
    assert "is being synced by another process" in " ".join(cli.stderr.split())
    assert settings.workbook.read_bytes() == before

    engine = rt.engine()
    coordinator = SyncCoordinator(
        lambda _: engine, locks_for(rt.store.engine), rt.store, lambda: NOW, wait_seconds=0.5
    )
    with pytest.raises(SyncInProgressError):
        coordinator.run("team", trigger="nightly")
    assert rt.store.list_runs(key) == []

    holder.release()
    assert coordinator.run("team", trigger="nightly").counts["cells_written"] > 0
    rt.store.close()


def test_a_process_killed_while_holding_the_lock_leaves_the_sheet_free(
    setup: tuple[Settings, str],
) -> None:
    """SIGKILL of the holder frees the sheet at once (the kernel drops the lock with the
    process), for a workbook and for a sheet whose lock lives beside the SQLite file."""
    settings, key = setup
    url = settings.database_url.get_secret_value()
    for name in (key, "google:1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"):
        holder = Holder(url, name)
        assert holder.said == "held"
        second = Holder(url, name)
        assert second.said == "busy"
        second.release()
        store = Store(url)
        locks = locks_for(store.engine)
        assert isinstance(locks, FileLocks)
        with locks.hold(name, wait=False) as held:
            assert held is False
        holder.kill()
        with locks.hold(name, wait=False) as held:
            assert held is True
        store.close()
