"""Structure and consistency checks for the compliance training and dev data files.

Files (written for issue 17; see compliance/data/TRAINING.md):
- compliance/data/clauses_train.jsonl: labelled clauses for small classifiers.
- compliance/data/dev_posts.jsonl: whole posts with expected verdicts, for developer tuning.
- compliance/data/dev2_posts.jsonl: a second dev set (issue 17, the missed targets), same format.
The severity table below is transcribed from section 2 of
/work/shared/docs/compliance-rules.md, so it does not depend on the checker's code.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "compliance" / "data"
CLAUSES = DATA / "clauses_train.jsonl"
DEV_POSTS = DATA / "dev_posts.jsonl"
DEV2_POSTS = DATA / "dev2_posts.jsonl"
# (file, id pattern, fewest posts): every structural check below runs on both dev sets.
DEV_FILES = [(DEV_POSTS, r"dev-\d{3,}", 200), (DEV2_POSTS, r"dv2-\d{3}", 120)]
DEV_PATHS = [path for path, _, _ in DEV_FILES]
TRAINING_MD = DATA / "TRAINING.md"

LANGS = {"en", "es", "fr", "de"}
LABELS = {"connection", "non_use", "health_claim", "denial", "negative"}
KINDS = {
    "payment",
    "free_product",
    "gift",
    "trip_event",
    "employment",
    "family_friend",
    "ownership_investment",
    "affiliate",
}
PLATFORMS = {"instagram", "tiktok", "youtube", "facebook", "x", "linkedin", "twitch", "podcast"}
MEDIA = {"image", "carousel", "video", "reel", "story", "live", "audio", "text"}
CONNECTION_TYPES = {"paid", "free_product", "affiliate", "employee", "family", "other", "none"}
JURISDICTIONS = {"US", "UK", "CA", "EU"}
VERDICTS = {"compliant", "needs_review", "non_compliant"}
POST_KEYS = {
    "id",
    "caption",
    "transcript",
    "platform",
    "media",
    "material_connection",
    "platform_label",
    "jurisdiction",
    "language",
    "note",
    "expected_verdict",
    "expected_reasons",
}

# Section 2 severity table: code -> {jurisdiction: "H" | "R"}. A jurisdiction that is
# missing means the code does not apply there. UNSUBSTANTIATED_CLAIM is R, but H
# together with NO_DISCLOSURE (handled in _severity).
ALL = ("US", "UK", "CA", "EU")
SEVERITY: dict[str, dict[str, str]] = {
    "NO_DISCLOSURE": dict.fromkeys(ALL, "H"),
    "AMBIGUOUS_TERM": dict.fromkeys(ALL, "H"),
    "BURIED_IN_HASHTAGS": dict.fromkeys(ALL, "H"),
    "NOT_UPFRONT": dict.fromkeys(ALL, "H"),
    "PROFILE_ONLY": dict.fromkeys(ALL, "H"),
    "LINK_ONLY": dict.fromkeys(ALL, "H"),
    "NOT_IN_MEDIUM": dict.fromkeys(ALL, "H"),
    "VIDEO_NOT_SPOKEN": {"US": "H"},
    "VIDEO_NOT_SHOWN": {"US": "R"},
    "LIVE_NOT_REPEATED": dict.fromkeys(ALL, "H"),
    "PLATFORM_LABEL_ONLY": {"US": "R", "UK": "R", "CA": "R"},
    "LANGUAGE_MISMATCH": {"US": "H", "CA": "H", "EU": "R"},
    "GIFTED_MISLABEL": dict.fromkeys(ALL, "H"),
    "UK_GIFTED_NEEDS_AD": {"UK": "R"},
    "UK_NON_AD_LABEL": {"UK": "R"},
    "FR_MANDATORY_LABEL": {"EU": "H"},
    "DISCLOSURE_CONTRADICTED": dict.fromkeys(ALL, "H"),
    "NOT_BONA_FIDE_USER": dict.fromkeys(ALL, "H"),
    "UNSUBSTANTIATED_CLAIM": dict.fromkeys(ALL, "R"),
    "POSSIBLE_UNDISCLOSED_CONNECTION": dict.fromkeys(ALL, "R"),
}
VIDEO_MEDIA = {"video", "reel", "live"}
PLAYBACK_MEDIA = {"video", "reel", "live", "audio"}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    assert path.exists(), f"{path} is missing"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number} is blank"
        row = json.loads(line)
        assert isinstance(row, dict), f"{path.name}:{number} is not an object"
        rows.append(row)
    return rows


def _severity(code: str, jurisdiction: str, reasons: list[str]) -> str:
    if code == "UNSUBSTANTIATED_CLAIM" and "NO_DISCLOSURE" in reasons:
        return "H"
    assert code in SEVERITY, f"unknown code {code}"
    assert jurisdiction in SEVERITY[code], f"{code} does not apply in {jurisdiction}"
    return SEVERITY[code][jurisdiction]


def _verdict(jurisdiction: str, reasons: list[str]) -> str:
    severities = {_severity(code, jurisdiction, reasons) for code in reasons}
    if "H" in severities:
        return "non_compliant"
    if "R" in severities:
        return "needs_review"
    return "compliant"


# ------------------------------------------------------------------ clauses


def test_clauses_have_the_right_fields_and_values() -> None:
    for row in _read_jsonl(CLAUSES):
        assert set(row) == {"text", "lang", "label", "kind"}, row
        assert isinstance(row["text"], str), row
        assert row["text"].strip(), row
        assert row["text"] == row["text"].strip(), row
        assert row["lang"] in LANGS, row
        assert row["label"] in LABELS, row
        if row["label"] == "connection":
            assert row["kind"] in KINDS, row
        else:
            assert row["kind"] is None, row


def test_clause_texts_are_unique() -> None:
    counts = Counter(row["text"] for row in _read_jsonl(CLAUSES))
    assert [text for text, n in counts.items() if n > 1] == []


def test_each_connection_kind_has_enough_clauses_in_every_language() -> None:
    rows = [row for row in _read_jsonl(CLAUSES) if row["label"] == "connection"]
    per_kind = Counter(row["kind"] for row in rows)
    per_kind_lang = Counter((row["kind"], row["lang"]) for row in rows)
    for kind in KINDS:
        assert per_kind[kind] >= 40, (kind, per_kind[kind])
        for lang in LANGS:
            assert per_kind_lang[(kind, lang)] >= 8, (kind, lang, per_kind_lang[(kind, lang)])


def test_non_use_and_health_claims_have_enough_clauses_per_language() -> None:
    counts = Counter((row["label"], row["lang"]) for row in _read_jsonl(CLAUSES))
    for label in ("non_use", "health_claim"):
        for lang in LANGS:
            assert counts[(label, lang)] >= 30, (label, lang, counts[(label, lang)])


def test_negatives_are_plentiful_and_spread_over_languages() -> None:
    negatives = [row for row in _read_jsonl(CLAUSES) if row["label"] == "negative"]
    assert len(negatives) >= 400
    per_lang = Counter(row["lang"] for row in negatives)
    for lang in LANGS:
        assert per_lang[lang] >= 60, (lang, per_lang[lang])


# ------------------------------------------------------------------ dev posts


@pytest.mark.parametrize(("path", "id_pattern", "fewest"), DEV_FILES, ids=["dev", "dev2"])
def test_dev_posts_have_the_right_fields_and_values(
    path: Path, id_pattern: str, fewest: int
) -> None:
    posts = _read_jsonl(path)
    assert len(posts) >= fewest
    for post in posts:
        assert set(post) == POST_KEYS, post.get("id")
        pid = post["id"]
        assert re.fullmatch(id_pattern, pid), pid
        assert isinstance(post["caption"], str), pid
        assert post["caption"].strip(), pid
        assert post["transcript"] is None or (
            isinstance(post["transcript"], str) and post["transcript"].strip()
        ), pid
        assert post["platform"] in PLATFORMS, pid
        assert post["media"] in MEDIA, pid
        connection = post["material_connection"]
        assert set(connection) == {"type", "brand"}, pid
        assert connection["type"] in CONNECTION_TYPES, pid
        if connection["type"] != "none":
            assert isinstance(connection["brand"], str), pid
            assert connection["brand"].strip(), pid
        else:
            assert connection["brand"] is None or isinstance(connection["brand"], str), pid
        assert isinstance(post["platform_label"], bool), pid
        assert post["jurisdiction"] in JURISDICTIONS, pid
        assert post["language"] in LANGS, pid
        assert isinstance(post["note"], str), pid
        assert post["note"].strip(), pid
        assert post["expected_verdict"] in VERDICTS, pid
        assert isinstance(post["expected_reasons"], list), pid
        if post["platform"] == "youtube":
            assert post["caption"].startswith("[title] "), pid
            assert "[description]" in post["caption"], pid
        if post["media"] in {"image", "carousel", "story", "text"}:
            assert post["transcript"] is None, pid


@pytest.mark.parametrize("path", DEV_PATHS, ids=["dev", "dev2"])
def test_dev_post_ids_are_unique(path: Path) -> None:
    counts = Counter(post["id"] for post in _read_jsonl(path))
    assert [pid for pid, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("path", DEV_PATHS, ids=["dev", "dev2"])
def test_dev_post_reasons_are_known_codes_without_repeats(path: Path) -> None:
    for post in _read_jsonl(path):
        reasons = post["expected_reasons"]
        assert len(reasons) == len(set(reasons)), post["id"]
        for code in reasons:
            assert code in SEVERITY, (post["id"], code)


@pytest.mark.parametrize("path", DEV_PATHS, ids=["dev", "dev2"])
def test_dev_post_reasons_apply_in_the_post_jurisdiction(path: Path) -> None:
    for post in _read_jsonl(path):
        for code in post["expected_reasons"]:
            assert post["jurisdiction"] in SEVERITY[code], (post["id"], code)
        if "FR_MANDATORY_LABEL" in post["expected_reasons"]:
            assert (post["jurisdiction"], post["language"]) == ("EU", "fr"), post["id"]


@pytest.mark.parametrize("path", DEV_PATHS, ids=["dev", "dev2"])
def test_dev_post_verdicts_follow_the_severity_table(path: Path) -> None:
    for post in _read_jsonl(path):
        expected = _verdict(post["jurisdiction"], post["expected_reasons"])
        assert post["expected_verdict"] == expected, (post["id"], post["expected_reasons"])


@pytest.mark.parametrize("path", DEV_PATHS, ids=["dev", "dev2"])
def test_dev_post_reasons_fit_the_post_facts(path: Path) -> None:
    for post in _read_jsonl(path):
        pid, reasons = post["id"], set(post["expected_reasons"])
        kind = post["material_connection"]["type"]
        media = post["media"]
        content_only = {"NOT_BONA_FIDE_USER", "UNSUBSTANTIATED_CLAIM"}
        if kind == "none":
            assert reasons <= content_only | {"POSSIBLE_UNDISCLOSED_CONNECTION"}, pid
        else:
            assert "POSSIBLE_UNDISCLOSED_CONNECTION" not in reasons, pid
        if reasons & {"GIFTED_MISLABEL", "UK_NON_AD_LABEL"}:
            assert kind in {"paid", "affiliate"}, pid
        if "UK_GIFTED_NEEDS_AD" in reasons:
            assert kind == "free_product", pid
        if "PLATFORM_LABEL_ONLY" in reasons:
            assert post["platform_label"] is True, pid
        if reasons & {"VIDEO_NOT_SPOKEN", "VIDEO_NOT_SHOWN"}:
            assert media in VIDEO_MEDIA, pid
            assert post["transcript"] is not None, pid
        if "LIVE_NOT_REPEATED" in reasons:
            assert media == "live", pid
        if "NOT_IN_MEDIUM" in reasons:
            assert media in PLAYBACK_MEDIA, pid
        if "NO_DISCLOSURE" in reasons:
            assert post["platform_label"] is False, pid


def test_dev_posts_cover_every_code_jurisdiction_and_language() -> None:
    posts = _read_jsonl(DEV_POSTS)
    codes = Counter(code for post in posts for code in post["expected_reasons"])
    for code in SEVERITY:
        assert codes[code] >= 5, (code, codes[code])
    assert {post["jurisdiction"] for post in posts} == JURISDICTIONS
    assert {post["language"] for post in posts} == LANGS
    verdicts = Counter(post["expected_verdict"] for post in posts)
    for verdict in VERDICTS:
        assert verdicts[verdict] >= 20, (verdict, verdicts[verdict])


def test_dev_posts_mix_captions_transcripts_and_key_cases() -> None:
    posts = _read_jsonl(DEV_POSTS)
    with_transcript = [post for post in posts if post["transcript"] is not None]
    assert len(with_transcript) >= 30
    assert any("[on-screen" in post["transcript"] for post in with_transcript)
    assert any(
        re.search(r"\[\d{2}:\d{2}(:\d{2})?\]", post["transcript"]) for post in with_transcript
    )
    uk_gifted = [
        post
        for post in posts
        if post["jurisdiction"] == "UK"
        and post["material_connection"]["type"] == "free_product"
        and "gifted" in post["caption"].lower()
    ]
    assert len(uk_gifted) >= 5
    compliant_connected = [
        post
        for post in posts
        if post["expected_verdict"] == "compliant" and post["material_connection"]["type"] != "none"
    ]
    assert len(compliant_connected) >= 40


def test_dev2_stresses_the_kinds_issue_17_missed() -> None:
    posts = _read_jsonl(DEV2_POSTS)
    codes = Counter(code for post in posts for code in post["expected_reasons"])
    for code in ("DISCLOSURE_CONTRADICTED", "NOT_BONA_FIDE_USER", "UNSUBSTANTIATED_CLAIM"):
        assert codes[code] >= 10, (code, codes[code])
    for code in ("UK_GIFTED_NEEDS_AD", "PLATFORM_LABEL_ONLY", "AMBIGUOUS_TERM", "NO_DISCLOSURE"):
        assert codes[code] >= 3, (code, codes[code])
    assert {post["language"] for post in posts} == LANGS
    assert sum(post["transcript"] is not None for post in posts) >= 20
    plain = [
        post
        for post in posts
        if post["expected_verdict"] == "compliant"
        and post["material_connection"]["type"] != "none"
        and not re.search(
            r"#\w|\b(ad|werbung|publicidad|publicité|sponsored)\b", post["caption"], re.I
        )
    ]
    assert len(plain) >= 30
    per_lang = Counter(post["language"] for post in plain)
    for lang in LANGS:
        assert per_lang[lang] >= 5, (lang, per_lang[lang])


def test_dev_sets_share_no_post_text() -> None:
    first = {post["caption"] for post in _read_jsonl(DEV_POSTS)}
    assert [p["id"] for p in _read_jsonl(DEV2_POSTS) if p["caption"] in first] == []


# ------------------------------------------------------------------ provenance


def test_training_md_states_provenance_purpose_and_separation() -> None:
    text = TRAINING_MD.read_text(encoding="utf-8")
    lowered = text.lower()
    for needle in ("issue 17", "2026-12-07", "compliance-rules.md", "helper agent"):
        assert needle in lowered, needle
    assert "clauses_train.jsonl" in text
    assert "dev_posts.jsonl" in text
    assert "dev2_posts.jsonl" in text
    assert "training" in lowered
    assert "tuning" in lowered
    assert "evaluation" in lowered
    assert "do not mix" in lowered
