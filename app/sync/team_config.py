"""The team's configuration kept in the sheet: extra holidays, policy overrides and the
platforms a team declares itself.

A bad row never stops the sync: it becomes a problem on that row's Validation cell and the
policies/calendars go on without it (the last valid policy stays in force).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.sync.rows import CellIssue, SheetRow, show_value
from policies import DayKind, ExtraDay, PolicyError, PolicyOverride, PolicySet, apply_override
from policies.declared import declare_platform
from sheet_schema import ColumnSpec, HeaderMap

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
    """Apply the team's rows (Built-in not 'Yes') on top of the shipped policies.

    A row for a shipped (or already declared) platform is a new version of it; a row for any
    other platform declares that platform for this sheet. Rows are applied in Effective From
    order, so a later version builds on the earlier one wherever the rows stand. Returns the
    policy set in force, a Validation message per row, and the (platform, version) pairs of
    built-in rows already present (so missing built-in rows can be appended).
    """
    policies = base
    messages: dict[int, str] = {}
    built_in_present: set[tuple[str, str]] = set()
    team_rows: list[SheetRow] = []
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
        team_rows.append(row)
    team_rows.sort(key=_effective_order)
    for row in team_rows:
        policies, messages[row.row] = _apply_row(policies, row, headers)
    return policies, messages, built_in_present


def _effective_order(row: SheetRow) -> tuple[date, int]:
    effective = row.values.get("effective_from")
    return (effective if isinstance(effective, date) else date.min, row.row)


def _apply_row(
    policies: PolicySet, row: SheetRow, headers: HeaderMap | None
) -> tuple[PolicySet, str]:
    """The policy set with one team row applied, and that row's Validation message."""
    # any unreadable cell refuses the row: a policy without the value the team wrote in it
    # (Window Days "ten" read as blank) would be a different policy than the one they meant
    problems = [_issue_text(i) for i in row.issues]
    platform_text = row.text("platform") or ""
    if problems:
        return policies, "✗ " + "; ".join(problems)
    platform = policies.resolve(platform_text)
    data: dict[str, object] = {k: v for k, v in row.values.items() if v is not None}
    data["platform"] = platform or platform_text
    data.setdefault(
        "source", f"Team {'override' if platform else 'platform'} (Policies row {row.row})"
    )
    try:
        override = PolicyOverride.from_row(data, where=f"Policies row {row.row}")
        if platform is None:
            policies = declare_platform(policies, override)
        else:
            policies = apply_override(policies, override)
    except PolicyError as exc:
        return policies, "✗ " + "; ".join(_named(exc, row, headers))
    since = override.effective_from.isoformat()
    if platform is not None:
        return policies, f"OK: {platform}@{override.version} in force from {since}"
    key = policies.resolve(platform_text) or platform_text
    declared = policies.in_force(key, override.effective_from)
    assert declared is not None
    starts = declared.window.starts_at
    return policies, (
        f"OK: {declared.name} declared for this sheet as {declared.ref}, in force from {since}"
        f" (Window Start: {starts})"
    )


def _named(exc: PolicyError, row: SheetRow, headers: HeaderMap | None) -> list[str]:
    """Each problem named by its column header and the value in it, as a person sees them."""
    out = []
    for field, problem in exc.problems:
        key = field.split(".")[0].split("[")[0]
        spec = _column(headers, key)
        if spec is None:  # the row as a whole (e.g. hours with a holiday rule that counts days)
            out.append(problem if key in ("(document)", "window") else f"{field}: {problem}")
            continue
        value = row.raw.get(key)
        shown = f" {show_value(value)}" if value not in (None, "") else ""
        out.append(f"{spec.header}{shown}: {problem}")
    return out


def _column(headers: HeaderMap | None, key: str) -> ColumnSpec | None:
    return headers.tab.columns_by_key.get(key) if headers is not None else None


def _issue_text(issue: CellIssue) -> str:
    return issue.describe()


def _missing(headers: HeaderMap | None, row: SheetRow, key: str, header: str) -> str:
    title = headers.title if headers else "?"
    return f"{header} is required ({title} row {row.row})"
