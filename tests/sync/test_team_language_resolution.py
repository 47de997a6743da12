"""Which language a sheet is written in: the Settings tab, then the registration, then the
spreadsheet's locale or the service columns' headers, then English."""

from __future__ import annotations

from typing import Any

import pytest

from app.runtime import Runtime
from app.sync.team_language import TeamLanguage, parse_language, resolve_language
from tests.workbooks import DEFAULT_HEADERS, NOW, case, read_tab, write_workbook


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("zh", "zh"), ("中文", "zh"), ("Chinese", "zh"), (" zh-CN ", "zh"), ("ZH_tw", "zh"),
     ("简体中文", "zh"), ("en", "en"), ("English", "en"), ("英文", "en"), ("english ", "en")],
)  # fmt: skip
def test_a_language_is_understood_however_the_team_writes_it(typed: str, meant: str) -> None:
    """Codes, English and Chinese names, any case and spacing, mean the same language."""
    assert parse_language(typed) == meant


def test_a_language_the_service_does_not_write_is_refused_with_the_choices() -> None:
    """'Français' is not a team language: the message names zh and en."""
    with pytest.raises(ValueError, match=r"zh \(中文\) or en \(English\)"):
        parse_language("Français")


def test_the_settings_tab_beats_the_registration_which_beats_the_locale() -> None:
    """Each source decides only when those before it say nothing."""
    assert resolve_language(
        setting="en", registered="zh", locale="zh_CN", service_headers=["校验"]
    ) == TeamLanguage("en", "settings")
    assert resolve_language(
        setting=None, registered="zh", locale="en_US", service_headers=[]
    ) == TeamLanguage("zh", "registration")
    assert resolve_language(
        setting=None, registered=None, locale="zh_TW", service_headers=["Validation"]
    ) == TeamLanguage("zh", "locale")
    assert resolve_language(
        setting=None, registered=None, locale="en_GB", service_headers=["校验", "下一步"]
    ) == TeamLanguage("en", "locale")
    assert resolve_language(
        setting=None, registered=None, locale=None, service_headers=["校验", "下一步", "Priority"]
    ) == TeamLanguage("zh", "headers")
    assert resolve_language(
        setting=None, registered=None, locale=None, service_headers=["Validation", "下一步"]
    ) == TeamLanguage("en", "default")


def sync_with(rt: Runtime, registered: str | None, sheet_key: str | None = None) -> Any:
    key = sheet_key or rt.sheet_key
    engine = rt.root.engine(rt.backend(), sheet_key=key, language=registered)
    return engine.sync(now=NOW)


def test_a_registration_in_chinese_is_overruled_by_the_settings_tab(runtime: Runtime) -> None:
    """Registered zh, Settings says en: English headers; without the row: Chinese ones."""
    write_workbook(
        runtime.workbook,
        [case()],
        extra_tabs={"Settings": [["Setting", "Value"], ["language", "en"]]},
    )
    assert sync_with(runtime, "zh").language == "en"
    assert "Return Deadline" in read_tab(runtime.workbook)[0]

    write_workbook(runtime.workbook, [case()])
    report = sync_with(runtime, "zh")
    assert report.language == "zh"
    header = read_tab(runtime.workbook)[0]
    assert "退货截止日期" in header and "Return Deadline" not in header


def test_a_workbook_whose_service_columns_are_headed_in_chinese_stays_chinese(
    runtime: Runtime,
) -> None:
    """No Settings row, no registration: a team that headed Next Action and Validation in
    Chinese gets the missing service columns in Chinese too; a registration in English wins."""
    headers = [*DEFAULT_HEADERS, "下一步", "校验"]
    write_workbook(runtime.workbook, [case()], headers=headers)
    assert sync_with(runtime, None).language == "zh"
    header = read_tab(runtime.workbook)[0]
    assert header[: len(headers)] == headers  # what the team typed keeps its text
    assert "退货截止日期" in header and "SLA状态" in header

    # The same file as another sheet the service never wrote (so both headers are the team's).
    write_workbook(runtime.workbook, [case()], headers=headers)
    assert sync_with(runtime, "en", sheet_key="workbook:another").language == "en"
    header = read_tab(runtime.workbook)[0]
    assert header[: len(headers)] == headers
    assert "Return Deadline" in header


def test_a_sync_that_writes_nothing_still_reports_the_language(runtime: Runtime) -> None:
    """The second sync of a Chinese sheet writes 0 cells and says zh all the same."""
    write_workbook(
        runtime.workbook,
        [case()],
        extra_tabs={"Settings": [["Setting", "Value"], ["language", "中文"]]},
    )
    first = sync_with(runtime, None)
    second = sync_with(runtime, None)
    assert (first.language, second.language, second.cells_written) == ("zh", "zh", 0)
