"""Every finding the engine can report: a stable code, a severity, the sheet column it is about,
what it asks of a person (its kind), the inputs it puts in doubt, its message in English and
Chinese, and the few words that say how to clear it.

Codes are dotted (`area.problem`) and never change meaning; programs match on them, people read
the messages. Messages are `str.format` templates filled by `FindingTemplate.make`, written as
"what is wrong; detail" so the first clause can stand alone (`Finding.headline`, used where a
reply is held). A finding's `inputs` default to its column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policies.facts import Finding, FindingKind, Severity
from policies.vocab import EVIDENCE_LABELS


@dataclass(frozen=True, slots=True)
class FindingTemplate:
    code: str
    severity: Severity
    column: str | None
    en: str
    zh: str
    kind: FindingKind = FindingKind.PROBLEM
    inputs: tuple[str, ...] = ()
    fix_en: str = ""
    fix_zh: str = ""

    def make(
        self,
        severity: Severity | None = None,
        column: str | None = None,
        zh_values: Mapping[str, object] | None = None,
        **values: object,
    ) -> Finding:
        """The finding with its messages filled in; severity/column may be overridden.

        `zh_values`: values the Chinese message shows in other words (a canonical Outcome as a
        Chinese team writes it), so a Chinese team's Validation carries no English word."""
        column = column or self.column
        inputs = self.inputs or ((column,) if column else ())
        if column and column not in inputs:
            inputs = (*inputs, column)
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=self.en.format(**values),
            message_zh=self.zh.format(**{**values, **(zh_values or {})}),
            column=column,
            kind=self.kind,
            inputs=inputs,
            fix=self.fix_en,
            fix_zh=self.fix_zh,
        )


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PROBLEM, DECISION, TODO = FindingKind.PROBLEM, FindingKind.DECISION, FindingKind.TODO

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
    fix_en="correct Opened",
    fix_zh="请更正开案时间",
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
    inputs=("opened", "platform"),
    fix_en="check Opened, or add the policy version that was in force",
    fix_zh="请检查开案时间，或补充当时生效的政策版本",
)
ISSUE_TYPE_MISSING = FindingTemplate(
    "issue_type.missing",
    WARNING,
    "issue_type",
    "Issue Type is empty.",
    "问题类型为空。",
    fix_en="fill in Issue Type",
    fix_zh="请填写问题类型",
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
    kind=DECISION,
    fix_en="change Outcome or record a Policy Exception",
    fix_zh="请修改处理结果，或记录政策例外",
)
WINDOW_START_MISSING = FindingTemplate(
    "window_start.missing",
    WARNING,
    "window_start",
    "Window Start is empty; the return deadline cannot be computed.",
    "入库日期为空；无法计算退货截止日期。",
    fix_en="fill in Window Start",
    fix_zh="请填写入库日期",
)
WINDOW_START_FUTURE = FindingTemplate(
    "window_start.future",
    WARNING,
    "window_start",
    "Window Start ({window_start}) is in the future.",
    "入库日期（{window_start}）在未来。",
    fix_en="correct Window Start",
    fix_zh="请更正入库日期",
)
WINDOW_START_AFTER_OPENED = FindingTemplate(
    "window_start.after_opened",
    WARNING,
    "window_start",
    "Window Start ({window_start}) is after the case was opened ({opened}).",
    "入库日期（{window_start}）晚于开案日期（{opened}）。",
    inputs=("window_start", "opened"),
    fix_en="correct Window Start or Opened",
    fix_zh="请更正入库日期或开案时间",
)
WINDOW_START_DATE_ONLY = FindingTemplate(
    "window_start.date_only",
    INFO,
    "window_start",
    "Window Start has no time of day; the {hours}-hour window is counted from {counted_from}, "
    "the earliest the item can have arrived (add the time to gain the hours after it).",
    "入库日期没有具体时间；{hours} 小时的期限从 {counted_from} 起算（最早可能的入库时间；"
    "填写具体时间即可按实际时间计算）。",
    fix_en="add the time to Window Start",
    fix_zh="请在入库日期中填写时间",
)
WINDOW_UNDETERMINED = FindingTemplate(
    "window.undetermined",
    WARNING,
    "issue_type",
    "{ref} has no return window for Issue Type '{issue_type}'; set the Issue Type.",
    "{ref} 没有适用于问题类型“{issue_type}”的退货期限；请填写问题类型。",
    inputs=("issue_type", "window_start"),
    fix_en="set the Issue Type",
    fix_zh="请填写问题类型",
)
OPENED_AFTER_DEADLINE = FindingTemplate(
    "window.opened_after_deadline",
    WARNING,
    "opened",
    "Opened on {opened}, after the return deadline {deadline} of {ref}; a policy exception is "
    "needed.",
    "开案日期 {opened} 晚于 {ref} 的退货截止日期 {deadline}；需要政策例外。",
    kind=DECISION,
    # Any outcome but a rejection grants what the policy no longer covers.
    inputs=("opened", "window_start", "outcome"),
    fix_en="set Policy Exception to Yes to go ahead, or set Outcome to Rejected",
    fix_zh="如需继续处理请将政策例外设为“是”，否则将处理结果设为“申请未通过”",
)
EVIDENCE_MISSING = FindingTemplate(
    "evidence.missing",
    WARNING,
    "evidence",
    "{ref} requires {kind_en}, which is missing.",
    "{ref} 要求提供{kind_zh}，目前缺少。",
    kind=TODO,  # the Next Action asks the customer for it
    inputs=("evidence",),
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
    inputs=("first_response_at", "opened"),
    fix_en="correct First Response At or Opened",
    fix_zh="请更正首次回复时间或开案时间",
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

CATEGORY_EXCLUDED = FindingTemplate(
    "item_category.excluded",
    WARNING,
    "item_category",
    "Not returnable under {ref}: {category_en}; tell the customer, or record a Policy Exception "
    "if the agent accepts it anyway.",
    "{ref} 不接受退货：{category_zh}；请告知客户，如代购方仍同意退货请记录政策例外。",
    kind=DECISION,
    inputs=("item_category", "platform"),
    fix_en="tell the customer the item cannot be returned",
    fix_zh="请告知客户该商品不能退货",
)
CATEGORY_UNKNOWN = FindingTemplate(
    "item_category.unknown",
    WARNING,
    "item_category",
    "Unknown Item Category '{value}'; expected one of: {expected}.",
    "未知商品品类“{value}”；可选：{expected}。",
)
MARKETPLACE_UNKNOWN = FindingTemplate(
    "marketplace.unknown",
    WARNING,
    "marketplace",
    "Unknown Marketplace '{value}', so no Seller Deadline; expected one of: {expected}.",
    "未知来源平台“{value}”，因此没有卖家退货截止时间；可选：{expected}。",
)

# In a sentence ("requires the original packaging") a kind that is one thing takes "the".
_DEFINITE_EVIDENCE = frozenset({"original_packaging"})


def evidence_names(kind: str) -> tuple[str, str]:
    """The evidence kind as a finding's sentence names it: (English, Chinese)."""
    en, zh = EVIDENCE_LABELS[kind]
    return (f"the {en}" if kind in _DEFINITE_EVIDENCE else en), zh


# Sheet column a missing evidence kind is fixed in.
EVIDENCE_COLUMNS: dict[str, str] = {
    "video_proof": "video_proof",
    "original_packaging": "original_packaging",
}

# Exception reasons (Evaluation.exception_reasons) are stable English phrases.
REASON_OPENED_AFTER_WINDOW = "opened after return window"
REASON_MISSING_EVIDENCE = "missing evidence: {kind}"
REASON_EXCLUDED_CATEGORY = "excluded category: {category}"

ALL_TEMPLATES: tuple[FindingTemplate, ...] = tuple(
    v for v in globals().values() if isinstance(v, FindingTemplate)
)
