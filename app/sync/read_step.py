"""The sync's read step: read the tabs the schema knows, place their columns, parse their rows.

No Cases tab, or a header problem on it, stops the sync here, before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from zoneinfo import ZoneInfo

from app.errors import SheetContractError
from app.probe import READ, Probe
from app.sheets.backend import (
    CellValue,
    LetGo,
    LetGoRowRead,
    RowLetGo,
    SheetBackend,
    SheetData,
    TabData,
    TabLayout,
)
from app.sync.fingerprint import row_digest
from app.sync.layout import PlacedTab, new_tab, place_columns
from app.sync.mapping import FIX as MAPPING_FIX
from app.sync.mapping import mapped_schema, merged_names, read_mapping
from app.sync.reuse import CachedCase, NarrowRead, SheetCache, handed_out, is_handed_out
from app.sync.rows import ParseMemo, RowReading, SheetRow, parse_row, parse_rows
from app.sync.team_language import (
    ENGLISH_BY_DEFAULT,
    TeamLanguage,
    resolve_language,
    settings_language,
)
from app.sync.timeline_read import keep_event_ids_only, narrow_read_holds, narrowed_reads
from app.sync.words import TeamWords, read_team_words
from sheet_schema import Owner, ParseContext, SheetSchema, find_tabs, match_headers
from sheet_schema.cells import ParsedValue
from sheet_schema.messages import Language
from sheet_schema.team_texts import tab_title
from sheet_schema.vocabulary import shipped_vocabulary


@dataclass(frozen=True, slots=True)
class SheetRead:
    """One read of the sheet, its tabs found and placed and their rows parsed."""

    data: SheetData
    tabs: Mapping[str, str]  # schema key -> title present
    placed: dict[str, PlacedTab]
    rows: dict[str, list[SheetRow]]
    ctx: ParseContext
    schema: SheetSchema  # with the header roles the sheet's Settings tab gives (`adopt`)
    team_words: TeamWords  # the Vocabulary tab's words (every other tab is read with them)
    # The language the service writes this sheet's own texts in (app/sync/team_language.py).
    language: TeamLanguage = ENGLISH_BY_DEFAULT
    # How the Cases rows were parsed (headers placed, parse context): cached rows stand for
    # rows read the same only under the same key.
    cases_parse_key: bytes = b""
    # The tabs the next sync may read narrowed (app/sync/timeline_read.py).
    narrow: Mapping[str, NarrowRead] = field(default_factory=dict)

    def tab(self, key: str) -> TabData | None:
        return self.data.tabs.get(self.tabs.get(key, ""))


@dataclass(frozen=True, slots=True)
class SheetReader:
    """Reads one sheet's tabs through a backend, as the schema (and the team's tab names) say."""

    schema: SheetSchema
    tab_names: Mapping[str, str]
    kpis_title: str
    tz: ZoneInfo
    probe: Probe
    incremental: bool = False  # digest the Cases rows; a row read as cached is not parsed again
    kpis_titles: tuple[str, ...] = ()  # every title the KPIs tab may have (either language)
    registered_language: str | None = None  # `aftersales sheets add --language`

    def read(
        self,
        backend: SheetBackend,
        cache: SheetCache | None = None,
        let_go: Mapping[str, RowLetGo] | None = None,
    ) -> SheetRead:
        """Read the tabs, place their columns and parse their rows; no Cases tab (or a header
        problem on it) stops the sync here, before anything is written. With incremental
        evaluation, a Cases row read as it was when its planning was cached (`cache`) is that
        cached row, not parsed again. `let_go`: the rows the read lets go (`SheetBackend.read`);
        LetGoRowRead when one of them is asked for."""
        narrowed = cache.narrow if cache is not None else {}
        if narrowed:
            widths = {title: n.width for title, n in narrowed.items()}
            data = backend.read(self.select, widths, let_go)
            if not narrow_read_holds(data, narrowed):
                data = backend.read(self.select, None, let_go)  # a header changed: all whole
        else:
            data = backend.read(self.select, None, let_go)
        self.probe(READ)
        # The sheet's own names (Settings tab, written by `adopt`) decide the tabs and columns.
        mapping = read_mapping(data, self.schema, self.tab_names)
        schema = mapped_schema(self.schema, mapping.header_roles)
        names = merged_names(self.tab_names, mapping)
        tabs = find_tabs(schema, data.titles, names)
        if "cases" not in tabs:
            spec = schema.tab("cases")
            wanted = ", ".join([names.get("cases", spec.title), *spec.aliases])
            present = ", ".join(data.titles) or "(none)"
            raise SheetContractError(
                f"No Cases tab in {backend.describe()} (looked for: {wanted}; "
                f"tabs present: {present}). Nothing was written. {MAPPING_FIX}"
            )
        if any(title != tabs["cases"] for title in let_go or ()):
            raise LetGoRowRead("rows were let go of a tab that is not the Cases tab")
        ctx = ParseContext(tz=self.tz, date_order=data.date_order)
        placed = self.place(data, tabs, schema, names)
        vocabulary = placed["vocabulary"]
        vocabulary_rows = self.rows(data, tabs, vocabulary, ctx)
        team_words = read_team_words(
            vocabulary_rows,
            vocabulary.headers,
            placed["cases"].headers.tab,
            shipped_vocabulary(),
        )
        ctx = replace(ctx, words=team_words.vocabulary)
        rows = {key: self.rows(data, tabs, p, ctx) for key, p in placed.items() if key != "cases"}
        cases_key = b""
        if self.incremental:
            cases_key = parse_key(placed["cases"], ctx)
            known = cache.entries if cache is not None and cache.parse_key == cases_key else {}
            rows["cases"] = digested_rows(data.tabs[tabs["cases"]], placed["cases"], ctx, known)
        else:
            rows["cases"] = self.rows(data, tabs, placed["cases"], ctx)
        language = resolve_language(
            setting=settings_language(rows["settings"]),
            registered=self.registered_language,
            locale=data.locale,
            service_headers=service_headers(data.tabs.get(tabs["cases"]), placed["cases"]),
        )
        if language.language != "en":
            # Same columns in the same places; only the titles and headers laid out change.
            placed = self.place(data, tabs, schema, names, language.language)
            # The words are read before the language is known (the Settings rows need them);
            # only the rows' Validation messages change with it.
            team_words = read_team_words(
                vocabulary_rows,
                vocabulary.headers,
                placed["cases"].headers.tab,
                shipped_vocabulary(),
                language.language,
            )
        narrow: dict[str, NarrowRead] = {}
        if "timeline" in tabs:
            keep_event_ids_only(data, tabs["timeline"], placed["timeline"].headers)
            narrow = narrowed_reads(data, tabs["timeline"], placed["timeline"].headers)
        return SheetRead(
            data=data,
            tabs=tabs,
            placed=placed,
            rows=rows,
            ctx=ctx,
            schema=schema,
            team_words=team_words,
            language=language,
            cases_parse_key=cases_key,
            narrow=narrow,
        )

    def select(self, titles: Sequence[str]) -> list[str]:
        """The tabs to read of those present: the schema's, and the KPIs tab."""
        found = find_tabs(self.schema, titles, self.tab_names)
        if "cases" not in found or "settings" in found:
            # The Settings tab may name another cases tab (`adopt`): read them all to see.
            return list(titles)
        chosen = [found[t.key] for t in self.schema.tabs if t.key in found]
        kpis = [t for t in dict.fromkeys((self.kpis_title, *self.kpis_titles)) if t in titles]
        return [*chosen, *kpis]

    def place(
        self,
        data: SheetData,
        tabs: Mapping[str, str],
        schema: SheetSchema,
        names: Mapping[str, str],
        language: Language = "en",
    ) -> dict[str, PlacedTab]:
        """Every schema tab's columns: where they are, and where the missing ones go (a tab
        the sync creates is titled, and added columns headed, in the team `language`)."""
        placed: dict[str, PlacedTab] = {}
        for spec in schema.tabs:
            title = tabs.get(spec.key)
            if title is None:
                title = names.get(spec.key) or tab_title(spec.key, spec.title, language)
                placed[spec.key] = new_tab(spec, title, language)
                continue
            tab_data = data.tabs.get(title)
            header_row = tab_data.rows[0] if tab_data and tab_data.rows else []
            headers = match_headers(spec, title, header_row)
            if spec.key == "cases" and not headers.ok:
                raise SheetContractError(
                    "The Cases tab cannot be synced: "
                    + " ".join(headers.problems())
                    + f" Nothing was written. {MAPPING_FIX}",
                    headers.problems(),
                )
            empty = not header_row
            used = max((len(r) for r in tab_data.rows), default=0) if tab_data else 0
            placed[spec.key] = place_columns(
                spec, headers, add_user_columns=empty, used_width=used, language=language
            )
        return placed

    def layouts(self, placed: Mapping[str, PlacedTab], tabs: Mapping[str, str]) -> list[TabLayout]:
        """The tabs to lay out: those present, and missing ones the sync creates (not Settings)."""
        return [
            p.layout
            for key, p in placed.items()
            if key in tabs or self.schema.tab(key).created_by_sync
        ]

    def rows(
        self, data: SheetData, tabs: Mapping[str, str], placed: PlacedTab, ctx: ParseContext
    ) -> list[SheetRow]:
        """A placed tab's rows, parsed (none for a missing tab or one with header problems)."""
        title = tabs.get(placed.headers.tab.key)
        if title is None or not placed.headers.ok:
            return []
        if not placed.headers.tab.user_columns:
            # A tab of the service's alone (Timeline, Outbox): no row of it is ever read as
            # input, and parsing tens of thousands of Timeline rows at every sync is waste.
            return []
        return parse_rows(data.tabs.get(title), placed.headers, ctx)


