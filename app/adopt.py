"""`aftersales adopt`: how a team's own sheet maps, proposed from what is in it, and applied.

The proposal reads the sheet as it is: which tab holds the cases (recognised by its headers,
whatever its name), which header is which column (names and aliases in English and Chinese,
then close spellings), the team's own extra columns (left alone), the required columns that are
missing, and for every choice column each distinct word with what it means (built in, the
team's, a suggestion, or unknown) and on how many rows. Applying writes the mapping where the
team can read and edit it: `tab.cases` / `column.<key>` rows in the Settings tab and the
suggested words in the Vocabulary tab. Nothing else in the sheet changes, and a mapping already
written is not written again. Pure apart from `apply`, which writes through the backend.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from app.sheets.backend import CellUpdate, SheetBackend, SheetData, TabData, TabLayout
from app.sync.layout import new_tab
from app.sync.mapping import mapped_schema, merged_names, read_mapping
from app.sync.rows import parse_rows
from app.sync.setting_keys import COLUMN_PREFIX, TAB_KEY
from app.sync.words import read_team_words
from sheet_schema import (
    ColumnSpec,
    HeaderMap,
    ParseContext,
    SheetSchema,
    TabSpec,
    find_tabs,
    header_key,
    match_headers,
    parse_cell,
    strip_control,
)
from sheet_schema.vocabulary import UNKNOWN_WORD, Vocabulary, fold_word, shipped_vocabulary

MIN_MATCHED_HEADERS = 3  # a tab with fewer known headers is not taken for the cases tab
HEADER_CUTOFF = 0.75  # how close a header must be spelt to a known one to be suggested

EXIT_OK, EXIT_NEEDS_PERSON, EXIT_CANNOT_RUN = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    header: str
    column: str  # column key
    means: str  # the column's header in the contract
    how: str  # "built in" | "settings" | "suggested"


@dataclass(frozen=True, slots=True)
class WordMatch:
    column: str  # the contract's header of the column
    word: str
    rows: int
    means: str | None
    how: str  # "built in" | "team" | "suggested" | "unknown"


@dataclass(slots=True)
class Proposal:
    """What `adopt` found, what it would write, and what needs a person."""

    cases_tab: str | None = None
    found_by: str | None = None  # "name" | "settings" | "headers"
    columns: list[ColumnMatch] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    words: list[WordMatch] = field(default_factory=list)
    settings_rows: list[tuple[str, str]] = field(default_factory=list)
    vocabulary_rows: list[tuple[str, str, str]] = field(default_factory=list)
    needs_person: list[str] = field(default_factory=list)
    tabs: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        if self.cases_tab is None:
            return EXIT_CANNOT_RUN
        return EXIT_NEEDS_PERSON if self.needs_person else EXIT_OK

    @property
    def syncable(self) -> bool:
        return self.cases_tab is not None and not self.missing

    def as_json(self) -> dict[str, object]:
        return {
            "cases_tab": self.cases_tab,
            "found_by": self.found_by,
            "syncable": self.syncable,
            "columns": [asdict(c) for c in self.columns],
            "extra_columns": self.extra_columns,
            "missing": self.missing,
            "words": [asdict(w) for w in self.words],
            "writes": {
                "settings": [list(r) for r in self.settings_rows],
                "vocabulary": [list(r) for r in self.vocabulary_rows],
            },
            "needs_person": self.needs_person,
            "exit_code": self.exit_code,
            "tabs": list(self.tabs),
        }


def propose(
    data: SheetData, schema: SheetSchema, env_names: Mapping[str, str], ctx: ParseContext
) -> Proposal:
    """The mapping of a sheet as read (every tab of it)."""
    proposal = Proposal(tabs=data.titles)
    mapping = read_mapping(data, schema, env_names)
    names = merged_names(env_names, mapping)
    mapped = mapped_schema(schema, mapping.header_roles)
    found = find_tabs(mapped, data.titles, names)
    title = found.get("cases")
    if title is not None:
        proposal.found_by = "settings" if "cases" in mapping.tab_names else "name"
    else:
        title = _tab_by_headers(data, mapped.tab("cases"))
        proposal.found_by = "headers" if title else None
    if title is None or title not in data.tabs:
        proposal.needs_person.append(
            "No tab looks like a cases tab (one with headers such as Case ID, Platform, "
            f"Issue Type, Status); tabs present: {', '.join(data.titles) or '(none)'}. "
            "Name the tab in the Settings tab (Setting tab.cases) or add those headers."
        )
        return proposal
    proposal.cases_tab = title
    if proposal.found_by == "headers" and names.get("cases") != title:
        proposal.settings_rows.append((TAB_KEY, title))
    tab = data.tabs[title]
    header_row = tab.rows[0] if tab.rows else []
    cases = mapped.tab("cases")
    roles = _match_columns(proposal, cases, header_row, mapping.header_roles)
    for key, header in roles.items():
        proposal.settings_rows.append((f"{COLUMN_PREFIX}{key}", header))
    final = mapped_schema(schema, {**mapping.header_roles, **roles}).tab("cases")
    headers = match_headers(final, title, header_row)
    proposal.missing = [spec.header for spec in headers.missing_required]
    for header in proposal.missing:
        proposal.needs_person.append(
            f"Tab '{title}' has no '{header}' column: add one (any header from its aliases) "
            f"or name yours in the Settings tab (Setting column.{final_key(final, header)})."
        )
    words = _team_vocabulary(data, mapped, found)
    _match_words(proposal, tab, headers, ParseContext(ctx.tz, ctx.date_order, words), words)
    return proposal


def final_key(tab: TabSpec, header: str) -> str:
    return next(c.key for c in tab.columns if c.header == header)


def _tab_by_headers(data: SheetData, cases: TabSpec) -> str | None:
    """The tab whose first row names the most cases columns (at least a few)."""
    best: tuple[int, str] | None = None
    for title in data.titles:
        tab = data.tabs.get(title)
        if tab is None or not tab.rows:
            continue
        known = len(match_headers(cases, title, tab.rows[0]).positions)
        if known >= MIN_MATCHED_HEADERS and (best is None or known > best[0]):
            best = (known, title)
    return best[1] if best else None


def _match_columns(
    proposal: Proposal, cases: TabSpec, header_row: Sequence[object], settings: Mapping[str, str]
) -> dict[str, str]:
    """Known headers, close spellings of known headers (returned: key -> header), extras."""
    by_match = {m: spec for spec in cases.columns for m in spec.match_keys}
    exact = match_headers(cases, "", header_row).positions
    taken = set(exact)
    suggested: dict[str, str] = {}
    for cell in header_row:
        text = "" if cell is None else strip_control(str(cell)).strip()
        if not text:
            continue
        spec = by_match.get(header_key(text))
        if spec is not None:
            how = "settings" if settings.get(spec.key) == text else "built in"
            proposal.columns.append(ColumnMatch(text, spec.key, spec.header, how))
            continue
        close = difflib.get_close_matches(header_key(text), list(by_match), 1, HEADER_CUTOFF)
        near = by_match[close[0]] if close else None
        if near is not None and near.key not in taken and near.owner.value == "user":
            taken.add(near.key)
            suggested[near.key] = text
            proposal.columns.append(ColumnMatch(text, near.key, near.header, "suggested"))
        else:
            proposal.extra_columns.append(text)
    return suggested


def _team_vocabulary(data: SheetData, schema: SheetSchema, found: Mapping[str, str]) -> Vocabulary:
    """The built-in words with the sheet's Vocabulary tab laid over them."""
    title = found.get("vocabulary")
    tab = data.tabs.get(title) if title else None
    if tab is None or not tab.rows:
        return shipped_vocabulary()
    spec = schema.tab("vocabulary")
    headers = match_headers(spec, tab.title, tab.rows[0])
    rows = parse_rows(tab, headers, ParseContext()) if headers.ok else []
    return read_team_words(rows, headers, schema.tab("cases"), shipped_vocabulary()).vocabulary


