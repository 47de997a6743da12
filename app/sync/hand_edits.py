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

#: Service columns a person may be tempted to type into, and where their value belongs instead.
WATCHED: Mapping[str, str] = {
    "priority": "use Priority Override",
    "next_action": "write your own plan in Notes",
    "next_due": "write your own plan in Notes",
    "sla_state": "write your own plan in Notes",
    "suggested_reply": "write your own reply in Notes",
    "seller_message": "write your own message in Notes",
    "escalation": "write your own plan in Notes",
    "return_deadline": "record a Policy Exception",
    "days_left": "record a Policy Exception",
    "policy_ref": "record a Policy Exception",
}
PREFIX = "wrote:"
MARK = "ℹ"  # the Validation mark for information (app/sync/derive.py)


def written_values(values: Mapping[str, CellValue]) -> dict[str, CellValue]:
    """What this sync leaves in the watched columns, to keep in the case's snapshot."""
    return {PREFIX + key: storable(values.get(key)) for key in WATCHED if key in values}


def hand_edit_lines(
    row: SheetRow,
    case_id: str,
    remembered: Mapping[str, CellValue] | None,
    desired: Mapping[str, CellValue],
    headers: HeaderMap,
    ctx: ParseContext,
) -> list[str]:
    """Validation lines for watched cells a person changed since the service wrote them."""
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
        lines.append(f"{MARK} {spec.header} is computed; your {shown} was replaced — {hint}")
    return lines
