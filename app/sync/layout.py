"""Where every column of a tab will be, and the layout the tab should have. Pure.

Known columns stay where the team put them; missing service-owned columns (and all columns of
a tab the service creates) are appended after the last used column: past the last header, and
past any cell a person typed in a column without a header, which is theirs too.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.sheets.backend import ColumnLayout, HighlightRule, TabLayout, column_letter
from app.sync.hand_edits import WATCHED
from sheet_schema import HeaderMap, Owner, TabSpec, match_headers
from sheet_schema.messages import Language, load_catalogue, text
from sheet_schema.team_texts import column_header, dropdown_choices

OVERDUE_FILL = "F8D7DA"
DUE_SOON_FILL = "FFF3CD"
STALE_FILL = "E2E3E5"
STALE_FONT = "6C757D"


@dataclass(frozen=True, slots=True)
class PlacedTab:
    """A tab's header map after missing columns have been given a place."""

    headers: HeaderMap
    layout: TabLayout
    added: tuple[str, ...]  # keys of the columns appended by this sync


def place_columns(
    tab: TabSpec,
    headers: HeaderMap,
    *,
    add_user_columns: bool,
    used_width: int = 0,
    language: Language = "en",
) -> PlacedTab:
    """Append missing columns (service-owned ones always; user ones only for a new tab) after
    the header row's last cell and after `used_width`, the widest row of the tab's data; the
    headers and dropdowns the service lays out are in the team `language`."""
    positions = dict(headers.positions)
    next_index = max(headers.width, used_width)
    added: list[str] = []
    for spec in headers.missing:
        if spec.owner is Owner.USER and not add_user_columns:
            continue
        positions[spec.key] = next_index
        next_index += 1
        added.append(spec.key)
    placed = HeaderMap(
        tab=tab,
        title=headers.title,
        positions=positions,
        width=max(next_index, headers.width),
        duplicates=headers.duplicates,
        missing_required=headers.missing_required,
        missing=tuple(s for s in headers.missing if s.key not in positions),
    )
    return PlacedTab(headers=placed, layout=tab_layout(tab, placed, language), added=tuple(added))


def new_tab(tab: TabSpec, title: str, language: Language = "en") -> PlacedTab:
    return place_columns(
        tab, match_headers(tab, title, []), add_user_columns=True, language=language
    )


def tab_layout(tab: TabSpec, headers: HeaderMap, language: Language = "en") -> TabLayout:
    columns = []
    for spec in tab.columns:
        index = headers.positions.get(spec.key)
        if index is None:
            continue
        columns.append(
            ColumnLayout(
                index=index + 1,
                header=column_header(tab.key, spec, language),
                name=spec.header,
                number_format=spec.number_format,
                choices=dropdown_choices(spec, language),
                # A column read through a vocabulary takes the team's words too: the dropdown
                # suggests the canonical ones and never refuses another.
                strict_choices=not spec.free_choice and spec.vocabulary is None,
                hidden=spec.hidden,
                protected=spec.owner is Owner.SERVICE,
                width=_width(spec.key),
                note=header_note(spec.key, language) if spec.owner is Owner.SERVICE else None,
            )
        )
    return TabLayout(
        title=headers.title,
        columns=tuple(columns),
        frozen_rows=1,
        highlights=_highlights(tab, headers, language),
        last_column=headers.width,
    )


def header_note(key: str, language: Language = "en") -> str:
    """The note on a service column's header: whose column it is and where a person's value
    goes, in the team `language`."""
    if language == "en":
        hint = text(WATCHED[key], "en") if key in WATCHED else "type your own notes in Notes"
        return f"Computed by After-sales Desk — {hint}. Edits here are replaced at the next sync."
    note = f"headers.note_{key}"
    return text(note if note in load_catalogue().texts else "headers.note_default", language)


def _highlights(
    tab: TabSpec, headers: HeaderMap, language: Language = "en"
) -> tuple[HighlightRule, ...]:
    if tab.key != "cases":
        return ()
    col = {k: column_letter(i + 1) for k, i in headers.positions.items()}
    rules = []
    if "computed_for" in col and "case_id" in col:
        cf, cid = col["computed_for"], col["case_id"]
        # Service values computed for another case (a sort moved them): grey until repaired.
        rules.append(
            HighlightRule("stale", f'AND(${cf}2<>"",${cf}2<>${cid}2)', STALE_FILL, STALE_FONT)
        )
    if "sla_state" in col:
        sla = col["sla_state"]
        # SLA State reads "Overdue: resolution, due 12-04 18:30": match its opening word.
        rules.append(HighlightRule("overdue", f'LEFT(${sla}2,7)="Overdue"', OVERDUE_FILL))
        rules.append(HighlightRule("due_soon", f'LEFT(${sla}2,8)="Due soon"', DUE_SOON_FILL))
        # A team language's SLA State opens with its own word (已超时：…): matched too.
        for name, key, fill in (
            ("overdue", "sla.overdue", OVERDUE_FILL),
            ("due_soon", "sla.due_soon", DUE_SOON_FILL),
        ):
            word = state_word(key, language)
            if word:
                formula = f'LEFT(${sla}2,{len(word)})="{word}"'
                rules.append(HighlightRule(f"{name}_{language}", formula, fill))
    return tuple(rules)


def state_word(key: str, language: Language) -> str | None:
    """The word an SLA State text opens with in a team language other than English (the
    catalogue text before its first placeholder or colon); None when there is none."""
    if language == "en" or key not in load_catalogue().texts:
        return None
    opening = load_catalogue().texts[key][language].split("{", 1)[0]
    word = opening.split("：", 1)[0].split(":", 1)[0].strip()
    return word or None


def _width(key: str) -> int | None:
    wide = {"next_action": 38, "validation": 48, "suggested_reply": 48, "seller_message": 40}
    return wide.get(key, 16 if key in {"return_deadline", "next_due", "last_synced"} else None)