def _match_words(
    proposal: Proposal, tab: TabData, headers: HeaderMap, ctx: ParseContext, words: Vocabulary
) -> None:
    """Every distinct word of every choice column, with what it means and its row count."""
    for key, index in headers.positions.items():
        spec = headers.tab.column(key)
        vocab = words.get(spec.vocabulary)
        if vocab is None or spec.owner.value != "user":
            continue
        counts: Counter[str] = Counter()
        raw: dict[str, object] = {}  # a word as the cell holds it (a date may be a day number)
        for row in tab.rows[1:]:
            value = row[index] if index < len(row) else None
            if value is not None and str(value).strip():
                counts[str(value).strip()] += 1
                raw.setdefault(str(value).strip(), value)
        for word, rows in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            proposal.words.append(_word(spec, word, raw[word], rows, ctx, proposal))


def _word(
    spec: ColumnSpec, word: str, raw: object, rows: int, ctx: ParseContext, proposal: Proposal
) -> WordMatch:
    vocab = ctx.vocabulary(spec.vocabulary)
    assert vocab is not None
    meaning = vocab.match(word)
    if meaning is not None:
        how = "team" if fold_word(word) in vocab.team else "built in"
        return WordMatch(spec.header, word, rows, meaning, how)
    parsed = parse_cell(spec, raw, ctx)
    if parsed.problem is None and not spec.free_choice:
        return WordMatch(spec.header, word, rows, _shown(parsed.value), "built in")
    near = vocab.nearest(word)
    if near is not None:
        proposal.vocabulary_rows.append((spec.header, word, near))
        return WordMatch(spec.header, word, rows, near, "suggested")
    if spec.free_choice and parsed.problem is None:
        return WordMatch(spec.header, word, rows, None, "unknown")
    code = parsed.problem.code if parsed.problem else UNKNOWN_WORD
    if code == UNKNOWN_WORD or spec.vocabulary is not None:
        proposal.needs_person.append(
            f"{spec.header} '{word}' ({rows} row{'s' if rows != 1 else ''}) is not a word the "
            f"service knows: say what it means in the Vocabulary tab "
            f"(one of: {', '.join(vocab.canonical)})."
        )
    return WordMatch(spec.header, word, rows, None, "unknown")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "Yes (provided)" if value else "No"
    return str(value)


