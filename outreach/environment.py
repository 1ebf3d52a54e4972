"""The jinja2 environments of outreach: one for our templates, one sandbox for overrides.

:data:`ENVIRONMENT` loads ``outreach/templates`` with ``StrictUndefined`` (a missing variable
is an error, never an empty string), autoescaping for ``*.html.j2`` only, ``trim_blocks``
and ``lstrip_blocks``.

Organisations may override any template (a mapping template name -> source text).
Overrides are untrusted and render in :class:`OverrideSandbox`, an
``ImmutableSandboxedEnvironment`` with these limits (see :class:`OverrideLimits`):

* the source is at most ``max_source_bytes``; macros, call and filter blocks, block
  assignments, ``{% block %}``, ``{% extends %}``, ``{% include %}``, ``{% import %}``,
  ``{% autoescape %}`` and recursive loops are refused when the override is compiled;
* the output is streamed and counted: past ``max_output_bytes`` rendering stops;
* every value a template builds (``*``, ``+``, ``%``, ``~``, list literals, calls and filter
  results) is sized before or right after it is made, so no single value grows past the
  output limit; ``**`` is refused for huge integers; ``range`` is jinja's safe range;
* loops share a budget of ``max_loop_iterations`` iterations per render, and a render stops
  after ``max_seconds``;
* strings expose only read-only, non-padding methods; the ``safe`` filter and ``lipsum``
  are gone, so an override cannot switch off HTML escaping of creator-provided fields.

Any failure of an override (syntax, unsafe attribute, undefined variable, limit) becomes a
:class:`TemplateOverrideError` that names the template and, where known, the line.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from string import Formatter
from typing import Any, Literal, Protocol, cast

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateSyntaxError,
    nodes,
    pass_context,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from jinja2.visitor import NodeTransformer

from core.errors import FieldError, InvalidInputError
from outreach.contexts import CONTRACT_KINDS, STEPS, ContractKind, Step, format_money
from outreach.gate import GateResult, gate_document, gate_email
from outreach.markdown import escape_markdown
from outreach.sample_data import (
    sample_brief,
    sample_compliance_fix,
    sample_contract,
    sample_email,
)

__all__ = [
    "COMPLIANCE_FIX",
    "DEFAULT_LIMITS",
    "ENVIRONMENT",
    "SANDBOX",
    "TEMPLATE_NAMES",
    "OverrideLimits",
    "OverridePreview",
    "OverrideSandbox",
    "SupportsTemplateVars",
    "TemplateOverrideError",
    "TemplateSpec",
    "long_date",
    "make_environment",
    "render",
    "render_override",
    "split_subject",
    "template_spec",
    "validate_override",
]


class SupportsTemplateVars(Protocol):
    """A template context: anything that lists its template variables."""

    def template_vars(self) -> dict[str, object]: ...


class TemplateOverrideError(InvalidInputError):
    """An organisation's template override cannot be used (422): it does not compile, touches
    an unsafe attribute, uses an undefined variable or exceeds a limit.

    ``template`` is the template name and ``line`` the 1-based line in the override's source
    (None when unknown); ``errors`` carries the same as one :class:`FieldError`.
    """

    code = "template_override_invalid"
    title = "Invalid template override"

    def __init__(self, template: str, message: str, *, line: int | None = None) -> None:
        where = f" (line {line})" if line is not None else ""
        super().__init__(
            f"Template override {template!r}{where}: {message}",
            [FieldError(field=template, message=message, line=line)],
        )
        self.template = template
        self.line = line
        self.reason = message


# --- template names ------------------------------------------------------------------------

TemplateKind = Literal["email", "brief", "contract"]


@dataclass(frozen=True)
class TemplateSpec:
    """What a template name says: kind, variant (step or contract kind) and output format."""

    name: str
    kind: TemplateKind
    variant: str | None
    format: Literal["txt", "html", "md"]


# The e-mail to a creator with a compliance check's suggested fix (one-off, not a step).
COMPLIANCE_FIX = "compliance_fix"
_EMAIL_NAMES = tuple(
    f"email_{variant}.{fmt}.j2" for variant in (*STEPS, COMPLIANCE_FIX) for fmt in ("txt", "html")
)
_CONTRACT_NAMES = tuple(f"contract_{kind}.md.j2" for kind in CONTRACT_KINDS)
TEMPLATE_NAMES: tuple[str, ...] = (*_EMAIL_NAMES, "brief.md.j2", *_CONTRACT_NAMES)


def template_spec(name: str) -> TemplateSpec:
    """Parse a built-in template name; an unknown name raises InvalidInputError."""
    if name not in TEMPLATE_NAMES:
        raise InvalidInputError.for_field(
            "template",
            f"unknown template; expected one of: {', '.join(TEMPLATE_NAMES)}",
            value=name,
        )
    stem, fmt, _ = name.split(".")
    if stem == "brief":
        return TemplateSpec(name, "brief", None, "md")
    kind, _, variant = stem.partition("_")
    if kind == "email":
        return TemplateSpec(name, "email", variant, "html" if fmt == "html" else "txt")
    return TemplateSpec(name, "contract", variant, "md")


# --- the trusted environment ---------------------------------------------------------------


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


def long_date(value: date) -> str:
    """``1 June 2026``: day, month name, year (unambiguous in every jurisdiction)."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


