"""Language detection (D6)."""

from __future__ import annotations

import pytest

from compliance.language import detect_language, plain_words


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I have been using this serum for a month and my skin is so much better", "en"),
        ("Mis nuevas zapatillas para correr, me encantan y las uso todos los días", "es"),
        ("Ma nouvelle veste d'hiver est parfaite pour le froid de Montréal", "fr"),
        ("Meine neue Yogamatte ist endlich da und ich liebe sie", "de"),
        ("#ad #adidas #sponsored @lumora https://x.com/a", "und"),
        ("Zapatillas 🔥", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text).language == lang


def test_hashtags_mentions_urls_and_annotations_are_ignored() -> None:
    words = plain_words("#the @and https://a.com/the [on-screen: the] hello")
    assert words == ["hello"]


def test_transcript_words_count() -> None:
    assert (
        detect_language("#ad", "Meine neue Yogamatte ist endlich da und ich liebe sie").language
        == "de"
    )
