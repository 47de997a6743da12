"""Finds tabs and columns by their names, never by position.

Teams reorder columns, rename them to a known alias (including Chinese headers) and add their
own columns; all of that is fine. What is not fine, and stops a sync before anything is written,
is a missing required header or two headers that claim the same column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sheet_schema.cells import strip_control
from sheet_schema.models import ColumnSpec, SheetSchema, TabSpec, header_key


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Where each known column of one tab sits (0-based index into the row)."""

    tab: TabSpec
    title: str
    positions: Mapping[str, int]
    width: int  # number of header cells, used or not (where new columns may be appended)
    duplicates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missing_required: tuple[ColumnSpec, ...] = ()
    missing: tuple[ColumnSpec, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.duplicates and not self.missing_required

    def index(self, key: str) -> int | None:
        return self.positions.get(key)

    def problems(self) -> list[str]:
        """Sentences naming each header problem, for the person who must fix the sheet."""
        out: list[str] = []
        for spec in self.missing_required:
            aliases = ", ".join(spec.aliases[:3])
            hint = f" (or an alias: {aliases})" if aliases else ""
            out.append(f"Tab '{self.title}': required column '{spec.header}'{hint} is missing.")
        for key, headers in self.duplicates.items():
            listed = " and ".join(f"'{h}'" for h in headers)
            spec = self.tab.column(key)
            out.append(
                f"Tab '{self.title}': headers {listed} both mean column '{spec.header}'; "
                "rename or remove one of them."
            )
        return out


def match_headers(tab: TabSpec, title: str, header_row: Sequence[object]) -> HeaderMap:
    """Map the known columns of `tab` onto the header cells of a sheet's first row."""
    by_match: dict[str, str] = {}
    for spec in tab.columns:
        for match in spec.match_keys:
            by_match[match] = spec.key

    found: dict[str, list[tuple[int, str]]] = {}
    width = 0
    for index, cell in enumerate(header_row):
        text = "" if cell is None else strip_control(str(cell)).strip()
        if not text:
            continue
        width = index + 1
        key = by_match.get(header_key(text))
        if key is not None:
            found.setdefault(key, []).append((index, text))

    positions = {key: hits[0][0] for key, hits in found.items() if len(hits) == 1}
    duplicates = {
        key: tuple(text for _, text in hits) for key, hits in found.items() if len(hits) > 1
    }
    missing = tuple(spec for spec in tab.columns if spec.key not in found)
    missing_required = tuple(
        spec for spec in missing if spec.required and spec.owner.value == "user"
    )
    return HeaderMap(
        tab=tab,
        title=title,
        positions=positions,
        width=width,
        duplicates=duplicates,
        missing_required=missing_required,
        missing=missing,
    )


def find_tabs(
    schema: SheetSchema, titles: Sequence[str], names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map tab keys to the actual titles present in the spreadsheet.

    `names` lets a team rename a tab (key -> title); otherwise the default title and its aliases
    are matched case- and space-insensitively.
    """
    present = {header_key(t): t for t in titles}
    found: dict[str, str] = {}
    for tab in schema.tabs:
        wanted = [names[tab.key]] if names and tab.key in names else []
        wanted += [tab.title, *tab.aliases]
        for name in wanted:
            title = present.get(header_key(name))
            if title is not None:
                found[tab.key] = title
                break
    return found
