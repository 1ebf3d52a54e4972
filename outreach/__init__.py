"""Outreach: personalised e-mails, campaign briefs and creator contracts, and the sequences
that send them.

The rendering layer owns the typed template contexts (:mod:`outreach.contexts`), the jinja2
templates and their one configured environment plus the sandbox for organisations'
overrides (:mod:`outreach.environment`), rendering to text, HTML and DOCX
(:mod:`outreach.render`, :mod:`outreach.markdown`), the compliance gate every draft passes
(:mod:`outreach.gate`, disclosure text from :mod:`compliance`), and helpers that fill
contexts from plain data (:mod:`outreach.personalise`). Those modules know no database, web
framework or SMTP and import only ``core``, ``compliance``, jinja2 and python-docx; this
package exports them.

Around them, :mod:`outreach.service` keeps drafts, sequences and the outbox in the database
(through ``storage``) and emits webhooks, and :mod:`outreach.mailer` sends over SMTP
(smtplib); import those from their modules.
"""

from __future__ import annotations

from outreach.contexts import (
    BriefContext,
    Compensation,
    ContractContext,
    Deliverable,
    EmailContext,
    Exclusivity,
    Instalment,
    Milestone,
    Party,
    PostRef,
    UsageRights,
)
from outreach.environment import (
    TEMPLATE_NAMES,
    OverrideLimits,
    OverridePreview,
    TemplateOverrideError,
    render,
    validate_override,
)
from outreach.gate import (
    DraftBlockedError,
    GateFinding,
    GateResult,
    ensure_allowed,
    gate_document,
    gate_email,
)
from outreach.render import RenderedEmail, render_brief, render_contract, render_email

__all__ = [
    "TEMPLATE_NAMES",
    "BriefContext",
    "Compensation",
    "ContractContext",
    "Deliverable",
    "DraftBlockedError",
    "EmailContext",
    "Exclusivity",
    "GateFinding",
    "GateResult",
    "Instalment",
    "Milestone",
    "OverrideLimits",
    "OverridePreview",
    "Party",
    "PostRef",
    "RenderedEmail",
    "TemplateOverrideError",
    "UsageRights",
    "ensure_allowed",
    "gate_document",
    "gate_email",
    "render",
    "render_brief",
    "render_contract",
    "render_email",
    "validate_override",
]
