"""Words the replies use, in the reader's language: vocabularies, dates and lists. Pure.

English is the fallback for any language without its own words.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from policies.vocab import (
    EVIDENCE_LABELS,
    ISSUE_TYPES,
    ITEM_CONDITIONS,
    OUTCOMES,
    STATUSES,
    normalise,
)

ZH: Final[dict[str, str]] = {
    # issue types
    "Defect": "质量问题",
    "Wrong Item": "发错商品",
    "Not as Described": "与描述不符",
    "Missing Item": "少件漏发",
    "Damaged in Transit": "运输途中损坏",
    "Wrong Size": "尺码不合适",
    "Changed Mind": "不想要了",
    "Lost Parcel": "包裹丢失",
    # item conditions
    "New": "全新",
    "Unused": "未使用",
    "Used": "已使用",
    "Damaged": "已损坏",
    # statuses ("New" as a status reads the same as the condition)
    "In Progress": "处理中",
    "Awaiting Customer": "等待客户回复",
    "Awaiting Seller": "等待卖家回复",
    "Awaiting Platform": "等待平台处理",
    "Return Shipped": "已寄回",
    "Resolved": "已解决",
    "Closed": "已关闭",
    # outcomes
    "Full Refund": "全额退款",
    "Partial Refund": "部分退款",
    "Store Credit": "平台余额",
    "Exchange": "换货",
    "Reship": "补发",
    "Rejected": "申请未通过",
    "Withdrawn": "已撤回",
}


REFUND_KINDS: Final[dict[str, tuple[str, str]]] = {
    "full_refund_after_inspection": ("full refund after inspection", "验货后全额退款"),
    "partial_refund": ("partial refund", "部分退款"),
    "store_credit": ("store credit", "平台余额"),
    "exchange": ("exchange", "换货"),
    "reship": ("reship", "补发"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "zh" else pair[0]


def vocabulary_word(
    vocabulary: tuple[str, ...], text: str | None, language: str, *, keep_unknown: bool = True
) -> str:
    """A vocabulary value ('wrong item' -> 'Wrong Item' / '发错商品'); '' when blank."""
    if text is None or not text.strip():
        return ""
    canon = normalise(vocabulary, text)
    if canon is None:
        return text.strip() if keep_unknown else ""
    return ZH.get(canon, canon) if language == "zh" else canon


def issue_type(text: str | None, language: str) -> str:
    return vocabulary_word(ISSUE_TYPES, text, language)


def item_condition(text: str | None, language: str) -> str:
    return vocabulary_word(ITEM_CONDITIONS, text, language)


def status(text: str | None, language: str) -> str:
    return vocabulary_word(STATUSES, text, language)


def outcome(text: str | None, language: str) -> str:
    return vocabulary_word(OUTCOMES, text, language)


def evidence_names(kinds: Iterable[str], language: str) -> tuple[str, ...]:
    return tuple(_pick(EVIDENCE_LABELS.get(k, (k, k)), language) for k in kinds)


def refund_kind_names(kinds: Iterable[str], language: str) -> tuple[str, ...]:
    return tuple(_pick(REFUND_KINDS.get(k, (k, k)), language) for k in kinds)


def join_list(items: Iterable[str], language: str) -> str:
    """'photos, video proof' / '照片、视频证明'."""
    return ("、" if language == "zh" else ", ").join(items)


def format_date(day: date | None, language: str) -> str:
    """'2025-10-16' / '2025年10月16日'; '' for None."""
    if day is None:
        return ""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def policy_reason(
    reasons: Iterable[str],
    missing: Iterable[str],
    deadline: date | None,
    policy_ref: str | None,
    language: str,
) -> str:
    """Why the platform's policy does not cover the request, as one sentence."""
    parts: list[str] = []
    missing = tuple(missing)
    if any(r.startswith("opened after") for r in reasons):
        when = format_date(deadline, language)
        parts.append(
            f"申请时已超过退货期限（{when}）"
            if language == "zh"
            else f"the request was made after the return window closed on {when}"
        )
    if missing:
        names = join_list(evidence_names(missing, language), language)
        parts.append(
            f"平台要求提供{names}，但我们尚未收到"
            if language == "zh"
            else f"the platform requires {names}, which we have not received"
        )
    if parts:
        return ("；" if language == "zh" else "; ").join(parts)
    ref = policy_ref or ""
    if language == "zh":
        return (
            f"根据平台售后政策（{ref}），此情况不在售后范围内"
            if ref
            else "此情况不在平台售后范围内"
        )
    return (
        f"the platform's after-sales policy ({ref}) does not cover this case"
        if ref
        else "the platform's after-sales policy does not cover this case"
    )


MARKETPLACE_ZH = {
    "Taobao": "淘宝",
    "Tmall": "天猫",
    "JD": "京东",
    "Pinduoduo": "拼多多",
    "Xianyu": "闲鱼",
}


def marketplace(name: str, language: str) -> str:
    """A marketplace's name for the reader: 淘宝 for a Chinese reader, Taobao otherwise."""
    return MARKETPLACE_ZH.get(name, name) if language == "zh" else name
