"""One finding per fault (rules notes 9 and 10): the exact set of codes for each case."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.checker import check_post
from compliance.types import Severity, Verdict
from tests.compliance._factories import post

VIDEO = {"platform": "tiktok", "media": "video"}

# (caption, post kwargs, exactly these codes)
CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    # a bare brand tag is no label and no attempt at one: NO_DISCLOSURE alone
    ("Sunday glow with @lumora ✨", {}, {"NO_DISCLOSURE"}),
    ("Sunday glow #lumora #skincare", {}, {"NO_DISCLOSURE"}),
    ("Sunday glow #LumoraSerum", {"j": "CA"}, {"NO_DISCLOSURE"}),
    ("Sonntagsglow mit @lumora", {"j": "EU"}, {"NO_DISCLOSURE"}),
    # a vague term as the only label: AMBIGUOUS_TERM alone, tag or not
    ("Sunday glow #sp @lumora", {}, {"AMBIGUOUS_TERM"}),
    ("Sunday glow, thanks @lumora!", {"j": "UK"}, {"AMBIGUOUS_TERM"}),
    ("Gracias @lumora por el sérum", {"j": "EU"}, {"AMBIGUOUS_TERM"}),
    ("#collab Sunday glow", {"mc": "free_product"}, {"AMBIGUOUS_TERM"}),
    # the platform's label with only a bare tag: PLATFORM_LABEL_ONLY alone
    ("Sunday glow with @lumora", {"platform_label": True}, {"PLATFORM_LABEL_ONLY"}),
    ("Sunday glow #lumora", {"platform_label": True, "j": "UK"}, {"PLATFORM_LABEL_ONLY"}),
    # the bio or a link instead of a label: that code alone
    ("Sunday glow @lumora, partnerships are listed in my bio", {}, {"PROFILE_ONLY"}),
    ("Sunday glow. Disclosures: linktr.ee/sunnyglow", {}, {"LINK_ONLY"}),
    ("Mi rutina. Todas mis colaboraciones están en mi perfil", {"j": "EU"}, {"PROFILE_ONLY"}),
    # a video with no label anywhere: NO_DISCLOSURE, not also NOT_IN_MEDIUM
    ("glow routine @lumora", {**VIDEO, "transcript": "[00:00] So this serum."}, {"NO_DISCLOSURE"}),
    # a paid post labelled as a gift, by tag or by sentence: GIFTED_MISLABEL alone (UK too)
    ("#gifted Sunday glow", {"j": "UK"}, {"GIFTED_MISLABEL"}),
    ("Lumora sent me this serum for free ✨", {"j": "UK"}, {"GIFTED_MISLABEL"}),
    # two faults, two findings
    (
        "Sunday glow @lumora, this cream cured my eczema",
        {},
        {"NO_DISCLOSURE", "UNSUBSTANTIATED_CLAIM"},
    ),
    ("Not sponsored, I just love @lumora", {}, {"NO_DISCLOSURE", "DISCLOSURE_CONTRADICTED"}),
]


@pytest.mark.parametrize(("caption", "kwargs", "codes"), CASES)
def test_one_finding_per_fault(caption: str, kwargs: dict[str, Any], codes: set[str]) -> None:
    result = check_post(post(caption, **kwargs), score=False)
    assert set(result.reasons) == codes
    assert len(result.reasons) == len(set(result.reasons))


def test_no_disclosure_cites_the_bare_tag_as_evidence() -> None:
    result = check_post(post("Sunday glow with @lumora ✨"), score=False)
    (finding,) = result.findings
    assert [e.text for e in finding.evidence] == ["@lumora"]
    assert "Tagging the brand" in finding.message


def test_claim_is_hard_only_when_nothing_discloses() -> None:
    tagged = check_post(post("Sunday glow @lumora, this cream cured my eczema"), score=False)
    vague = check_post(post("#sp Sunday glow, this cream cured my eczema"), score=False)
    claim = {f.code: f.severity for f in tagged.findings}["UNSUBSTANTIATED_CLAIM"]
    assert claim is Severity.HARD
    assert {f.code: f.severity for f in vague.findings}["UNSUBSTANTIATED_CLAIM"] is Severity.REVIEW


def test_verdict_logic_is_unchanged() -> None:
    review = check_post(post("Sunday glow with @lumora", platform_label=True), score=False)
    hard = check_post(post("Sunday glow #sp"), score=False)
    assert review.verdict is Verdict.NEEDS_REVIEW
    assert hard.verdict is Verdict.NON_COMPLIANT
