"""The team's configuration kept in the sheet: extra holidays and policy overrides.

A bad row never stops the sync: it becomes a problem on that row's Validation cell and the
policies/calendars go on without it (the last valid policy stays in force).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.sync.rows import CellIssue, SheetRow
from policies import DayKind, ExtraDay, PolicyError, PolicyOverride, PolicySet, apply_override
from sheet_schema import HeaderMap

BUILT_IN = "Yes"
SHIPPED_OK = "OK: shipped policy (to change it, add a row with a later Effective From)"
SHIPPED_UNKNOWN = "Built-in row that matches no shipped policy; it is ignored"


def read_holidays(
    rows: Sequence[SheetRow], headers: HeaderMap | None
) -> tuple[list[ExtraDay], dict[int, str]]:
    """Extra days off / working days from the Holidays tab, and a message per row."""
    days: list[ExtraDay] = []
    messages: dict[int, str] = {}
    seen: dict[date, int] = {}
    for row in rows:
        if not row.values:
            continue
        problems = [_issue_text(i) for i in row.issues]
        when, kind = row.values.get("date"), row.values.get("kind")
        if not isinstance(when, date):
            problems.append(_missing(headers, row, "date", "Date"))
        if not isinstance(kind, str):
            problems.append(_missing(headers, row, "kind", "Kind"))
        if isinstance(when, date) and when in seen:
            problems.append(f"{when.isoformat()} is already listed on row {seen[when]}")
        if problems:
            messages[row.row] = "✗ " + "; ".join(problems)
            continue
        assert isinstance(when, date) and isinstance(kind, str)
        seen[when] = row.row
        day_kind = DayKind.WORKING_DAY if kind == "Working day" else DayKind.DAY_OFF
        note = row.text("note") or ""
        days.append(ExtraDay(date=when, kind=day_kind, note=note))
        messages[row.row] = f"OK: {kind.lower()} in the team calendar"
    return days, messages


def read_policy_overrides(
    rows: Sequence[SheetRow], headers: HeaderMap | None, base: PolicySet
) -> tuple[PolicySet, dict[int, str], set[tuple[str, str]]]:
    """Apply the team's override rows (Built-in not 'Yes') on top of the shipped policies.

    Returns the policy set in force, a Validation message per row, and the (platform, version)
    pairs of built-in rows already present (so missing built-in rows can be appended).
    """
    policies = base
    messages: dict[int, str] = {}
    built_in_present: set[tuple[str, str]] = set()
    for row in rows:
        if not row.values:
            continue
        marker = row.raw.get("built_in")
        platform_text = row.text("platform") or ""
        version = row.text("version") or ""
        if isinstance(marker, str) and marker.strip().casefold() == BUILT_IN.casefold():
            key = base.resolve(platform_text) or platform_text.casefold()
            built_in_present.add((key, version))
            effective = row.values.get("effective_from")
            shipped = base.in_force(key, effective) if isinstance(effective, date) else None
            messages[row.row] = SHIPPED_OK if shipped is not None else SHIPPED_UNKNOWN
            continue
        problems = [_issue_text(i) for i in row.issues if i.severity == "error"]
        platform = base.resolve(platform_text)
        if platform is None:
            problems.append(f"unknown platform '{platform_text}'")
        if problems:
            messages[row.row] = "✗ " + "; ".join(problems)
            continue
        data: dict[str, object] = {k: v for k, v in row.values.items() if v is not None}
        data["platform"] = platform
        data.setdefault("source", f"Team override (Policies row {row.row})")
        try:
            override = PolicyOverride.from_row(data, where=f"Policies row {row.row}")
            policies = apply_override(policies, override)
        except PolicyError as exc:
            messages[row.row] = f"✗ {exc}"
            continue
        messages[row.row] = (
            f"OK: {platform}@{override.version} in force from {override.effective_from.isoformat()}"
        )
    return policies, messages, built_in_present


def _issue_text(issue: CellIssue) -> str:
    return issue.describe()


def _missing(headers: HeaderMap | None, row: SheetRow, key: str, header: str) -> str:
    title = headers.title if headers else "?"
    return f"{header} is required ({title} row {row.row})"
