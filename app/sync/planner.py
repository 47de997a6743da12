"""The sync planner: from the sheet as read to the minimal set of cells to write. Pure.

Given typed rows, the store's memory of each case and the time, it decides:
- the new Case IDs and Opened times (the only user-owned cells ever written, and only blank ones);
- each row's service-owned values, written only where they differ from what the cell holds;
- the Timeline events seen since the last sync, each with a deterministic key so an interrupted
  or repeated sync records it exactly once;
- the snapshots the store keeps for the next comparison.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

from app.automation.triage import triage
from app.automation.workflow import (
    Automation,
    CaseAutomation,
    CaseState,
    StatusChange,
    automate_case,
)
from app.notify.messages import Notice
from app.notify.reach import channel_note, delivery_note
from app.notify.settings import NotifySettings
from app.sheets.backend import CellUpdate, CellValue, storable
from app.store import CaseSnapshot, CellWrite, TimelineEvent
from app.sync import history as hist
from app.sync.derive import (
    case_facts,
    error_values,
    partial_values,
    service_values,
    validation_text,
    wall_clock,
)
from app.sync.due import ask_record, standing_ask, steady_due
from app.sync.events import observed_events
from app.sync.rows import SheetRow
from app.sync.sheet_notes import missing_evidence_columns
from app.sync.values import same_value
from policies import (
    Calendars,
    CaseFacts,
    Evaluation,
    Finding,
    PolicySet,
    Severity,
    TeamSettings,
    evaluate,
)
from policies.sla import describe_state
from sheet_schema import HeaderMap, Owner, ParseContext, is_blank

SNAPSHOT_KEYS = ("status", "evidence", "original_packaging", "video_proof", "platform_response")
_ID_PATTERN = re.compile(r"^AS-(\d{6})-(\d{4,})$")


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What the sync concluded about one case (for reports, the API and the CLI)."""

    case_id: str
    row: int
    evaluation: Evaluation | None
    next_action: str | None
    priority: str | None
    validation: str
    errors: int
    warnings: int
    next_due: datetime | None = None
    suggested_reply: str | None = None
    seller_message: str | None = None
    priority_rule: str | None = None


@dataclass(slots=True)
class CasesPlan:
    updates: list[CellUpdate] = field(default_factory=list)
    id_fills: list[CellUpdate] = field(default_factory=list)
    writes: list[CellWrite] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    snapshots: list[CaseSnapshot] = field(default_factory=list)
    results: list[CaseResult] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the sheet as a whole, said once
    new_cases: int = 0
    errors: int = 0
    warnings: int = 0


@dataclass(frozen=True, slots=True)
class CasesInput:
    headers: HeaderMap
    rows: Sequence[SheetRow]
    now: datetime
    tz: tzinfo
    ctx: ParseContext
    policies: PolicySet
    calendars: Calendars
    team: TeamSettings
    snapshots: Mapping[str, CaseSnapshot]
    events: Mapping[str, Sequence[TimelineEvent]]
    known_ids: frozenset[str] = frozenset()
    automation: Automation | None = None
    notify: NotifySettings | None = None


