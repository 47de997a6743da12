"""Builds the shared resources a command or the API needs from one `Settings`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.errors import ConfigurationError
from app.settings import Settings, get_settings
from app.sheets.workbook import WorkbookBackend
from app.store import Store
from app.sync.engine import SyncEngine
from app.sync.layout import new_tab
from app.sync.undo import UndoReport, undo_run
from policies import PolicyError, PolicySet, TeamSettings, load_policies, load_team_settings
from sheet_schema import ParseContext, load_schema


@dataclass
class Runtime:
    settings: Settings
    store: Store
    policies: PolicySet
    team: TeamSettings
    workbook: Path
    _backend: WorkbookBackend | None = field(default=None, repr=False)

    @property
    def sheet_key(self) -> str:
        return f"workbook:{self.workbook.resolve()}"

    def backend(self) -> WorkbookBackend:
        if self._backend is None:
            self._backend = WorkbookBackend(self.workbook)
        return self._backend

    def engine(self) -> SyncEngine:
        return SyncEngine(
            self.backend(),
            self.store,
            sheet_key=self.sheet_key,
            policies=self.policies,
            team=self.team,
            tab_names=self.settings.tab_names,
            max_replans=self.settings.max_replans,
        )

    def initialise_workbook(self) -> None:
        schema = load_schema()
        titles = [self.settings.tab_names.get(t.key, t.title) for t in schema.tabs]
        backend = self.backend()
        backend.create(titles)
        layouts = [new_tab(t, title).layout for t, title in zip(schema.tabs, titles, strict=True)]
        backend.apply_layout(layouts)
        backend.write([])

    def undo(self, run_id: int, now: datetime) -> UndoReport:
        ctx = ParseContext(tz=ZoneInfo(self.team.timezone))
        return undo_run(
            self.backend(), self.store, sheet_key=self.sheet_key, run_id=run_id, now=now, ctx=ctx
        )


def open_runtime(settings: Settings | None = None, workbook: Path | None = None) -> Runtime:
    settings = settings or get_settings()
    try:
        policies = load_policies(settings.policies_dir)
        team = load_team_settings(settings.team_file)
    except PolicyError as exc:
        raise ConfigurationError(str(exc)) from exc
    store = Store.open(settings.database_url.get_secret_value())
    return Runtime(
        settings=settings,
        store=store,
        policies=policies,
        team=team,
        workbook=workbook or settings.workbook,
    )
