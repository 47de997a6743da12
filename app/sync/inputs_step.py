"""What a sync reads and works out before it plans: the sheet, the team's own tabs (holidays,
policy overrides, settings), the calendars, the store's marks of the cases and, with incremental
evaluation, the cached plannings that stand.

With a cache, the Cases rows whose planning it holds and will stand are let go as they are
read (`let_go_rule`): a quiet press then holds none of the rows it reuses. When a row let go
turns out to be needed after all (the team changed a setting, so no planning stands; a Case ID
now on two rows; a new row whose Case ID or Opened is to be filled, which the id check compares
every row for), the sheet is read again, whole, before anything is planned or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.sheets.backend import LetGo, LetGoRowRead, RowLetGo
from app.store import CaseMarks
from app.sync.case_plan import fills_wanted
from app.sync.memory_step import StoredMemory
from app.sync.read_step import SheetRead
from app.sync.reuse import Reuse, SheetCache, let_go_rule
from app.sync.reuse_context import build_reuse
from app.sync.settings_step import TeamSettingsRead, read_team_settings
from app.sync.team_config import read_holidays, read_policy_overrides
from policies import Calendars, PolicySet, build_calendars

if TYPE_CHECKING:
    from app.sync.engine import SyncEngine

__all__ = ["SyncInputs", "read_inputs"]


@dataclass(frozen=True, slots=True)
class SyncInputs:
    """Everything `SyncEngine.prepare` plans from."""

    sheet: SheetRead
    holiday_messages: dict[int, str]
    policies: PolicySet
    policy_messages: dict[int, str]
    builtins_present: set[tuple[str, str]]
    sheet_settings: TeamSettingsRead
    calendars: Calendars
    memory: StoredMemory
    reuse: Reuse | None


def read_inputs(engine: SyncEngine, now: datetime, whole: bool) -> SyncInputs:
    """The inputs of a sync at `now`. `whole`: read every Cases row's cells (a plan the write
    step compares with the sheet, after it wrote new ids)."""
    incremental = engine.config.incremental
    cache = engine.cache() if incremental else None
    marks = engine.store.case_marks(engine.sheet_key)
    full = engine.full_recalculation
    if cache is not None and cache.cases_title and not whole and not full:
        try:
            return _inputs(engine, now, cache, marks, let_go_rule(cache, marks, now))
        except LetGoRowRead:
            pass  # a row let go is needed after all: read the sheet again, whole
    return _inputs(engine, now, cache, marks, None)


def _inputs(
    engine: SyncEngine,
    now: datetime,
    cache: SheetCache | None,
    marks: CaseMarks,
    let_go: RowLetGo | None,
) -> SyncInputs:
    sheet = engine.reader.read(
        engine.backend, cache, {cache.cases_title: let_go} if cache and let_go else None
    )
    let_go_rows = _let_go_rows(sheet) if let_go is not None else set()
    if let_go_rows and fills_wanted([r for r in sheet.rows["cases"] if r.row not in let_go_rows]):
        # The id check compares every row's cells once the ids are written (app/sync/idcheck.py).
        raise LetGoRowRead("a Case ID or Opened is to be filled")
    language = sheet.language.language
    extra_days, holiday_messages = read_holidays(
        sheet.rows["holidays"], sheet.placed["holidays"].headers, language
    )
    policies, policy_messages, builtins_present = read_policy_overrides(
        sheet.rows["policies"], sheet.placed["policies"].headers, engine.policies, language
    )
    sheet_settings = read_team_settings(sheet, engine.automation, engine.team)
    team = sheet_settings.team
    memory = StoredMemory(engine.store, engine.sheet_key, marks)
    reuse = None
    if engine.config.incremental:
        reuse = build_reuse(
            sheet,
            engine.kpis_titles,
            now=now,
            tz=engine.tz,
            policies=policies,
            team=team,
            automation=sheet_settings.automation,
            notify=engine.notify,
            language=language,
            cache=cache,
            marks=marks,
            check=engine.full_recalculation,
        )
        if not let_go_rows <= reuse.hits.keys():
            # No planning stands (the context changed), or the Case ID is on another row too.
            raise LetGoRowRead("a row let go is planned again")
    return SyncInputs(
        sheet=sheet,
        holiday_messages=holiday_messages,
        policies=policies,
        policy_messages=policy_messages,
        builtins_present=builtins_present,
        sheet_settings=sheet_settings,
        calendars=build_calendars(team, extra_days),
        memory=memory,
        reuse=reuse,
    )


def _let_go_rows(sheet: SheetRead) -> set[int]:
    """The sheet rows of the Cases tab the read let go."""
    tab = sheet.tab("cases")
    if tab is None:
        return set()
    return {index + 1 for index, cells in enumerate(tab.rows) if type(cells) is LetGo}
