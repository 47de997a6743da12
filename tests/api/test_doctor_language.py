"""GET /v1/sheets/{sheet}/doctor in the sheet's team language: a sheet registered in Chinese
gets each check's name, detail and fix in Chinese (paths as they are)."""

from __future__ import annotations

from tests.api.support import SHEET_ALLOWED, Api, base_cases
from tests.workbooks import write_workbook


def test_the_api_answers_a_chinese_teams_sheet_in_chinese(api: Api) -> None:
    """Registered with --language 中文: each check's name and detail are Chinese; once the
    workbook is gone, 表格：能打开 fails with a Chinese fix naming the same path."""
    book = write_workbook(api.tmp / "售后.xlsx", base_cases())
    api.context.registry.add(
        "teamzh", kind="workbook", location=str(book), allowed=SHEET_ALLOWED, language="中文"
    )

    body = api.get("/v1/sheets/teamzh/doctor")
    assert (body["ok"], body["language"]) == (True, "zh")
    checks = body["checks"]
    assert [c["name"] for c in checks] == [
        "设置：运行环境",
        "设置：身份验证",
        "设置：监控指标令牌",
        "存储：可连接",
        "存储：已迁移",
        "存储：副本",
        "表格：已登记",
        "Google",
        "表格：能打开",
        "表格：可编辑",
        "表格：案件标签页和列",
    ]
    assert checks[7]["detail"] == (
        f"已跳过：{book} 是本地工作簿；Google 密钥、共享、时区和配额检查只针对 Google 表格"
    )
    assert checks[9]["detail"] == f"{book} 及其文件夹可写"
    assert checks[10]["detail"].startswith("“Cases”，必需列齐全（识别出 ")

    book.unlink()
    body = api.get("/v1/sheets/teamzh/doctor")
    failing = {c["name"]: c for c in body["checks"] if not c["ok"]}
    assert failing["表格：能打开"]["detail"] == f"{book} 处没有工作簿"
    assert failing["表格：能打开"]["fix"] == (
        f"aftersales init --workbook {book}（新建一个），或 aftersales demo（使用演示工作簿）。"
    )
    skipped = {c["name"]: c["detail"] for c in body["checks"] if c["skipped"]}
    assert skipped["表格：可编辑"] == "已跳过：无法打开该工作簿"
