"""Rendering outreach documents: pure functions from a typed context to text or bytes.

* E-mails: ``email_{step}.txt.j2`` gives the subject (its first line, ``Subject: ...``) and
  the text body; ``email_{step}.html.j2`` gives the HTML body. The one-off e-mail with a
  compliance check's suggested fix is ``email_compliance_fix.{txt,html}.j2``.
* Briefs and contracts are written in Markdown (``brief.md.j2``,
  ``contract_{kind}.md.j2``); HTML and DOCX are converted from the rendered Markdown by
  :mod:`outreach.markdown`, so the three formats always say the same thing.

Every function runs the compliance gate (:mod:`outreach.gate`) on what it rendered and
raises :class:`outreach.gate.DraftBlockedError` when the gate blocks it; ``check=False``
skips the gate (for previews that show the findings instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, overload

from core.errors import InvalidInputError
from outreach.contexts import BriefContext, ComplianceFixContext, ContractContext, EmailContext
from outreach.environment import COMPLIANCE_FIX, OverrideSandbox, render, split_subject
from outreach.gate import ensure_allowed, gate_document, gate_email
from outreach.markdown import to_docx, to_html

__all__ = [
    "DOCUMENT_FORMATS",
    "DocumentFormat",
    "RenderedEmail",
    "render_brief",
    "render_compliance_fix",
    "render_contract",
    "render_email",
]

DocumentFormat = Literal["md", "html", "docx"]
DOCUMENT_FORMATS: tuple[DocumentFormat, ...] = ("md", "html", "docx")


@dataclass(frozen=True)
class RenderedEmail:
    """A rendered e-mail: one-line subject, plain-text body and HTML body."""

    subject: str
    text: str
    html: str


def render_email(
    ctx: EmailContext,
    overrides: Mapping[str, str] | None = None,
    *,
    check: bool = True,
    sandbox: OverrideSandbox | None = None,
) -> RenderedEmail:
    """Render the e-mail of ``ctx.step`` (``intro``, ``followup1`` or ``followup2``).

    Raises:
        TemplateOverrideError: when an override fails (or its first line is not a subject).
        DraftBlockedError: when ``check`` and the gate blocks the e-mail (a part without the
            postal address or the unsubscribe link, or a failing example caption).
    """
    txt_name = f"email_{ctx.step}.txt.j2"
    subject, text = split_subject(txt_name, render(txt_name, ctx, overrides, sandbox=sandbox))
    html = render(f"email_{ctx.step}.html.j2", ctx, overrides, sandbox=sandbox)
    if check:
        ensure_allowed(gate_email(ctx, text=text, html=html))
    return RenderedEmail(subject, text, html)


def render_compliance_fix(
    ctx: ComplianceFixContext,
    overrides: Mapping[str, str] | None = None,
    *,
    check: bool = True,
    sandbox: OverrideSandbox | None = None,
) -> RenderedEmail:
    """Render the e-mail that sends a compliance check's suggested fix to the creator.

    Raises:
        TemplateOverrideError: when an override fails (or its first line is not a subject).
        DraftBlockedError: when ``check`` and the gate blocks the e-mail (a part without the
            postal address or the unsubscribe link, or a failing example caption).
    """
    txt_name = f"email_{COMPLIANCE_FIX}.txt.j2"
    subject, text = split_subject(txt_name, render(txt_name, ctx, overrides, sandbox=sandbox))
    html = render(f"email_{COMPLIANCE_FIX}.html.j2", ctx, overrides, sandbox=sandbox)
    if check:
        ensure_allowed(gate_email(ctx, text=text, html=html))
    return RenderedEmail(subject, text, html)


def _convert(markdown: str, fmt: str, *, author: str) -> str | bytes:
    if fmt == "md":
        return markdown
    if fmt == "html":
        return to_html(markdown)
    if fmt == "docx":
        return to_docx(markdown, author=author)
    raise InvalidInputError.for_field(
        "fmt", f"must be one of {', '.join(DOCUMENT_FORMATS)}", value=fmt
    )


@overload
def render_brief(
    ctx: BriefContext,
    fmt: Literal["md", "html"] = ...,
    overrides: Mapping[str, str] | None = ...,
    *,
    check: bool = ...,
    sandbox: OverrideSandbox | None = ...,
) -> str: ...


@overload
def render_brief(
    ctx: BriefContext,
    fmt: Literal["docx"],
    overrides: Mapping[str, str] | None = ...,
    *,
    check: bool = ...,
    sandbox: OverrideSandbox | None = ...,
) -> bytes: ...


def render_brief(
    ctx: BriefContext,
    fmt: DocumentFormat = "md",
    overrides: Mapping[str, str] | None = None,
    *,
    check: bool = True,
    sandbox: OverrideSandbox | None = None,
) -> str | bytes:
    """Render a campaign brief as Markdown, HTML (str) or DOCX (bytes).

    Raises:
        TemplateOverrideError: when an override of ``brief.md.j2`` fails.
        DraftBlockedError: when ``check`` and the gate blocks the brief.
        InvalidInputError: for an unknown ``fmt``.
    """
    markdown = render("brief.md.j2", ctx, overrides, sandbox=sandbox)
    if check:
        ensure_allowed(gate_document("brief", markdown, ctx.jurisdictions, ctx.platforms))
    return _convert(markdown, fmt, author=ctx.brand)


@overload
def render_contract(
    ctx: ContractContext,
    fmt: Literal["md", "html"] = ...,
    overrides: Mapping[str, str] | None = ...,
    *,
    check: bool = ...,
    sandbox: OverrideSandbox | None = ...,
) -> str: ...


@overload
def render_contract(
    ctx: ContractContext,
    fmt: Literal["docx"],
    overrides: Mapping[str, str] | None = ...,
    *,
    check: bool = ...,
    sandbox: OverrideSandbox | None = ...,
) -> bytes: ...


def render_contract(
    ctx: ContractContext,
    fmt: DocumentFormat = "md",
    overrides: Mapping[str, str] | None = None,
    *,
    check: bool = True,
    sandbox: OverrideSandbox | None = None,
) -> str | bytes:
    """Render the contract of ``ctx.kind`` as Markdown, HTML (str) or DOCX (bytes).

    Raises:
        TemplateOverrideError: when an override of ``contract_{kind}.md.j2`` fails.
        DraftBlockedError: when ``check`` and the gate blocks the contract (for example an
            override that drops the disclosure section).
        InvalidInputError: for an unknown ``fmt``.
    """
    markdown = render(f"contract_{ctx.kind}.md.j2", ctx, overrides, sandbox=sandbox)
    if check:
        ensure_allowed(gate_document("contract", markdown, ctx.jurisdictions, ctx.platforms))
    return _convert(markdown, fmt, author=ctx.brand.legal_name)
