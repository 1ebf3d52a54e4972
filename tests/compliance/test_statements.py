"""The statement detectors: clauses, the classifier, and what their statements do to a post.

Every sentence here was written for these tests from the rules (notes 9 and 10 and the
NOT_BONA_FIDE_USER / UNSUBSTANTIATED_CLAIM rows); none comes from an evaluation set or from
the training clauses (a test checks the last).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from compliance.checker import check_post
from compliance.scan import build_context
from compliance.statements import (
    CLAUSE_FILES,
    CONNECTION_KINDS,
    StatementClassifier,
    clause_label,
    default_statement_classifier,
    find_statements,
    load_clauses,
    split_clauses,
)
from tests.compliance._factories import post

# --------------------------------------------------------------------------- clauses


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("One clause only", ["One clause only"]),
        ("First part. Second part! Third one?", ["First part", "Second part", "Third one"]),
        ("Hello there 👋 see you soon", ["Hello there", "see you soon"]),
        ("line one\nline two", ["line one", "line two"]),
        (
            "[00:00] Okay welcome back. [00:05] [on-screen: Paid partner] Let's go now.",
            ["Okay welcome back", "Paid partner", "Let's go now"],
        ),
        ("amzn.to/3abc is the link, 3.5 stars", ["amzn.to/3abc is the link, 3.5 stars"]),
        ("ok. a. b", []),
    ],
)
def test_split_clauses_gives_offsets_into_the_text(text: str, clauses: list[str]) -> None:
    spans = split_clauses(text)
    assert [text[s:e] for s, e in spans] == clauses


# --------------------------------------------------------------------------- classifier


@pytest.fixture(scope="module")
def classifier() -> StatementClassifier:
    return default_statement_classifier()


def test_fast_probabilities_equal_the_fitted_sklearn_model(classifier: StatementClassifier) -> None:
    texts = [r["text"] for r in load_clauses()[::37]] + ["", "🙂", "a b c d e f g h i j k"]
    fast = classifier.predict_proba(texts)
    reference = classifier.model_.predict_proba(classifier.features_.transform(texts))
    assert np.allclose(fast, reference, atol=1e-9)
    assert np.allclose(fast.sum(axis=1), 1.0)


def test_training_is_deterministic() -> None:
    rows = load_clauses()[::3]
    texts, labels = [r["text"] for r in rows], [clause_label(r) for r in rows]
    a = StatementClassifier().fit(texts, labels)
    b = StatementClassifier().fit(texts, labels)
    probe = ["Brewtide paid for my flights", "noch nicht ausprobiert", "random words here"]
    assert np.array_equal(a.predict_proba(probe), b.predict_proba(probe))


def test_classifier_knows_every_class(classifier: StatementClassifier) -> None:
    assert set(classifier.classes_) == {
        *CONNECTION_KINDS,
        "non_use",
        "health_claim",
        "denial",
        "negative",
    }


def test_clause_files_are_well_formed_and_disjoint() -> None:
    seen: set[str] = set()
    for path in CLAUSE_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert set(row) == {"text", "lang", "label", "kind"}, row
            assert row["lang"] in {"en", "es", "fr", "de"}, row
            assert (row["kind"] in CONNECTION_KINDS) == (row["label"] == "connection"), row
            assert row["text"] == row["text"].strip() and row["text"] not in seen, row
            seen.add(row["text"])


def test_every_meaning_has_clauses_in_every_language() -> None:
    # a meaning with a language missing is read there by chance (denials were added for
    # DISCLOSURE_CONTRADICTED with the same spread as the others)
    counts: dict[tuple[str, str], int] = {}
    for row in load_clauses():
        key = ("connection" if row["label"] == "connection" else row["label"], row["lang"])
        counts[key] = counts.get(key, 0) + 1
    for meaning in ("connection", "non_use", "health_claim", "denial", "negative"):
        for lang in ("en", "es", "fr", "de"):
            assert counts.get((meaning, lang), 0) >= 30, (
                meaning,
                lang,
                counts.get((meaning, lang)),
            )


def test_training_clauses_are_not_held_out_or_test_text() -> None:
    # The older set shares the rules' own example sentences ("I earn a commission from links
    # in this post.") with the training clauses; the held-out set must share nothing.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    held_out = (root / "eval/data/compliance_independent.jsonl").read_text(encoding="utf-8")
    long_clauses = [r["text"] for r in load_clauses() if len(r["text"]) >= 30]
    assert [t for t in long_clauses if t.lower() in held_out.lower()] == []
    these = {c.values[0] if hasattr(c, "values") else c[0] for c in STATEMENTS}
    assert [r["text"] for r in load_clauses() if r["text"] in these] == []


# (text, the meaning the detectors should find or None, connection kind or None)
STATEMENTS: list[Any] = [
    # connections, eight kinds, four languages
    ("Heads up: Pixelforge pays me for these tutorials", "connection", "payment"),
    ("Die Firma Velotec hat mir für das Video Geld gegeben", "connection", "payment"),
    ("Quillbook me envió el cuaderno sin pedirme nada a cambio", "connection", "free_product"),
    ("Ce casque m'a été envoyé gratuitement par Sonique", "connection", "free_product"),
    ("Orla Knits sent me this cardigan as a present", "connection", "gift"),
    ("Cette bougie est un cadeau de la maison Ambrette", "connection", "gift"),
    ("Thornbury Spa invited me for the weekend and covered everything", "connection", "trip_event"),
    ("La oficina de turismo de Asturias me ha invitado a este viaje", "connection", "trip_event"),
    pytest.param(
        "I've worked in the Quillbook design studio for three years",
        "connection",
        "employment",
        marks=pytest.mark.xfail(
            strict=True, reason="known limit: read as employment at p~0.56, under the threshold"
        ),
    ),
    ("Ich arbeite seit zwei Jahren bei Velotec im Vertrieb", "connection", "employment"),
    ("My brother-in-law roasts these beans", "connection", "family_friend"),
    ("C'est ma sœur qui a lancé cette marque de thé", "connection", "family_friend"),
    ("I'm one of the investors behind Orla Knits", "connection", "ownership_investment"),
    ("Ich bin an dieser Bäckerei beteiligt", "connection", "ownership_investment"),
    ("If you order through my links I earn a small commission", "connection", "affiliate"),
    ("Si compráis desde mi enlace me llevo una pequeña comisión", "connection", "affiliate"),
    # admissions of non-use
    ("I haven't actually cooked with it yet", "non_use", None),
    ("Todavía no me lo he puesto ni una vez", "non_use", None),
    ("Je ne l'ai pas encore ouvert, il est tout neuf", "non_use", None),
    ("Ich habe die Creme ehrlich gesagt noch nie benutzt", "non_use", None),
    # health, disease, weight-loss and absolute-efficacy claims
    ("Since I started the drops my asthma attacks have stopped", "health_claim", None),
    (
        "Seit ich die Kapseln nehme, sind meine Gelenkschmerzen komplett verschwunden",
        "health_claim",
        None,
    ),
    ("Perdí cinco kilos en una semana sin hacer dieta", "health_claim", None),
    ("Grâce à cette tisane, mon eczéma a totalement disparu", "health_claim", None),
    # denials of a tie, in words no fixed form lists (DISCLOSURE_CONTRADICTED)
    ("Nobody paid me for this, I just like it", "denial", None),
    ("Honestly they haven't given me a single cent for this", "denial", None),
    ("A mí esta marca no me paga nada, que conste", "denial", None),
    ("Je précise que la marque ne me verse rien", "denial", None),
    ("Für diesen Beitrag habe ich keinen Cent bekommen", "denial", None),
    ("Geld gibt mir die Marke dafür keins", "denial", None),
    # "es gibt ... keins" (a known limit until issue 17's dev2 round)
    ("Ein Honorar gibt es dafür keins", "denial", None),
    # issue 17, the missed targets (each failed before compliance/data/dev2_posts.jsonl):
    # a denial that names no tie, only what the creator gets ("nothing")
    ("I get nothing out of recommending this one", "denial", None),
    # a friend named in everyday words; an outcome no disease list names; not owning what
    # the product is for; a spoken "ad" sentence that names the payer is no denial
    ("My mate Jonno runs the Hollow Oak bakery", "connection", "family_friend"),
    ("Seit ich die Tropfen nehme, ist mein Tinnitus verschwunden", "health_claim", None),
    ("Would be perfect for my horse, if I had one", "non_use", None),
    ("Ad, Orla Knits paid me for this one", "connection", "payment"),
    ("This video is an ad for Orla Knits", "connection", "payment"),
    # symptoms the first word lists did not name
    ("Con estas sales se me quitaron los calambres", "health_claim", None),
    ("Since the magnesium my leg cramps are gone for good", "health_claim", None),
    pytest.param(
        "Velotec has no idea I'm filming this",
        "denial",
        None,
        marks=pytest.mark.xfail(strict=True, reason="known limit: no negation, no tie word"),
    ),
    ("Since I started the drops my tinnitus has gone quiet", "health_claim", None),
    # none of these
    ("I'm not kidding, the soup is that good", None, None),
    ("You can do this routine in a hotel room", None, None),
    ("The lipstick stayed put through my whole shift", None, None),
    ("Kein Witz, die Suppe ist so gut", None, None),
    ("The Velotec bike has a really smooth gear shift", None, None),
    ("Quillbook's new notebook has dotted pages", None, None),
    ("I bought these boots with my own money last year", None, None),
    ("My sister loves this colour", None, None),
    ("Use my code ORLA10 for ten percent off", None, None),
    ("My skin feels soft after this cream", None, None),
    ("Ich fühle mich nach dem Spaziergang wach", None, None),
    ("I've used it every day since March", None, None),
    ("Weekend in Lisbon with my best friend", None, None),
    ("Reseña del cuaderno Quillbook", None, None),
    ("Le casque tient bien sur la tête", None, None),
]


@pytest.mark.parametrize(("text", "meaning", "kind"), STATEMENTS)
@pytest.mark.parametrize("source", ["caption", "transcript"])
def test_statement_table(text: str, meaning: str | None, kind: str | None, source: str) -> None:
    if source == "transcript":
        text_in = f"[00:00] Okay. [00:03] {text}. [00:09] Right, next thing."
    else:
        text_in = f"{text} ✨"
    found = find_statements([(source, text_in)])
    if meaning is None:
        # a "not this" sentence may still be scored, but never as a statement of anything
        assert [s for s in found if text_in[s.start : s.end] in text] == []
        return
    hits = [s for s in found if s.meaning == meaning]
    assert hits, (text, found)
    assert all(s.source == source for s in hits)
    assert text_in[hits[0].start : hits[0].end] in text
    if kind is not None:
        assert hits[0].kind == kind


# --------------------------------------------------------------------------- posts


def _codes(caption: str, **kwargs: Any) -> set[str]:
    return set(check_post(post(caption, **kwargs), score=False).reasons)


# (caption, post kwargs, codes expected; "=" means exactly these, else at least these)
POSTS: list[Any] = [
    # plain-sentence disclosures (note 10) are labels: compliant when upfront
    (
        "Thornbury Spa covered my stay this weekend 🧖 the steam room is unreal",
        {"mc": "other"},
        set(),
    ),
    ("My aunt owns this little bakery, so yes I'm biased 🥐", {"mc": "family", "j": "CA"}, set()),
    (
        "Je travaille chez Sonique : voici notre nouveau casque",
        {"mc": "employee", "j": "CA"},
        set(),
    ),
    ("Ich bin Teilhaberin von Velotec, das neue Rad ist da", {"mc": "other", "j": "EU"}, set()),
    # ... in a transcript, said at the start of a video, with the caption label overlaid
    (
        "#ad desk tour",
        {
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] Quick one: Quillbook sent me this notebook for free. "
            "[00:05] The paper is thick.",
        },
        set(),
    ),
    # ... but a plain sentence past the fold is NOT_UPFRONT
    (
        "Six weeks of morning pages in this notebook and I have opinions about every single "
        "sheet, the binding, the ink bleed, the cover and the ribbon. Quillbook sent it to me "
        "for free.",
        {"mc": "free_product"},
        {"NOT_UPFRONT"},
    ),
    # ... and in the UK a paid post's plain sentence lacks "Ad"
    ("Velotec paid me to ride their new bike for a month", {"j": "UK"}, {"UK_NON_AD_LABEL"}),
    # UK gifts: "#gifted" plus a spoken mention of the gift is still only a gift label
    (
        "#gifted new headphones",
        {
            "j": "UK",
            "mc": "free_product",
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] Sonique sent me these as a gift. [00:04] Bass is huge.",
        },
        {"UK_GIFTED_NEEDS_AD"},
    ),
    # product talk that only names the brand is not a disclosure
    ("The Velotec bike has a really smooth gear shift 🚲", {}, {"NO_DISCLOSURE"}),
    # non-use admitted while recommending: four languages, caption and transcript
    (
        "#ad Haven't even unboxed it but it's the best grinder you can buy",
        {},
        {"NOT_BONA_FIDE_USER"},
    ),
    (
        "Werbung | Noch nie benutzt, aber kauft es euch, es ist genial",
        {"j": "EU"},
        {"NOT_BONA_FIDE_USER"},
    ),
    (
        "Publicidad | Aún no lo he probado pero os lo recomiendo",
        {"j": "EU"},
        {"NOT_BONA_FIDE_USER"},
    ),
    (
        "#ad",
        {
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] This is an ad for Orla Knits. [00:04] I haven't worn it "
            "yet but honestly you need this jumper.",
        },
        {"NOT_BONA_FIDE_USER"},
    ),
    # ... but non-use without a verdict, or heavy use, is not
    ("#ad First look at the Quillbook planner, haven't written in it yet 📓", {}, set()),
    ("#ad I haven't used any other grinder since spring, it's the best", {}, set()),
    # health claims told as experience, EN and DE, caption and transcript
    (
        "#ad Since I started these gummies my migraines have stopped completely",
        {},
        {"UNSUBSTANTIATED_CLAIM"},
    ),
    (
        "Werbung | Seit ich den Tee trinke, ist mein Bluthochdruck weg",
        {"j": "EU"},
        {"UNSUBSTANTIATED_CLAIM"},
    ),
    (
        "#ad",
        {
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] This is an ad. [00:03] Two weeks on this powder and my "
            "eczema has cleared up completely.",
        },
        {"UNSUBSTANTIATED_CLAIM"},
    ),
    ("#ad My skin feels calmer after a week of this cream", {}, set()),
    # issue 17: non-use by not owning what the product is for, results promised to the reader,
    # what others swear by; a denial told as what the creator gets
    (
        "#ad The comfiest dog bed, if I had a dog 🐶 a must for every pup",
        {},
        {"NOT_BONA_FIDE_USER"},
    ),
    (
        "Publicidad | Aún no las he usado, pero te hacen saltar más alto",
        {"j": "EU"},
        {"NOT_BONA_FIDE_USER"},
    ),
    (
        "Never opened it, but my followers swear by this kettle",
        {"mc": "none", "brand": None},
        {"NOT_BONA_FIDE_USER"},
    ),
    (
        "Honestly I get nothing out of recommending this grinder",
        {},
        {"NO_DISCLOSURE", "DISCLOSURE_CONTRADICTED"},
    ),
    # paid, and the opinion is still one's own: not a take-back of the label
    (
        "Werbung | Velotec bezahlt mich, aber niemand schreibt mir vor, was ich sage",
        {"j": "EU"},
        set(),
    ),
    # statements of sponsorship in other words are labels (D2 in other forms)
    ("Velotec is sponsoring today's ride 🚲", {"platform": "x", "media": "text"}, set()),
    ("Big thanks to our sponsor Velotec", {"platform": "x", "media": "text"}, set()),
    ("Velotec patrocina este directo", {"platform": "x", "media": "text", "j": "EU"}, set()),
    (
        "No sponsors here, just me and my bike",
        {"platform": "x", "media": "text"},
        {"DISCLOSURE_CONTRADICTED"},
    ),
    # thanking the audience is not thanking a brand (not a D4 term)
    ("Merci à tous pour les 10k ! Mon sérum préféré", {"j": "CA"}, {"NO_DISCLOSURE"}),
    ("Merci Lumora pour ce coffret", {"j": "CA"}, {"AMBIGUOUS_TERM"}),
    # more ways of saying a product was free
    pytest.param(
        "Velotec lent me this e-bike for the summer ☀️",
        {"mc": "free_product"},
        set(),
        marks=pytest.mark.xfail(strict=True, reason="known limit: a loan read at p~0.53"),
    ),
    ("Orla Knits me ha mandado este jersey 🧶", {"mc": "free_product", "j": "EU"}, set()),
]


@pytest.mark.parametrize(("caption", "kwargs", "codes"), POSTS)
def test_post_table(caption: str, kwargs: dict[str, Any], codes: set[str]) -> None:
    got = _codes(caption, **kwargs)
    if codes:
        assert codes <= got, got
    else:
        assert got == set(), got


def test_plain_label_keeps_its_evidence_span_and_kind() -> None:
    caption = "Thornbury Spa covered my stay this weekend 🧖 the steam room is unreal"
    ctx = build_context(post(caption, mc="other", brand="Thornbury Spa"))
    plain = [lb for lb in ctx.labels if lb.plain]
    assert len(plain) == 1
    label = plain[0]
    assert (
        caption[label.span.start : label.span.end] == "Thornbury Spa covered my stay this weekend"
    )
    assert label.connection == "trip_event"
    assert label.lang == "en"


def test_findings_from_statements_carry_evidence_source_and_fix() -> None:
    result = check_post(
        post("Velotec paid me to ride their new bike for a month", j="UK"), score=False
    )
    (finding,) = result.findings
    assert finding.code == "UK_NON_AD_LABEL"
    assert finding.source.startswith("ASA")
    # the rule-based D2 token wins over the sentence around it as the evidence
    (evidence,) = finding.evidence
    assert evidence.text == "paid me"
    assert (evidence.source, evidence.start, evidence.end) == ("caption", 8, 15)
    assert result.suggested_fix is not None and result.suggested_fix.startswith("Ad")
