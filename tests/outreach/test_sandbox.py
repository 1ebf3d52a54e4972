"""Organisation overrides run in the sandbox: escapes fail safely, bombs stop early, errors
name the template and the line."""

from __future__ import annotations

import tracemalloc

import pytest

from outreach.environment import (
    OverrideLimits,
    OverrideSandbox,
    TemplateOverrideError,
    render,
    render_override,
    validate_override,
)
from outreach.render import render_email
from outreach.sample_data import sample_email
from tests.outreach._factories import email_for

NAME = "email_intro.txt.j2"
SECRET_MARKERS = ("<class", "subclasses of", "function ", "module ", "builtins", "os.", "0x")


def _vars() -> dict[str, object]:
    return sample_email().template_vars()


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ joiner.__init__.__globals__['os'] }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ recent_post.__dict__ }}",
    "{{ compensation.amount.__class__.__bases__ }}",
    "{{ creator_display_name|attr('__class__') }}",
    "{{ reasons|map(attribute='__class__')|first|attr('__mro__') }}",
    "{{ ''.format.__globals__ }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ range.__globals__ }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_fail_safely_and_leak_nothing(source: str) -> None:
    with pytest.raises(TemplateOverrideError) as exc:
        render_override(NAME, source, _vars())
    message = str(exc.value)
    assert message.startswith(f"Template override {NAME!r}")
    assert exc.value.template == NAME
    assert exc.value.errors[0].field == NAME
    for marker in SECRET_MARKERS:
        assert marker not in message
    assert len(message) < 400


def test_unsafe_attribute_error_says_what_was_refused() -> None:
    with pytest.raises(TemplateOverrideError, match="'__class__' of 'str' object is unsafe"):
        render_override(NAME, "Hi\n{{ ''.__class__ }}", _vars())


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(10**7) %}x{% endfor %}",
        "{{ 'x' * 10**9 }}",
        "{{ 10**9 * 'x' }}",
        "{{ ['x'] * 10**9 }}",
        "{{ 2 ** (10**8) }}",
        "{{ (2 ** 4000) * (2 ** 4000) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}",
        "{% set x = 'a' * 150000 %}{{ [x, x, x, x] }}",
        "{% set x = 'a' * 150000 %}{{ ([x] * 1000)|join }}",
        "{{ 'x'|center(10**9) }}",
        "{{ '{:>999999999}'.format('x') }}",
        "{{ '{:>{}}'.format('x', 10**9) }}",
        "{{ '%999999999s' % 'x' }}",
        "{{ '%*s'|format(10**9, 'x') }}",
        "{{ ('x' * 150000)|replace('', 'yyyyyyyy') }}",
        "{{ (range(1000)|list)|tojson(indent=10**5) }}",
        "{{ ('\\n' * 150000)|indent(1000) }}",
        "{{ range(100)|batch(10**9, fill_with='x')|list }}",
        "{{ [range(100000)|list] * 100|sum(start=[]) }}",
    ],
)
def test_size_bombs_stop_early_without_huge_memory(source: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(TemplateOverrideError, match=r"limit exceeded|Range too big|too large"):
            render_override(NAME, source, _vars())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 25_000_000, f"peak {peak / 1e6:.1f} MB"


def test_output_limit_stops_a_streaming_render() -> None:
    sandbox = OverrideSandbox(OverrideLimits(max_output_bytes=1_000))
    source = "{% for i in range(5000) %}line {{ i }}\n{% endfor %}"
    with pytest.raises(TemplateOverrideError, match="output is larger than 1000 bytes"):
        render_override(NAME, source, _vars(), sandbox=sandbox)
    small = "{% for i in range(50) %}line {{ i }}\n{% endfor %}"
    assert render_override(NAME, small, _vars(), sandbox=sandbox).count("line") == 50


def test_loop_budget_counts_every_iteration() -> None:
    sandbox = OverrideSandbox(OverrideLimits(max_loop_iterations=100))
    nested = "{% for i in range(11) %}{% for j in range(10) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateOverrideError, match="more than 100 loop iterations"):
        render_override(NAME, nested, _vars(), sandbox=sandbox)
    fits = "{% for i in range(9) %}{% for j in range(10) %}{% endfor %}{% endfor %}ok"
    assert render_override(NAME, fits, _vars(), sandbox=sandbox) == "ok"


def test_time_limit_stops_a_render() -> None:
    sandbox = OverrideSandbox(OverrideLimits(max_seconds=-1.0))
    with pytest.raises(TemplateOverrideError, match="took longer than"):
        render_override(
            NAME, "{% for i in range(3) %}{{ i }}{% endfor %}", _vars(), sandbox=sandbox
        )
    assert render_override(NAME, "{% for i in range(3) %}{{ i }}{% endfor %}", _vars()) == "012"


def test_guarded_loops_keep_jinja_loop_features() -> None:
    source = (
        "{% for r in reasons %}{{ loop.index }}/{{ loop.length }}{% if loop.last %}!{% endif %} "
        "{% else %}none{% endfor %}{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }}{% endfor %}"
    )
    assert render_override(NAME, source, _vars()) == "1/3 2/3 3/3! a=1"


def test_source_size_is_limited() -> None:
    sandbox = OverrideSandbox(OverrideLimits(max_source_bytes=100))
    with pytest.raises(TemplateOverrideError, match="larger than 100 bytes"):
        render_override(NAME, "x" * 101, _vars(), sandbox=sandbox)


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
        "{{ " + "[" * 3000 + "]" * 3000 + " }}",
        "{{ " + "not " * 5000 + "1 }}",
        "{{ " + "-" * 5000 + "1 }}",
        "{% if true %}" * 200 + "x" + "{% endif %}" * 200,
        "{{ x" + "|upper" * 5000 + " }}",
        "{{ 1" + " + 1" * 5000 + " }}",
    ],
)
def test_deep_nesting_is_refused_with_the_limit_not_a_crash(source: str) -> None:
    with pytest.raises(TemplateOverrideError) as exc:
        render_override(NAME, source, _vars())
    assert exc.value.status == 422
    assert "limit exceeded" in str(exc.value) or "larger than" in str(exc.value)