_FILTERS: dict[str, Callable[..., Any]] = {
    "md": escape_markdown,
    "long_date": long_date,
    "money": format_money,
}
_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "autoescape": _autoescape,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


def make_environment() -> Environment:
    """The configured environment over ``outreach/templates`` (see the module docstring)."""
    # autoescape is a function of the template name (on for *.html.j2), which ruff cannot see.
    env = Environment(loader=PackageLoader("outreach", "templates"), **_OPTIONS)  # noqa: S701
    env.filters.update(_FILTERS)
    return env


ENVIRONMENT = make_environment()


# --- the sandbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverrideLimits:
    """Limits of one override render."""

    max_output_bytes: int = 200_000
    max_source_bytes: int = 64_000
    max_loop_iterations: int = 10_000
    max_seconds: float = 2.0
    max_separator_chars: int = 32  # of the join/indent/wordwrap filters' string arguments
    max_int_bits: int = 4_096  # of results of ** and integer *
    max_nesting: int = 64  # brackets and blocks inside each other


DEFAULT_LIMITS = OverrideLimits()
# Block tags with an end tag: each opens a level of nesting.
_BLOCK_TAGS = frozenset(
    {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans"}
)


class _LimitExceededError(Exception):
    """Internal: a sandbox limit was hit (becomes a TemplateOverrideError)."""


class _Budget:
    """Per-render counters: loop iterations left and the deadline."""

    def __init__(self, limits: OverrideLimits) -> None:
        self.iterations_left = limits.max_loop_iterations
        self.deadline = time.monotonic() + limits.max_seconds
        self.limits = limits

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _LimitExceededError(f"rendering took longer than {self.limits.max_seconds} s")

    def iteration(self) -> None:
        self.iterations_left -= 1
        if self.iterations_left < 0:
            raise _LimitExceededError(
                f"more than {self.limits.max_loop_iterations} loop iterations in one render"
            )
        self.tick()


_BUDGET: ContextVar[_Budget | None] = ContextVar("outreach_override_budget", default=None)

# Read-only string methods that cannot make a string longer than their inputs.
_SAFE_STR_METHODS = frozenset(
    {
        "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
        "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper",
        "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind", "rindex",
        "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
        "swapcase", "title", "upper", "format", "format_map",
    }
)  # fmt: skip
_REMOVED_FILTERS = frozenset({"safe"})
_COUNT_FILTERS = frozenset({"center", "batch", "slice"})
_SEPARATOR_FILTERS = frozenset({"join", "indent", "wordwrap", "urlize", "truncate"})
# Filters whose run time grows fast with their input: a longest input they accept.
_SLOW_FILTERS = {"urlize": 20_000}
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_MAX_FORMAT_WIDTH = 1_000
_FORBIDDEN_NODES: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Macro, "macros"),
    (nodes.CallBlock, "call blocks"),
    (nodes.FilterBlock, "filter blocks"),
    (nodes.AssignBlock, "block assignments ({% set x %}...{% endset %})"),
    (nodes.Block, "{% block %}"),
    (nodes.Extends, "{% extends %}"),
    (nodes.Include, "{% include %}"),
    (nodes.Import, "{% import %}"),
    (nodes.FromImport, "{% from ... import %}"),
    (nodes.ScopedEvalContextModifier, "{% autoescape %}"),
    (nodes.EvalContextModifier, "changing the evaluation context"),
)


