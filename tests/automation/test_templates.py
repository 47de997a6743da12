"""Templates: complete defaults, the team's tab merged over them, unsafe templates refused."""

from __future__ import annotations

import time

import pytest

from app.automation.context import build_context
from app.automation.render import (
    MAX_OUTPUT_CHARS,
    PLACEHOLDERS,
    RenderFailure,
    check_template,
    render,
    render_template,
)
from app.automation.template_model import LANGUAGES, SITUATIONS, Template, language_code
from app.automation.templates import (
    TEMPLATE_COLUMNS,
    default_templates,
    load_templates,
    seed_rows,
)

from .conftest import PLATFORM_CASES, ev, facts, run


def tpl(body: str, subject: str = "", key: str = "team.test") -> Template:
    return Template(
        key=key, situation="closing", audience="customer", language="en", subject=subject, body=body
    )


CONTEXT = build_context(facts(), ev(missing_evidence=("photos", "video_proof")), "en", {})


def test_every_situation_has_a_default_in_english_and_chinese() -> None:
    """Defaults cover every audience, situation and language exactly once, and all check clean."""
    found = {(t.audience, t.situation, t.language) for t in default_templates()}
    wanted = {(a, s, lang) for a, ss in SITUATIONS.items() for s in ss for lang in LANGUAGES}
    assert found == wanted
    assert len(default_templates()) == len(wanted)
    for t in default_templates():
        assert check_template(t) == [], t.key


@pytest.mark.parametrize("platform", sorted(PLATFORM_CASES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_defaults_render_for_each_platform(platform: str, language: str) -> None:
    """Every default renders for a realistic case of each platform, with no placeholder left."""
    case, row = PLATFORM_CASES[platform]
    evaluation = run(case)
    context = build_context(case, evaluation, language, row, reminder_number=1)
    for t in default_templates():
        if t.language != language:
            continue
        result = render_template(t, build_context(case, evaluation, t.language, row))
        assert not isinstance(result, RenderFailure), (t.key, result)
        assert result.body and result.subject, t.key
        assert "{{" not in result.body and "{%" not in result.body
        assert (
            case.case_id in result.body
            or case.case_id in result.subject
            or (t.audience == "seller")
        )
        assert len(result.body) < 2000
    assert context["platform"] == platform.capitalize()


def test_deadline_and_evidence_are_in_the_readers_language() -> None:
    """Deadlines read '2025-11-04' / '2025年11月4日'; missing evidence is named in the language."""
    evaluation = ev(missing_evidence=("photos", "video_proof"))
    en = build_context(facts(), evaluation, "en", {})
    zh = build_context(facts(), evaluation, "zh", {})
    assert en["deadline"] == "2025-11-04" and zh["deadline"] == "2025年11月4日"
    assert en["missing_evidence"] == ("photos", "video proof")
    assert zh["missing_evidence_text"] == "照片、视频证明"
    assert zh["issue_type"] == "质量问题"
    assert set(en) == set(PLACEHOLDERS)


def test_unknown_placeholder_is_reported_not_rendered() -> None:
    """A misspelt placeholder is a problem naming the template key and the placeholder."""
    t = tpl("Hi {{ customer_name }}, your case {{ case_id }}", key="customer.closing.en")
    problems = check_template(t)
    assert [(p.key, p.field, p.kind, p.placeholder) for p in problems] == [
        ("customer.closing.en", "body", "unknown_placeholder", "customer_name")
    ]
    assert "customer_name" in str(problems[0]) and "customer.closing.en" in str(problems[0])
    result = render(t, CONTEXT)
    assert isinstance(result, RenderFailure)
    assert result.problems == tuple(problems)


def test_subject_is_checked_too() -> None:
    """A bad placeholder in the subject is reported against the subject field."""
    problems = check_template(tpl("ok", subject="Case {{ case }}"))
    assert [(p.field, p.placeholder) for p in problems] == [("subject", "case")]


SSTI_PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ config }}",
    "{{ config.items() }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ self }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ customer.__class__ }}",
    "{{ customer.upper() }}",
    "{{ customer['__class__'] }}",
    "{{ missing_evidence.__len__ }}",
    "{{ missing_evidence|attr('__class__') }}",
    "{{ refund_kinds|map('upper')|list }}",
    "{{ '%s' % customer }}",
    "{{ 'x' * 100000000 }}",
    "{{ customer|format(1) }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% include 'secrets.txt' %}",
    "{% extends 'base.html' %}",
    "{% import 'x' as y %}",
    "{% for x in missing_evidence recursive %}{{ loop(missing_evidence) }}{% endfor %}",
    "{% for a in missing_evidence %}{% for b in missing_evidence %}{% for c in refund_kinds %}"
    "x{% endfor %}{% endfor %}{% endfor %}",
    "{% for c in customer %}{{ c }}{% endfor %}",
    "{{ case_id|join(x) if x else 1 }}",
]