def test_nesting_within_the_limit_still_renders() -> None:
    source = "Subject: x\n\n{{ " + "(" * 30 + "1" + ")" * 30 + " }}" + "{% if true %}" * 10
    source += "y" + "{% endif %}" * 10
    assert render_override(NAME, source, _vars()).endswith("1y")


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("Subject: x\n\n{% if %}", 3, "Expected an expression"),
        ("Subject: x\n{% for x in y %}", 2, "end of template"),
        ("Subject: x\n\n\n{{ creator_nme }}", 4, "'creator_nme' is undefined"),
        ("Subject: x\n{{ 1 // 0 }}", 2, "ZeroDivisionError"),
        ("a\n{{ x|no_such_filter }}", 2, "No filter named 'no_such_filter'"),
        ("a\nb\n{% macro m() %}x{% endmacro %}", 3, "macros are not allowed"),
        ("{% include 'brief.md.j2' %}", 1, "include"),
        ("{% extends 'brief.md.j2' %}", 1, "extends"),
        ("{% import 'brief.md.j2' as b %}", 1, "import"),
        ("a\n{% autoescape false %}{{ creator_display_name }}{% endautoescape %}", 2, "autoescape"),
        ("{% set x %}big{% endset %}", 1, "block assignments"),
        ("{% block b %}{% endblock %}", 1, "block"),
        ("{% filter upper %}x{% endfilter %}", 1, "filter blocks"),
        ("{% for x in reasons recursive %}{{ loop(x) }}{% endfor %}", 1, "recursive"),
    ],
)
def test_errors_name_the_template_and_line(source: str, line: int, message: str) -> None:
    with pytest.raises(TemplateOverrideError) as exc:
        render_override(NAME, source, _vars())
    assert exc.value.line == line
    assert message in str(exc.value)
    assert exc.value.errors[0].line == line
    assert exc.value.status == 422


