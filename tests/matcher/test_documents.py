"""creator_document and document_hash."""

from __future__ import annotations

from typing import Any

import pytest

from matcher.documents import (
    MAX_DOCUMENT_CHARS,
    creator_document,
    document_hash,
    extract_hashtags,
)

VEGAN = {
    "platform": "instagram",
    "handle": "greenglow",
    "display_name": "Green Glow",
    "bio": "Vegan skincare tips from Lisbon",
    "categories": ["beauty", "skincare", "Beauty"],
    "recent_posts": [
        {"text": "My #vegan #skincare routine for winter #glow", "likes": 10},
        {"text": "Cruelty-free serum review #vegan #crueltyfree", "hashtags": ["#skincare"]},
    ],
}


def test_order_and_content() -> None:
    doc = creator_document(VEGAN)
    assert doc.startswith("Categories: beauty, skincare. Vegan skincare tips from Lisbon.")
    assert doc.index("Categories") < doc.index("Lisbon") < doc.index("#vegan") < doc.index("serum")
    assert "My vegan skincare routine for winter." in doc
    assert "greenglow" not in doc  # handles are noise for the embedding


def test_hashtags_deduped_and_ranked_by_use() -> None:
    doc = creator_document(VEGAN)
    tags = [w for w in doc.split() if w.startswith("#")]
    assert tags == ["#vegan", "#skincare", "#glow", "#crueltyfree"]


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"bio": None, "categories": None, "recent_posts": None},
        {"recent_posts": [None, "text", {"text": None}]},
        {"categories": "fitness"},
    ],
)
def test_missing_or_odd_keys(record: dict[str, Any]) -> None:
    doc = creator_document(record)
    assert isinstance(doc, str)
    assert doc in ("", "Categories: fitness.")


def test_cap_keeps_the_informative_parts() -> None:
    record = {
        "bio": "Trail runner and coach.",
        "categories": ["fitness", "running"],
        "recent_posts": [{"text": f"Long post number {i} " + "word " * 60} for i in range(20)],
    }
    doc = creator_document(record)
    assert len(doc) <= MAX_DOCUMENT_CHARS
    assert doc.startswith("Categories: fitness, running. Trail runner and coach.")
    assert not doc.endswith(" ")
    assert "number 19" not in doc
    assert len(creator_document(record, max_chars=60)) <= 60


def test_long_bio_cut_at_a_word_boundary() -> None:
    doc = creator_document({"bio": "alpha " * 400})
    assert len(doc) <= MAX_DOCUMENT_CHARS
    assert doc.split()[-1] == "alpha"


def test_extract_hashtags() -> None:
    assert extract_hashtags("Go #Vegan! #plant-based #café #1") == [
        "vegan",
        "plant-based",
        "café",
        "1",
    ]


def test_hash_is_stable_and_changes() -> None:
    doc = creator_document(VEGAN)
    h = document_hash(doc, "m1")
    assert h == document_hash(creator_document(dict(VEGAN)), "m1")
    assert len(h) == 64
    assert h != document_hash(doc + " more", "m1")
    assert h != document_hash(doc, "m2")
    changed = dict(VEGAN, bio="Vegan skincare tips from Porto")
    assert document_hash(creator_document(changed), "m1") != h
