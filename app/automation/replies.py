"""Suggested Reply (to the customer) and Seller Message for one case. Pure and deterministic.

The text depends only on the case (never on the clock), so it changes only when the situation
or the case's fields change, and a second sync of an unchanged sheet writes nothing.

Customer situation (`situation`), first that applies:

1. closed: the outcome notice while the status is Resolved and an Outcome is set; otherwise
   `closing` (with the CSAT 1-5 question) while CSAT is blank; otherwise no reply;
2. an Outcome is set: `outcome_<outcome>` (full_refund, partial_refund, store_credit, exchange,
   reship, rejected, withdrawn);
3. a platform response was recorded: `platform_response`;
4. SLA State is Overdue: `overdue_apology` (which also asks for missing evidence);
5. Status is New (or blank): `acknowledgement`;
6. the policy still needs evidence: `evidence_request`;
7. otherwise: `progress_update`.

`evidence_reminder` is never chosen here: reminders are queued by the reminder schedule
(`reminders.py`) and rendered with `compose(..., reminder_number=n)`.

Seller situation (`seller_situation`), Chinese by default: closed -> none; an Outcome ->
`outcome`; Return Shipped -> `return_shipped`; seller response overdue -> `chase`; a Seller
Deadline still ahead and the return not started -> `no_reason_return`; else `request`.

A message whose situation or placeholders rest on an input a finding flags is held
(`app.automation.holds`): its cell says "Held: <what is wrong> — <what clears it>" and nothing
is sent until the finding clears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from app.automation.context import build_context
from app.automation.holds import held_text, holding, template_inputs
from app.automation.render import RenderFailure, render, used_placeholders
from app.automation.template_model import FALLBACK_LANGUAGE, TemplateProblem, language_code
from app.automation.templates import TemplateSet
from policies import CaseFacts, Evaluation, Finding, SlaState
from policies.vocab import OUTCOMES, STATUSES, normalise

SELLER_LANGUAGE = "zh"

_OUTCOME_SITUATIONS = {
    "Full Refund": "outcome_full_refund",
    "Partial Refund": "outcome_partial_refund",
    "Store Credit": "outcome_store_credit",
    "Exchange": "outcome_exchange",
    "Reship": "outcome_reship",
    "Rejected": "outcome_rejected",
    "Withdrawn": "outcome_withdrawn",
}
_EVIDENCE_INPUTS = frozenset({"evidence", "original_packaging", "video_proof"})
# The inputs that choose a situation, by (audience, situation): an outcome notice announces the
# Outcome whether or not its template names it.
SITUATION_INPUTS: dict[tuple[str, str], frozenset[str]] = {
    **{("customer", s): frozenset({"outcome"}) for s in _OUTCOME_SITUATIONS.values()},
    ("customer", "platform_response"): frozenset({"platform_response"}),
    ("customer", "evidence_request"): _EVIDENCE_INPUTS,
    ("customer", "evidence_reminder"): _EVIDENCE_INPUTS,
    ("seller", "outcome"): frozenset({"outcome"}),
    ("seller", "no_reason_return"): frozenset({"issue_type", "window_start", "marketplace"}),
}


@dataclass(frozen=True, slots=True)
class Reply:
    """One rendered message: which situation and template, and the text.

    A template's subject line is checked with the template (`render.check_template`) but not
    rendered here: no cell shows it, and rendering it was half of every reply's cost."""

    audience: str
    situation: str
    template_key: str
    language: str
    text: str
    inputs: frozenset[str] = frozenset()  # the Cases columns the message is built from


@dataclass(frozen=True, slots=True)
class Replies:
    """The messages that may go out (None: none applies, or it is held) and the held ones.

    `customer` / `seller` (and the `*_reply` objects) are what may be sent; the cells show
    `customer_cell` / `seller_cell`, which say why a message is held.
    """

    customer: str | None
    seller: str | None
    problems: tuple[TemplateProblem, ...] = ()
    customer_reply: Reply | None = None
    seller_reply: Reply | None = None
    customer_held: str | None = None
    seller_held: str | None = None

    @property
    def customer_cell(self) -> str | None:
        return self.customer_held or self.customer

    @property
    def seller_cell(self) -> str | None:
        return self.seller_held or self.seller

    @property
    def customer_situation(self) -> str | None:
        return self.customer_reply.situation if self.customer_reply else None

    @property
    def seller_situation(self) -> str | None:
        return self.seller_reply.situation if self.seller_reply else None


def situation(facts: CaseFacts, ev: Evaluation, csat: object = None) -> str | None:
    """The customer template situation that applies now (see the module doc), or None."""
    status = normalise(STATUSES, facts.status)
    outcome = normalise(OUTCOMES, facts.outcome)
    if ev.closed:
        if outcome is not None and status == "Resolved":
            return _OUTCOME_SITUATIONS[outcome]
        return "closing" if _blank(csat) else None
    if outcome is not None:
        return _OUTCOME_SITUATIONS[outcome]
    if facts.platform_response_at is not None:
        return "platform_response"
    if ev.sla_state is SlaState.OVERDUE:
        return "overdue_apology"
    if status in (None, "New"):
        return "acknowledgement"
    if ev.missing_evidence:
        return "evidence_request"
    return "progress_update"


