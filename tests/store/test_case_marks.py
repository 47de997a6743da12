"""The case marks incremental evaluation trusts instead of loading a case's memory: each
changes exactly when that case's snapshot or Timeline does, and the partial loads give what
the whole loads give for those cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from app.store import CaseMarks, CaseSnapshot, Store, TimelineEvent

from .conftest import T0


def _event(key: str, case_id: str, seconds: int) -> TimelineEvent:
    return TimelineEvent(
        event_key=key,
        case_id=case_id,
        kind="status_changed",
        at=T0 + timedelta(seconds=seconds),
        detail=f"状态: 新建 -> 处理中 ({key})",
        data={"from": "新建", "to": "处理中"},
    )


def test_a_mark_moves_with_its_case_and_no_other(store: Store, new_run: Callable[..., int]) -> None:
    """Saving one case's snapshot or adding one case's event changes that case's mark only."""
    store.save_snapshots(
        "sheet-1", new_run(), [CaseSnapshot("AS-1", {"status": "New"}), CaseSnapshot("AS-2", {})]
    )
    store.add_timeline_events(
        "sheet-1", new_run(), [_event("e1", "AS-1", 0), _event("e2", "AS-2", 1)]
    )
    before = store.case_marks("sheet-1")
    assert before.of("AS-1")[0] == 1 and before.of("AS-1")[1][0] == 1
    assert before.of("AS-9") == (0, (0, 0))  # a case the store never saw

    store.save_snapshots("sheet-1", new_run(), [CaseSnapshot("AS-1", {"status": "Closed"}, seq=1)])
    after_save = store.case_marks("sheet-1")
    assert after_save.of("AS-1")[0] == 2
    assert after_save.of("AS-2") == before.of("AS-2")

    store.add_timeline_events("sheet-1", new_run(), [_event("e3", "AS-2", 2)])
    after_event = store.case_marks("sheet-1")
    assert after_event.of("AS-2")[1][0] == 2
    assert after_event.of("AS-2")[1][1] > before.of("AS-2")[1][1]
    assert after_event.of("AS-1") == after_save.of("AS-1")

    # An event stored again (exactly once) changes nothing.
    store.add_timeline_events("sheet-1", new_run(), [_event("e3", "AS-2", 2)])
    assert store.case_marks("sheet-1") == after_event
    assert store.case_marks("other-sheet").of("AS-1") == (0, (0, 0))


def test_partial_loads_give_what_the_whole_loads_give(
    store: Store, new_run: Callable[..., int]
) -> None:
    """Snapshots and timelines of some cases, over more ids than one IN list holds, are the
    whole sheet's filtered to them, events oldest first."""
    ids = [f"AS-{i:04d}" for i in range(1_200)]
    store.save_snapshots(
        "sheet-1", new_run(), [CaseSnapshot(c, {"n": i}) for i, c in enumerate(ids)]
    )
    # Later cases' events come first in time, so chunked loads must be merged by time.
    events = [_event(f"e{i}", c, 3_000 - 2 * i) for i, c in enumerate(ids)]
    events += [_event(f"f{i}", c, 5_000 + i) for i, c in enumerate(ids[::7])]
    store.add_timeline_events("sheet-1", new_run(), events)
    wanted = set(ids[::2]) | {"AS-not-stored"}
    whole = store.load_snapshots("sheet-1")
    assert store.load_snapshots("sheet-1", wanted) == {
        c: s for c, s in whole.items() if c in wanted
    }
    expected = [e for e in store.timeline("sheet-1") if e.case_id in wanted]
    assert store.timelines("sheet-1", wanted) == expected
    assert [e.at for e in expected] == sorted(e.at for e in expected)
    assert store.timelines("sheet-1", []) == [] and store.load_snapshots("sheet-1", []) == {}


def test_a_cases_one_integer_key_is_equal_exactly_when_its_marks_are() -> None:
    """The key the incremental cache keeps tells apart any two cases' marks the store can give
    (ids up to 2**63 - 1), swapped ones and a case the store never saw included."""
    big = 2**63 - 1
    marks = [(0, (0, 0)), (1, (0, 0)), (0, (1, 0)), (0, (0, 1)), (1, (1, 1)), (2, (1, 1))]
    marks += [(big, (0, 0)), (0, (big, 0)), (0, (0, big)), (big, (big, big)), (7, (3, 2))]
    marks += [(2, (3, 7)), (3, (2, 7)), (1 << 32, (0, 0)), (0, (1 << 32, 1))]
    names = [f"AS-{i}" for i in range(len(marks))]
    store_marks = CaseMarks(
        snapshot_seqs={n: m[0] for n, m in zip(names, marks, strict=True) if m[0]},
        event_marks={n: m[1] for n, m in zip(names, marks, strict=True) if m[1] != (0, 0)},
    )
    for a, mark_a in zip(names, marks, strict=True):
        assert store_marks.of(a) == mark_a
        for b, mark_b in zip(names, marks, strict=True):
            assert (store_marks.key(a) == store_marks.key(b)) == (mark_a == mark_b), (a, b)
    assert store_marks.key("AS-unknown") == store_marks.key(names[0])  # both (0, (0, 0))
