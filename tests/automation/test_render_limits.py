"""Render limits checked while a template runs: strings, filter output, loops, time, nesting.

Each limit is tested with small injected limits (and an injected clock for time), so the tests
say exactly where the line is and never depend on how fast the machine is.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.automation.context import build_context
from app.automation.render import RenderFailure, check_template, render
from app.automation.render_limits import MAX_NESTING, RenderLimits
from app.automation.replies import compose
from app.automation.template_model import Template, TemplateProblem
from app.automation.templates import default_templates, load_templates

from .conftest import ev, facts

CONTEXT = build_context(
    facts(), ev(missing_evidence=("photos", "video_proof")), "en", {"customer": "Emma Wilson"}
)


def tpl(body: str, key: str = "team.apology") -> Template:
    return Template(key=key, situation="closing", audience="customer", language="en", body=body)


def failure(result: str | RenderFailure) -> TemplateProblem:
    assert isinstance(result, RenderFailure), result
    [problem] = result.problems
    return problem


def counting_clock(step: float) -> Callable[[], float]:
    """A clock that moves `step` seconds each time it is read."""
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


# -- intermediate strings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("{% set a = customer %}" + "{% set a = a ~ a %}" * 8 + "{{ a|length }}", "'~'"),
        ("{% set a = customer %}" + "{% set a = a + a %}" * 8 + "{{ a|length }}", "'+'"),
        (
            "{% set a %}{{ customer }}{% endset %}"
            + "{% set a %}{{ a }}{{ a }}{% endset %}" * 8
            + "{{ a|length }}",
            "block",
        ),
        ("{% set a = [customer] %}" + "{% set a = [a, a] %}" * 8 + "{{ a }}", "a list"),
    ],
    ids=["concat", "plus", "set-block", "list-literal"],
)
def test_a_string_past_the_limit_is_refused_while_it_is_built(body: str, what: str) -> None:
    """Doubling 'Emma Wilson' (11 chars) eight times passes a 2,000-char limit at the 8th step;
    the render stops there and names the operation and the limit."""
    assert check_template(tpl(body)) == []
    problem = failure(render(tpl(body), CONTEXT, RenderLimits(string_chars=2_000)))
    assert problem.kind == "too_long"
    assert what in problem.message and "2000 characters" in problem.message


def test_a_string_under_the_limit_renders() -> None:
    """Seven doublings of 'Emma Wilson' (1,408 chars) stay under 2,000 and render in full."""
    body = "{% set a = customer %}" + "{% set a = a ~ a %}" * 7 + "{{ a|length }}"
    assert render(tpl(body), CONTEXT, RenderLimits(string_chars=2_000)) == str(11 * 2**7)


def test_the_doubling_bomb_stops_at_the_default_limit() -> None:
    """The issue's bomb (16 x's doubled thirty times, 16 GiB) stops at the 50,000-char limit."""
    body = '{% set a = "xxxxxxxxxxxxxxxx" %}' + "{% set a = a ~ a %}" * 30 + "{{ a|length }}"
    problem = failure(render(tpl(body), CONTEXT))
    assert (problem.kind, problem.key, problem.field) == ("too_long", "team.apology", "body")
    assert "50000 characters" in problem.message


# -- filter output -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ('{{ customer|replace("", "谢谢") }}', "replace"),
        ('{{ customer|join("~~~~~~~~~~") }}', "join"),
        ('{{ missing_evidence|join("、") ~ "" }}', None),
    ],
    ids=["replace-empty", "join-characters", "join-short"],
)
def test_filter_output_limit(body: str, name: str | None) -> None:
    """'Emma Wilson' with '谢谢' between every character is 33 chars and joined with ten tildes
    111: over a 30-char filter limit; joining the two evidence items (18 chars) is under it."""
    result = render(tpl(body), CONTEXT, RenderLimits(filter_output_chars=30))
    if name is None:
        assert result == "photos、video proof"
        return
    problem = failure(result)
    assert problem.kind == "too_long"
    assert f"filter '{name}'" in problem.message and "30 characters" in problem.message


def test_chained_replace_on_constants_is_bounded_when_checked() -> None:
    """Jinja folds constant expressions while compiling; a chained replace of a constant is
    refused there too instead of building gigabytes during the check."""
    body = '{{ "abc"' + ('|replace("", "' + "x" * 60 + '")') * 8 + "|length }}"
    assert check_template(tpl(body)) == []
    problem = failure(render(tpl(body), CONTEXT))
    assert problem.kind == "too_long" and "filter 'replace'" in problem.message


# -- loop iterations ---------------------------------------------------------------------------


def test_loop_iterations_are_counted_across_all_loops() -> None:
    """Two nested loops over two items are 2 + 4 = 6 iterations: fine under 6, refused under 5."""
    body = (
        "{% for a in missing_evidence %}{% for b in missing_evidence %}"
        "{{ loop.index }}{% endfor %}{% endfor %}"
    )
    assert render(tpl(body), CONTEXT, RenderLimits(loop_iterations=6)) == "1212"
    problem = failure(render(tpl(body), CONTEXT, RenderLimits(loop_iterations=5)))
    assert problem.kind == "too_complex"
    assert "more than 5 times" in problem.message


def test_loop_length_still_works_with_counted_iterations() -> None:
    """`loop.length` / `loop.last` read the whole list up front; the count is still right."""
    body = "{% for k in missing_evidence %}{{ k }}{% if not loop.last %}/{% endif %}{% endfor %}"
    assert render(tpl(body), CONTEXT, RenderLimits(loop_iterations=2)) == "photos/video proof"


# -- render time -------------------------------------------------------------------------------


def test_a_render_past_its_time_limit_is_refused() -> None:
    """With a clock that moves a second per reading and a 10 s limit, a loop of 40 iterations
    (each reads the clock) is stopped; a one-line template reads it a few times and passes."""
    context = {**CONTEXT, "missing_evidence": tuple(f"item {n}" for n in range(40))}
    looping = tpl("{% for k in missing_evidence %}{{ k }} {% endfor %}")
    limits = RenderLimits(render_seconds=10, clock=counting_clock(1.0))
    problem = failure(render(looping, context, limits))
    assert problem.kind == "too_complex"
    assert "longer than 10 s" in problem.message

    short = tpl("Hi {{ customer }}")
    limits = RenderLimits(render_seconds=10, clock=counting_clock(1.0))
    assert render(short, context, limits) == "Hi Emma Wilson"


def test_a_pause_in_one_render_is_not_taken_for_a_slow_template() -> None:
    """A render that passes its time limit once (a garbage collection inside it counts as its
    CPU time) is tried once more and renders; only a template slow every time is refused."""
    readings = [0.0]

    def pausing_clock() -> float:
        # The third reading jumps 100 s (a collection), then the clock hardly moves again.
        readings.append(readings[-1] + (100.0 if len(readings) == 3 else 0.001))
        return readings[-1]

    short = tpl("Hi {{ customer }}, {% for k in missing_evidence %}{{ k }} {% endfor %}")
    limits = RenderLimits(render_seconds=10, clock=pausing_clock)
    assert render(short, CONTEXT, limits) == "Hi Emma Wilson, photos video proof"
    assert readings[-1] > 100  # the pause did happen inside the first attempt

    slow = RenderLimits(render_seconds=10, clock=counting_clock(100.0))
    problem = failure(render(short, CONTEXT, slow))
    assert "longer than 10 s" in problem.message


def test_a_budget_on_the_thread_clock_allows_the_whole_limit_and_little_more() -> None:
    """Budgets on the real thread clock start from a CPU reading shared for a few ms (one system
    call per render was 3% of a first fill): each one still allows its full limit of CPU time,
    and at most the sharing period more, however the renders and the readings interleave."""
    import time

    from app.automation.render_limits import _REFRESH, RenderBudget

    limits = RenderLimits(render_seconds=0.5)
    for n in range(2_000):
        before = time.thread_time()
        budget = RenderBudget(limits)
        after = time.thread_time()
        assert budget.deadline >= before + 0.5  # never less CPU than the limit
        assert budget.deadline <= after + 0.5 + _REFRESH
        if n % 100 == 0:
            sum(range(20_000))  # some CPU between budgets, as rendering spends


# -- nesting and compile errors ----------------------------------------------------------------


def test_brackets_nested_past_the_limit_are_refused_before_parsing() -> None:
    """Brackets nested MAX_NESTING deep are fine; one more is a problem, and 3,000 (which
    overflowed the parser's recursion) are refused the same way, quickly."""
    ok = "{{ " + "(" * MAX_NESTING + "customer" + ")" * MAX_NESTING + " }}"
    assert check_template(tpl(ok)) == []
    assert render(tpl(ok), CONTEXT) == "Emma Wilson"
    for depth in (MAX_NESTING + 1, 3_000):
        source = "{{ " + "(" * depth + "customer" + ")" * depth + " }}"
        [problem] = check_template(tpl(source))
        assert problem.kind == "too_complex" and "nested more than" in problem.message
        assert failure(render(tpl(source), CONTEXT)) == problem


def test_blocks_nested_past_the_limit_are_refused() -> None:
    """`{% if %}` blocks nested deeper than the limit are refused before parsing."""
    depth = MAX_NESTING + 1
    source = "{% if customer %}" * depth + "Hi" + "{% endif %}" * depth
    [problem] = check_template(tpl(source))
    assert problem.kind == "too_complex" and "blocks are nested" in problem.message


@pytest.mark.parametrize(
    "body",
    [
        "{{ customer" + " ~ customer" * 20 + "|upper" * 80 + " }}",
        "{{ " + "not " * 2_400 + "customer }}",
        "{{ " + "- " * 2_400 + "days_left }}",
    ],
    ids=["long-filter-chain", "not-chain", "minus-chain"],
)
def test_deep_expressions_without_brackets_are_refused(body: str) -> None:
    """Deep chains of filters or unary operators are refused (too_complex), never raised."""
    [problem] = check_template(tpl(body))
    assert problem.kind == "too_complex"
    assert failure(render(tpl(body), CONTEXT)).kind == "too_complex"


def test_compile_time_errors_are_problems() -> None:
    """`{% for loop in ... %}` only fails when compiled: it is a syntax problem, not a crash."""
    body = "We can offer: {% for loop in refund_kinds %}{{ loop }}{% endfor %}"
    [problem] = check_template(tpl(body))
    assert problem.kind == "syntax" and "special loop variable" in problem.message
    assert failure(render(tpl(body), CONTEXT)) == problem


# -- what the sync does with a refused template -------------------------------------------------


def rows(body: str, key: str = "customer.closing.en") -> list[dict[str, object]]:
    return [
        {"key": key, "situation": "closing", "audience": "customer", "language": "en", "body": body}
    ]


def closing(templates: object, case_id: str) -> tuple[str, tuple[TemplateProblem, ...]]:
    from app.automation.templates import TemplateSet

    assert isinstance(templates, TemplateSet)
    reply, problems = compose(
        "customer", "closing", facts(case_id=case_id), ev(), templates, "en", {}
    )
    assert reply is not None
    return reply.template_key + ": " + reply.text, problems


def test_a_template_past_a_limit_is_refused_for_the_sync_and_cases_get_the_default() -> None:
    """The first case that renders the bomb gets the default reply and a warning naming the
    template; the set remembers the refusal, so the next case gets the default without
    rendering the bomb again; the Templates tab is told why."""
    bomb = '{% set a = "xxxxxxxxxxxxxxxx" %}' + "{% set a = a ~ a %}" * 30 + "{{ a }}"
    templates, problems = load_templates(rows(bomb))
    assert problems == []  # nothing is wrong until it runs
    default = next(t for t in default_templates() if t.key == "customer.closing.en")
    expected = render(default, build_context(facts(case_id="AS-1"), ev(), "en", {}))
    assert isinstance(expected, str)

    text, found = closing(templates, "AS-1")
    assert text == "customer.closing.en: " + expected
    assert [(p.key, p.kind) for p in found] == [("customer.closing.en", "too_long")]
    [noted] = templates.runtime_problems()
    assert noted == found[0]

    again, found_again = closing(templates, "AS-2")
    assert again.startswith("customer.closing.en: ") and "xxxx" not in again
    assert found_again == found


def test_a_case_whose_value_no_template_can_hold_ends_without_a_reply() -> None:
    """A team template that is the shipped default (as the first sync seeds it) and a customer
    name longer than any reply may be: the team's copy is refused, the default fails the same
    way, and the case ends with no reply and the problem named (it never loops)."""
    default = next(t for t in default_templates() if t.key == "customer.closing.en")
    templates, problems = load_templates(rows(default.body))
    assert problems == []
    reply, found = compose(
        "customer",
        "closing",
        facts(case_id="AS-9"),
        ev(),
        templates,
        "en",
        {"customer": "A" * 60_000},
    )
    assert reply is None
    assert found and {p.kind for p in found} == {"too_long"}
    assert all(p.key == "customer.closing.en" for p in found)


def test_a_template_failing_on_one_cases_values_falls_back_for_that_case_only() -> None:
    """A runtime error that depends on the case (adding a number to a blank reminder number)
    gives that case the default and names the case; the template stays in use."""
    body = "Reminder {{ reminder_number + 1 }}"
    templates, _ = load_templates(rows(body, key="team.closing"))

    text, found = closing(templates, "AS-7")
    assert text.startswith("customer.closing.en: ")
    [problem] = found
    assert problem.key == "team.closing" and problem.kind == "render"
    assert "(with case AS-7)" in problem.message
    assert templates.runtime_problems() == (problem,)
    assert templates.get("customer", "closing", "en") is not None
    chosen = templates.get("customer", "closing", "en")
    assert chosen is not None and chosen.key == "team.closing"