def plan_cases(inp: CasesInput) -> CasesPlan:
    plan = CasesPlan()
    headers = inp.headers
    ids = _IdAllocator(inp.now.astimezone(inp.tz), inp.known_ids | _sheet_ids(inp.rows))
    counts = Counter(row.text("case_id") for row in inp.rows if row.values and row.text("case_id"))
    now_wall = wall_clock(inp.now, inp.tz)

    for row in inp.rows:
        if not row.values:
            _clear_service_cells(plan, headers, row)
            continue
        case_id = row.text("case_id")
        if case_id is None and row.has_issue("case_id"):
            _unaddressable(plan, inp, row)  # a Case ID that cannot be read is not filled
            continue
        if case_id is None:
            case_id = ids.next()
            _fill(plan, headers, row, "case_id", case_id)
        snapshot = inp.snapshots.get(case_id)
        opened = row.values.get("opened")
        if not isinstance(opened, datetime) and not row.has_issue("opened"):
            first_seen = snapshot.values.get("first_seen") if snapshot else None
            opened_wall = first_seen if isinstance(first_seen, datetime) else now_wall
            _fill(plan, headers, row, "opened", opened_wall)
            assert opened_wall is not None
            opened = opened_wall.replace(tzinfo=inp.tz)
            row.values["opened"] = opened
        if counts[case_id] > 1:
            others = [r.row for r in inp.rows if r.text("case_id") == case_id and r is not row]
            extra = [
                f"Case ID '{case_id}' is also on row(s) {', '.join(map(str, others))}; "
                "give each case its own id (clear this cell to get a new one)"
            ]
            _row_values(
                plan, inp, row, error_values(None), validation_text(row, (), headers, extra)
            )
            plan.errors += 1
            plan.results.append(CaseResult(case_id, row.row, None, None, None, extra[0], 1, 0))
            continue

        new_events = observed_events(case_id, row, snapshot, inp.now, inp.team)
        history = hist.derive_history(
            [*inp.events.get(case_id, ()), *new_events],
            inp.team.paused_statuses,
            inp.team.closed_statuses,
        )
        facts = case_facts(
            case_id, row, opened if isinstance(opened, datetime) else None, history, inp.now
        )
        ev = evaluate(facts, inp.policies, inp.calendars, inp.now, inp.team)
        errors = sum(1 for i in row.issues if i.severity == "error") + len(ev.errors)
        findings = list(ev.findings)
        auto: CaseAutomation | None = None
        standing = standing_ask(snapshot.values if snapshot else None, ev, inp.tz)
        next_due = None
        if errors:
            values = partial_values(ev, case_id)
            tri = None
        else:
            override = row.text("priority_override")
            tri = triage(facts, ev, inp.now, override, standing)
            values = service_values(ev, tri, case_id, inp.tz)
            next_due = steady_due(tri, ev)
            values["next_due"] = wall_clock(next_due, inp.tz)
            values["sla_state"] = describe_state(ev.sla, ev.sla_state, inp.now, inp.tz)
            if inp.automation is not None:
                auto = _automate(inp, facts, ev, row, new_events, tri.next_action)
                if inp.notify is not None:
                    auto = say_where_notices_went(auto, inp.notify)
                values.update(auto.values())
                findings += auto.findings
                new_events = [*new_events, *auto.events]
                plan.notices.extend(auto.notices)
        text = validation_text(row, findings, headers)
        warnings = text.count("⚠")
        _row_values(plan, inp, row, values, text)
        plan.events.extend(new_events)
        if snapshot is None:
            plan.new_cases += 1
        current = _snapshot_values(row, snapshot, now_wall)
        current.update(
            ask_record(tri, ev, standing, snapshot.values if snapshot else None, now_wall)
        )
        if snapshot is None or snapshot.values != current:
            plan.snapshots.append(
                CaseSnapshot(case_id=case_id, values=current, seq=snapshot.seq if snapshot else 0)
            )
        plan.errors += errors
        plan.warnings += warnings
        plan.results.append(
            CaseResult(
                case_id=case_id,
                row=row.row,
                evaluation=ev,
                next_action=tri.next_action if tri else None,
                priority=auto.priority if auto else (tri.priority if tri else None),
                validation=text,
                errors=errors,
                warnings=warnings,
                next_due=next_due,
                suggested_reply=auto.suggested_reply if auto else None,
                seller_message=auto.seller_message if auto else None,
                priority_rule=auto.priority_rule if auto else None,
            )
        )
    evaluations = (r.evaluation for r in plan.results)
    plan.notes.extend(missing_evidence_columns(headers, evaluations, inp.policies))
    return plan


def _unaddressable(plan: CasesPlan, inp: CasesInput, row: SheetRow) -> None:
    """A row without a usable Case ID and none to fill in: its Validation says why, nothing
    else is computed (a case is known by its id)."""
    _row_values(plan, inp, row, error_values(None), validation_text(row, (), inp.headers))
    plan.errors += sum(1 for i in row.issues if i.severity == "error")


def _automate(
    inp: CasesInput,
    facts: CaseFacts,
    ev: Evaluation,
    row: SheetRow,
    new_events: list[TimelineEvent],
    next_action: str,
) -> CaseAutomation:
    """Priority from rules, replies, reminders and escalation for one usable case."""
    assert inp.automation is not None
    history = [*inp.events.get(facts.case_id, ()), *new_events]
    change = next(
        (
            StatusChange(e.event_key, _str(e.data.get("from")), _str(e.data.get("to")))
            for e in new_events
            if e.kind in (hist.STATUS_CHANGED, hist.REOPENED)
        ),
        None,
    )
    return automate_case(
        inp.automation,
        facts,
        ev,
        inp.now,
        row.values,
        CaseState.from_events(history),
        status_change=change,
        platform_name=inp.policies.display_name(ev.platform) if ev.platform else None,
        next_action=next_action,
        findings=[*ev.findings, *_cell_findings(row)],
    )


def _cell_findings(row: SheetRow) -> list[Finding]:
    """Unreadable cells as findings, so a reply built from one is held like any other."""
    return [
        Finding(
            code="cell.unreadable",
            severity=Severity(issue.severity),
            message=issue.describe(),
            column=issue.column,
            inputs=(issue.column,),
            fix=f"correct {issue.header}",
        )
        for issue in row.issues
    ]


