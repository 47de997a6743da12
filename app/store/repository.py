"""`Store`: the one object the rest of the service uses to persist runs and what they did.

It owns the engine and the transaction boundaries (one transaction per public method;
`record_sync` puts a sync's cell writes, snapshots and timeline events in one, so a crash leaves
all or none of them). Every database failure surfaces as `StoreError` with a masked URL.
Store objects are thread-safe: each call checks out its own connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from sqlalchemy import or_, select, update

from app.store import cell_log
from app.store import operations as ops
from app.store.case_memory import CaseMemoryRepository
from app.store.engine import DatabaseSettings, build_engine, parse_url, scrub
from app.store.errors import StoreError
from app.store.migrate import upgrade_to_head
from app.store.models import RunRow
from app.store.records import QUEUED, CellWrite, PlannedWrite, RunRecord

# The outcome of a run whose process died before it finished (see `start_run`).
INTERRUPTED = "interrupted"
# A queued run older than this (a press waits at most `syncs.wait_seconds`, 600 s by default)
# was left by a process that died while its press waited: the next run closes it.
QUEUED_EXPIRY = timedelta(hours=1)


class Store(CaseMemoryRepository):
    """Persistence for runs, cell writes (for undo), case snapshots and timeline events."""

    def __init__(self, url: str, database: DatabaseSettings | None = None) -> None:
        """Connect lazily to `url` (sqlite:///path or postgresql+psycopg://...), with the
        connection pool `database` describes (default: `DatabaseSettings()`).

        For a SQLite file the parent directory is created. The schema is not touched; use
        `Store.open` to also migrate it to the newest revision.
        """
        self._url = parse_url(url)
        super().__init__(build_engine(self._url, database))

    @classmethod
    def open(cls, url: str, database: DatabaseSettings | None = None) -> Store:
        """A store whose schema has been migrated to head (idempotent, safe from any cwd)."""
        store = cls(url, database)
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def migrate(self) -> None:
        """Run `alembic upgrade head` with the packaged migrations."""
        with self._guard("migrating the store schema"):
            try:
                upgrade_to_head(self._engine)
            except Exception as exc:
                from alembic.util.exc import CommandError  # imported only when migrating

                if not isinstance(exc, CommandError):
                    raise
                raise StoreError(
                    f"migrating the store schema failed ({self.url}): {scrub(str(exc), self._url)}"
                ) from exc

    def close(self) -> None:
        """Close every pooled connection; the store must not be used afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # --- runs --------------------------------------------------------------------------------

    def start_run(
        self,
        sheet_key: str,
        trigger: str,
        started_at: datetime,
        backend: str,
        *,
        reserved: int | None = None,
    ) -> int:
        """Record that a run of `sheet_key` started; return its id (`reserved`: the id of a
        run `queue_run` reserved for it, which starts now).

        Runs of one sheet never overlap (the service holds the sheet's lock while one runs), so
        a run of the sheet still unfinished now was left by a process that died: it is closed
        as "interrupted" (its staged cell writes stay, so it can still be undone). Should it in
        fact still be going (a second process syncing the sheet without the service), its own
        `finish_run` replaces that verdict. A queued run is left alone (its press waits for the
        sheet), unless it has waited longer than any press waits (`QUEUED_EXPIRY`).
        """
        with self._write_session(f"starting a run of sheet {sheet_key!r}") as session:
            if reserved is None:
                row = RunRow(
                    sheet_key=sheet_key,
                    trigger=trigger,
                    backend=backend,
                    started_at=started_at,
                    counts={},
                )
                session.add(row)
                session.flush()
                run_id = row.id
            else:
                run_id = reserved
                started = session.connection().execute(
                    update(RunRow)
                    .where(
                        RunRow.id == reserved,
                        RunRow.sheet_key == sheet_key,
                        RunRow.finished_at.is_(None),
                        RunRow.progress_step == QUEUED,
                    )
                    .values(started_at=started_at, progress_step=None)
                )
                if started.rowcount != 1:
                    raise StoreError(f"run {reserved} is not a queued run of sheet {sheet_key!r}")
            session.connection().execute(
                update(RunRow)
                .where(
                    RunRow.sheet_key == sheet_key,
                    RunRow.finished_at.is_(None),
                    RunRow.id != run_id,
                    or_(
                        RunRow.progress_step.is_(None),
                        RunRow.progress_step != QUEUED,
                        RunRow.started_at < started_at - QUEUED_EXPIRY,
                    ),
                )
                .values(
                    finished_at=started_at,
                    outcome=INTERRUPTED,
                    message=f"its process stopped before the run finished (seen by run {run_id})",
                )
            )
            return run_id

    def queue_run(self, sheet_key: str, trigger: str, queued_at: datetime, backend: str) -> int:
        """Reserve a run for a press that must be answered before its sync could start (it
        waits for the sheet's lock or a sync slot), so the answer names a run to poll; the
        sync then starts it (`start_run(reserved=)`), or closes it with the result it joined."""
        with self._write_session(f"queueing a run of sheet {sheet_key!r}") as session:
            row = RunRow(
                sheet_key=sheet_key,
                trigger=trigger,
                backend=backend,
                started_at=queued_at,
                counts={},
                progress_step=QUEUED,
            )
            session.add(row)
            session.flush()
            return row.id

    def record_progress(self, run_id: int, step: str, done: int, total: int | None) -> None:
        """How far the unfinished run has got (a finished run keeps its last progress)."""
        with self._write_session(f"recording the progress of run {run_id}") as session:
            session.connection().execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.finished_at.is_(None))
                .values(progress_step=step, progress_done=done, progress_total=total)
            )

    def finish_run(
        self,
        run_id: int,
        finished_at: datetime,
        outcome: str,
        counts: Mapping[str, int],
        message: str | None = None,
        error_code: str | None = None,
        language: str | None = None,
    ) -> None:
        """Record how a run ended ("ok", "failed", "nothing_to_do", "undone", ...; a failed
        one's `error_code` too, a sync's team `language`); once only (a run closed as
        "interrupted" by `start_run` was alive after all, and may still)."""
        checked = ops.check_counts(counts)
        with self._write_session(f"finishing run {run_id}") as session:
            result = session.connection().execute(
                update(RunRow)
                .where(
                    RunRow.id == run_id,
                    or_(RunRow.finished_at.is_(None), RunRow.outcome == INTERRUPTED),
                )
                .values(
                    finished_at=finished_at,
                    outcome=outcome,
                    counts=checked,
                    message=message,
                    error_code=error_code,
                    language=language,
                )
            )
            if result.rowcount != 1:
                row = ops.require_run(session, run_id)
                raise StoreError(
                    f"run {run_id} already finished at {row.finished_at} as {row.outcome!r}"
                )

    def written_language(self, sheet_key: str) -> str | None:
        """The team language the sheet's last finished sync wrote it in (None: no sync has
        recorded one). An undone run's language does not count: its writes were put back."""
        with self._read_session(f"reading the language of sheet {sheet_key!r}") as session:
            return session.scalars(
                select(RunRow.language)
                .where(
                    RunRow.sheet_key == sheet_key,
                    RunRow.language.is_not(None),
                    RunRow.undone_by.is_(None),
                    RunRow.outcome.in_(("ok", "nothing_to_do")),
                )
                .order_by(RunRow.started_at.desc(), RunRow.id.desc())
                .limit(1)
            ).first()

    def get_run(self, run_id: int) -> RunRecord | None:
        """The run, or None if there is no run with that id."""
        with self._read_session(f"reading run {run_id}") as session:
            row = session.get(RunRow, run_id)
            return ops.to_run_record(row) if row is not None else None

    def list_runs(self, sheet_key: str, limit: int = 50) -> list[RunRecord]:
        """The sheet's most recent runs, newest first."""
        if limit < 1:
            raise StoreError(f"list_runs needs a limit of at least 1, got {limit}")
        with self._read_session(f"listing runs of sheet {sheet_key!r}") as session:
            rows = session.scalars(
                select(RunRow)
                .where(RunRow.sheet_key == sheet_key)
                .order_by(RunRow.started_at.desc(), RunRow.id.desc())
                .limit(limit)
            )
            return [ops.to_run_record(row) for row in rows]

    def runs_with_trigger(self, sheet_key: str, trigger: str) -> list[RunRecord]:
        """The sheet's runs started with `trigger` (e.g. the undos of one run), oldest first."""
        with self._read_session(f"listing {trigger!r} runs of sheet {sheet_key!r}") as session:
            rows = session.scalars(
                select(RunRow)
                .where(RunRow.sheet_key == sheet_key, RunRow.trigger == trigger)
                .order_by(RunRow.id)
            )
            return [ops.to_run_record(row) for row in rows]

    def interrupted_runs(self, sheet_key: str, trigger_prefix: str) -> list[RunRecord]:
        """The sheet's runs whose trigger starts with `trigger_prefix` that stopped midway
        ("interrupted"), oldest first."""
        with self._read_session(f"listing interrupted runs of sheet {sheet_key!r}") as session:
            rows = session.scalars(
                select(RunRow)
                .where(
                    RunRow.sheet_key == sheet_key,
                    RunRow.trigger.startswith(trigger_prefix, autoescape=True),
                    RunRow.outcome == INTERRUPTED,
                )
                .order_by(RunRow.id)
            )
            return [ops.to_run_record(row) for row in rows]

    # --- undo --------------------------------------------------------------------------------

    def finish_undo(
        self,
        undo_id: int,
        run_id: int,
        finished_at: datetime,
        counts: Mapping[str, int],
        message: str,
    ) -> None:
        """Mark `run_id` undone by `undo_id` and finish the undo as "ok", in ONE transaction
        (so a run is never marked undone by an undo that is not recorded as done)."""
        checked = ops.check_counts(counts)
        with self._write_session(f"recording undo run {undo_id} of run {run_id}") as session:
            target = ops.require_run(session, run_id)
            ops.require_run(session, undo_id, target.sheet_key)
            marked = session.connection().execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.undone_by.is_(None))
                .values(undone_by=undo_id)
            )
            if marked.rowcount != 1:
                session.refresh(target)
                raise StoreError(f"run {run_id} was already undone by run {target.undone_by}")
            finished = session.connection().execute(
                update(RunRow)
                .where(
                    RunRow.id == undo_id,
                    or_(RunRow.finished_at.is_(None), RunRow.outcome == INTERRUPTED),
                )
                .values(finished_at=finished_at, outcome="ok", counts=checked, message=message)
            )
            if finished.rowcount != 1:
                raise StoreError(f"undo run {undo_id} already finished")

    def record_cell_writes(self, run_id: int, writes: Sequence[PlannedWrite]) -> None:
        """Store the previous and new value of every cell the run wrote, in order."""
        with self._write_session(f"recording cell writes of run {run_id}") as session:
            ops.require_run(session, run_id)
            cell_log.insert_cell_writes(session, run_id, writes)

    def stage_cell_writes(self, run_id: int, writes: Sequence[PlannedWrite]) -> None:
        """Write-ahead: the cells a run is about to write, with their previous values, stored
        BEFORE the run writes them to the sheet, replacing what it staged before (a re-plan).

        A run whose process dies after writing the sheet and before `record_sync` can still be
        undone. The run's `record_sync` then passes only the writes it did not stage.
        """
        with self._write_session(f"staging cell writes of run {run_id}") as session:
            ops.require_run(session, run_id)
            cell_log.delete_cell_writes(session, run_id)
            cell_log.insert_cell_writes(session, run_id, writes)

    def cell_writes(self, run_id: int) -> list[CellWrite]:
        """The cells the run wrote, in the order they were recorded."""
        with self._read_session(f"reading cell writes of run {run_id}") as session:
            return cell_log.load_cell_writes(session, run_id)

    def mark_undone(self, run_id: int, by_run_id: int) -> None:
        """Record that `by_run_id` undid `run_id`; a run can be undone only once."""
        if run_id == by_run_id:
            raise StoreError(f"run {run_id} cannot undo itself")
        with self._write_session(f"marking run {run_id} undone by run {by_run_id}") as session:
            target = ops.require_run(session, run_id)
            undoer = ops.require_run(session, by_run_id)
            if undoer.sheet_key != target.sheet_key:
                raise StoreError(
                    f"run {by_run_id} (sheet {undoer.sheet_key!r}) cannot undo run {run_id} "
                    f"of sheet {target.sheet_key!r}"
                )
            result = session.connection().execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.undone_by.is_(None))
                .values(undone_by=by_run_id)
            )
            if result.rowcount != 1:
                session.refresh(target)
                raise StoreError(f"run {run_id} was already undone by run {target.undone_by}")
