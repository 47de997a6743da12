"""The automation's tabs for one sync: Templates (seeded, validated) and Outbox (mirrored).

Kept apart from the engine so each stays small. `load_automation` merges the team's Templates
rows over the shipped defaults; after planning, `template_validation` says per row whether the
template was usable (including problems found while rendering this sync's replies); the Outbox
tab shows what the store's outbox holds for this sheet (delivery happens from the store only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from app.automation.config import AutomationConfigError
from app.automation.settings import AutomationSettings
from app.automation.templates import seed_rows
from app.automation.workflow import Automation
from app.errors import ConfigurationError
from app.notify.messages import Notice
from app.notify.outbox import Outbox
from app.notify.routing import route
from app.notify.settings import NotifySettings
from app.notify.view import outbox_tab_rows
from app.sheets.backend import CellUpdate, CellValue, TabData
from app.sync.rows import SheetRow
from app.sync.values import same_value
from sheet_schema import HeaderMap, ParseContext
from sheet_schema.messages import Language, load_catalogue, text

OUTBOX_ROWS = 500  # the newest messages; the store keeps them all
OUTBOX_WORDS = ("kind", "status")  # the Outbox columns holding the service's own words


def load_automation(settings: AutomationSettings, rows: Sequence[SheetRow]) -> Automation:
    """The automation for this sync: the team's Templates rows merged over the defaults."""
    template_rows = [
        {k: ("" if v is None else str(v)) for k, v in row.values.items()}
        for row in rows
        if row.values
    ]
    try:
        return Automation.load(settings, template_rows)
    except AutomationConfigError as exc:
        raise ConfigurationError(str(exc)) from exc


def template_validation(
    automation: Automation, rows: Sequence[SheetRow], language: Language = "en"
) -> dict[int, str]:
    """A Validation message per Templates row, once the cases are planned, in the team
    `language` (a Chinese team reads each problem's kind, field and placeholder in Chinese).

    Names what the load found and what went wrong while rendering this sync's replies (a
    template refused past a render limit, or failing for a case).
    """
    problems: dict[str, list[str]] = {}
    for problem in (*automation.template_problems, *automation.templates.runtime_problems()):
        noted = problems.setdefault(problem.key, [])
        said = problem.message if language == "en" else problem.text(language)
        if said not in noted:
            noted.append(said)
    joiner = text("templates.joiner", language)
    messages: dict[int, str] = {}
    for row in rows:
        if not row.values:
            continue
        key = row.text("key") or ""
        found = problems.get(key)
        messages[row.row] = (
            text("templates.validation_bad", language, problems=joiner.join(found))
            if found
            else text("templates.validation_ok", language)
        )
    return messages


def seed_template_cells(headers: HeaderMap, language: Language = "en") -> list[CellUpdate]:
    """The default templates, for a Templates tab the service has just created."""
    updates: list[CellUpdate] = []
    ok = text("templates.validation_ok", language)
    for offset, values in enumerate(seed_rows(), start=2):
        for key, value in {**values, "validation": ok}.items():
            index = headers.positions.get(key)
            if index is not None and value:
                updates.append(CellUpdate(headers.title, offset, index + 1, value))
    return updates


def outbox_cells(
    outbox: Outbox,
    sheet_key: str,
    data: TabData | None,
    headers: HeaderMap,
    tz: tzinfo,
    ctx: ParseContext,
    language: Language = "en",
) -> list[CellUpdate]:
    """Cells of the Outbox tab that differ from the store's outbox (newest first), its kinds
    and delivery states in the team `language`."""
    wanted: Sequence[Mapping[str, CellValue]] = [
        outbox_row_in(row, language)
        for row in outbox_tab_rows(outbox.records(sheet_key, limit=OUTBOX_ROWS), tz)
    ]
    current_rows = len(data.rows) - 1 if data and data.rows else 0
    updates: list[CellUpdate] = []
    for n in range(max(len(wanted), current_rows)):
        values = wanted[n] if n < len(wanted) else {}
        for key, index in headers.positions.items():
            desired = values.get(key)
            current = data.cell(n + 1, index) if data else None
            spec = headers.tab.column(key)
            if not same_value(spec, current, desired, ctx):
                updates.append(
                    CellUpdate(headers.title, n + 2, index + 1, desired, spec.number_format)
                )
    return updates


def outbox_row_in(row: Mapping[str, CellValue], language: Language) -> Mapping[str, CellValue]:
    """An Outbox row with its Kind and Status words in `language` (as stored for English)."""
    if language == "en":
        return row
    keys = load_catalogue().texts
    out = dict(row)
    for column in OUTBOX_WORDS:
        key = f"outbox.{column}_{row.get(column)}"
        if key in keys:
            out[column] = text(key, language)
    return out


def enqueue_notices(
    outbox: Outbox,
    notices: Sequence[Notice],
    settings: NotifySettings,
    sheet_key: str,
    now: datetime,
) -> int:
    """Route this sync's notices to their channels and put them in the outbox (idempotent)."""
    messages = [m for notice in notices for m in route(notice, settings, sheet_key, now)]
    return outbox.enqueue(messages) if messages else 0
