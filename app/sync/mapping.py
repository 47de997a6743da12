"""How this sheet maps: the cases tab's name and the team's headers, from its Settings tab. Pure.

`aftersales adopt --yes` writes these rows (`tab.cases`, `column.<key>`); people may edit them.
They are read before anything else, because they decide which tab is the cases tab and which
header is which column. The same rows are checked, and their Validation written, with every
other setting (app/sync/sheet_settings.py). A name the environment gives (AFTERSALES_TAB_NAMES)
applies where the sheet's Settings tab does not say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from app.errors import SheetContractError
from app.sheets.backend import SheetData
from app.sync.setting_keys import COLUMN_PREFIX, TAB_KEY
from sheet_schema import SheetSchema, TabSpec, find_tabs, header_key, match_headers, strip_control

FIX = "Run `aftersales adopt` (or the add-on's Set up → Check my sheet) to map this sheet."


@dataclass(frozen=True, slots=True)
class SheetMapping:
    """The sheet's own names: tab key -> title, and column key -> the team's header."""

    tab_names: Mapping[str, str] = field(default_factory=dict)
    header_roles: Mapping[str, str] = field(default_factory=dict)


def read_mapping(
    data: SheetData, schema: SheetSchema, tab_names: Mapping[str, str]
) -> SheetMapping:
    """The `tab.cases` and `column.<key>` rows of the Settings tab (first row of a key wins)."""
    title = find_tabs(schema, data.titles, tab_names).get("settings")
    tab = data.tabs.get(title) if title else None
    if tab is None or not tab.rows:
        return SheetMapping()
    headers = match_headers(schema.tab("settings"), tab.title, tab.rows[0])
    setting_at, value_at = headers.index("setting"), headers.index("value")
    if setting_at is None or value_at is None:
        return SheetMapping()
    names: dict[str, str] = {}
    roles: dict[str, str] = {}
    columns = {c.key for c in schema.tab("cases").user_columns}
    for index in range(1, len(tab.rows)):
        key = _text(tab.cell(index, setting_at)).casefold().replace(" ", "")
        value = _text(tab.cell(index, value_at))
        if not key or not value or key.startswith("#"):
            continue
        if key == TAB_KEY:
            names.setdefault("cases", value)
        elif key.startswith(COLUMN_PREFIX) and key[len(COLUMN_PREFIX) :] in columns:
            roles.setdefault(key[len(COLUMN_PREFIX) :], value)
    return SheetMapping(tab_names=names, header_roles=roles)


def mapped_schema(schema: SheetSchema, roles: Mapping[str, str]) -> SheetSchema:
    """The schema with each team header as an alias of the column it names (and of no other)."""
    if not roles:
        return schema
    cases = schema.tab("cases").model_dump()
    taken = {header_key(h) for h in roles.values()}
    for column in cases["columns"]:
        aliases = [a for a in column["aliases"] if header_key(a) not in taken]
        if column["key"] in roles:
            aliases.append(roles[column["key"]])
        column["aliases"] = aliases
    try:
        tab = TabSpec.model_validate(cases)  # built anew: its cached lookups must see the aliases
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]) for e in exc.errors())
        raise SheetContractError(
            f"The Settings tab's column names clash with another column ({problems}). "
            "Correct the column.* rows of the Settings tab. Nothing was written."
        ) from exc
    tabs = tuple(tab if t.key == "cases" else t for t in schema.tabs)
    return schema.model_copy(update={"tabs": tabs})


def merged_names(env: Mapping[str, str], mapping: SheetMapping) -> dict[str, str]:
    """Tab names: the sheet's Settings tab first, then the environment's."""
    return {**env, **mapping.tab_names}


def _text(value: object) -> str:
    return "" if value is None else strip_control(str(value)).strip()
