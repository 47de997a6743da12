"""`aftersales` speaks the person's language: Chinese when the terminal's locale (LC_ALL,
LC_MESSAGES, LANG) or `--language zh` says so, English otherwise; `--json` never changes.

Every command runs as a real process on a team's workbook and a SQLite store. Chinese output is
scanned for English words: what is left after removing codes (options, commands, paths, the
catalogue test's names) and the words of the data the command shows as the core wrote it (case
ids, Next Action and Validation cells, platform names) must be empty.
"""

from __future__ import annotations

import errno
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from sheet_schema import load_schema
from tests.sheet_schema.test_messages import ALLOWED_LATIN, LATIN_WORD, without_codes
from tests.workbooks import case, write_workbook

AFTERSALES = Path(sys.executable).with_name("aftersales")
NOW = "2025-10-10T10:00:00+08:00"
MASTER = "desk-master-secret-0123456789abcdef0123456789"
LOCALE = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SECRET = re.compile(r"\b[0-9a-f]{64}\b")  # a sheet's HMAC secret, printed for the add-on
# Cells the CLI shows as the sync wrote them (the team's sheet language decides their words).
SHOWN_CELLS = (
    "Case ID",
    "Policy Ref",
    "Priority",
    "Next Action",
    "Validation",
    "Platform",
    "Assignee",
)


