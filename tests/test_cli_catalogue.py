"""The CLI's texts and its catalogue areas (cli, cli_*) match: every key the sources name is in
the catalogue, every catalogue key is used, and the locale decides the language as POSIX says."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import get_args

import pytest

from app.cli import adopt, doctor, kpis, progress, runs, sheets, sync
from app.cli.common import locale_language
from app.registry import SheetKind
from sheet_schema.messages import load_catalogue

CLI_SOURCES = Path(adopt.__file__).parent
LITERAL_KEY = re.compile(r"""["'](cli(?:_[a-z]+)?\.[a-z0-9_]+)["']""")
DYNAMIC_KEY = re.compile(r"""f["'](cli(?:_[a-z]+)?\.[a-z0-9_]*)\{""")


def cli_keys() -> set[str]:
    return {k for k in load_catalogue().texts if re.match(r"cli(_[a-z]+)?\.", k)}


def source_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CLI_SOURCES.glob("*.py")))


def slug(code: str) -> str:
    """'sheet: can edit' -> 'sheet_can_edit', written out here independently of the CLI."""
    return re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


def built_keys() -> dict[str, set[str]]:
    """The keys each f-string prefix builds, from the codes the commands declare."""

    def each(prefix: str, codes: Iterable[object]) -> set[str]:
        return {f"{prefix}{str(code).replace(' ', '_').replace('-', '_')}" for code in codes}

    kinds = get_args(SheetKind)
    return {
        "cli.progress_": each("cli.progress_", progress.STEPS),
        "cli_sync.column_": each("cli_sync.column_", sync.CASE_COLUMNS),
        "cli_sync.sla_": set(sync.SLA_KEYS.values()),
        "cli_kpis.column_": each("cli_kpis.column_", kpis.KPI_COLUMNS),
        "cli_kpis.group_": each(
            "cli_kpis.group_", ("all", "platform", "assignee", "platform_assignee", "week")
        ),
        "cli_runs.column_": each("cli_runs.column_", runs.RUN_COLUMNS),
        "cli_runs.": each("cli_runs.trigger_", runs.TRIGGERS)
        | each("cli_runs.state_", runs.STATES),
        "cli_sheets.column_": each("cli_sheets.column_", sheets.SHEET_COLUMNS),
        "cli_sheets.kind_": each("cli_sheets.kind_", kinds),
        "cli_sheets.registered_": each("cli_sheets.registered_", kinds),
        "cli_adopt.how_": each("cli_adopt.how_", adopt.HOW_CODES),
        "cli_doctor.target_": each("cli_doctor.target_", map(slug, doctor.TARGETS)),
    }


def test_every_key_the_cli_names_is_in_the_catalogue() -> None:
    """Each literal `cli…` key in app/cli and each key an f-string builds from the declared codes
    has a text in the catalogue."""
    catalogue = cli_keys()
    literal = set(LITERAL_KEY.findall(source_text()))
    built = set().union(*built_keys().values())
    assert literal, "no cli keys found in app/cli: the pattern is stale"
    assert sorted(literal - catalogue) == []
    assert sorted(built - catalogue) == []


def test_every_f_string_key_prefix_is_accounted_for() -> None:
    """A key built at run time (f"cli_x.y_{code}") has its codes listed in this test, so a new
    one cannot slip past the completeness check."""
    prefixes = set(DYNAMIC_KEY.findall(source_text()))
    assert "cli_sync.column_" in prefixes
    assert prefixes <= set(built_keys())


def test_every_catalogue_key_of_the_cli_is_used() -> None:
    """No cli/cli_* text is dead: each is named literally in app/cli or built from its codes."""
    used = set(LITERAL_KEY.findall(source_text())) | set().union(*built_keys().values())
    assert sorted(cli_keys() - used) == []


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.Big5"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_GB.UTF-8"}, "zh"),
        ({"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LC_MESSAGES": "zh_HK.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_CTYPE": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_the_locale_chooses_the_language_in_posix_order(
    environ: dict[str, str], language: str
) -> None:
    """LC_ALL, else LC_MESSAGES, else LANG decides (an empty one is skipped); LC_CTYPE does not
    concern messages; no locale means English."""
    assert locale_language(environ) == language