@pytest.mark.parametrize("payload", SSTI_PAYLOADS)
def test_injection_payloads_are_refused_not_executed(
    payload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classic template-injection payloads are reported as unsafe and never executed."""
    import os
    import subprocess

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template reached the operating system")

    monkeypatch.setattr(os, "popen", boom)
    monkeypatch.setattr(subprocess, "Popen", boom)
    t = tpl(payload, key="customer.closing.zh")
    problems = check_template(t)
    assert problems, payload
    assert {p.kind for p in problems} <= {"unsafe", "unknown_placeholder"}
    assert any(p.kind == "unsafe" for p in problems) or payload.startswith("{{ case_id|join(x)")
    assert all(p.key == "customer.closing.zh" for p in problems)
    started = time.monotonic()
    result = render(t, CONTEXT)
    assert isinstance(result, RenderFailure)
    assert time.monotonic() - started < 1.0


def test_attribute_access_on_context_values_is_refused() -> None:
    """Even a harmless-looking attribute of a placeholder is refused: only values are exposed."""
    problems = check_template(tpl("{{ customer.title }}"))
    assert [(p.kind, p.placeholder) for p in problems] == [("unsafe", "customer")]


def test_allowed_constructs_render() -> None:
    """Conditions, loops over lists, loop.index, filters and `or` defaults work."""
    body = (
        "{% if missing_evidence %}Please send:\n"
        "{% for item in missing_evidence %}{{ loop.index }}. {{ item|upper }}\n{% endfor %}"
        "{% endif %}{{ missing_evidence|join(' + ') }} / {{ customer or 'there' }} / "
        "{{ missing_evidence|length }} / {{ missing_evidence[0] }}"
    )
    t = tpl(body)
    assert check_template(t) == []
    assert render(t, CONTEXT) == (
        "Please send:\n1. PHOTOS\n2. VIDEO PROOF\nphotos + video proof / there / 2 / photos"
    )


def test_output_is_capped() -> None:
    """A template whose output exceeds the cap is a failure, not a truncated reply."""
    huge = "x" * 9000
    t = tpl(f"{huge}{{{{ customer }}}}")
    assert check_template(t) == []
    result = render(t, CONTEXT)
    assert isinstance(result, RenderFailure)
    assert result.problems[0].kind == "too_long"
    assert str(MAX_OUTPUT_CHARS) in result.problems[0].message


def test_loop_output_is_capped() -> None:
    """A long value repeated by nested loops hits the cap quickly instead of running on."""
    context = {**CONTEXT, "missing_evidence": tuple("y" * 100 for _ in range(100))}
    t = tpl(
        "{% for a in missing_evidence %}{% for b in missing_evidence %}{{ b }}"
        "{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    result = render(t, context)
    assert isinstance(result, RenderFailure) and result.problems[0].kind == "too_long"
    assert time.monotonic() - started < 1.0


def test_syntax_error_is_a_problem() -> None:
    """A template that does not parse is a syntax problem with the line number."""
    problems = check_template(tpl("Hi\n{% if customer %}unclosed"))
    assert problems[0].kind == "syntax" and "line" in problems[0].message


def test_missing_context_value_is_a_render_failure() -> None:
    """Rendering with a context lacking a placeholder fails with the placeholder's name."""
    result = render(tpl("Hi {{ customer }}"), {"case_id": "X"})
    assert isinstance(result, RenderFailure)
    assert result.problems[0].kind == "render"
    assert result.problems[0].placeholder == "customer"


def test_team_rows_override_defaults() -> None:
    """A team row with a default's key replaces it; a new key for the same situation wins too."""
    rows: list[dict[str, object]] = [
        {
            "key": "customer.closing.en",
            "situation": "closing",
            "audience": "customer",
            "language": "en",
            "subject": "Bye",
            "body": "Thanks {{ customer }}!",
        },
        {
            "key": "my-ack",
            "situation": "Acknowledgement",
            "audience": "Customer",
            "language": "English",
            "subject": "",
            "body": "Got it: {{ case_id }}",
            "notes": "extra columns are ignored",
        },
        {},
        {"key": None, "situation": None, "body": ""},
    ]
    templates, problems = load_templates(rows)
    assert problems == []
    closing = templates.get("customer", "closing", "en")
    assert closing is not None and closing.body == "Thanks {{ customer }}!"
    ack = templates.get("customer", "acknowledgement", "en")
    assert ack is not None and ack.key == "my-ack"
    zh = templates.get("customer", "acknowledgement", "zh")
    assert zh is not None and zh.key == "customer.acknowledgement.zh"


@pytest.mark.parametrize(
    ("row", "key", "field", "words"),
    [
        (
            {
                "key": "k1",
                "situation": "farewell",
                "audience": "customer",
                "language": "en",
                "body": "x",
            },
            "k1",
            "situation",
            "farewell",
        ),
        (
            {
                "key": "k2",
                "situation": "closing",
                "audience": "boss",
                "language": "en",
                "body": "x",
            },
            "k2",
            "audience",
            "customer",
        ),
        (
            {
                "key": "k3",
                "situation": "closing",
                "audience": "customer",
                "language": "Klingon!",
                "body": "x",
            },
            "k3",
            "language",
            "language",
        ),
        (
            {
                "key": "k4",
                "situation": "closing",
                "audience": "customer",
                "language": "en",
                "body": "",
            },
            "k4",
            "body",
            "at least 1",
        ),
        (
            {
                "key": "",
                "situation": "closing",
                "audience": "customer",
                "language": "en",
                "body": "x",
            },
            "row 1",
            "key",
            "at least 1",
        ),
        (
            {
                "key": "k5",
                "situation": "closing",
                "audience": "customer",
                "language": "en",
                "body": "{{ nope }}",
            },
            "k5",
            "body",
            "nope",
        ),
        (
            {
                "key": "k6",
                "situation": "closing",
                "audience": "customer",
                "language": "en",
                "body": "{{ config }}",
            },
            "k6",
            "body",
            "config",
        ),
    ],
)
def test_bad_row_is_a_problem_naming_key_and_field(
    row: dict[str, object], key: str, field: str, words: str
) -> None:
    """A bad Templates row never raises: it is a problem naming the template key and the field."""
    templates, problems = load_templates([row])
    assert len(problems) >= 1
    assert (problems[0].key, problems[0].field) == (key, field)
    assert words in problems[0].message
    chosen = templates.get("customer", "closing", "en")
    assert chosen is not None and chosen.key == "customer.closing.en"  # the default stays


def test_broken_team_template_falls_back_to_default_and_reports() -> None:
    """A broken team template is not used; the default is, and the problem travels along."""
    row = dict(seed_rows()[0])
    row["body"] = "{{ customer.__class__ }}"
    templates, problems = load_templates([row])
    assert problems and problems[0].key == row["key"]
    choice = templates.choose("customer", "acknowledgement", "en")
    assert choice.template is not None and "customer.__class__" not in choice.template.body
    assert choice.problems == tuple(problems)


def test_duplicate_rows_are_reported() -> None:
    """Two rows with one key, or two rows for one situation, report the later row."""
    base = {"situation": "closing", "audience": "customer", "language": "en", "body": "a"}
    _, problems = load_templates([{**base, "key": "a"}, {**base, "key": "a"}, {**base, "key": "b"}])
    assert [(p.key, p.field) for p in problems] == [("a", "key"), ("b", "situation")]


def test_seed_rows_round_trip() -> None:
    """The seed rows have the tab's columns and load back into the defaults with no problem."""
    rows = seed_rows()
    assert all(tuple(r) == TEMPLATE_COLUMNS for r in rows)
    templates, problems = load_templates(rows)
    assert problems == []
    assert sorted(t.key for t in templates) == sorted(t.key for t in default_templates())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("English", "en"),
        ("中文", "zh"),
        (" chinese ", "zh"),
        ("zh-CN", "zh"),
        ("ja", "ja"),
        ("", None),
        (None, None),
        ("Français!", "fr"),
        ("Español", "es"),
        ("zh-Hant", "zh"),
        ("Klingon!", None),
    ],
)
def test_language_codes(text: str | None, code: str | None) -> None:
    """Language cells are read as codes; anything unreadable is None (English is used)."""
    assert language_code(text) == code


def test_filters_cannot_multiply_a_huge_cell() -> None:
    """A long cell joined with a long separator is bounded: long filter texts are refused."""
    sep = "y" * 500
    assert check_template(tpl(f"{{{{ platform_response|join('{sep}') }}}}"))[0].kind == "unsafe"
    context = {**CONTEXT, "platform_response": "z" * 1_000_000}
    started = time.monotonic()
    result = render(tpl("{{ platform_response|join(platform_response) }}"), context)
    assert isinstance(result, RenderFailure) and result.problems[0].kind == "too_long"
    assert time.monotonic() - started < 2.0