@dataclass(frozen=True)
class Cli:
    cwd: Path
    env: dict[str, str]

    def __call__(self, *args: str, **locale: str) -> subprocess.CompletedProcess[str]:
        """Run `aftersales ARGS` with the locale variables given (LANG="zh_CN.UTF-8", ...)."""
        return subprocess.run(
            [str(AFTERSALES), *args],
            cwd=self.cwd,
            env=self.env | locale,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A cron job's clean environment: no locale at all unless a test sets one."""
    drop = ("COLUMNS", "LINES", "FORCE_COLOR", *LOCALE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_") and k not in drop}
    env["AFTERSALES_DATABASE_URL"] = f"sqlite:///{tmp_path}/s.db"
    env["AFTERSALES_ENVIRONMENT"] = "test"
    env["AFTERSALES_AUTH__HMAC_MASTER_SECRET"] = MASTER
    return Cli(cwd=tmp_path, env=env)


def team_workbook(path: Path) -> Path:
    """A Shanghai desk's sheet: Chinese names, mixed platform spellings, one mistyped date."""
    return write_workbook(
        path,
        [
            case(**{"Case ID": "AS-1001", "Customer": "王芳", "Assignee": "李娜"}),
            case(
                **{
                    "Case ID": "AS-1002",
                    "Platform": "bhiner",
                    "Customer": "Emma Wilson",
                    "Assignee": "陈静",
                    "Opened": datetime(2025, 9, 20, 14, 5),
                    "Window Start": datetime(2025, 9, 22),
                }
            ),
            case(**{"Case ID": "AS-1003", "Window Start": "2025-13-45", "Notes": "客户催了两次"}),
        ],
    )


def shown_words(workbook: Path) -> set[str]:
    """The words of the cells the CLI shows as the core wrote them (folded)."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    rows = list(book["Cases"].iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    columns = [headers.index(h) for h in SHOWN_CELLS if h in headers]
    cells = [str(row[i]) for row in rows[1:] for i in columns if row[i] is not None]
    return {w.casefold() for cell in cells for w in latin_words(cell)}


def latin_words(text: str) -> list[str]:
    """The Latin words of `text`, without the quotes or dashes around them ('last', AS-)."""
    return [w.strip("'-") for w in LATIN_WORD.findall(text)]


def sheet_words(workbook: Path) -> set[str]:
    """The words of every cell of the Cases tab, headers included (what `adopt` reports)."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    cells = [str(v) for row in book["Cases"].iter_rows(values_only=True) for v in row if v]
    return {w.casefold() for cell in cells for w in latin_words(cell)}


def column_names() -> set[str]:
    """The words of the contract's column names, which `adopt` shows as a header's meaning."""
    names = [c.header for c in load_schema().tab("cases").columns]
    return {w.casefold() for name in names for w in latin_words(name)}


def english_words(output: str, data: Iterable[str] = ()) -> list[str]:
    """Latin words in `output` that are neither codes, allowed names nor the shown data's."""
    allowed = ALLOWED_LATIN | set(data)
    bare = SECRET.sub(" ", without_codes(output))
    return [w for w in latin_words(bare) if w.casefold() not in allowed]


def chinese(result: subprocess.CompletedProcess[str], data: Iterable[str] = ()) -> str:
    """stdout and stderr of a Chinese run, checked: Chinese characters, no English word."""
    text = result.stdout + result.stderr
    assert CHINESE.search(text), text
    assert english_words(text, data) == [], text
    return text


def test_lang_zh_cn_shows_sync_check_runs_undo_and_kpis_in_chinese(cli: Cli) -> None:
    """Under LANG=zh_CN.UTF-8 the cases table, findings, summary, runs, undo and KPI tables
    are Chinese, with the core's cell texts shown as written."""
    workbook = team_workbook(cli.cwd / "售后.xlsx")
    zh = {"LANG": "zh_CN.UTF-8"}
    synced = cli("sync", "--workbook", workbook.name, "--now", NOW, **zh)
    assert synced.returncode == 0, synced.stderr
    data = shown_words(workbook)
    text = chinese(synced, data)
    assert "3 个案件，3 个新案件" in text and "下一步" in text and "截止日期" in text

    checked = cli("check", "--workbook", workbook.name, "--now", NOW, **zh)
    assert checked.returncode == 1, checked.stderr
    assert "检查结果（未写入任何内容）" in chinese(checked, data)

    again = cli("recalculate", "--workbook", workbook.name, "--now", NOW, **zh)
    assert again.returncode == 0, again.stderr
    chinese(again, data)

    undone = cli("undo", "1", "--workbook", workbook.name, "--now", NOW, **zh)
    assert undone.returncode == 0, undone.stderr
    assert "运行 1 已由运行 3 撤销" in chinese(undone, data)

    runs = cli("runs", "--workbook", workbook.name, **zh)
    assert runs.returncode == 0, runs.stderr
    text = chinese(runs)
    assert "已由运行 3 撤销" in text and "手动" in text and "全部重新计算" in text
    assert "撤销运行 1" in text

    kpis = cli("kpis", "--workbook", workbook.name, "--now", NOW, "--by", "assignee", **zh)
    assert kpis.returncode == 0, kpis.stderr
    text = chinese(kpis, data)
    assert "按负责人" in text and "李娜" in text and "个案件" in text


def test_init_sheets_adopt_doctor_and_addon_speak_chinese(cli: Cli) -> None:
    """init, sheets add/list/rotate/remove, adopt, doctor and addon print Chinese under
    LC_ALL=zh_CN.UTF-8 even with LANG=en_US.UTF-8 (LC_ALL comes first)."""
    zh = {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}
    init = cli("init", "--workbook", "新表.xlsx", **zh)
    assert init.returncode == 0, init.stderr
    assert "已设置" in chinese(init)

    workbook = team_workbook(cli.cwd / "desk.xlsx")
    added = cli("sheets", "add", "desk", "--workbook", workbook.name, **zh)
    assert added.returncode == 0, added.stderr
    sheet_id = {"desk"}
    assert "已登记工作簿表格" in chinese(added, sheet_id)
    listed = cli("sheets", "list", **zh)
    assert "时区" in chinese(listed, sheet_id) and "工作簿" in listed.stdout
    rotated = cli("sheets", "rotate", "desk", **zh)
    assert "第 2 版" in chinese(rotated, sheet_id)
    removed = cli("sheets", "remove", "desk", **zh)
    assert removed.stdout.strip() == "已移除 desk。"

    adopted = cli("adopt", "--workbook", workbook.name, **zh)
    assert adopted.returncode == 0, adopted.stderr
    text = chinese(adopted, sheet_words(workbook) | column_names())
    assert "案件标签页" in text and "表格可以同步了" in text

    doctor = cli("doctor", "--workbook", workbook.name, **zh)
    heading, *checks, last = doctor.stdout.strip().splitlines()
    assert heading == "aftersales doctor 检查：工作簿 desk.xlsx"
    assert english_words(last) == [] and CHINESE.search(last), doctor.stdout
    # Each check's name is Chinese (its detail and fix are app/doctor's, shown as written).
    names = [line[2:].split(" — ")[0] for line in checks if line[:1] in "✓✗–"]
    assert len(names) == len(
        json.loads(cli("doctor", "--workbook", workbook.name, "--json").stdout)["checks"]
    )
    assert "表格：案件标签页和列" in names and "存储：可连接" in names
    assert all(CHINESE.search(name) or name == "Google" for name in names), names

    out_dir = cli.cwd / "插件"
    addon = cli("addon", "--url", "https://desk.example.com", "--out", str(out_dir), **zh)
    assert addon.returncode == 0, addon.stderr
    assert "已写入" in chinese(addon) and "插件只调用 https://desk.example.com" in addon.stdout


def test_what_cannot_run_is_said_in_chinese(cli: Cli, tmp_path: Path) -> None:
    """Refusals (a bad --now, a run number, --limit 0, a --by typo, a folder for --workbook, a
    taken port) exit 2 with a Chinese sentence under LANG=zh_CN.UTF-8."""
    workbook = team_workbook(cli.cwd / "desk.xlsx")
    zh = {"LANG": "zh_CN.UTF-8"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        refusals = {
            "--now 10月10日": cli("sync", "--workbook", workbook.name, "--now", "10月10日", **zh),
            "undo last": cli("undo", "last", "--workbook", workbook.name, **zh),
            "--limit 0": cli("runs", "--workbook", workbook.name, "--limit", "0", **zh),
            "--by assigne": cli("kpis", "--workbook", workbook.name, "--by", "assigne", **zh),
            "--workbook .": cli("sync", "--workbook", str(tmp_path), **zh),
            "serve taken": cli("serve", "--host", "127.0.0.1", "--port", port, **zh),
        }
    # What the person typed, the --by values offered and the system's own error (strerror) are
    # printed as they are.
    typed = {"last", "assigne", "all", "platform", "assignee", "platform_assignee", "week"}
    typed |= {w.casefold() for w in latin_words(os.strerror(errno.EADDRINUSE))}
    for what, result in refusals.items():
        assert result.returncode == 2, (what, result.stderr)
        assert result.stderr.startswith("错误："), (what, result.stderr)
        chinese(result, typed)
    assert "是不是 assignee" in refusals["--by assigne"].stderr
    assert "端口 " + port in refusals["serve taken"].stderr


def test_language_option_beats_the_locale_and_english_is_unchanged(cli: Cli) -> None:
    """`--language en` under LANG=zh_CN.UTF-8 prints exactly what no locale prints, and
    `--language zh` under LANG=en_US.UTF-8 exactly what LANG=zh_CN.UTF-8 prints."""
    workbook = team_workbook(cli.cwd / "desk.xlsx")
    assert cli("sync", "--workbook", workbook.name, "--now", NOW).returncode == 0
    kpis = ("kpis", "--workbook", workbook.name, "--now", NOW)
    plain = cli(*kpis)
    assert plain.stdout.startswith("KPIs 2025-")
    assert cli("--language", "en", *kpis, LANG="zh_CN.UTF-8").stdout == plain.stdout
    chosen = cli("--language", "zh", *kpis, LANG="en_US.UTF-8")
    assert chosen.stdout == cli(*kpis, LANG="zh_CN.UTF-8").stdout
    assert chosen.stdout.startswith("KPI 2025-") and chinese(chosen, shown_words(workbook))
    assert (
        cli("runs", "--workbook", workbook.name, LANG="C.UTF-8").stdout
        == cli("runs", "--workbook", workbook.name).stdout
    )


@pytest.mark.parametrize("typed", ["fr", "chinese", "zh_CN"])
def test_an_unknown_language_exits_2_naming_the_choices(cli: Cli, typed: str) -> None:
    """`--language fr` (or a typo) is refused with exit 2 naming the value and en, zh."""
    result = cli("--language", typed, "runs")
    assert result.returncode == 2
    assert f"'{typed}'" in result.stderr and "'en'" in result.stderr and "'zh'" in result.stderr
    assert "--language" in result.stderr


def test_json_is_the_same_in_chinese(cli: Cli) -> None:
    """--json prints the same keys and values under LANG=zh_CN.UTF-8 as without a locale
    (two copies of one sheet synced at one moment; only the timing differs)."""
    summaries = []
    for name, locale in (("a.xlsx", {}), ("b.xlsx", {"LANG": "zh_CN.UTF-8"})):
        team_workbook(cli.cwd / name)
        result = cli("sync", "--workbook", name, "--now", NOW, "--json", **locale)
        assert result.returncode == 0, result.stderr
        assert len(result.stdout.strip().splitlines()) == 1
        summary = json.loads(result.stdout)
        summary.pop("duration_ms")
        summary.pop("run_id")
        summaries.append(summary)
    assert summaries[0] == summaries[1]
    assert summaries[0]["cases"] == 3 and summaries[0]["errors"] == 1
    runs = ("runs", "--workbook", "a.xlsx", "--json")
    assert cli(*runs, LANG="zh_CN.UTF-8").stdout == cli(*runs).stdout
    assert json.loads(cli(*runs).stdout)["runs"][0]["state"] == "ok"


def test_the_progress_bar_speaks_chinese_on_a_terminal(tmp_path: Path) -> None:
    """`--language zh sync` on a terminal shows the bar's steps and count in Chinese."""
    from tests.test_cli_progress import ANSI, CASES, run_on_terminals
    from tests.test_cli_progress import team_workbook as big_workbook

    workbook = big_workbook(tmp_path / "售后.xlsx")
    out, err, code = run_on_terminals(
        ["--language", "zh", "sync", "--workbook", str(workbook), "--now", NOW], tmp_path
    )
    assert code == 0, err
    shown = ANSI.sub("", err)
    assert f"{CASES}/{CASES} 个案件" in shown
    assert "正在检查案件" in shown or "正在记录本次运行" in shown
    assert english_words(shown) == [], shown
    assert f"{CASES} 个案件，{CASES} 个新案件" in ANSI.sub("", out)


def test_check_on_a_chinese_sheet_lists_only_the_rows_with_problems(cli: Cli) -> None:
    """A zh team's clean cases read 无误 in Validation, and `check` lists only the case whose
    Window Start cannot be read, not every case whose Validation is not the English 'OK'."""
    headers = [
        "案件编号",
        "开案时间",
        "平台",
        "订单号",
        "客户",
        "问题类型",
        "商品状况",
        "入库日期",
        "状态",
    ]
    cases = [
        {
            "案件编号": f"AS-ZH-100{n}",
            "开案时间": datetime(2025, 10, 9, 9, 30),
            "平台": "Superbuy",
            "订单号": f"SB-100{n}",
            "客户": "王芳",
            "问题类型": "质量问题",
            "商品状况": "全新",
            "入库日期": datetime(2025, 10, 1) if n < 3 else "下周",
            "状态": "处理中",
        }
        for n in (1, 2, 3)
    ]
    workbook = write_workbook(
        cli.cwd / "售后.xlsx",
        cases,
        headers=headers,
        extra_tabs={"设置": [["设置项", "值"], ["language", "中文"]]},
    )
    synced = cli("sync", "--workbook", workbook.name, "--now", NOW)
    assert synced.returncode == 0, synced.stderr
    rows = list(openpyxl.load_workbook(workbook, read_only=True).worksheets[0].values)
    column = rows[0].index("校验")
    assert [r[column] for r in rows[1:3]] == ["无误", "无误"]

    checked = cli("check", "--workbook", workbook.name, "--now", NOW)  # an English terminal
    assert checked.returncode == 1, checked.stderr
    assert "AS-ZH-1003" in checked.stdout
    assert "AS-ZH-1001" not in checked.stdout and "AS-ZH-1002" not in checked.stdout