def seller_situation(facts: CaseFacts, ev: Evaluation) -> str | None:
    """The seller template situation that applies now, or None for a closed case."""
    if ev.closed:
        return None
    if normalise(OUTCOMES, facts.outcome) is not None:
        return "outcome"
    if normalise(STATUSES, facts.status) == "Return Shipped":
        return "return_shipped"
    if any(c.name == "seller_response" and c.state is SlaState.OVERDUE for c in ev.sla):
        return "chase"
    if ev.seller is not None and not ev.seller.started and not ev.seller.missed:
        return "no_reason_return"  # the marketplace's 7-day window: ask before it closes
    return "request"


def compose(
    audience: str,
    which: str,
    facts: CaseFacts,
    ev: Evaluation,
    templates: TemplateSet,
    language: str | None,
    row_values: Mapping[str, object],
    *,
    reminder_number: int | None = None,
    platform_name: str | None = None,
) -> tuple[Reply | None, tuple[TemplateProblem, ...]]:
    """Render the `audience` template for situation `which` in `language` (English fallback).

    Returns (reply or None, problems). Never raises for template problems.
    """
    code = language_code(language) or FALLBACK_LANGUAGE
    problems: list[TemplateProblem] = []
    failed: frozenset[str] = frozenset()
    # Each pass either returns or takes one team template out of the running, so this ends.
    while True:
        choice = templates.choose(audience, which, code, skip=failed)
        problems.extend(p for p in choice.problems if p not in problems)
        template = choice.template
        if template is None:
            return None, tuple(problems)
        context = build_context(
            facts,
            ev,
            template.language,
            row_values,
            reminder_number=reminder_number,
            platform_name=platform_name,
            only=used_placeholders(template),
        )
        result = render(template, context)
        if not isinstance(result, RenderFailure):
            break
        # A team template that fails falls back to the default, as a broken one does: past a
        # render limit for the rest of the sync, otherwise for this case only.
        found = [_for_case(p, facts.case_id) for p in result.problems]
        if any(p.kind in _REFUSED_FOR_THE_SYNC for p in found):
            fell_back = templates.refuse(template, found)
        else:
            fell_back = templates.fail(template, found)
            failed |= {template.key}
        if not fell_back:
            return None, (*problems, *(p for p in found if p not in problems))
        if not any(p.kind in _REFUSED_FOR_THE_SYNC for p in found):
            problems.extend(p for p in found if p not in problems)
    reply = Reply(
        audience=audience,
        situation=which,
        template_key=template.key,
        language=template.language,
        text=result,
        inputs=SITUATION_INPUTS.get((audience, which), frozenset()) | template_inputs(template),
    )
    return reply, tuple(problems)


# Problems that do not depend on one case's values: the template is not tried again this sync.
_REFUSED_FOR_THE_SYNC = frozenset({"too_long", "too_complex", "unsafe", "syntax"})


def _for_case(problem: TemplateProblem, case_id: str) -> TemplateProblem:
    """A render problem of a team template, saying which case it happened with."""
    if problem.kind in _REFUSED_FOR_THE_SYNC or not case_id:
        return problem
    return replace(problem, message=f"{problem.message} (with case {case_id})")


def replies(
    facts: CaseFacts,
    ev: Evaluation,
    templates: TemplateSet,
    language: str | None,
    row_values: Mapping[str, object],
    *,
    platform_name: str | None = None,
    findings: Sequence[Finding] | None = None,
    team_language: str = "en",
) -> Replies:
    """Suggested Reply (customer, in `language`, falling back to English) and Seller Message
    (Chinese) for one case; `row_values` is the case row by column key (CSAT read from 'csat').

    `findings` (default: the evaluation's) are what may hold a message; a held message's cell
    says why in the team's language (`team_language`).
    """
    flagged = ev.findings if findings is None else findings
    problems: list[TemplateProblem] = []
    customer: Reply | None = None
    seller: Reply | None = None
    which = situation(facts, ev, row_values.get("csat"))
    if which is not None:
        customer, found = compose(
            "customer",
            which,
            facts,
            ev,
            templates,
            language,
            row_values,
            platform_name=platform_name,
        )
        problems.extend(found)
    seller_which = seller_situation(facts, ev)
    if seller_which is not None:
        seller, found = compose(
            "seller",
            seller_which,
            facts,
            ev,
            templates,
            SELLER_LANGUAGE,
            row_values,
            platform_name=platform_name,
        )
        problems.extend(p for p in found if p not in problems)
    customer_hold = holding(flagged, customer.inputs) if customer else ()
    seller_hold = holding(flagged, seller.inputs) if seller else ()
    customer = None if customer_hold else customer
    seller = None if seller_hold else seller
    return Replies(
        customer=customer.text if customer else None,
        seller=seller.text if seller else None,
        problems=tuple(problems),
        customer_reply=customer,
        seller_reply=seller,
        customer_held=held_text(customer_hold, team_language) if customer_hold else None,
        seller_held=held_text(seller_hold, team_language) if seller_hold else None,
    )


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
