"""Sponsorship-disclosure compliance: a pure library, text in and findings out.

This package owns the rules of ``docs/compliance-rules.md`` (one pure function per reason
code in :mod:`compliance.rules`), the post checker and its verdict logic, the suggested
caption fix, a small en/es/fr/de language detector, the statement detectors that read
plain-language connections, admissions of non-use and health claims (a calibrated clause
classifier trained at first use, :mod:`compliance.statements`), the sponsorship classifier
used only as a review signal, the brief/contract document check with the canonical
disclosure-duty text that outreach templates share, the evaluation metrics over labelled
posts, and helpers for the CLI. It does no I/O beyond reading its own data files and imports
only ``core``, the standard library, numpy and scikit-learn.
"""

from __future__ import annotations

from compliance.checker import check_many, check_post, verdict_for
from compliance.cli_support import format_table, read_jsonl
from compliance.documents import DocumentCheckResult, check_document
from compliance.rules import RULES, Rule
from compliance.types import (
    CheckResult,
    ConnectionType,
    Evidence,
    Finding,
    Jurisdiction,
    MaterialConnection,
    Media,
    Platform,
    Post,
    Severity,
    Verdict,
)

__all__ = [
    "RULES",
    "CheckResult",
    "ConnectionType",
    "DocumentCheckResult",
    "Evidence",
    "Finding",
    "Jurisdiction",
    "MaterialConnection",
    "Media",
    "Platform",
    "Post",
    "Rule",
    "Severity",
    "Verdict",
    "check_document",
    "check_many",
    "check_post",
    "format_table",
    "read_jsonl",
    "verdict_for",
]