def parse_key(placed: PlacedTab, ctx: ParseContext) -> bytes:
    """What parsing a Cases row depends on besides its cells: the columns' places and the
    parse context (time zone, date order, the team's vocabulary)."""
    headers = placed.headers
    return blake2b(
        repr((headers.title, sorted(headers.positions.items()), ctx)).encode(), digest_size=16
    ).digest()


def digested_rows(
    data: TabData, placed: PlacedTab, ctx: ParseContext, known: Mapping[bytes, CachedCase]
) -> list[SheetRow]:
    """The Cases rows, each with its digest; a row whose digest has a cached planning (the same
    cells at the same row, parsed under the same key) is not parsed: it is that planning's row
    handed out over its cells as read (`handed_out`), its reply cells the planning's own
    strings (`_share_replies`)."""
    formulas: defaultdict[int, list[int]] = defaultdict(list)
    for row_index, col in data.formulas:
        formulas[row_index].append(col)
    reading = RowReading.of(data, placed.headers)
    parse_again = RowParser(reading, ctx)
    positions = placed.headers.positions
    replies = [(positions[key], key) for key in _REPLIES if key in positions]
    rows: list[SheetRow] = []
    memo: ParseMemo = {}
    for index in range(1, len(data.rows)):
        cells = data.rows[index]
        if type(cells) is LetGo:  # let go as read: its planning stands (app/sync/inputs_step.py)
            entry = known.get(cells.token)
            if entry is None or index in formulas:  # (the token is a digest without formulas)
                raise LetGoRowRead(f"row {index + 1} was let go and is to be parsed")
            rows.append(handed_out(entry, reading.cells(index), parse_again))
            continue
        digest = row_digest(index + 1, cells, formulas.get(index, ()))
        entry = known.get(digest)
        if entry is not None:
            _share_replies(cells, replies, entry)
            rows.append(handed_out(entry, reading.cells(index), parse_again))
            continue
        row = parse_row(reading, index, ctx, memo)
        row.digest = digest
        rows.append(row)
    return rows


