"""The compliance gate: no outreach draft leaves without passing it.

Briefs and contracts go through :func:`compliance.documents.check_document` once per
jurisdiction (the disclosure section with every required phrase, and every
``Example caption:`` line checked as a paid post). E-mails are checked for the CAN-SPAM
parts (the sender's postal address and the unsubscribe link, in the text part and in the
HTML part) and for their example captions.

Policy: a draft is **allowed only when the verdict is compliant**. ``needs_review`` blocks
too: a brief or contract teaches the creator how to disclose, so an example caption that
needs review is a defect to fix before sending, not a judgement call for later. A document
without a disclosure section is ``non_compliant`` (a hard finding) and is always blocked.
:func:`ensure_allowed` raises :class:`DraftBlockedError` (422, with one error per finding).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import escape

from compliance.checker import check_post
from compliance.documents import check_document
from compliance.types import (
    ConnectionType,
    Jurisdiction,
    MaterialConnection,
    Media,
    Platform,
    Post,
    Severity,
    Verdict,
)
from core.errors import FieldError, InvalidInputError
from outreach.contexts import ComplianceFixContext, EmailContext

__all__ = [
    "DraftBlockedError",
    "GateFinding",
    "GateResult",
    "ensure_allowed",
    "gate_document",
    "gate_email",
]

_EXAMPLE_LINE = re.compile(r"^[ \t>*-]*example caption:[ \t]*(.+)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class GateFinding:
    """One reason a draft is not (fully) compliant.

    ``part`` is ``text``, ``html`` or ``markdown``; ``line`` is 1-based in that part;
    ``jurisdictions`` lists the jurisdictions whose check reported it.
    """

    code: str
    severity: Severity
    message: str
    line: int | None = None
    part: str | None = None
    jurisdictions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "part": self.part,
            "jurisdictions": list(self.jurisdictions),
        }


@dataclass(frozen=True)
class GateResult:
    """The gate's decision on one draft."""

    kind: str
    allowed: bool
    verdict: Verdict
    findings: tuple[GateFinding, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct finding codes, in order of appearance."""
        return tuple(dict.fromkeys(f.code for f in self.findings))

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "kind": self.kind,
            "allowed": self.allowed,
            "verdict": self.verdict.value,
            "findings": [f.to_dict() for f in self.findings],
        }


class DraftBlockedError(InvalidInputError):
    """The compliance gate blocked a draft (422: the content must change, nothing about the
    server's state conflicts). ``findings`` are the gate's findings; ``errors`` has one entry
    per finding with its code as the field and its line."""

    code = "draft_blocked"
    title = "Draft blocked by the compliance gate"

    def __init__(self, result: GateResult) -> None:
        codes = ", ".join(result.codes) or "no findings"
        super().__init__(
            f"The {result.kind} draft is blocked by the compliance gate "
            f"({result.verdict.value}): {codes}.",
            [FieldError(field=f.code, message=f.message, line=f.line) for f in result.findings],
        )
        self.kind = result.kind
        self.result = result
        self.findings = result.findings


def _verdict(findings: Sequence[GateFinding]) -> Verdict:
    severities = {f.severity for f in findings}
    if Severity.HARD in severities:
        return Verdict.NON_COMPLIANT
    if severities:
        return Verdict.NEEDS_REVIEW
    return Verdict.COMPLIANT


def _result(kind: str, findings: Sequence[GateFinding]) -> GateResult:
    verdict = _verdict(findings)
    return GateResult(kind, verdict is Verdict.COMPLIANT, verdict, tuple(findings))


def _jurisdictions(value: Jurisdiction | str | Sequence[Jurisdiction | str]) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items:
        raise InvalidInputError.for_field("jurisdiction", "name at least one", value=[])
    return list(dict.fromkeys(str(j) for j in items))


def gate_document(
    kind: Literal["brief", "contract"],
    markdown_text: str,
    jurisdiction: Jurisdiction | str | Sequence[Jurisdiction | str],
    platforms: Sequence[Platform | str] = (),
) -> GateResult:
    """Check a brief or contract for each of its jurisdictions; allowed only if compliant.

    Findings that several jurisdictions report alike (a missing section) are merged, with
    the jurisdictions listed on the finding.

    Raises:
        InvalidInputError: for an unknown kind, jurisdiction or platform.
    """
    merged: dict[tuple[str, str, int | None], list[str]] = {}
    first: dict[tuple[str, str, int | None], GateFinding] = {}
    for juris in _jurisdictions(jurisdiction):
        report = check_document(markdown_text, kind=kind, jurisdiction=juris, platforms=platforms)
        for f in report.findings:
            key = (f.code, f.message, f.line)
            merged.setdefault(key, []).append(juris)
            first.setdefault(key, GateFinding(f.code, f.severity, f.message, f.line, "markdown"))
    findings = [
        GateFinding(f.code, f.severity, f.message, f.line, f.part, tuple(merged[key]))
        for key, f in first.items()
    ]
    return _result(kind, findings)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _example_findings(text: str, ctx: EmailContext | ComplianceFixContext) -> list[GateFinding]:
    findings: list[GateFinding] = []
    for match in _EXAMPLE_LINE.finditer(text):
        caption = match.group(1).strip()
        post = Post(
            caption=caption,
            platform=ctx.platform,
            media=Media.IMAGE,
            material_connection=MaterialConnection(ConnectionType.PAID, ctx.brand),
            jurisdiction=ctx.jurisdiction,
        )
        line = _line(text, match.start(1))
        for f in check_post(post, score=False).findings:
            findings.append(
                GateFinding(
                    f.code,
                    f.severity,
                    f"Example caption at line {line}: {f.message}",
                    line,
                    "text",
                    (ctx.jurisdiction.value,),
                )
            )
    return findings


def gate_email(
    ctx: EmailContext | ComplianceFixContext, *, text: str | None, html: str | None
) -> GateResult:
    """Check a rendered e-mail's parts (give None for a part not being checked).

    Both parts must carry every line of ``ctx.sender_postal_address`` and the
    ``ctx.unsubscribe_url`` (in the HTML as an ``href``); example captions in the text part
    must pass the post checker for ``ctx.platform`` and ``ctx.jurisdiction``.
    """
    if text is None and html is None:
        raise InvalidInputError.for_field("text", "give the text part, the HTML part or both")
    findings: list[GateFinding] = []
    lines = ctx.postal_address_lines
    url = ctx.unsubscribe_url
    if text is not None:
        missing = [line for line in lines if line not in text]
        if missing:
            findings.append(
                GateFinding(
                    "EMAIL_MISSING_POSTAL_ADDRESS",
                    Severity.HARD,
                    "The text part lacks the sender's postal address (CAN-SPAM): "
                    f"missing {missing[0]!r}.",
                    part="text",
                )
            )
        if url not in text:
            findings.append(
                GateFinding(
                    "EMAIL_MISSING_UNSUBSCRIBE",
                    Severity.HARD,
                    "The text part lacks the unsubscribe link (CAN-SPAM).",
                    part="text",
                )
            )
        findings += _example_findings(text, ctx)
    if html is not None:
        missing = [line for line in lines if str(escape(line)) not in html]
        if missing:
            findings.append(
                GateFinding(
                    "EMAIL_MISSING_POSTAL_ADDRESS",
                    Severity.HARD,
                    "The HTML part lacks the sender's postal address (CAN-SPAM): "
                    f"missing {missing[0]!r}.",
                    part="html",
                )
            )
        if f'href="{escape(url)}"' not in html:
            findings.append(
                GateFinding(
                    "EMAIL_MISSING_UNSUBSCRIBE",
                    Severity.HARD,
                    "The HTML part lacks the unsubscribe link (CAN-SPAM): no "
                    'href="<unsubscribe_url>".',
                    part="html",
                )
            )
    return _result("email", findings)


def ensure_allowed(result: GateResult) -> GateResult:
    """Return ``result`` if the gate allows the draft.

    Raises:
        DraftBlockedError: carrying the findings, when it does not.
    """
    if not result.allowed:
        raise DraftBlockedError(result)
    return result
