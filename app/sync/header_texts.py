"""The headers the service wrote, rewritten when the sheet's team language changes. Pure.

A header cell is the service's to rewrite only when it holds exactly the header the service
writes for that column in the language it last wrote the sheet in (recorded with each run):
a header a person typed (another word, another spelling) keeps its text, and so does every
user-owned column's header. The column is found by either language's header (their aliases).
"""

from __future__ import annotations

from dataclasses import replace

from app.sheets.backend import CellUpdate, TabLayout
from app.sync.read_step import SheetRead
from sheet_schema import Owner
from sheet_schema.messages import Language
from sheet_schema.team_texts import column_header


def header_rewrites(sheet: SheetRead, written: Language, language: Language) -> list[CellUpdate]:
    """The service columns' header cells to rewrite from the `written` language into
    `language` (none when they are the same)."""
    if written == language:
        return []
    updates: list[CellUpdate] = []
    for key, placed in sheet.placed.items():
        title = sheet.tabs.get(key)
        data = sheet.data.tabs.get(title) if title else None
        if title is None or data is None or not data.rows:
            continue
        header_row = data.rows[0]
        for spec in placed.headers.tab.columns:
            index = placed.headers.positions.get(spec.key)
            if spec.owner is not Owner.SERVICE or index is None or index >= len(header_row):
                continue
            before, after = (column_header(key, spec, lang) for lang in (written, language))
            if header_row[index] == before and before != after:
                updates.append(CellUpdate(title, 1, index + 1, after))
    return updates


def refreshed_on_switch(
    layouts: list[TabLayout], written: Language, language: Language
) -> list[TabLayout]:
    """The layouts, each asking for its dropdown lists again when the team language changed
    since the sheet was last written (a backend lays out only what is missing otherwise)."""
    if written == language:
        return layouts
    return [replace(layout, refresh_choices=True) for layout in layouts]
