"""The document check for outreach briefs and contracts.

Conventions (also in docs/compliance.md):

* The disclosure-duty section is a Markdown heading containing "Disclosure" (any level),
  running to the next heading of the same or a higher level. It must contain every phrase of
  :func:`compliance.disclosure_text.required_phrases` for the jurisdiction and platforms
  (case and spacing ignored). The canonical text is :func:`disclosure_section`.
* Example captions are either lines starting ``Example caption:`` (the rest of the line) or
  fenced blocks opened with ```` ```caption ````. Each is checked with the post checker as a
  paid image post for the document's jurisdiction and first platform.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from compliance.checker import check_post
from compliance.disclosure_text import required_phrases
from compliance.types import (
    CheckResult,
    ConnectionType,
    Jurisdiction,
    MaterialConnection,
    Media,
    Platform,
    Post,
    Severity,
    Verdict,
)
from core.errors import InvalidInputError

__all__ = ["DocumentCheckResult", "DocumentFinding", "ExampleCheck", "check_document"]

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$", re.MULTILINE)
_EXAMPLE_LINE = re.compile(r"^[ \t>*-]*example caption:[ \t]*(.+)$", re.IGNORECASE | re.MULTILINE)
_FENCE = re.compile(r"^```caption[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class DocumentFinding:
    """A problem in the document, with the 1-based line where it was found."""

    code: str
    severity: Severity
    message: str
    line: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
        }


@dataclass(frozen=True)
class ExampleCheck:
    """One example caption of the document and the post checker's result on it."""

    line: int
    caption: str
    result: CheckResult

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {"line": self.line, "caption": self.caption, **self.result.to_dict()}


@dataclass(frozen=True)
class DocumentCheckResult:
    """The document check: verdict, document-level findings and example captions."""

    kind: str
    verdict: Verdict
    findings: tuple[DocumentFinding, ...]
    examples: tuple[ExampleCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "kind": self.kind,
            "verdict": self.verdict.value,
            "findings": [f.to_dict() for f in self.findings],
            "examples": [e.to_dict() for e in self.examples],
        }


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).lower()


def _disclosure_section(text: str) -> tuple[int, str] | None:
    headings = list(_HEADING.finditer(text))
    for i, h in enumerate(headings):
        if "disclosure" not in h.group(2).lower():
            continue
        level = len(h.group(1))
        end = len(text)
        for nxt in headings[i + 1 :]:
            if len(nxt.group(1)) <= level:
                end = nxt.start()
                break
        return h.start(), text[h.end() : end]
    return None


def check_document(
    text: str,
    *,
    kind: Literal["brief", "contract"],
    jurisdiction: Jurisdiction | str,
    platforms: Sequence[Platform | str] = (),
) -> DocumentCheckResult:
    """Check a brief or contract: the disclosure section, its phrases, its example captions."""
    if kind not in ("brief", "contract"):
        raise InvalidInputError.for_field("kind", "must be 'brief' or 'contract'", value=kind)
    try:
        juris = Jurisdiction(jurisdiction)
    except ValueError:
        raise InvalidInputError.for_field(
            "jurisdiction", f"unknown value {jurisdiction!r}", value=jurisdiction
        ) from None
    try:
        plats = [Platform(p) for p in platforms]
    except ValueError as exc:
        raise InvalidInputError.for_field("platforms", str(exc), value=list(platforms)) from None

    findings: list[DocumentFinding] = []
    section = _disclosure_section(text)
    if section is None:
        findings.append(
            DocumentFinding(
                "DOC_MISSING_DISCLOSURE_SECTION",
                Severity.HARD,
                f'The {kind} has no disclosure section (a heading containing "Disclosure").',
                None,
            )
        )
    else:
        start, body = section
        normalized = _norm(body)
        for phrase in required_phrases(juris, plats):
            if _norm(phrase.text) not in normalized:
                findings.append(
                    DocumentFinding(
                        "DOC_MISSING_REQUIRED_PHRASE",
                        Severity.HARD,
                        f'The disclosure section lacks the required phrase "{phrase.text}" '
                        f"({phrase.id}).",
                        _line_of(text, start),
                    )
                )

    examples: list[ExampleCheck] = []
    found = [(m.start(1), m.group(1).strip()) for m in _EXAMPLE_LINE.finditer(text)]
    found += [(m.start(1), m.group(1).strip()) for m in _FENCE.finditer(text)]
    platform = plats[0] if plats else Platform.INSTAGRAM
    for offset, caption in sorted(found):
        post = Post(
            caption=caption,
            platform=platform,
            media=Media.IMAGE,
            material_connection=MaterialConnection(ConnectionType.PAID, None),
            jurisdiction=juris,
        )
        result = check_post(post, score=False)
        line = _line_of(text, offset)
        examples.append(ExampleCheck(line, caption, result))
        for f in result.findings:
            findings.append(
                DocumentFinding(
                    f.code, f.severity, f"Example caption at line {line}: {f.message}", line
                )
            )
    severities = {f.severity for f in findings}
    verdict = (
        Verdict.NON_COMPLIANT
        if Severity.HARD in severities
        else Verdict.NEEDS_REVIEW
        if severities
        else Verdict.COMPLIANT
    )
    return DocumentCheckResult(kind, verdict, tuple(findings), tuple(examples))
