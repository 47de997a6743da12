"""A person typed into a service column: say so, once, on the sync that replaces it. Pure.

The case snapshot keeps what the service last wrote into each watched column (`wrote:<key>`).
When the cell now holds something else and the sync is about to overwrite it, Validation names
the column, the person's value and where such a value belongs ("Priority is computed; your P4 was
replaced — use Priority Override"). The next sync finds the cell as written and says nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.sheets.backend import CellValue, storable
from app.sync.rows import SheetRow
from app.sync.values import same_value
from sheet_schema import HeaderMap, ParseContext, is_blank
from sheet_schema.column_names import column_name
from sheet_schema.messages import text

#: Service columns a person may be tempted to type into, and where their value belongs instead
#: (the catalogue key of the hint).
WATCHED: Mapping[str, str] = {
    "priority": "case.hint_priority_override",
    "next_action": "case.hint_plan_in_notes",
    "next_due": "case.hint_plan_in_notes",
    "sla_state": "case.hint_plan_in_notes",
    "suggested_reply": "case.hint_reply_in_notes",
    "seller_message": "case.hint_message_in_notes",
    "escalation": "case.hint_plan_in_notes",
    "return_deadline": "case.hint_policy_exception",
    "days_left": "case.hint_policy_exception",
    "policy_ref": "case.hint_policy_exception",
}
PREFIX = "wrote:"
MARK = "ℹ"  # the Validation mark for information (app/sync/derive.py)


# Each snapshot's keys are these same strings (not one new "wrote:…" string per case and key:
# 6 MB held at a 10,000-case first fill).
_WRITTEN_KEYS: Mapping[str, str] = {key: PREFIX + key for key in WATCHED}


def written_values(values: Mapping[str, CellValue]) -> dict[str, CellValue]:
    """What this sync leaves in the watched columns, to keep in the case's snapshot."""
    return {
        written: storable(values[key]) for key, written in _WRITTEN_KEYS.items() if key in values
    }


def hand_edit_lines(
    row: SheetRow,
    case_id: str,
    remembered: Mapping[str, CellValue] | None,
    desired: Mapping[str, CellValue],
    headers: HeaderMap,
    ctx: ParseContext,
    language: str = "en",
) -> list[str]:
    """Validation lines (in the team's language) for watched cells a person changed since the
    service wrote them."""
    if remembered is None or row.raw.get("computed_for") not in (None, "", case_id):
        return []  # values a sort moved here belong to another case: not a person's edit
    lines: list[str] = []
    for key, hint in WATCHED.items():
        if key not in headers.positions or PREFIX + key not in remembered or key not in desired:
            continue
        spec = headers.tab.column(key)
        current = row.raw.get(key)
        if is_blank(current) or same_value(spec, current, remembered[PREFIX + key], ctx):
            continue
        if same_value(spec, current, storable(desired[key]), ctx):
            continue  # the person typed what the service computes: nothing is replaced
        shown = str(current).replace("\n", " ")
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        said = text(
            "case.hand_edit",
            language,
            header=column_name(spec, language),
            value=shown,
            hint=text(hint, language),
        )
        lines.append(f"{MARK} {said}")
    return lines