def say_where_notices_went(auto: CaseAutomation, settings: NotifySettings) -> CaseAutomation:
    """Timeline events announcing a notice, and the Escalation cell, say when it is not sent."""
    notes = {n.key: delivery_note(n, settings) for n in auto.notices}
    events = tuple(
        replace(e, detail=f"{e.detail.removesuffix(' queued')} — {notes[e.event_key]}")
        if notes.get(e.event_key)
        else e
        for e in auto.events
    )
    escalation = auto.escalation
    note = channel_note(settings)
    if escalation and note:
        escalation = f"{escalation} — {note}"
    return replace(auto, events=events, escalation=escalation)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _row_values(
    plan: CasesPlan, inp: CasesInput, row: SheetRow, values: dict[str, CellValue], validation: str
) -> None:
    """Plan the service cells of one row; Last Synced moves only when something else changed."""
    values = {**values, "validation": validation}
    changed = _diff(plan, inp.headers, row, values, inp.ctx)
    if changed:
        _diff(plan, inp.headers, row, {"last_synced": wall_clock(inp.now, inp.tz)}, inp.ctx)


def _diff(
    plan: CasesPlan,
    headers: HeaderMap,
    row: SheetRow,
    values: Mapping[str, CellValue],
    ctx: ParseContext,
) -> int:
    changed = 0
    case_id = row.text("case_id") or str(values.get("computed_for") or "")
    for key, desired in values.items():
        index = headers.positions.get(key)
        if index is None:
            continue
        spec = headers.tab.column(key)
        assert spec.owner is Owner.SERVICE, f"planner tried to write user column {key}"
        desired = storable(desired)
        current = row.raw.get(key)
        if same_value(spec, current, desired, ctx):
            continue
        update = CellUpdate(headers.title, row.row, index + 1, desired, spec.number_format)
        plan.updates.append(update)
        plan.writes.append(
            CellWrite(headers.title, case_id, key, spec.header, current, desired, row.row)
        )
        changed += 1
    return changed


def _fill(plan: CasesPlan, headers: HeaderMap, row: SheetRow, key: str, value: CellValue) -> None:
    """Fill a blank user-owned Case ID or Opened: the only user cells the service writes."""
    index = headers.positions[key]
    assert key in ("case_id", "opened") and is_blank(row.raw.get(key))
    spec = headers.tab.column(key)
    plan.id_fills.append(CellUpdate(headers.title, row.row, index + 1, value, spec.number_format))
    case_id = value if key == "case_id" else (row.text("case_id") or "")
    plan.writes.append(
        CellWrite(headers.title, str(case_id), key, spec.header, None, value, row.row)
    )
    if key == "case_id":
        row.values["case_id"] = value  # the row is addressed by its new id from here on


def _clear_service_cells(plan: CasesPlan, headers: HeaderMap, row: SheetRow) -> None:
    """A row whose user cells were emptied keeps no stale service values."""
    for spec in headers.tab.service_columns:
        index = headers.positions.get(spec.key)
        if index is None or row.raw.get(spec.key) in (None, ""):
            continue
        plan.updates.append(CellUpdate(headers.title, row.row, index + 1, None))
        computed_for = storable(row.raw.get("computed_for"))  # a person may have typed it
        plan.writes.append(
            CellWrite(
                headers.title,
                str(computed_for or ""),
                spec.key,
                spec.header,
                row.raw.get(spec.key),
                None,
                row.row,
            )
        )


def _snapshot_values(
    row: SheetRow, snapshot: CaseSnapshot | None, now_wall: datetime | None
) -> dict[str, CellValue]:
    values: dict[str, CellValue] = {k: row.values.get(k) for k in SNAPSHOT_KEYS}
    for key in SNAPSHOT_KEYS:
        if snapshot is not None and row.has_issue(key):
            values[key] = snapshot.values.get(key)  # an unreadable cell keeps what we knew
    values["platform_response"] = bool(row.values.get("platform_response"))
    first_seen = snapshot.values.get("first_seen") if snapshot else None
    values["first_seen"] = first_seen if first_seen is not None else now_wall
    return values


def _sheet_ids(rows: Sequence[SheetRow]) -> frozenset[str]:
    return frozenset(r.text("case_id") or "" for r in rows) - {""}


class _IdAllocator:
    """New Case IDs like AS-251127-0042: the day, then a number unique in this sheet's history."""

    def __init__(self, today: datetime, taken: frozenset[str]) -> None:
        self.day = today.strftime("%y%m%d")
        self.taken = set(taken)
        numbers = [
            int(m.group(2))
            for m in (_ID_PATTERN.match(t) for t in taken)
            if m and m.group(1) == self.day
        ]
        self.counter = max(numbers, default=0)

    def next(self) -> str:
        while True:
            self.counter += 1
            candidate = f"AS-{self.day}-{self.counter:04d}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
