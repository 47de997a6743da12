"""From an evaluated case to the values of its service-owned cells. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, tzinfo

from app.automation.triage import Triage
from app.sheets.backend import CellValue, column_letter
from app.sync.history import CaseHistory
from app.sync.rows import SheetRow, show_value
from policies import CaseFacts, Evaluation, Finding, FindingKind, PauseInterval, Severity
from sheet_schema import ColumnSpec, ColumnType, HeaderMap, Owner
from sheet_schema.cells import ParseContext, parse_cell
from sheet_schema.column_names import column_name
from sheet_schema.messages import text

_EVIDENCE_SPLIT = re.compile(r"[,;/、，；\n]+")
MARK = {"error": "✗", "warning": "⚠", "info": "ℹ"}
FIX_FIRST = text("case.fix_first", "en")  # the API's Next Action of an unusable case


def wall_clock(value: datetime | None, tz: tzinfo) -> datetime | None:
    """A naive wall-clock time in the team's zone, to the minute: what a sheet cell holds."""
    if value is None:
        return None
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def case_facts(
    case_id: str,
    row: SheetRow,
    opened: datetime | None,
    history: CaseHistory,
    now: datetime,
    ctx: ParseContext | None = None,
) -> CaseFacts:
    """The engine's view of a row, completed with times from the case's timeline.

    `ctx` (the sync's parse context) reads the time of day a Window Start cell may hold."""
    v = row.values
    evidence_text = v.get("evidence")
    evidence = (
        tuple(t.strip() for t in _EVIDENCE_SPLIT.split(evidence_text) if t.strip())
        if isinstance(evidence_text, str)
        else ()
    )
    first_response = v.get("first_response_at")
    status = _text(v.get("status"))
    return CaseFacts(
        case_id=case_id,
        platform=_text(v.get("platform")),
        issue_type=_text(v.get("issue_type")),
        item_condition=_text(v.get("item_condition")),
        opened=opened,
        window_start=v.get("window_start"),  # type: ignore[arg-type]
        status=status,
        evidence=evidence,
        original_packaging=_bool(v.get("original_packaging")),
        video_proof=_bool(v.get("video_proof")),
        first_response_at=first_response
        if isinstance(first_response, datetime)
        else history.first_left_new,
        seller_requested_at=history.seller_requested_at,
        platform_response_at=history.platform_response_at,
        resolved_at=history.resolved_at,
        outcome=_text(v.get("outcome")),
        policy_exception=_bool(v.get("policy_exception")),
        pauses=_close_pauses(history.pauses, now),
        item_category=_word_or_typed(row, "item_category"),
        marketplace=_word_or_typed(row, "marketplace"),
        window_start_at=window_start_instant(row, ctx) if ctx is not None else None,
    )


def _word_or_typed(row: SheetRow, key: str) -> str | None:
    """The canonical word of a choice cell, or (for a word nobody mapped) what was typed, so the
    engine does not mistake an unknown Marketplace for a blank one (which means the default)."""
    if row.has_issue(key):
        raw = row.raw.get(key)
        return str(raw).strip() if raw is not None and str(raw).strip() else None
    return _text(row.values.get(key))


def window_start_instant(row: SheetRow, ctx: ParseContext) -> datetime | None:
    """The Window Start as an instant when its cell holds a time of day (not 00:00), else None:
    a date alone is the day, and midnight is what a date-formatted cell holds."""
    if "window_start" not in row.values or row.has_issue("window_start"):
        return None
    raw = row.raw.get("window_start")
    if type(raw) is int:  # a whole serial number: a date at midnight (most cells, as read)
        return None
    parsed = parse_cell(_INSTANT, raw, ctx)
    value = parsed.value
    if not isinstance(value, datetime) or value.timetz().replace(tzinfo=None) == time():
        return None
    return value


_INSTANT = ColumnSpec(
    key="window_start", header="Window Start", type=ColumnType.DATETIME, owner=Owner.USER
)


