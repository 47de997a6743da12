"""A reply template as the team keeps it in the Templates tab, and what can be wrong with one.

Separate from `templates.py` (the loader) and `render.py` (the sandbox) so both can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from policies import Finding, Severity
from policies.vocab import fold
from sheet_schema import messages
from sheet_schema.vocabulary import language_codes, shipped_vocabulary

Audience = Literal["customer", "seller"]

CUSTOMER_SITUATIONS: Final = (
    "acknowledgement",
    "evidence_request",
    "evidence_reminder",
    "progress_update",
    "platform_response",
    "outcome_full_refund",
    "outcome_partial_refund",
    "outcome_store_credit",
    "outcome_exchange",
    "outcome_reship",
    "outcome_rejected",
    "outcome_withdrawn",
    "overdue_apology",
    "closing",
)
SELLER_SITUATIONS: Final = ("request", "chase", "return_shipped", "outcome", "no_reason_return")
SITUATIONS: Final[dict[str, tuple[str, ...]]] = {
    "customer": CUSTOMER_SITUATIONS,
    "seller": SELLER_SITUATIONS,
}
LANGUAGES: Final = ("en", "zh")
FALLBACK_LANGUAGE: Final = "en"

_LANGUAGE_NAMES: Final[dict[str, str]] = {
    **dict.fromkeys(("en", "eng", "english", "英文", "英语"), "en"),
    **dict.fromkeys(
        ("zh", "zhcn", "zhhans", "cn", "chinese", "mandarin", "中文", "汉语", "简体中文"), "zh"
    ),
}
_AUDIENCE_NAMES: Final[dict[str, str]] = {
    **dict.fromkeys(("customer", "buyer", "client", "客户", "买家"), "customer"),
    **dict.fromkeys(("seller", "merchant", "shop", "卖家", "商家"), "seller"),
}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
MAX_TEMPLATE_CHARS: Final = 10_000


def language_code(text: object) -> str | None:
    """'English' / 'en' / '英文' -> 'en', 'Chinese' / '中文' -> 'zh', 'ja' -> 'ja', else None."""
    if not isinstance(text, str):
        return None
    return _code_of(text)


@lru_cache(maxsize=256)  # asked twice per reply of every case; a sheet has a language or two
def _code_of(text: str) -> str | None:
    folded = fold(text)
    name = shipped_vocabulary()["language"].match(text)  # 'Español', 'zh-Hant', '中文'
    if name is not None:
        return language_codes().get(name)
    code = _LANGUAGE_NAMES.get(folded)
    if code is not None:
        return code
    return folded if _LANGUAGE_CODE.match(folded) else None


class Template(BaseModel):
    """One reply template: a row of the Templates tab."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1)
    audience: Audience  # validated before `situation`, which depends on it
    situation: str
    language: str
    subject: str = ""
    body: str = Field(min_length=1, max_length=MAX_TEMPLATE_CHARS)

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, value: Any) -> Any:
        if isinstance(value, str):
            audience = _AUDIENCE_NAMES.get(fold(value))
            if audience is None:
                raise ValueError(f"expected 'customer' or 'seller', got {value!r}")
            return audience
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        code = language_code(value)
        if code is None:
            raise ValueError(f"expected a language such as 'en' or 'zh', got {value!r}")
        return code

    @field_validator("situation", mode="before")
    @classmethod
    def _situation_text(cls, value: Any) -> Any:
        return value.strip().casefold().replace("-", "_") if isinstance(value, str) else value

    @field_validator("situation")
    @classmethod
    def _situation(cls, value: str, info: ValidationInfo) -> str:
        audience = info.data.get("audience")
        known = SITUATIONS.get(audience) if isinstance(audience, str) else None
        if known is not None and value not in known:
            raise ValueError(
                f"unknown {audience} situation {value!r}; expected one of: {', '.join(known)}"
            )
        return value

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        if len(value) > 500:
            raise ValueError("is longer than 500 characters")
        return value


ProblemKind = Literal[
    "invalid",
    "syntax",
    "unknown_placeholder",
    "unsafe",
    "too_long",
    "too_complex",
    "render",
    "missing",
]


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """Something wrong with one template; names the template key, the field and the placeholder.

    `kind`: invalid (a bad cell in the Templates tab), syntax, unknown_placeholder, unsafe,
    too_long (the template, its output, or a text it builds while rendering), too_complex
    (nested too deeply, too many loop iterations, or too slow), render (failed while
    rendering), missing (no template).
    """

    key: str
    field: str
    kind: ProblemKind
    message: str
    placeholder: str | None = None

    def __str__(self) -> str:
        return self.text("en")

    def text(self, language: str) -> str:
        """'template 'first_response' (body): line 3: ...' for an English team; a Chinese team
        reads the kind of problem in Chinese ('模板 'first_response'（正文）：…'), since the
        detail comes from the template engine in English."""
        if language != "zh":
            return messages.text(
                "findings.template_problem",
                language,
                key=repr(self.key),
                field=self.field,
                problem=self.message,
            )
        field_key = f"findings.template_field_{self.field}"
        known = messages.load_catalogue().texts
        field = messages.text(field_key, language) if field_key in known else self.field
        problem = messages.text(
            f"findings.template_{self.kind}", language, placeholder=self.placeholder or ""
        )
        return messages.text(
            "findings.template_problem",
            language,
            key=repr(self.key),
            field=field,
            problem=problem,
        )

    def to_finding(self, column: str | None = None) -> Finding:
        """The problem as a warning for the case's Validation cell (or the run report)."""
        return Finding(
            code=f"template_{self.kind}",
            severity=Severity.WARNING,
            message=self.text("en"),
            message_zh=self.text("zh"),
            column=column,
        )
