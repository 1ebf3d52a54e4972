"""The post checker: runs the rules, decides the verdict, suggests a fix, adds the score."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from compliance.fix import suggest_fix
from compliance.rules import applicable_rules
from compliance.scan import build_context
from compliance.types import CheckResult, Finding, Post, Severity, Verdict

__all__ = ["check_many", "check_post", "verdict_for"]


def verdict_for(findings: Iterable[Finding]) -> Verdict:
    """non_compliant if any hard finding, else needs_review if any finding, else compliant."""
    severities = {f.severity for f in findings}
    if Severity.HARD in severities:
        return Verdict.NON_COMPLIANT
    if Severity.REVIEW in severities:
        return Verdict.NEEDS_REVIEW
    return Verdict.COMPLIANT


def check_post(post: Post, *, score: bool = True) -> CheckResult:
    """Check one post against every rule of its jurisdiction; never raises on content.

    ``score`` adds the classifier's ``sponsored_score`` (a review signal only: it never
    changes the verdict). The classifier is trained once per process on first use.
    """
    ctx = build_context(post)
    findings: list[Finding] = []
    for rule in applicable_rules(post.jurisdiction, ctx.country):
        finding = rule.check(ctx)
        if finding is not None:
            findings.append(finding)
    reasons = tuple(f.code for f in findings)
    verdict = verdict_for(findings)
    sponsored: float | None = None
    if score:
        from compliance.classifier import sponsored_score

        sponsored = round(sponsored_score(post.caption, post.transcript), 4)
    return CheckResult(
        verdict=verdict,
        reasons=reasons,
        findings=tuple(findings),
        language=ctx.language,
        assumptions=ctx.assumptions,
        suggested_fix=suggest_fix(ctx, reasons) if verdict is not Verdict.COMPLIANT else None,
        sponsored_score=sponsored,
        extra=dict(post.extra),
    )


def check_many(posts: Iterable[Post], *, score: bool = True) -> Iterator[CheckResult]:
    """Check posts one by one, lazily, in input order."""
    for post in posts:
        yield check_post(post, score=score)