def validation_text(
    row: SheetRow,
    findings: Sequence[Finding],
    headers: HeaderMap,
    extra: Sequence[str] = (),
    language: str = "en",
) -> str:
    """One line per problem, each naming the tab, cell, column and value; 'OK' when clean;
    in the team's `language` ('extra' lines come written in it).

    To-dos (missing evidence) are not listed: the Next Action already asks for them, and
    Validation is kept for what a person must correct or decide.
    """
    lines = [f"{MARK[i.severity]} {i.describe(language)}" for i in row.issues]
    lines += [f"{MARK['error']} {text}" for text in extra]
    reported = {i.column for i in row.issues}
    for finding in findings:
        if finding.kind is FindingKind.TODO:
            continue
        if finding.column in reported and finding.severity is not Severity.INFO:
            continue  # the cell problem already says it
        shown = _finding_text(row, finding, headers, language)
        lines.append(f"{MARK[finding.severity.value]} {shown}")
    return "\n".join(lines) if lines else text("case.validation_ok", language)


def deadline_cell(ev: Evaluation, tz: tzinfo) -> CellValue:
    """Return Deadline as the sheet shows it: the date whose end closes the window, or, for an
    hour window ending at a time of day, that date and time in the team's zone."""
    if ev.return_deadline_timed and ev.return_deadline is not None:
        return wall_clock(ev.return_deadline, tz)
    return ev.return_deadline_date


def service_values(ev: Evaluation, tri: Triage, case_id: str, tz: tzinfo) -> dict[str, CellValue]:
    """Computed cells of a usable row (Validation and Last Synced are added by the planner)."""
    return {
        "policy_ref": ev.policy_ref,
        "return_deadline": deadline_cell(ev, tz),
        "days_left": None if ev.closed else ev.days_left,  # noise once a case is closed
        "seller_deadline": wall_clock(ev.seller_deadline, tz),
        "next_action": tri.next_action,
        "next_due": wall_clock(tri.next_due, tz),
        "sla_state": ev.sla_state.value,
        "priority": tri.priority,
        "computed_for": case_id,
    }


def error_values(case_id: str | None, language: str = "en") -> dict[str, CellValue]:
    """Computed cells of a row that cannot be evaluated: only what says how to fix it."""
    return {
        "policy_ref": None,
        "return_deadline": None,
        "days_left": None,
        "seller_deadline": None,
        "next_action": text("case.fix_first", language),
        "next_due": None,
        "sla_state": None,
        "priority": None,
        "computed_for": case_id,
    }


def partial_values(
    ev: Evaluation, case_id: str, tz: tzinfo, language: str = "en"
) -> dict[str, CellValue]:
    """Computed cells of a row with a problem: what does not depend on the unusable cell (the
    policy in force, the return deadline and the days left) is still computed."""
    values = error_values(case_id, language)
    values["policy_ref"] = ev.policy_ref
    values["return_deadline"] = deadline_cell(ev, tz)
    values["days_left"] = None if ev.closed or ev.return_deadline_date is None else ev.days_left
    return values


def _finding_text(row: SheetRow, finding: Finding, headers: HeaderMap, language: str) -> str:
    message = finding.message_zh if language == "zh" and finding.message_zh else finding.message
    if finding.column is None or finding.column not in headers.positions:
        return message
    spec = headers.tab.column(finding.column)
    col = headers.positions[finding.column] + 1
    value = row.raw.get(finding.column)
    if value is None or value == "":
        value = row.values.get(finding.column)  # e.g. an Opened the service just filled
    return text(
        "parse.cell",
        language,
        header=column_name(spec, language),
        value=show_value(value, language),
        cell=f"{headers.title}!{column_letter(col)}{row.row}",
        message=message,
    )


def _close_pauses(pauses: tuple[PauseInterval, ...], now: datetime) -> tuple[PauseInterval, ...]:
    return tuple(p for p in pauses if p.start <= now)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None
