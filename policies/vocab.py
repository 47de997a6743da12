"""The sheet's vocabularies, and how free text typed by a person is matched against them.

The canonical words come from the one vocabulary (sheet_schema/data/vocabulary.yaml), which also
holds the English variants and Chinese words teams write; `normalise` matches through it, so
"awaiting customer", "等待客户" and "ＡＷＡＩＴＩＮＧ　ＣＵＳＴＯＭＥＲ" all mean Awaiting Customer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final

from sheet_schema.vocabulary import shipped_vocabulary, words_for

_WORDS = shipped_vocabulary()

ISSUE_TYPES: Final = _WORDS["issue_type"].canonical
SELLER_FAULT_ISSUES: Final = (
    "Defect",
    "Wrong Item",
    "Not as Described",
    "Missing Item",
    "Damaged in Transit",
)
BUYER_REASON_ISSUES: Final = ("Wrong Size", "Changed Mind")
LOST_PARCEL: Final = "Lost Parcel"

ITEM_CONDITIONS: Final = _WORDS["item_condition"].canonical

STATUSES: Final = _WORDS["status"].canonical

OUTCOMES: Final = _WORDS["outcome"].canonical

REFUND_KINDS: Final = (
    "full_refund_after_inspection",
    "partial_refund",
    "store_credit",
    "exchange",
    "reship",
)

# Which refund kind a policy must allow for an Outcome to be consistent. Outcomes absent from this
# map (Rejected, Withdrawn) are always allowed.
OUTCOME_KIND: Final[dict[str, str]] = {
    "Full Refund": "full_refund_after_inspection",
    "Partial Refund": "partial_refund",
    "Store Credit": "store_credit",
    "Exchange": "exchange",
    "Reship": "reship",
}
ALWAYS_ALLOWED_OUTCOMES: Final = ("Rejected", "Withdrawn")

EVIDENCE_KINDS: Final = ("photos", "video_proof", "original_packaging", "tracking_proof")

# What each evidence kind is called (English, Chinese): the one table the findings, the Next
# Action, the replies and the timeline all name evidence by.
EVIDENCE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "photos": ("photos", "照片"),
    "video_proof": ("video proof", "视频证明"),
    "original_packaging": ("original packaging", "原包装"),
    "tracking_proof": ("tracking proof", "物流证明"),
}

# Words people write in the Evidence column, by the kind they stand for. Matched after
# `fold()` folding, so "Video Proof", "video-proof" and "VIDEO" all work.
EVIDENCE_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "photos": (
        "photo",
        "photos",
        "picture",
        "pictures",
        "pic",
        "pics",
        "image",
        "images",
        "照片",
        "图片",
        "相片",
        "拍照",
    ),
    "video_proof": (
        "video",
        "videos",
        "video proof",
        "unboxing video",
        "视频",
        "开箱视频",
        "视频证明",
    ),
    "original_packaging": (
        "packaging",
        "original packaging",
        "package",
        "box",
        "original box",
        "原包装",
        "包装",
        "原盒",
    ),
    "tracking_proof": (
        "tracking",
        "tracking proof",
        "tracking number",
        "waybill",
        "物流",
        "物流截图",
        "快递单",
        "运单",
        "物流单号",
    ),
}

_FOLD = re.compile(r"[\s_\-]+")
_SPLIT = re.compile(r"[,;，；、/\n|+]+")


def fold(text: str) -> str:
    """Fold text for matching: case-insensitive, ignoring spaces, hyphens and underscores."""
    # The same few statuses, platforms and kinds come back row after row; long texts (notes,
    # a pasted essay) are folded but not kept.
    return _fold_short(text) if len(text) <= 64 else _FOLD.sub("", text).casefold()


@lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    return _FOLD.sub("", text).casefold()


def normalise(vocabulary: Sequence[str], text: str | None) -> str | None:
    """Return the canonical display string of `vocabulary` that `text` means, or None.

    >>> normalise(STATUSES, "  awaiting   customer ")
    'Awaiting Customer'
    """
    if text is None:
        return None
    if isinstance(vocabulary, tuple) and isinstance(text, str) and len(text) <= 64:
        return _normalise_short(vocabulary, text)
    return words_for(tuple(vocabulary)).match(text)


@lru_cache(maxsize=8192)  # the same few words come back case after case (see `fold`)
def _normalise_short(vocabulary: tuple[str, ...], text: str) -> str | None:
    return words_for(vocabulary).match(text)


def is_blank(text: str | None) -> bool:
    """True for None and for text that is only whitespace."""
    return text is None or not text.strip()


_EVIDENCE_LOOKUP: Final[dict[str, str]] = {
    fold(word): kind for kind, words in EVIDENCE_SYNONYMS.items() for word in (kind, *words)
}


def evidence_kind(token: str) -> str | None:
    """The canonical evidence kind a single token names, or None if it names none."""
    return _EVIDENCE_LOOKUP.get(fold(token))


def split_tokens(values: Iterable[str]) -> tuple[str, ...]:
    """Split free-text cells on commas, semicolons, slashes and new lines into trimmed tokens."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in _SPLIT.split(value) if part.strip())
    return tuple(out)


def parse_evidence(tokens: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Read Evidence tokens: (canonical kinds present, tokens that name no known kind)."""
    return _parse_evidence(tokens if isinstance(tokens, tuple) else tuple(tokens))


@lru_cache(maxsize=4096)  # a sheet's Evidence cells repeat a few lists ("photos, video")
def _parse_evidence(tokens: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    kinds: set[str] = set()
    unknown: list[str] = []
    for token in split_tokens(tokens):
        kind = evidence_kind(token)
        if kind is None:
            unknown.append(token)
        else:
            kinds.add(kind)
    return frozenset(kinds), tuple(unknown)


def refund_kind(text: str) -> str | None:
    """A refund kind from its key ("store_credit") or from an Outcome ("Store Credit")."""
    kind = normalise(REFUND_KINDS, text)
    if kind is not None:
        return kind
    outcome = normalise(OUTCOMES, text)
    return OUTCOME_KIND.get(outcome) if outcome is not None else None


def outcome_allowed(outcome: str, kinds: Iterable[str]) -> bool:
    """Whether a canonical Outcome is consistent with the refund kinds a policy allows."""
    if outcome in ALWAYS_ALLOWED_OUTCOMES:
        return True
    return OUTCOME_KIND.get(outcome) in set(kinds)


def allowed_outcomes(kinds: Iterable[str]) -> tuple[str, ...]:
    """The Outcome display strings consistent with a set of refund kinds, in dropdown order."""
    allowed = set(kinds)
    return tuple(o for o in OUTCOMES if o in ALWAYS_ALLOWED_OUTCOMES or OUTCOME_KIND[o] in allowed)
