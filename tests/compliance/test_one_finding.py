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

EU = {"j": "EU"}
# The four codes the detectors missed most (issue 17): each case was written for this table
# from the rules, and each failed before the fix it names.
WEAK_CODES: list[tuple[str, dict[str, Any], set[str]]] = [
    # pointers name the tie by who it is with, in four languages, with or without a
    # preposition or a full stop between the tie and the bio
    ("Tea time 🍵 the brands I work with are on my profile", {}, {"PROFILE_ONLY"}),
    ("Teatime 🍵 mit wem ich zusammenarbeite: siehe Profil", EU, {"PROFILE_ONLY"}),
    ("Hora del té 🍵 ¿con qué marcas trabajo? mira mi perfil", EU, {"PROFILE_ONLY"}),
    ("L'heure du thé 🍵 Partenariats : voir ma bio", {"j": "CA"}, {"PROFILE_ONLY"}),
    ("Teatime 🍵 Werbekennzeichnung im Profil", EU, {"PROFILE_ONLY"}),
    ("Tea time 🍵 Sponsorship details: sunnyglow.com/sponsors", {}, {"LINK_ONLY"}),
    ("Teatime 🍵 Infos zur Kooperation auf meinem Blog", EU, {"LINK_ONLY"}),
    ("L'heure du thé 🍵 détails du partenariat sur mon site", {"j": "CA"}, {"LINK_ONLY"}),
    ("Tea time 🍵 sunnyglow.com/disclosures", {}, {"LINK_ONLY"}),
    # ... and what a pointer names is not itself a disclosure
    ("Tea time 🍵 my sponsors are listed on my profile", {}, {"PROFILE_ONLY"}),
    ("Tea time 🍵 every brand I partner with is in my bio", {}, {"PROFILE_ONLY"}),
    ("Tea time 🍵 Affiliate disclosure: sunnyglow.com/disclosure", {}, {"LINK_ONLY"}),
    # a label word inside a web address is not a label
    ("Teatime 🍵 Transparenz: sunnyglow.de/werbung", EU, {"LINK_ONLY"}),
    ("Teatime 🍵 das Rezept steht auf tee-werbung.de", EU, {"NO_DISCLOSURE"}),
    # a denial is not a disclosure, whatever words it uses
    (
        "This is not a paid collaboration, I simply love @lumora",
        {},
        {"NO_DISCLOSURE", "DISCLOSURE_CONTRADICTED"},
    ),
    (
        "This post isn't sponsored by anyone, just tea",
        {},
        {"NO_DISCLOSURE", "DISCLOSURE_CONTRADICTED"},
    ),
    ("Das ist keine bezahlte Kooperation 🍵", EU, {"NO_DISCLOSURE", "DISCLOSURE_CONTRADICTED"}),
    ("Esto no es un anuncio, me encanta @lumora", EU, {"NO_DISCLOSURE", "DISCLOSURE_CONTRADICTED"}),
    ("#ad though they didn't actually pay me anything", {}, {"DISCLOSURE_CONTRADICTED"}),
    ("#ad nobody's paying me to say it though", {}, {"DISCLOSURE_CONTRADICTED"}),
    ("#publi aunque a nosotras la marca no nos paga nada de nada", EU, {"DISCLOSURE_CONTRADICTED"}),
    ("Werbung, wobei ich keinen Cent dafür sehe", EU, {"DISCLOSURE_CONTRADICTED"}),
    ("Publicité, enfin, ils ne m'ont rien versé", EU, {"DISCLOSURE_CONTRADICTED"}),
    # jokes and take-backs in four languages; intensifiers are not jokes
    ("Werbung 😂 nur Spaß, mein Lieblingstee", EU, {"DISCLOSURE_CONTRADICTED"}),
    ("Publicidad (es broma) mi té favorito", EU, {"DISCLOSURE_CONTRADICTED"}),
    ("Publicité... je blague, mon thé préféré", EU, {"DISCLOSURE_CONTRADICTED"}),
    ("Paid partnership with @lumora 😅 haha not really", {}, {"DISCLOSURE_CONTRADICTED"}),
    ("#ad not even kidding, best tea I've had", {}, set()),
    ("#ad no kidding, this tea is good", {}, set()),
    ("Publicidad. No es broma, este té es el mejor", EU, set()),
    ("Werbung | Kein Scherz, der Tee ist top", EU, set()),
    ("Werbung | Viel Spaß beim Nachmachen!", EU, set()),
    # admissions of non-use with a verdict, told in other words
    ("#ad still sealed, but the best kettle you can buy", {}, {"NOT_BONA_FIDE_USER"}),
    ("#ad I don't even have a garden but this hose is a must-have", {}, {"NOT_BONA_FIDE_USER"}),
    ("#ad Haven't used it yet, but it's the sturdiest tent ever made", {}, {"NOT_BONA_FIDE_USER"}),
    ("Werbung | Noch originalverpackt, aber ein Muss für jeden Garten", EU, {"NOT_BONA_FIDE_USER"}),
    ("Werbung | Teste ich erst morgen, aber ihr müsst euch den holen", EU, {"NOT_BONA_FIDE_USER"}),
    # ... but an untried flavour next to one used every day is not
    (
        "#ad haven't tried the lemon one, but the ginger tea I drink every morning is the best",
        {},
        set(),
    ),
]


@pytest.mark.parametrize(("caption", "kwargs", "codes"), WEAK_CODES)
def test_weak_code_phrasings(caption: str, kwargs: dict[str, Any], codes: set[str]) -> None:
    result = check_post(post(caption, **kwargs), score=False)
    assert set(result.reasons) == codes, result.reasons


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
