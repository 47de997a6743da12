"""Every finding the engine can report: a stable code, a severity, the sheet column it is about,
and its message in English and Chinese.

Codes are dotted (`area.problem`) and never change meaning; programs match on them, people read
the messages. Messages are `str.format` templates filled by `FindingTemplate.make`.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.facts import Finding, Severity


@dataclass(frozen=True, slots=True)
class FindingTemplate:
    code: str
    severity: Severity
    column: str | None
    en: str
    zh: str

    def make(
        self, severity: Severity | None = None, column: str | None = None, **values: object
    ) -> Finding:
        """The finding with its messages filled in; severity/column may be overridden."""
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=self.en.format(**values),
            message_zh=self.zh.format(**values),
            column=column or self.column,
        )


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CASE_ID_MISSING = FindingTemplate(
    "case_id.missing",
    ERROR,
    "case_id",
    "The case has no Case ID.",
    "该案件没有案件编号。",
)
OPENED_MISSING = FindingTemplate(
    "opened.missing",
    ERROR,
    "opened",
    "Opened is empty: the SLA clocks cannot start and the policy version is chosen by today's "
    "date.",
    "开案时间为空：SLA 计时无法开始，政策版本按今天的日期选择。",
)
OPENED_FUTURE = FindingTemplate(
    "opened.future",
    WARNING,
    "opened",
    "Opened ({opened}) is in the future.",
    "开案时间（{opened}）在未来。",
)
PLATFORM_MISSING = FindingTemplate(
    "platform.missing",
    ERROR,
    "platform",
    "Platform is empty: no policy can be applied.",
    "平台为空：无法套用任何政策。",
)
PLATFORM_UNKNOWN = FindingTemplate(
    "platform.unknown",
    ERROR,
    "platform",
    "Unknown platform '{value}'; known platforms: {known}.",
    "未知平台“{value}”；已知平台：{known}。",
)
POLICY_BEFORE_FIRST_VERSION = FindingTemplate(
    "policy.before_first_version",
    WARNING,
    "opened",
    "No {platform} policy was in force on {on}; the earliest version {ref} (from "
    "{effective_from}) was used.",
    "{on} 时没有生效的 {platform} 政策；已使用最早的版本 {ref}（{effective_from} 起）。",
)
ISSUE_TYPE_MISSING = FindingTemplate(
    "issue_type.missing",
    WARNING,
    "issue_type",
    "Issue Type is empty.",
    "问题类型为空。",
)
ISSUE_TYPE_UNKNOWN = FindingTemplate(
    "issue_type.unknown",
    ERROR,
    "issue_type",
    "Unknown Issue Type '{value}'; expected one of: {expected}.",
    "未知问题类型“{value}”；可选：{expected}。",
)
ITEM_CONDITION_UNKNOWN = FindingTemplate(
    "item_condition.unknown",
    ERROR,
    "item_condition",
    "Unknown Item Condition '{value}'; expected one of: {expected}.",
    "未知商品状况“{value}”；可选：{expected}。",
)
ITEM_CONDITION_MISSING = FindingTemplate(
    "item_condition.missing",
    INFO,
    "item_condition",
    "Item Condition is empty, but {ref} has rules that depend on it.",
    "商品状况为空，但 {ref} 有取决于商品状况的规则。",
)
STATUS_UNKNOWN = FindingTemplate(
    "status.unknown",
    ERROR,
    "status",
    "Unknown Status '{value}'; expected one of: {expected}.",
    "未知状态“{value}”；可选：{expected}。",
)
OUTCOME_UNKNOWN = FindingTemplate(
    "outcome.unknown",
    ERROR,
    "outcome",
    "Unknown Outcome '{value}'; expected one of: {expected}.",
    "未知处理结果“{value}”；可选：{expected}。",
)
OUTCOME_NOT_ALLOWED = FindingTemplate(
    "outcome.not_allowed",
    WARNING,
    "outcome",
    "Outcome '{outcome}' is not allowed by {ref}; allowed: {allowed}.",
    "处理结果“{outcome}”不符合 {ref}；允许：{allowed}。",
)
WINDOW_START_MISSING = FindingTemplate(
    "window_start.missing",
    WARNING,
    "window_start",
    "Window Start is empty: the return deadline cannot be computed.",
    "入库日期为空：无法计算退货截止日期。",
)
WINDOW_START_FUTURE = FindingTemplate(
    "window_start.future",
    WARNING,
    "window_start",
    "Window Start ({window_start}) is in the future.",
    "入库日期（{window_start}）在未来。",
)
WINDOW_START_AFTER_OPENED = FindingTemplate(
    "window_start.after_opened",
    WARNING,
    "window_start",
    "Window Start ({window_start}) is after the case was opened ({opened}).",
    "入库日期（{window_start}）晚于开案日期（{opened}）。",
)
WINDOW_UNDETERMINED = FindingTemplate(
    "window.undetermined",
    WARNING,
    "issue_type",
    "{ref} has no return window for Issue Type '{issue_type}': set the Issue Type.",
    "{ref} 没有适用于问题类型“{issue_type}”的退货期限：请填写问题类型。",
)
OPENED_AFTER_DEADLINE = FindingTemplate(
    "window.opened_after_deadline",
    WARNING,
    "opened",
    "Opened on {opened}, after the return deadline {deadline} of {ref}: a policy exception is "
    "needed.",
    "开案日期 {opened} 晚于 {ref} 的退货截止日期 {deadline}：需要政策例外。",
)
EVIDENCE_MISSING = FindingTemplate(
    "evidence.missing",
    WARNING,
    "evidence",
    "{ref} requires {kind_en}, which is missing.",
    "{ref} 要求提供{kind_zh}，目前缺少。",
)
EVIDENCE_UNRECOGNISED = FindingTemplate(
    "evidence.unrecognised",
    INFO,
    "evidence",
    "Evidence '{token}' is not a known kind; known kinds: {known}.",
    "证据“{token}”不是已知类型；已知类型：{known}。",
)
EXCEPTION_NOT_NEEDED = FindingTemplate(
    "exception.not_needed",
    INFO,
    "policy_exception",
    "Policy Exception is set, but the case is within {ref}.",
    "已标记政策例外，但该案件符合 {ref}。",
)
FIRST_RESPONSE_BEFORE_OPENED = FindingTemplate(
    "first_response_at.before_opened",
    WARNING,
    "first_response_at",
    "First Response At ({at}) is before Opened ({opened}).",
    "首次回复时间（{at}）早于开案时间（{opened}）。",
)
CALENDAR_YEAR_UNOFFICIAL = FindingTemplate(
    "calendar.year_unofficial",
    WARNING,
    None,
    "The official Chinese holiday schedule for {year} is not known yet; dates in {year} use "
    "estimated holidays. Add the official days to the Holidays tab.",
    "{year} 年的官方节假日安排尚未知晓；{year} 年的日期按估算的节假日计算。"
    "请在节假日表中补充官方安排。",
)
CALENDAR_YEAR_TEAM = FindingTemplate(
    "calendar.year_team_supplied",
    INFO,
    None,
    "{year}: no official holiday schedule in the calendar data; the Holidays tab's days are used.",
    "{year} 年：日历数据中没有官方节假日安排，使用节假日表中的日期。",
)

EVIDENCE_NAMES: dict[str, tuple[str, str]] = {
    "photos": ("photos", "照片"),
    "video_proof": ("video proof", "视频证明"),
    "original_packaging": ("the original packaging", "原包装"),
    "tracking_proof": ("tracking proof", "物流证明"),
}

# Sheet column a missing evidence kind is fixed in.
EVIDENCE_COLUMNS: dict[str, str] = {
    "video_proof": "video_proof",
    "original_packaging": "original_packaging",
}

# Exception reasons (Evaluation.exception_reasons) are stable English phrases.
REASON_OPENED_AFTER_WINDOW = "opened after return window"
REASON_MISSING_EVIDENCE = "missing evidence: {kind}"

ALL_TEMPLATES: tuple[FindingTemplate, ...] = tuple(
    v for v in globals().values() if isinstance(v, FindingTemplate)
)
