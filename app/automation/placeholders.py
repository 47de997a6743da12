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
}
LIST_PLACEHOLDERS: Final = frozenset({"missing_evidence", "refund_kinds"})


def placeholders_help() -> str:
    """The placeholder list as text (for the Templates tab note and the docs)."""
    return "\n".join(f"{{{{ {name} }}}}: {what}" for name, what in PLACEHOLDERS.items())