def apply_cells(
    data: SheetData, schema: SheetSchema, proposal: Proposal
) -> tuple[list[TabLayout], list[CellUpdate]]:
    """(tabs to create, cells to write) for the proposal's Settings and Vocabulary rows that the
    sheet does not have yet."""
    layouts: list[TabLayout] = []
    cells: list[CellUpdate] = []
    found = find_tabs(schema, data.titles)
    plans = (
        ("settings", ("setting", "value"), proposal.settings_rows),
        ("vocabulary", ("column", "word", "means"), proposal.vocabulary_rows),
    )
    for tab_key, keys, wanted in plans:
        spec = schema.tab(tab_key)
        title = found.get(tab_key)
        tab = data.tabs.get(title) if title else None
        if tab is None or not tab.rows:
            placed = new_tab(spec, title or spec.title)
            headers = placed.headers
            if title is None:
                layouts.append(placed.layout)
            existing: list[Sequence[object]] = []
        else:
            headers = match_headers(spec, tab.title, tab.rows[0])
            existing = list(tab.rows[1:])
        have = _existing_keys(existing, headers, keys)
        row = len(existing) + 2
        for values in wanted:
            if _row_key(tab_key, values) in have:
                continue
            have.add(_row_key(tab_key, values))
            for key, value in zip(keys, values, strict=True):
                index = headers.positions.get(key)
                if index is not None:
                    cells.append(CellUpdate(headers.title, row, index + 1, value))
            row += 1
    return layouts, cells


def _row_key(tab_key: str, values: Sequence[str]) -> tuple[str, ...]:
    if tab_key == "settings":
        return ("".join(values[0].split()).casefold(),)
    return (header_key(values[0]), fold_word(values[1]))


def _existing_keys(
    rows: Sequence[Sequence[object]], headers: HeaderMap, keys: Sequence[str]
) -> set[tuple[str, ...]]:
    have: set[tuple[str, ...]] = set()
    tab_key = headers.tab.key
    for row in rows:
        values = []
        for key in keys:
            index = headers.positions.get(key)
            cell = row[index] if index is not None and index < len(row) else None
            values.append("" if cell is None else str(cell).strip())
        if values[0]:
            have.add(_row_key(tab_key, values))
    return have


def apply(backend: SheetBackend, data: SheetData, schema: SheetSchema, proposal: Proposal) -> int:
    """Write the proposal's mapping into the sheet; the number of cells written (0 the second
    time)."""
    layouts, cells = apply_cells(data, schema, proposal)
    if not layouts and not cells:
        return 0
    if layouts:
        backend.apply_layout(layouts)
    backend.write(cells)
    return len(cells)