def test_a_reasonable_override_renders_with_the_context() -> None:
    source = (
        "Subject: {{ brand }} and {{ creator_display_name|upper }}\n\n"
        "{% for item in deliverables %}{{ loop.index }}. {{ item.display }}\n{% endfor %}"
        "{{ '{:,.2f}'.format(compensation.amount) }} {{ reasons|join('; ') }}\n"
        "{{ postal_address_lines|join('\\n') }}\n{{ unsubscribe_url }}\n"
    )
    out = render(NAME, sample_email(), {NAME: source})
    assert out.startswith("Subject: Trailhound and MIA FERNÁNDEZ\n")
    assert "1. 2 × Instagram Reel (30-60 s)\n2. 1 × Instagram Story set" in out
    assert "650.00 Posts about trail running" in out


def test_overrides_apply_only_to_their_own_template() -> None:
    ctx = sample_email()
    overrides = {"email_followup1.txt.j2": "Subject: other\n\nnot used"}
    assert render(NAME, ctx, overrides) == render(NAME, ctx)


def test_html_overrides_are_autoescaped_and_cannot_mark_safe() -> None:
    import dataclasses

    ctx = dataclasses.replace(sample_email(), creator_display_name="<script>alert(1)</script>")
    out = render(
        "email_intro.html.j2", ctx, {"email_intro.html.j2": "<p>{{ creator_display_name }}</p>"}
    )
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    with pytest.raises(TemplateOverrideError, match="No filter named 'safe'"):
        render(
            "email_intro.html.j2", ctx, {"email_intro.html.j2": "{{ creator_display_name|safe }}"}
        )


def test_lipsum_is_not_available() -> None:
    with pytest.raises(TemplateOverrideError, match="'lipsum' is undefined"):
        render_override(NAME, "{{ lipsum(10**6) }}", _vars())


def test_a_broken_email_override_fails_render_email_with_the_template_name() -> None:
    ctx = email_for("followup1", "uk_tiktok")
    with pytest.raises(TemplateOverrideError) as exc:
        render_email(ctx, {"email_followup1.html.j2": "<p>\n{{ ''.__class__ }}</p>"})
    assert exc.value.template == "email_followup1.html.j2"
    assert exc.value.line == 2


def test_a_txt_override_without_a_subject_line_is_refused() -> None:
    with pytest.raises(TemplateOverrideError, match="Subject") as exc:
        render_email(sample_email(), {NAME: "Hello {{ creator_display_name }}"})
    assert exc.value.line == 1


class TestValidateOverride:
    def test_preview_of_a_good_contract_override_is_allowed(self) -> None:
        from outreach.sample_data import sample_contract

        ctx = sample_contract("gifting")
        source = "# Gift for {{ creator.legal_name }}\n\n{{ disclosure_section }}"
        preview = validate_override("contract_gifting.md.j2", source)
        assert preview.output.startswith(f"# Gift for {ctx.creator.legal_name}")
        assert preview.gate.allowed

    def test_preview_reports_a_missing_disclosure_section(self) -> None:
        preview = validate_override("contract_sponsored_post.md.j2", "# Agreement\n\nPay.\n")
        assert not preview.gate.allowed
        assert preview.gate.codes == ("DOC_MISSING_DISCLOSURE_SECTION",)

    def test_preview_reports_errors_with_line_numbers(self) -> None:
        with pytest.raises(TemplateOverrideError) as exc:
            validate_override("brief.md.j2", "# Brief\n\n{{ objective }\n")
        assert exc.value.line == 3

    def test_email_preview_checks_can_spam_parts(self) -> None:
        preview = validate_override("email_intro.html.j2", "<p>Hi {{ creator_display_name }}</p>")
        assert set(preview.gate.codes) == {
            "EMAIL_MISSING_POSTAL_ADDRESS",
            "EMAIL_MISSING_UNSUBSCRIBE",
        }
        assert {f.part for f in preview.gate.findings} == {"html"}

    def test_unknown_template_names_are_refused(self) -> None:
        from core.errors import InvalidInputError

        with pytest.raises(InvalidInputError) as exc:
            validate_override("email_intro.pdf.j2", "x")
        assert exc.value.errors[0].field == "template"
