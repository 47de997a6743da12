"""`aftersales kpis`: the team's KPIs over a period, as tables, JSON or CSV; writes nothing."""

from __future__ import annotations

import difflib
import json
import sys
from datetime import date
from typing import Annotated, cast
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import (
    JsonOpt,
    Now,
    SheetOpt,
    WorkbookOpt,
    fail,
    out,
    parse_now,
    runtime,
    say,
)
from app.errors import AftersalesError

KPI_COLUMNS = (
    "group",
    "cases",
    "frt_median",
    "frt_p90",
    "closed",
    "resolution_rate",
    "within_sla",
    "reopened",
    "csat",
    "exceptions",
    "resolution_median",
)


def kpis(
    workbook: WorkbookOpt = None,
    sheet: SheetOpt = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    by: Annotated[
        str, typer.Option(help="all, platform, assignee, platform_assignee or week")
    ] = "all",
    now: Now = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV rows.")] = False,
) -> None:
    """Team KPIs (definitions: docs/kpis.md), computed from the sheet; writes nothing."""
    from app.analytics import GROUP_KINDS, GroupKind, default_period

    if by not in GROUP_KINDS:
        guess = difflib.get_close_matches(by, GROUP_KINDS, n=1)
        hint = say("cli_kpis.did_you_mean", guess=guess[0]) if guess else ""
        fail(say("cli_kpis.bad_grouping", by=repr(by), hint=hint, kinds=", ".join(GROUP_KINDS)))
    rt = runtime(workbook, sheet)
    moment = parse_now(now, rt.team.timezone)
    period = None
    if start or end:
        first, last = default_period(moment, ZoneInfo(rt.team.timezone))
        period = (_day("--from", start) or first, _day("--to", end) or last)
        if period[0] > period[1]:
            fail(say("cli_kpis.period_backwards", start=period[0], end=period[1]))
    try:
        report = rt.engine().sync(now=moment, trigger="kpis", dry_run=True, kpi_period=period)
    except AftersalesError as exc:
        fail(exc.message)
    assert report.kpis is not None
    kinds: list[GroupKind] = list(GROUP_KINDS) if by == "all" else [cast(GroupKind, by)]
    flat = [r.as_json() for kind in kinds for r in report.kpis.group(kind)]
    if as_json:
        data = report.kpis.as_json()
        data["groups"] = {k: v for k, v in dict(data["groups"]).items() if k in kinds}  # type: ignore[call-overload]
        print(json.dumps(data, ensure_ascii=False))
        return
    if as_csv:
        from app.analytics.csv_export import write_csv

        write_csv(sys.stdout, flat)
        return
    kpi = report.kpis
    out.print(
        say(
            "cli_kpis.heading",
            start=kpi.start,
            end=kpi.end,
            timezone=kpi.timezone,
            cases=len(report.results),
        )
    )
    for kind in kinds:
        table = Table(
            *(say(f"cli_kpis.column_{name}") for name in KPI_COLUMNS),
            title=say(f"cli_kpis.group_{kind}"),
        )
        for row in kpi.group(kind):
            label = " / ".join(str(x) for x in (row.platform, row.assignee, row.week) if x)
            label = label or say("cli_kpis.label_all")
            table.add_row(
                escape(label),
                str(row.cases),
                _num(row.frt_median_hours),
                _num(row.frt_p90_hours),
                str(row.closed),
                _pct(row.resolution_rate),
                _pct(row.within_sla_rate),
                _pct(row.reopened_pct),
                _num(row.csat_mean),
                _pct(row.exception_pct),
                _num(row.resolution_median_days),
            )
        out.print(table)


def _day(option: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(say("cli_kpis.not_a_day", option=option, text=repr(text)))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
