"""The store's reads and writes, as functions on an open session (one transaction).

`Store` decides where transactions begin and end; these functions only do the work inside one,
which is what lets `record_sync` put cell writes, snapshots and timeline events into a single
transaction while each also has its own public method.

Lock order: rows are always touched sorted by their key (case id, event key), so two
transactions working on the same keys on PostgreSQL wait for each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.store.bulk import insert_rows
from app.store.errors import StaleSnapshotError, StoreError
from app.store.models import CaseSnapshotRow, RunRow, TimelineEventRow
from app.store.records import CaseSnapshot, RunRecord, TimelineEvent

SNAPSHOTS = cast(Table, CaseSnapshotRow.__table__)
EVENTS = cast(Table, TimelineEventRow.__table__)
INSERT_CHUNK = 5_000  # rows per executemany
# Snapshots and events carry JSON: fewer per executemany, so their encoded parameters stay small
# (a first sync records 10,000s of each; all at once was ~30 MB at the sync's peak).
RECORD_CHUNK = 1_000

# Far below SQLite's (32766) and PostgreSQL's (65535) bound-parameter limits.
IN_CHUNK = 500

T = TypeVar("T")


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def require_run(session: Session, run_id: int, sheet_key: str | None = None) -> RunRow:
    """The run row, or StoreError if there is none (or it belongs to another sheet)."""
    row = session.get(RunRow, run_id)
    if row is None:
        raise StoreError(f"run {run_id} does not exist")
    if sheet_key is not None and row.sheet_key != sheet_key:
        raise StoreError(f"run {run_id} belongs to sheet {row.sheet_key!r}, not {sheet_key!r}")
    return row


def check_counts(counts: Mapping[str, int]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for key, value in counts.items():
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, int):
            raise StoreError(f"run counts must map names to integers, got {key!r}: {value!r}")
        checked[key] = value
    return checked


def to_run_record(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        sheet_key=row.sheet_key,
        trigger=row.trigger,
        backend=row.backend,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=row.outcome,
        counts={str(key): int(value) for key, value in (row.counts or {}).items()},
        message=row.message,
        undone_by=row.undone_by,
        progress_step=row.progress_step,
        progress_done=row.progress_done,
        progress_total=row.progress_total,
        error_code=row.error_code,
        language=row.language,
    )


# --- case snapshots --------------------------------------------------------------------------


def load_snapshots(
    session: Session, sheet_key: str, case_ids: Collection[str] | None = None
) -> dict[str, CaseSnapshot]:
    c = SNAPSHOTS.c  # Core rows, as in load_events
    statement = select(c.case_id, c.cell_values, c.seq).where(c.sheet_key == sheet_key)
    found: dict[str, CaseSnapshot] = {}
    for chunk in _id_chunks(case_ids):
        chosen = statement if chunk is None else statement.where(c.case_id.in_(chunk))
        for case, values, seq in session.execute(chosen.order_by(c.case_id)):
            found[case] = CaseSnapshot(case_id=case, values=values, seq=seq)
    return found


def snapshot_seqs(session: Session, sheet_key: str) -> dict[str, int]:
    """Each stored case's snapshot seq: it grows with every save (compare-and-set), so an
    unchanged seq is an unchanged snapshot, learned without decoding one value."""
    c = SNAPSHOTS.c
    rows = session.execute(select(c.case_id, c.seq).where(c.sheet_key == sheet_key))
    return {case: seq for case, seq in rows.all()}  # fetchall: faster than row by row


def event_marks(session: Session, sheet_key: str) -> dict[str, tuple[int, int]]:
    """Each case's (count, greatest id) of Timeline events. Events are only ever inserted,
    each with a new id, so an unchanged mark is an unchanged timeline."""
    c = EVENTS.c
    rows = session.execute(
        select(c.case_id, func.count(), func.max(c.id))
        .where(c.sheet_key == sheet_key)
        .group_by(c.case_id)
    )
    return {case: (count, last) for case, count, last in rows.all()}


def _id_chunks(case_ids: Collection[str] | None) -> list[Sequence[str] | None]:
    """`case_ids` in chunks for IN queries; [None] (no filter) for all of them."""
    if case_ids is None:
        return [None]
    return list(chunked(sorted(set(case_ids))))


def save_snapshots(
    session: Session, sheet_key: str, run_id: int, snapshots: Sequence[CaseSnapshot]
) -> None:
    """Upsert by (sheet_key, case_id), compare-and-set on `seq`.

    Each snapshot must carry the seq its caller loaded (0 for a case not stored yet); the
    stored seq becomes that + 1. If another transaction saved the case in between, nothing is
    saved and StaleSnapshotError names the cases.
    """
    if not snapshots:
        return
    ordered = sorted(snapshots, key=lambda snapshot: snapshot.case_id)
    duplicates = sorted({a.case_id for a, b in pairwise(ordered) if a.case_id == b.case_id})
    if duplicates:
        raise StoreError(f"the same case was given twice in one save: {duplicates}")

    stored = _lock_stored_seqs(session, sheet_key, [snapshot.case_id for snapshot in ordered])
    stale = [s.case_id for s in ordered if stored.get(s.case_id, 0) != s.seq]
    if stale:
        raise _stale(sheet_key, stale, stored, ordered)

    new = [s for s in ordered if s.case_id not in stored]
    changed = [s for s in ordered if s.case_id in stored]
    if new:
        try:
            for part in chunked(new, RECORD_CHUNK):
                insert_rows(
                    session.connection(),
                    SNAPSHOTS,
                    ("sheet_key", "case_id", "cell_values", "seq", "run_id"),
                    ((sheet_key, s.case_id, s.values, 1, run_id) for s in part),
                )
        except IntegrityError as exc:  # another transaction inserted one of them meanwhile
            raise StaleSnapshotError(
                f"case snapshots of sheet {sheet_key!r} were created by another run meanwhile",
                [s.case_id for s in new],
            ) from exc
    if changed:
        statement = (
            update(SNAPSHOTS)
            .where(
                SNAPSHOTS.c.sheet_key == bindparam("b_sheet_key"),
                SNAPSHOTS.c.case_id == bindparam("b_case_id"),
                SNAPSHOTS.c.seq == bindparam("b_seq"),
            )
            .values(
                cell_values=bindparam("b_values", type_=SNAPSHOTS.c.cell_values.type),
                seq=bindparam("b_new_seq"),
                run_id=bindparam("b_run_id"),
            )
        )
        saved = 0
        for part in chunked(changed, RECORD_CHUNK):
            result = session.connection().execute(
                statement,
                [
                    {
                        "b_sheet_key": sheet_key,
                        "b_case_id": s.case_id,
                        "b_seq": s.seq,
                        "b_values": s.values,
                        "b_new_seq": s.seq + 1,
                        "b_run_id": run_id,
                    }
                    for s in part
                ],
            )
            saved += result.rowcount
        if saved != len(changed):
            raise StaleSnapshotError(
                f"case snapshots of sheet {sheet_key!r} changed while saving them",
                [s.case_id for s in changed],
            )


def _lock_stored_seqs(session: Session, sheet_key: str, case_ids: Sequence[str]) -> dict[str, int]:
    stored: dict[str, int] = {}
    for chunk in chunked(case_ids):
        rows = session.execute(
            select(CaseSnapshotRow.case_id, CaseSnapshotRow.seq)
            .where(CaseSnapshotRow.sheet_key == sheet_key, CaseSnapshotRow.case_id.in_(chunk))
            .order_by(CaseSnapshotRow.case_id)
            .with_for_update()
        )
        stored.update({case_id: seq for case_id, seq in rows})
    return stored


def _stale(
    sheet_key: str, stale: list[str], stored: Mapping[str, int], given: Iterable[CaseSnapshot]
) -> StaleSnapshotError:
    expected = {s.case_id: s.seq for s in given}
    shown = ", ".join(
        f"{case_id} (loaded seq {expected[case_id]}, stored {stored.get(case_id, 0)})"
        for case_id in stale[:10]
    )
    more = f" and {len(stale) - 10} more" if len(stale) > 10 else ""
    return StaleSnapshotError(
        f"case snapshots of sheet {sheet_key!r} changed since they were loaded: {shown}{more}",
        stale,
    )


# --- timeline events -------------------------------------------------------------------------


def insert_events(
    session: Session, sheet_key: str, run_id: int, events: Sequence[TimelineEvent]
) -> list[TimelineEvent]:
    """Insert the events whose (sheet_key, event_key) is new; return those, in input order.

    Duplicates, stored ones or repeated within `events`, are skipped by the database
    (INSERT ... ON CONFLICT DO NOTHING), so two runs racing on the same keys insert each once.

    First as plain executemanys (`insert_rows`), inside a savepoint: with RETURNING,
    SQLAlchemy turned each of a first fill's 27,000 events into a parameter dictionary, most
    of the insert's CPU. When the database inserted every event (the usual case) all are new.
    When it skipped some (stored before, or by a run racing this one), the savepoint is rolled
    back and the events go in again with RETURNING, which says which ones this insert added."""
    first: dict[str, TimelineEvent] = {}
    for event in events:
        first.setdefault(event.event_key, event)
    if not first:
        return []
    ordered = sorted(first.items())  # in key order, as locks go
    statement = _dialect_insert(session, EVENTS).on_conflict_do_nothing(
        index_elements=[EVENTS.c.sheet_key, EVENTS.c.event_key]
    )
    savepoint = session.begin_nested()
    inserted = 0
    for part in chunked(ordered, INSERT_CHUNK):
        inserted += insert_rows(
            session.connection(),
            EVENTS,
            _EVENT_COLUMNS,
            (_event_row(sheet_key, run_id, event) for _, event in part),
            memo=("sheet_key", "run_id", "case_id", "kind", "at", "detail", "data"),
            statement=statement,
        )
    if inserted == len(first):
        savepoint.commit()
        return list(first.values())
    savepoint.rollback()
    returning = statement.returning(EVENTS.c.event_key)
    keys: set[str] = set()
    for part in chunked(ordered, RECORD_CHUNK):
        rows = [
            dict(zip(_EVENT_COLUMNS, _event_row(sheet_key, run_id, event), strict=True))
            for _, event in part
        ]
        keys.update(session.connection().execute(returning, rows).scalars())
    return [event for key, event in first.items() if key in keys]


_EVENT_COLUMNS = ("sheet_key", "event_key", "run_id", "case_id", "kind", "at", "detail", "data")


def _event_row(sheet_key: str, run_id: int, e: TimelineEvent) -> tuple[Any, ...]:
    return (sheet_key, e.event_key, run_id, e.case_id, e.kind, e.at, e.detail, e.data)


def load_events(
    session: Session, sheet_key: str, case_ids: Collection[str] | None
) -> list[TimelineEvent]:
    """The events of the sheet (or of `case_ids`), oldest first."""
    # Core rows, not ORM objects: a sheet's whole timeline may be read, and the identity map
    # would cost more than the query for tens of thousands of events.
    c = EVENTS.c
    statement = select(c.id, c.event_key, c.case_id, c.kind, c.at, c.detail, c.data).where(
        c.sheet_key == sheet_key
    )
    found: list[Any] = []
    chunks = _id_chunks(case_ids)
    for chunk in chunks:
        chosen = statement if chunk is None else statement.where(c.case_id.in_(chunk))
        found += session.execute(chosen.order_by(c.at, c.id)).all()
    if len(chunks) > 1:
        found.sort(key=lambda r: (r.at, r.id))  # chunks each come ordered; merge them
    return [
        TimelineEvent(event_key=key, case_id=case, kind=kind, at=at, detail=detail, data=data)
        for _, key, case, kind, at, detail, data in found
    ]


def _dialect_insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    name = session.connection().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"no ON CONFLICT support for database {name!r}")
