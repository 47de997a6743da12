"""The team's configuration kept in the sheet: extra holidays, policy overrides and the
platforms a team declares itself.

A bad row never stops the sync: it becomes a problem on that row's Validation cell and the
policies/calendars go on without it (the last valid policy stays in force).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.sync.rows import SheetRow, show_value
from policies import DayKind, ExtraDay, PolicyError, PolicyOverride, PolicySet, apply_override
from policies.declared import declare_platform
from sheet_schema import ColumnSpec, HeaderMap
from sheet_schema.messages import load_catalogue, text
from sheet_schema.team_texts import column_header

BUILT_IN = "Yes"
SHIPPED_OK = text("tabs_validation.policies_shipped_ok", "en")
SHIPPED_UNKNOWN = text("tabs_validation.policies_shipped_unknown", "en")
# A Policies problem for a Chinese team by its kind (the English wording policies/ gives it):
# pydantic's details are English, so each kind reads as one Chinese sentence.
_POLICY_PROBLEMS = (
    ("is required", "policies_required"),
    ("is not a known field", "policies_unknown_field"),
    ("Input should be a valid integer", "policies_not_a_number"),
    ("Input should be a valid number", "policies_not_a_number"),
    ("Input should be a valid decimal", "policies_not_a_number"),
    ("Input should be greater", "policies_out_of_range"),
    ("Input should be less", "policies_out_of_range"),
    ("Input should be ", "policies_not_a_choice"),
    ("is not a platform the service ships", "policies_needs_window"),
    ("is too close to", "policies_name_taken"),
)


def shipped_message(language: str, known: bool = True) -> str:
    """The Validation of a Built-in Policies row in the team `language`."""
    key = "policies_shipped_ok" if known else "policies_shipped_unknown"
    return text(f"tabs_validation.{key}", language)


def _bad(problems: Sequence[str], language: str) -> str:
    joined = text("tabs_validation.joiner", language).join(problems)
    return text("tabs_validation.bad", language, problems=joined)


def read_holidays(
    rows: Sequence[SheetRow], headers: HeaderMap | None, language: str = "en"
) -> tuple[list[ExtraDay], dict[int, str]]:
    """Extra days off / working days from the Holidays tab, and a message per row (in the
    team `language`)."""
    days: list[ExtraDay] = []
    messages: dict[int, str] = {}
    seen: dict[date, int] = {}
    for row in rows:
        if not row.values:
            continue
        problems = [i.describe(language) for i in row.issues]
        when, kind = row.values.get("date"), row.values.get("kind")
        if not isinstance(when, date):
            problems.append(_missing(headers, row, "date", "Date", language))
        if not isinstance(kind, str):
            problems.append(_missing(headers, row, "kind", "Kind", language))
        if isinstance(when, date) and when in seen:
            problems.append(
                text(
                    "tabs_validation.holidays_duplicate",
                    language,
                    date=when.isoformat(),
                    row=seen[when],
                )
            )
        if problems:
            messages[row.row] = _bad(problems, language)
            continue
        assert isinstance(when, date) and isinstance(kind, str)
        seen[when] = row.row
        day_kind = DayKind.WORKING_DAY if kind == "Working day" else DayKind.DAY_OFF
        note = row.text("note") or ""
        days.append(ExtraDay(date=when, kind=day_kind, note=note))
        working = day_kind == DayKind.WORKING_DAY
        ok_key = "holidays_ok_working_day" if working else "holidays_ok_day_off"
        messages[row.row] = text(f"tabs_validation.{ok_key}", language)
    return days, messages


def read_policy_overrides(
    rows: Sequence[SheetRow], headers: HeaderMap | None, base: PolicySet, language: str = "en"
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
            messages[row.row] = shipped_message(language, known=shipped is not None)
            continue
        team_rows.append(row)
    team_rows.sort(key=_effective_order)
    for row in team_rows:
        policies, messages[row.row] = _apply_row(policies, row, headers, language)
    return policies, messages, built_in_present


def _effective_order(row: SheetRow) -> tuple[date, int]:
    effective = row.values.get("effective_from")
    return (effective if isinstance(effective, date) else date.min, row.row)


def _apply_row(
    policies: PolicySet, row: SheetRow, headers: HeaderMap | None, language: str
) -> tuple[PolicySet, str]:
    """The policy set with one team row applied, and that row's Validation message."""
    # any unreadable cell refuses the row: a policy without the value the team wrote in it
    # (Window Days "ten" read as blank) would be a different policy than the one they meant
    problems = [i.describe(language) for i in row.issues]
    platform_text = row.text("platform") or ""
    if problems:
        return policies, _bad(problems, language)
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
        return policies, _bad(_named(exc, row, headers, language), language)
    since = override.effective_from.isoformat()
    if platform is not None:
        return policies, text(
            "tabs_validation.policies_ok_override",
            language,
            platform=platform,
            version=override.version,
            since=since,
        )
    key = policies.resolve(platform_text) or platform_text
    declared = policies.in_force(key, override.effective_from)
    assert declared is not None
    starts = declared.window.starts_at
    return policies, text(
        "tabs_validation.policies_ok_declared",
        language,
        name=declared.name,
        ref=declared.ref,
        since=since,
        starts=starts,
    )


def _named(exc: PolicyError, row: SheetRow, headers: HeaderMap | None, language: str) -> list[str]:
    """Each problem named by its column header and the value in it, as a person sees them."""
    out = []
    for field, english in exc.problems:
        problem = _policy_problem(english, language, row.text("platform") or "")
        key = field.split(".")[0].split("[")[0]
        spec = _column(headers, key)
        if spec is None:  # the row as a whole (e.g. hours with a holiday rule that counts days)
            whole = key in ("(document)", "window")
            out.append(
                problem
                if whole
                else text("tabs_validation.policies_field", language, field=field, problem=problem)
            )
            continue
        value = row.raw.get(key)
        shown = f" {show_value(value, language)}" if value not in (None, "") else ""
        header = column_header(headers.tab.key, spec, language) if headers else spec.header
        out.append(
            text(
                "tabs_validation.policies_cell",
                language,
                header=header,
                shown=shown,
                problem=problem,
            )
        )
    return out


def _policy_problem(english: str, language: str, platform: str) -> str:
    """The problem as policies/ words it for English; one Chinese sentence per kind for zh
    (naming the platform the row declares where the kind is about it)."""
    if language != "zh":
        return english
    kind = next((k for start, k in _POLICY_PROBLEMS if start in english), "policies_invalid")
    return load_catalogue().text(f"tabs_validation.{kind}", language, name=platform)


def _column(headers: HeaderMap | None, key: str) -> ColumnSpec | None:
    return headers.tab.columns_by_key.get(key) if headers is not None else None


def _missing(headers: HeaderMap | None, row: SheetRow, key: str, header: str, language: str) -> str:
    title = headers.title if headers else "?"
    spec = _column(headers, key)
    # English names the column as it always has; a Chinese team reads its Chinese name
    named = (
        column_header(headers.tab.key, spec, language)
        if headers is not None and spec is not None and language != "en"
        else header
    )
    return text(
        "tabs_validation.holidays_required", language, header=named, title=title, row=row.row
    )
