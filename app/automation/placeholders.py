"""The fixed, documented set of template placeholders.

Placeholders (every one is always present in the context built by `app.automation.context`;
unknown values are the empty string, lists are empty):

| name | what |
| --- | --- |
| case_id | Case ID |
| customer | Customer |
| order_no | Order No. |
| platform | platform name, e.g. Superbuy |
| channel | Channel the customer wrote from |
| language | the reader's language code: en / zh |
| issue_type | Issue Type, in the reader's language |
| item_condition | Item Condition, in the reader's language |
| status | Status, in the reader's language |
| assignee | Assignee |
| opened | Opened date ('2025-10-02' / '2025年10月2日') |
| deadline | Return Deadline ('2025-10-16' / '2025年10月16日'); '' when there is none |
| days_left | whole days to the return deadline (changes every day: avoid it in replies) |
| missing_evidence | list: evidence the policy still needs, in the reader's language |
| missing_evidence_text | the same list as one phrase ('photos, video proof' / '照片、视频证明') |
| refund_kinds | list: what the policy allows, in the reader's language |
| refund_kinds_text | the same list as one phrase |
| outcome | Outcome, in the reader's language |
| refund_amount | Refund Amount with two decimals ('12.50'); '' when blank |
| currency | Currency |
| policy_ref | policy version, e.g. superbuy@2025.1 |
| policy_reason | why the policy does not cover the request, in the reader's language |
| platform_response | Platform Response text, as the team typed it |
| reminder_number | 1, 2, ... for an evidence reminder; '' otherwise |
| seller_deadline | Seller Deadline ('2026-02-17 14:00' / '2026年2月17日 14:00'); '' when none |
| marketplace | the marketplace the item was bought on (Taobao, 京东 ...); '' when no rule applies |
"""

from __future__ import annotations

from typing import Final

PLACEHOLDERS: Final[dict[str, str]] = {
    "case_id": "Case ID",
    "customer": "Customer",
    "order_no": "Order No.",
    "platform": "platform name, e.g. Superbuy",
    "channel": "Channel the customer wrote from",
    "language": "the reader's language code: en / zh",
    "issue_type": "Issue Type, in the reader's language",
    "item_condition": "Item Condition, in the reader's language",
    "status": "Status, in the reader's language",
    "assignee": "Assignee",
    "opened": "Opened date, formatted in the reader's language",
    "deadline": "Return Deadline, formatted in the reader's language ('' when none)",
    "days_left": "whole days to the return deadline (changes daily)",
    "missing_evidence": "list of evidence the policy still needs, in the reader's language",
    "missing_evidence_text": "missing_evidence as one phrase",
    "refund_kinds": "list of refund kinds the policy allows, in the reader's language",
    "refund_kinds_text": "refund_kinds as one phrase",
    "outcome": "Outcome, in the reader's language",
    "refund_amount": "Refund Amount with two decimals ('' when blank)",
    "currency": "Currency",
    "policy_ref": "policy version, e.g. superbuy@2025.1",
    "policy_reason": "why the policy does not cover the request, in the reader's language",
    "platform_response": "Platform Response text",
    "reminder_number": "1, 2, ... for an evidence reminder ('' otherwise)",
    "seller_deadline": "Seller Deadline, the instant the return to the seller must start by",
    "marketplace": "the marketplace the item was bought on ('' when no seller rule applies)",
}
LIST_PLACEHOLDERS: Final = frozenset({"missing_evidence", "refund_kinds"})

# The Cases columns each placeholder's value is computed from. A reply whose template uses a
# placeholder depends on these inputs, and is held while a finding puts one of them in doubt
# (`app.automation.holds`). The policy version is chosen by Platform and Opened.
_POLICY = ("platform", "opened")
_CASE_KIND = (*_POLICY, "issue_type", "item_condition")
_WINDOW = (*_CASE_KIND, "window_start")
_EVIDENCE = (*_CASE_KIND, "evidence", "original_packaging", "video_proof")
PLACEHOLDER_INPUTS: Final[dict[str, frozenset[str]]] = {
    "case_id": frozenset({"case_id"}),
    "customer": frozenset({"customer"}),
    "order_no": frozenset({"order_no"}),
    "platform": frozenset({"platform"}),
    "channel": frozenset({"channel"}),
    "language": frozenset({"language"}),
    "issue_type": frozenset({"issue_type"}),
    "item_condition": frozenset({"item_condition"}),
    "status": frozenset({"status"}),
    "assignee": frozenset({"assignee"}),
    "opened": frozenset({"opened"}),
    "deadline": frozenset(_WINDOW),
    "days_left": frozenset(_WINDOW),
    "missing_evidence": frozenset(_EVIDENCE),
    "missing_evidence_text": frozenset(_EVIDENCE),
    "refund_kinds": frozenset(_CASE_KIND),
    "refund_kinds_text": frozenset(_CASE_KIND),
    "outcome": frozenset({"outcome"}),
    "refund_amount": frozenset({"refund_amount"}),
    "currency": frozenset({"currency"}),
    "policy_ref": frozenset(_POLICY),
    "policy_reason": frozenset({*_WINDOW, *_EVIDENCE}),
    "platform_response": frozenset({"platform_response"}),
    "reminder_number": frozenset(),
    "seller_deadline": frozenset({*_WINDOW, "marketplace"}),
    "marketplace": frozenset({"marketplace"}),
}
assert PLACEHOLDER_INPUTS.keys() == PLACEHOLDERS.keys(), "every placeholder names its inputs"


def placeholders_help() -> str:
    """The placeholder list as text (for the Templates tab note and the docs)."""
    return "\n".join(f"{{{{ {name} }}}}: {what}" for name, what in PLACEHOLDERS.items())
