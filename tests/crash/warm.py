"""Imported by the crash tests' fork server only: one throwaway sync, so that every process
forked from it starts warm.

Why: a first sync in a process pays for lazy imports, compiled templates and loaded rule files
(about a third of a second); each killed child is forked after this, so it pays only for the
sync under test. Nothing is shared with the children but memory: the store is closed and the
folder removed before any fork.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from app.notify.dispatch import deliver_now
from app.runtime import open_runtime
from app.settings import Settings
from tests.workbooks import NOW, case, write_workbook


def _warm_up() -> None:
    folder = Path(tempfile.mkdtemp(prefix="crash-warm-"))
    try:
        workbook = write_workbook(folder / "warm.xlsx", [case(), case(**{"Case ID": None})])
        settings = Settings(environment="test", database_url=f"sqlite:///{folder}/warm.db")
        runtime = open_runtime(settings, workbook=workbook)
        runtime.engine().sync(now=NOW)
        deliver_now(runtime.store.engine, settings.notify, runtime.team, NOW)
        runtime.store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_warm_up()
