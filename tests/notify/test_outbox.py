"""The outbox table on SQLite and PostgreSQL: idempotent enqueue, claims, final marks."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.notify import Outbox
from app.notify.tables import outbox as outbox_table
from app.notify.view import OUTBOX_COLUMNS, outbox_tab_rows
from app.store import StoreError

from .conftest import T0, OpenOutbox, message

LEASE = timedelta(minutes=5)


def test_enqueue_is_idempotent(outbox: Outbox) -> None:
    """Queueing the same messages again inserts nothing and changes nothing."""
    batch = [message("k-1"), message("k-2", channel="email", target="a@example.com")]
    assert outbox.enqueue(batch) == 2
    before = outbox.records()
    assert outbox.enqueue(batch) == 0
    assert outbox.enqueue([message("k-1", payload={"title": "changed"})]) == 0
    assert outbox.records() == before
    assert outbox.counts() == {"pending": 2, "sent": 0, "failed": 0}
    assert outbox.enqueue([]) == 0


def test_round_trip(outbox: Outbox) -> None:
    """A queued message comes back with its payload, aware UTC times and pending status."""
    outbox.enqueue(
        [message("k-1", payload={"title": "标题", "text": "正文", "fields": {"a": "1"}})]
    )
    record = outbox.get("k-1")
    assert record is not None
    assert record.payload == {"title": "标题", "text": "正文", "fields": {"a": "1"}}
    assert record.created_at == T0 and record.created_at.tzinfo is not None
    assert (record.status, record.attempts, record.next_attempt_at) == ("pending", 0, T0)
    assert (record.case_id, record.channel, record.target) == ("AS-1", "team", "team")
    assert outbox.get("nope") is None


def test_due_respects_not_before(outbox: Outbox) -> None:
    """A message is not due before its not_before time."""
    outbox.enqueue([message("later", not_before=T0 + timedelta(hours=2)), message("now")])
    assert [r.idempotency_key for r in outbox.due(T0)] == ["now"]
    assert {r.idempotency_key for r in outbox.due(T0 + timedelta(hours=2))} == {"now", "later"}


def test_claim_counts_attempts_and_leases(outbox: Outbox) -> None:
    """A claimed message is not due again until its lease runs out."""
    outbox.enqueue([message("k-1")])
    [claimed] = outbox.claim(T0, 10, LEASE)
    assert claimed.attempts == 1 and claimed.next_attempt_at == T0 + LEASE
    assert outbox.claim(T0 + timedelta(minutes=4), 10, LEASE) == []
    [again] = outbox.claim(T0 + LEASE, 10, LEASE)
    assert again.attempts == 2 and again.idempotency_key == "k-1"


def test_two_deliverers_never_claim_the_same_message(open_outbox: OpenOutbox) -> None:
    """Two outbox objects (two processes) claiming at once split the messages between them."""
    first, second = open_outbox(), open_outbox()
    first.enqueue([message(f"k-{i}") for i in range(6)])
    a = first.claim(T0, 3, LEASE)
    b = second.claim(T0, 10, LEASE)
    keys_a = {r.idempotency_key for r in a}
    keys_b = {r.idempotency_key for r in b}
    assert len(keys_a) == 3 and len(keys_b) == 3 and not keys_a & keys_b


def test_mark_sent_is_final(outbox: Outbox) -> None:
    """A sent message is never due again, not even after failures are recorded for it."""
    outbox.enqueue([message("k-1")])
    [claimed] = outbox.claim(T0, 1, LEASE)
    assert outbox.mark_sent(claimed.id, T0)
    assert not outbox.mark_sent(claimed.id, T0)
    assert not outbox.mark_failed(claimed.id, error="late", next_attempt_at=T0)
    record = outbox.get("k-1")
    assert record is not None and (record.status, record.sent_at) == ("sent", T0)
    assert outbox.due(T0 + timedelta(days=365)) == []
    assert outbox.claim(T0 + timedelta(days=365), 10, LEASE) == []


def test_mark_failed_schedules_or_gives_up(outbox: Outbox) -> None:
    """A failure schedules the next attempt; giving up keeps the message as failed."""
    outbox.enqueue([message("k-1")])
    [claimed] = outbox.claim(T0, 1, LEASE)
    outbox.mark_failed(claimed.id, error="HTTP 503", next_attempt_at=T0 + timedelta(minutes=1))
    record = outbox.get("k-1")
    assert record is not None
    assert (record.status, record.last_error) == ("pending", "HTTP 503")
    assert record.next_attempt_at == T0 + timedelta(minutes=1)
    [claimed] = outbox.claim(T0 + timedelta(minutes=1), 1, LEASE)
    outbox.mark_failed(claimed.id, error="HTTP 404", next_attempt_at=None)
    record = outbox.get("k-1")
    assert record is not None and (record.status, record.attempts) == ("failed", 2)
    assert outbox.due(T0 + timedelta(days=1)) == []
    assert outbox.requeue(record.id, T0 + timedelta(days=1))
    requeued = outbox.get("k-1")
    assert requeued is not None and (requeued.status, requeued.attempts) == ("pending", 0)


def test_records_filter_and_order(outbox: Outbox) -> None:
    """Records come newest first and filter by sheet, status and case."""
    outbox.enqueue(
        [
            message("a", created_at=T0),
            message("b", created_at=T0 + timedelta(minutes=1), case_id="AS-2"),
            message("c", created_at=T0 + timedelta(minutes=2), sheet_key="sheet-2"),
        ]
    )
    assert [r.idempotency_key for r in outbox.records()] == ["c", "b", "a"]
    assert [r.idempotency_key for r in outbox.records("sheet-1")] == ["b", "a"]
    assert [r.idempotency_key for r in outbox.records(case_id="AS-2")] == ["b"]
    assert outbox.records(status="sent") == []
    assert outbox.counts("sheet-2") == {"pending": 1, "sent": 0, "failed": 0}


def test_naive_times_are_refused(outbox: Outbox) -> None:
    """A naive datetime is a clear error, never silently stored in the wrong zone."""
    with pytest.raises(StoreError, match="timezone-aware"):
        outbox.enqueue([message("k", created_at=T0.replace(tzinfo=None))])
    with pytest.raises(StoreError, match="timezone-aware"):
        outbox.due(T0.replace(tzinfo=None))


def test_table_shape() -> None:
    """The table has the columns and the unique key the migration must create."""
    assert [c.name for c in outbox_table.columns] == [
        "id",
        "sheet_key",
        "idempotency_key",
        "kind",
        "case_id",
        "channel",
        "target",
        "payload",
        "created_at",
        "not_before",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_error",
        "sent_at",
    ]
    names = {c.name for c in outbox_table.constraints} | {i.name for i in outbox_table.indexes}
    assert {
        "pk_outbox",
        "uq_outbox_idempotency_key",
        "ix_outbox_status_next_attempt_at",
        "ix_outbox_sheet_key_case_id",
    } <= names


def test_outbox_tab_rows(outbox: Outbox) -> None:
    """The Outbox tab shows each message with wall-clock times in the team's zone."""
    outbox.enqueue([message("k-1"), message("k-2")])
    [claimed, _] = outbox.claim(T0, 2, LEASE)
    outbox.mark_sent(claimed.id, T0)
    rows = outbox_tab_rows(outbox.records(), ZoneInfo("Asia/Shanghai"))
    assert [tuple(r) for r in rows] == [tuple(key for key, _ in OUTBOX_COLUMNS)] * 2
    by_key = {r["idempotency_key"]: r for r in rows}
    sent = by_key[claimed.idempotency_key]
    assert sent["status"] == "sent" and sent["next_attempt_at"] is None
    assert sent["sent_at"] == datetime(2025, 10, 10, 10, 0)
    assert sent["title"] == "Escalation L2" and sent["case_id"] == "AS-1"
