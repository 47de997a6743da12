"""Timeline events observed between syncs: a case created, its status changed or re-opened,
evidence added, a platform response recorded. Pure; keys are deterministic (case id, the
snapshot's sequence number and the kind), so an interrupted or repeated sync records each once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from app.sheets.backend import CellValue
from app.store import CaseSnapshot, TimelineEvent
from app.sync import history as hist
from app.sync.rows import SheetRow
from policies import TeamSettings
from policies.vocab import EVIDENCE_LABELS


def observed_events(
    case_id: str,
    row: SheetRow,
    snapshot: CaseSnapshot | None,
    now: datetime,
    team: TeamSettings,
) -> list[TimelineEvent]:
    status = row.text("status")
    if snapshot is None:
        return [
            TimelineEvent(
                event_key=f"{case_id}/created",
                case_id=case_id,
                kind=hist.CREATED,
                at=now,
                detail=f"Case opened with status {status or '(blank)'}",
                data={"status": status},
            )
        ]
    events: list[TimelineEvent] = []
    before = snapshot.values
    prefix = f"{case_id}/s{snapshot.seq}"
    old_status = before.get("status")
    if status != old_status and not row.has_issue("status"):  # a typo is not a change
        closed = {s.casefold() for s in team.closed_statuses}
        reopened = (
            isinstance(old_status, str)
            and old_status.casefold() in closed
            and (status or "").casefold() not in closed
        )
        events.append(
            TimelineEvent(
                event_key=f"{prefix}/status",
                case_id=case_id,
                kind=hist.REOPENED if reopened else hist.STATUS_CHANGED,
                at=now,
                detail=f"Status {old_status or '(blank)'} → {status or '(blank)'}",
                data={"from": old_status if isinstance(old_status, str) else None, "to": status},
            )
        )
    added = _evidence_added(row, before)
    if added:
        events.append(
            TimelineEvent(
                event_key=f"{prefix}/evidence",
                case_id=case_id,
                kind=hist.EVIDENCE_ADDED,
                at=now,
                detail="Evidence added: " + ", ".join(added),
                data={"added": ", ".join(added)},
            )
        )
    response = row.text("platform_response")
    if response and not before.get("platform_response"):
        events.append(
            TimelineEvent(
                event_key=f"{prefix}/platform_response",
                case_id=case_id,
                kind=hist.PLATFORM_RESPONSE,
                at=now,
                detail=f"Platform response recorded: {response[:200]}",
                data={"response": response[:200]},  # the Timeline tab's detail, in any language
            )
        )
    return events


def _evidence_added(row: SheetRow, before: Mapping[str, CellValue]) -> list[str]:
    added: list[str] = []
    old_text = before.get("evidence")
    old_tokens = {t.strip().casefold() for t in str(old_text or "").split(",") if t.strip()}
    for token in str(row.values.get("evidence") or "").split(","):
        if token.strip() and token.strip().casefold() not in old_tokens:
            added.append(token.strip())
    for key in ("video_proof", "original_packaging"):  # the kinds with a Yes/No column
        if row.values.get(key) is True and before.get(key) is not True:
            added.append(EVIDENCE_LABELS[key][0])
    return added