def _weight(value: object, limit: int) -> int:
    """Roughly how many characters ``value`` prints as; stops counting past ``limit``.

    Shared references count every time they appear (a list of 1,000 references to one long
    string prints it 1,000 times), but each container is walked only once.
    """
    seen: dict[int, int] = {}

    def walk(obj: object, depth: int) -> int:
        if isinstance(obj, str):
            return len(obj)
        if depth > 20:
            raise _LimitExceededError("values nested too deeply")
        key = id(obj)
        if key in seen:
            return seen[key]
        size = 0
        if isinstance(obj, Namespace):
            items: Iterable[object] = object.__getattribute__(obj, "_Namespace__attrs").items()
        elif isinstance(obj, Mapping):
            items = obj.items()
        elif isinstance(obj, list | tuple | set | frozenset):
            items = obj
        else:
            return 8
        for item in items:
            size += 2 + walk(item, depth + 1)
            if size > limit:
                break
        seen[key] = size
        return size

    return walk(value, 0)


def _arg(rest: list[Any], kwargs: Mapping[str, Any], index: int, key: str, default: Any) -> Any:
    return rest[index] if len(rest) > index else kwargs.get(key, default)


def _estimate_indent(value: Any, rest: list[Any], kwargs: Mapping[str, Any], _limit: int) -> int:
    width = _arg(rest, kwargs, 0, "width", 4)
    pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 4
    text = str(value)
    return len(text) + (text.count("\n") + 1) * max(pad, 0)


def _estimate_wordwrap(value: Any, rest: list[Any], kwargs: Mapping[str, Any], _limit: int) -> int:
    width = _arg(rest, kwargs, 0, "width", 79)
    wrap = _arg(rest, kwargs, 2, "wrapstring", None) or "\n"
    text = str(value)
    lines = len(text) // max(width, 1) if isinstance(width, int) else len(text)
    return len(text) + (lines + text.count("\n") + 1) * len(str(wrap))


def _estimate_replace(value: Any, rest: list[Any], kwargs: Mapping[str, Any], _limit: int) -> int:
    text = str(value)
    old = str(_arg(rest, kwargs, 0, "old", ""))
    new = str(_arg(rest, kwargs, 1, "new", ""))
    return len(text) + text.count(old) * max(len(new) - len(old), 0)


