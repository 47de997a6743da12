"""Named points in a sync, an undo and in notification delivery, for an observer to be told about.

Why: the crash-consistency guarantees (a process killed at any step of a sync is repaired by
the next sync; a notification is never lost) are only as good as the tests that kill a real
process at each step. A `Probe` is that seam: the engine, the workbook backend and delivery call
it with a step name as the work passes each point. The default does nothing and production
never sets one; the crash tests pass one that SIGKILLs its own process at a chosen step.
A probe must not raise (whatever it raises propagates like any error at that point).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

Probe = Callable[[str], None]
"""Called with a step name (one of `STEPS`) when the work reaches that point."""

# The sync engine (app/sync/engine.py), in the order a sync passes them.
READ: Final = "read"  # the sheet was read (again, for a re-plan or after new ids)
PLANNED: Final = "planned"  # the cells to write, the events and notices are decided
WROTE_IDS: Final = "wrote_ids"  # a positional backend (Google): new ids written, not the rest
WROTE: Final = "wrote"  # every cell is written; nothing enqueued or recorded yet
ENQUEUED: Final = "enqueued"  # the notices are in the outbox; the run is not recorded
RECORDED: Final = "recorded"  # cell writes, snapshots and events stored; run not finished
# The workbook backend (app/sheets/workbook.py): the new file is complete under a temporary
# name and is about to replace the workbook.
FILE_STAGED: Final = "file_staged"
# Undo (app/sync/undo.py), in the order an undo passes them (the workbook's FILE_STAGED falls
# between UNDO_STAGED and UNDO_WROTE).
UNDO_STAGED: Final = "undo_staged"  # the cells to restore are stored; the sheet is not written
UNDO_WROTE: Final = "undo_wrote"  # the sheet is written; the undo is not recorded as done
UNDO_RECORDED: Final = "undo_recorded"  # the run is marked undone and the undo finished
# Delivery (app/notify/delivery.py), per message.
CLAIMED: Final = "claimed"  # the attempt is counted and leased; nothing sent yet
SENT: Final = "sent"  # the receiver confirmed it; not yet recorded as sent

STEPS: Final = (
    READ,
    PLANNED,
    WROTE_IDS,
    FILE_STAGED,
    WROTE,
    ENQUEUED,
    RECORDED,
    UNDO_STAGED,
    UNDO_WROTE,
    UNDO_RECORDED,
    CLAIMED,
    SENT,
)


def no_probe(step: str) -> None:
    """The default probe: nothing happens at any step."""
