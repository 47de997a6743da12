"""Due times that hold still: each one is fixed by the event that started it. Pure.

A Next Due that is recomputed from "now" slides forward on every sync and reads as if the
deadline kept moving. The SLA clocks are already anchored on Timeline events (Opened, the
seller request, status changes). Two due times were not:

- "Ask the customer for ...": due a day after the request. The request's moment is kept in
  the case's snapshot in the store (`ASKED_AT`, with the evidence asked for, `ASKED`); it stays
  while the same evidence (or part of it) is still missing, and is replaced only when the
  case needs something that was not asked for, or the evidence arrived and is asked for again.
- A clock that is paused (the case waits on the customer) has no due time yet: its due moves
  with every minute of the pause. Next Due is left blank then; SLA State says how much working
  time the clock has left, which does not move while it is paused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from app.automation.triage import Triage
from app.sheets.backend import CellValue
from policies import Evaluation, SlaState

ASKED = "evidence_asked"  # snapshot key: the evidence kinds asked for, comma-separated
ASKED_AT = "evidence_asked_at"  # snapshot key: when they were asked for (team wall clock)


def standing_ask(
    snapshot: Mapping[str, CellValue] | None, ev: Evaluation, tz: tzinfo
) -> datetime | None:
    """When the evidence still missing was asked for, if a request for it stands."""
    if snapshot is None or not ev.missing_evidence or ev.closed:
        return None
    asked, at = snapshot.get(ASKED), snapshot.get(ASKED_AT)
    if not isinstance(asked, str) or not isinstance(at, datetime):
        return None
    if not set(ev.missing_evidence) <= set(asked.split(",")):
        return None  # something new is needed: a new request
    return at.replace(tzinfo=tz) if at.tzinfo is None else at


def ask_record(
    tri: Triage | None,
    ev: Evaluation | None,
    standing: datetime | None,
    snapshot: Mapping[str, CellValue] | None,
    now_wall: datetime | None,
) -> dict[str, CellValue]:
    """The snapshot values that keep the request: the standing one, or one made now."""
    if ev is None or tri is None:  # an unusable row: keep what we knew
        return {k: snapshot.get(k) for k in (ASKED, ASKED_AT)} if snapshot else {}
    if standing is not None and snapshot is not None:
        return {ASKED: snapshot.get(ASKED), ASKED_AT: snapshot.get(ASKED_AT)}
    if tri.asks_evidence:
        return {ASKED: ",".join(sorted(ev.missing_evidence)), ASKED_AT: now_wall}
    return {}


def steady_due(tri: Triage, ev: Evaluation) -> datetime | None:
    """The Next Due to show: none while it would come from a paused clock."""
    if ev.sla_state is not SlaState.PAUSED or tri.next_due is None:
        return tri.next_due
    if any(clock.due_at == tri.next_due for clock in ev.sla):
        return None
    return tri.next_due