def _estimate_join(value: Any, rest: list[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    sep = str(_arg(rest, kwargs, 0, "d", ""))
    items = value if isinstance(value, list | tuple) else list(str(value))
    return _weight(items, limit) + len(sep) * len(items)


def _estimate_tojson(value: Any, rest: list[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    indent = _arg(rest, kwargs, 0, "indent", None)
    pad = indent if isinstance(indent, int) else len(str(indent or ""))
    # Every item may start a line indented by its depth (at most 20) times the indent.
    return _weight(value, limit) * (1 + 20 * max(pad, 0))


_Estimate = Callable[[Any, list[Any], Mapping[str, Any], int], int]
_ESTIMATES: dict[str, _Estimate] = {
    "indent": _estimate_indent,
    "wordwrap": _estimate_wordwrap,
    "replace": _estimate_replace,
    "join": _estimate_join,
    "tojson": _estimate_tojson,
}


class _GuardTransformer(NodeTransformer):
    """Wraps loop iterables, outputs, concatenations and literals in the sandbox's guards."""

    def _guard(self, node: nodes.Expr) -> nodes.Expr:
        return nodes.Filter(node, "_cm_value", [], [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_cm_iter", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        node.nodes = [
            n if isinstance(n, nodes.TemplateData) else self._guard(n) for n in node.nodes
        ]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return self._guard(node)

    def visit_List(self, node: nodes.List) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return self._guard(node)

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return self._guard(node)

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:  # noqa: N802
        self.generic_visit(node)
        return self._guard(node) if node.ctx == "load" else node


class OverrideSandbox(ImmutableSandboxedEnvironment):
    """The sandbox for organisations' template overrides (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, limits: OverrideLimits = DEFAULT_LIMITS) -> None:
        super().__init__(**_OPTIONS)
        self.limits = limits
        self.globals.pop("lipsum", None)
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters.update(_FILTERS)
        for name, func in list(self.filters.items()):
            self.filters[name] = self._guard_filter(name, func)
        self.filters["_cm_value"] = self._check_value

        @pass_context  # a context filter is never folded at compile time
        def guard_iter(_context: Context, iterable: Any) -> Iterator[Any]:
            return self._guard_iter(iterable)

        self.filters["_cm_iter"] = guard_iter
        self._cache: OrderedDict[tuple[str, str], Template] = OrderedDict()
        self._lock = threading.Lock()

    # -- sizing helpers --

    def _check_value(self, value: Any) -> Any:
        limit = self.limits.max_output_bytes
        if _weight(value, limit) > limit:
            raise _LimitExceededError(f"a value grew past {limit} characters")
        return value

    def _guard_iter(self, iterable: Any) -> Iterator[Any]:
        budget = _BUDGET.get()
        if budget is None:  # only reachable outside render_override
            raise _LimitExceededError("loops run only inside a guarded render")
        for item in iterable:
            budget.iteration()
            yield item

    def _check_format_string(self, fmt: str) -> None:
        for _, field, spec, _ in Formatter().parse(fmt):
            if field is None or not spec:
                continue
            if "{" in spec or any(int(n) > _MAX_FORMAT_WIDTH for n in re.findall(r"\d+", spec)):
                raise _LimitExceededError("format widths above 1000 are not allowed")

    def _check_printf(self, fmt: str, args: Any) -> None:
        for match in _PRINTF_WIDTH.finditer(fmt):
            for part in match.groups():
                if part == "*" or (part is not None and int(part) > _MAX_FORMAT_WIDTH):
                    raise _LimitExceededError("format widths above 1000 are not allowed")
        self._check_value(args)

    # -- sandbox hooks --

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return not (isinstance(obj, str) and attr not in _SAFE_STR_METHODS)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            self._check_format_string(value.__self__)
        return wrapped

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        return self._check_value(super().call(context, obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        limit = self.limits.max_output_bytes
        bits = self.limits.max_int_bits
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and right > 0 and abs(left) > 1:
            if abs(left).bit_length() * right > bits:
                raise _LimitExceededError(f"the result of ** would exceed {bits} bits")
        elif operator == "*":
            if ints and left.bit_length() + right.bit_length() > bits:
                raise _LimitExceededError(f"the result of * would exceed {bits} bits")
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(times, int)
                    and not isinstance(seq, int)
                    and _weight(seq, limit) * max(times, 0) > limit
                ):
                    raise _LimitExceededError(f"a value grew past {limit} characters")
        elif operator == "+":
            if not ints and _weight(left, limit) + _weight(right, limit) > limit:
                raise _LimitExceededError(f"a value grew past {limit} characters")
        elif operator == "%" and isinstance(left, str):
            self._check_printf(left, right)
        return self._check_value(super().call_binop(context, operator, left, right))

    def _guard_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
        limits = self.limits
        estimate = _ESTIMATES.get(name)

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if len(args) <= skip:
                return self._check_value(func(*args, **kwargs))
            value, rest = args[skip], list(args[skip + 1 :])
            if name == "join" and not isinstance(value, str | list | tuple):
                value = list(value)  # size the items before joining them
                args = (*args[:skip], value, *rest)
            extra = [*rest, *kwargs.values()]
            if name in _COUNT_FILTERS and any(
                isinstance(a, int) and abs(a) > limits.max_output_bytes for a in extra
            ):
                raise _LimitExceededError(f"the {name} filter's argument is too large")
            if name in _SEPARATOR_FILTERS and any(
                isinstance(a, str) and len(a) > limits.max_separator_chars for a in extra
            ):
                raise _LimitExceededError(f"the {name} filter's string argument is too long")
            if name in _SLOW_FILTERS and len(str(value)) > _SLOW_FILTERS[name]:
                raise _LimitExceededError(f"the {name} filter's input is too long")
            if name == "format" and isinstance(value, str):
                self._check_printf(value, extra)
            if name == "sum" and any(not isinstance(a, int | float | str) for a in extra):
                raise _LimitExceededError("the sum filter adds up numbers only")
            if estimate is not None:
                size = estimate(value, rest, kwargs, limits.max_output_bytes)
                if size > limits.max_output_bytes:
                    raise _LimitExceededError(f"the {name} filter's result would be too long")
            return self._check_value(func(*args, **kwargs))

        return guarded

    # -- compiling and rendering --

    def compile_override(self, name: str, source: str) -> Template:
        """Compile an override (cached by name and source) or raise TemplateOverrideError."""
        key = (name, source)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if len(source.encode("utf-8")) > self.limits.max_source_bytes:
            raise TemplateOverrideError(
                name, f"the source is larger than {self.limits.max_source_bytes} bytes"
            )
        filename = _filename(name)
        self._check_nesting(name, source)
        try:
            tree = self.parse(source, name, filename)
        except TemplateSyntaxError as exc:
            raise TemplateOverrideError(
                name, exc.message or "syntax error", line=exc.lineno
            ) from None
        except RecursionError:
            # Deep nesting the bracket count does not see (e.g. "not not not ...").
            raise TemplateOverrideError(name, self._nesting_message()) from None
        try:
            code = self._checked_code(name, filename, tree)
        except (RecursionError, MemoryError):
            # Long chains ("x|upper|upper...", "1 + 1 + ...") nest nodes without brackets.
            raise TemplateOverrideError(name, self._nesting_message()) from None
        template = self.template_class.from_code(self, code, self.make_globals(None), None)
        with self._lock:
            self._cache[key] = template
            while len(self._cache) > 256:
                self._cache.popitem(last=False)
        return template

    def _checked_code(self, name: str, filename: str, tree: nodes.Template) -> Any:
        """The compiled code of a parsed override, after refusing what the sandbox forbids."""
        for node_type, what in _FORBIDDEN_NODES:
            for found in tree.find_all(node_type):
                raise TemplateOverrideError(name, f"{what} are not allowed", line=found.lineno)
        for loop in tree.find_all(nodes.For):
            if loop.recursive:
                raise TemplateOverrideError(
                    name, "recursive loops are not allowed", line=loop.lineno
                )
        tree = _GuardTransformer().visit(tree)
        tree.set_environment(self)
        try:
            return self.compile(tree, name, filename)
        except TemplateSyntaxError as exc:  # e.g. an undefined filter or test
            raise TemplateOverrideError(
                name, exc.message or "syntax error", line=exc.lineno
            ) from None

    def _nesting_message(self) -> str:
        return (
            f"limit exceeded: expressions and blocks nest deeper than"
            f" {self.limits.max_nesting} levels"
        )

    def _check_nesting(self, name: str, source: str) -> None:
        """Refuse brackets or blocks nested deeper than ``max_nesting`` before parsing:
        the parser and Python's compiler recurse once per level."""
        depth = 0
        after_block_begin = False
        try:
            for lineno, kind, value in self.lex(source, name):
                if kind == "whitespace":
                    continue
                opens = kind == "operator" and value in "([{"
                closes = kind == "operator" and value in ")]}"
                if after_block_begin and kind == "name":
                    opens = value in _BLOCK_TAGS
                    closes = value.startswith("end")
                after_block_begin = kind == "block_begin"
                depth = max(0, depth + (1 if opens else -1 if closes else 0))
                if depth > self.limits.max_nesting:
                    raise TemplateOverrideError(name, self._nesting_message(), line=lineno)
        except TemplateSyntaxError as exc:
            raise TemplateOverrideError(
                name, exc.message or "syntax error", line=exc.lineno
            ) from None

    def render_override(self, name: str, source: str, variables: Mapping[str, object]) -> str:
        """Render an override with the limits; any failure raises TemplateOverrideError."""
        template = self.compile_override(name, source)
        budget = _Budget(self.limits)
        token = _BUDGET.set(budget)
        chunks: list[str] = []
        size = 0
        stream = cast(Generator[str, None, None], template.generate(dict(variables)))
        try:
            for chunk in stream:
                size += len(chunk.encode("utf-8"))
                if size > self.limits.max_output_bytes:
                    raise _LimitExceededError(
                        f"the output is larger than {self.limits.max_output_bytes} bytes"
                    )
                budget.tick()
                chunks.append(chunk)
        except Exception as exc:  # an override may fail in any way; it is the override's fault
            raise TemplateOverrideError(name, _describe(exc), line=_line_of(exc, name)) from None
        finally:
            stream.close()
            _BUDGET.reset(token)
        return "".join(chunks)


def _filename(name: str) -> str:
    return f"<override {name}>"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _LimitExceededError):
        return f"limit exceeded: {exc}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = re.sub(r"<[^<>]*>", "<…>", text)  # no reprs of Python objects in messages
    if len(text) > 200:
        text = text[:200] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _line_of(exc: BaseException, name: str) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    filename = _filename(name)
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    return lines[-1] if lines else None


SANDBOX = OverrideSandbox()


def render_override(
    name: str,
    source: str,
    variables: Mapping[str, object],
    *,
    sandbox: OverrideSandbox | None = None,
) -> str:
    """Render an override's ``source`` in the sandbox (see :class:`OverrideSandbox`)."""
    return (sandbox or SANDBOX).render_override(name, source, variables)


def render(
    name: str,
    context: SupportsTemplateVars,
    overrides: Mapping[str, str] | None = None,
    *,
    sandbox: OverrideSandbox | None = None,
) -> str:
    """Render template ``name`` with ``context``; an override for ``name`` wins and runs in
    the sandbox.

    Raises:
        InvalidInputError: for an unknown template name.
        TemplateOverrideError: when the override fails in any way.
        jinja2.UndefinedError: when a built-in template uses a variable the context lacks.
    """
    template_spec(name)
    variables = context.template_vars()
    if overrides is not None and name in overrides:
        return render_override(name, overrides[name], variables, sandbox=sandbox)
    return ENVIRONMENT.get_template(name).render(variables)


def split_subject(name: str, text: str) -> tuple[str, str]:
    """Split a rendered text e-mail into its subject and body.

    The first line of ``email_*.txt.j2`` is ``Subject: ...``; the body starts after it (one
    blank line after the subject is dropped).

    Raises:
        TemplateOverrideError: when the first line is not a non-empty ``Subject:`` line.
    """
    first, _, rest = text.partition("\n")
    if not first.startswith("Subject:") or not first[len("Subject:") :].strip():
        raise TemplateOverrideError(
            name, 'the first line must be "Subject: ..." with a subject', line=1
        )
    subject = " ".join(first[len("Subject:") :].split())
    if len(subject) > 250:
        raise TemplateOverrideError(name, "the subject is longer than 250 characters", line=1)
    return subject, rest.removeprefix("\n")


@dataclass(frozen=True)
class OverridePreview:
    """An override rendered against a sample context, with the gate's verdict on it."""

    name: str
    output: str
    gate: GateResult


def validate_override(
    name: str, source: str, *, sandbox: OverrideSandbox | None = None
) -> OverridePreview:
    """Compile ``source`` in the sandbox and render it against a realistic sample context.

    Returns the preview and the compliance gate's result on it (a contract override that drops
    the disclosure section compiles but ``gate.allowed`` is False).

    Raises:
        InvalidInputError: for an unknown template name.
        TemplateOverrideError: with the line, when the override fails to compile or render.
    """
    spec = template_spec(name)
    if spec.kind == "email":
        email = (
            sample_compliance_fix()
            if spec.variant == COMPLIANCE_FIX
            else sample_email(_step(spec.variant))
        )
        output = render_override(name, source, email.template_vars(), sandbox=sandbox)
        if spec.format == "txt":
            _, body = split_subject(name, output)
            return OverridePreview(name, output, gate_email(email, text=body, html=None))
        return OverridePreview(name, output, gate_email(email, text=None, html=output))
    if spec.kind == "brief":
        brief = sample_brief()
        output = render_override(name, source, brief.template_vars(), sandbox=sandbox)
        gate = gate_document("brief", output, brief.jurisdictions, brief.platforms)
        return OverridePreview(name, output, gate)
    contract = sample_contract(_contract_kind(spec.variant))
    output = render_override(name, source, contract.template_vars(), sandbox=sandbox)
    gate = gate_document("contract", output, contract.jurisdictions, contract.platforms)
    return OverridePreview(name, output, gate)


def _step(variant: str | None) -> Step:
    for step in STEPS:
        if step == variant:
            return step
    raise AssertionError(f"not an e-mail step: {variant!r}")


def _contract_kind(variant: str | None) -> ContractKind:
    for kind in CONTRACT_KINDS:
        if kind == variant:
            return kind
    raise AssertionError(f"not a contract kind: {variant!r}")