_REPLIES = ("suggested_reply", "seller_message")  # column keys, and CaseResult's fields


def _share_replies(
    cells: list[CellValue], replies: Sequence[tuple[int, str]], entry: CachedCase
) -> None:
    """Make each reply cell of a row read as a cached planning found it the planning's own
    string, where the two are equal (they are, unless a reply was held back or the cell is
    blank): the read's copy goes at once. The replies are a case's longest texts, each one
    its own; held twice, once by the cache and once by the read, they were a third of a
    steady press's memory above what it started with (10,000 cases: 6.6 of its 25 MB)."""
    result = entry.result
    for position, key in replies:
        text = getattr(result, key)  # the result's field of the column's name
        if text is not None and position < len(cells) and cells[position] == text:
            cells[position] = text


@dataclass(frozen=True, slots=True)
class RowParser:
    """Parses a tab's rows again from their cells as read: what a cached row reads a value it
    does not keep from (app/sync/reuse.py, `KEPT_KEYS`)."""

    reading: RowReading
    ctx: ParseContext

    def __call__(self, row: int) -> Mapping[str, ParsedValue]:
        """The values of sheet row `row`, parsed again."""
        return parse_row(self.reading, row - 1, self.ctx).values


def cases_parser(sheet: SheetRead) -> RowParser | None:
    """The parser of the sheet's Cases rows as read (None without a Cases tab)."""
    tab = sheet.tab("cases")
    if tab is None:
        return None
    return RowParser(RowReading.of(tab, sheet.placed["cases"].headers), sheet.ctx)


def reread_cached_rows(
    sheet: SheetRead, known: Mapping[bytes, CachedCase], reused: Container[int]
) -> None:
    """Parse again, from the cells as read, each Cases row the reader took from the cache
    (`known`) that is not among the sheet rows `reused`: a case planned again is planned from
    its cells as read, as a first planning is (its parsed values and problems included)."""
    rows = sheet.rows["cases"]
    tab = sheet.tab("cases")
    if tab is None:
        return
    reading = RowReading.of(tab, sheet.placed["cases"].headers)
    for index, row in enumerate(rows):
        entry = known.get(row.digest) if row.digest else None
        if entry is None or not is_handed_out(entry, row) or row.row in reused:
            continue
        fresh = parse_row(reading, row.row - 1, sheet.ctx)
        fresh.digest = row.digest
        rows[index] = fresh


def service_headers(data: TabData | None, placed: PlacedTab) -> list[object]:
    """The header cells of the service's own columns a tab has (typed, or laid out before)."""
    header_row = data.rows[0] if data and data.rows else []
    indexes = [
        placed.headers.positions.get(spec.key)
        for spec in placed.headers.tab.columns
        if spec.owner is Owner.SERVICE
    ]
    return [header_row[i] for i in indexes if i is not None and i < len(header_row)]
