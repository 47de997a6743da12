"""What one sync engine syncs and how (`EngineConfig`), built by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.automation.settings import AutomationSettings
from app.notify.settings import NotifySettings
from app.probe import Probe, no_probe
from app.sync.stream_step import STREAM_CELLS
from policies import PolicySet, TeamSettings
from sheet_schema import SheetSchema

__all__ = ["EngineConfig"]


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """What one engine syncs and how: the sheet's store key, the rules it checks cases against,
    the team's settings and the service's; built by the composition root (app/composition.py)."""

    sheet_key: str
    policies: PolicySet
    team: TeamSettings
    tab_names: Mapping[str, str] = field(default_factory=dict)
    max_replans: int = 3
    automation: AutomationSettings = field(default_factory=AutomationSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    # Told each step passed (crash tests); app/probe.py
    probe: Probe = no_probe
    schema: SheetSchema | None = None  # None: the service's own (sheet_schema/schema.yaml)
    # Reuse the planning of cases whose inputs did not change (app/sync/reuse.py).
    incremental: bool = True
    # The team language chosen at registration (`sheets add --language`); None: not chosen
    # (the sheet's Settings tab, its locale or its headers decide: app/sync/team_language.py).
    language: str | None = None
    # Rows planned per chunk: the stored memory of a chunk's cases is loaded, planned, measured
    # for the KPIs and let go before the next (app/sync/memory_step.py).
    memory_chunk: int = 1_000
    # A positional backend's sync of a Cases tab of at least `stream_rows` rows writes and
    # records its cases a part of `stream_cells` planned cells at a time (app/sync/stream_step.py).
    stream_rows: int = 5_000
    stream_cells: int = STREAM_CELLS
    # A sync that plans and caches at least this many cases makes its cache entries again, in
    # few arenas (app/sync/cache_compaction.py): 80 µs a case, for 31 MB at 50,000 cases.
    compact_cache_from: int = 20_000
    compact_part: int = 1_000  # entries pickled together when it does
