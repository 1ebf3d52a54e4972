"""eval.niche.niche_text, the stand-in for Brief.niche_text used by the retrieval experiments."""

from __future__ import annotations

import pytest

from eval.niche import niche_text

BRIEF = (
    "Trail running shoe brand. Budget: $20k. Audience: women 18-34 in the UK and Germany."
    " Objective: conversions. Want: ultramarathon vlogs, trail race reports, gear reviews."
    " No unboxing channels, please."
)


def test_logistics_go_and_the_niche_stays() -> None:
    text = niche_text(BRIEF)
    for kept in ("Trail running shoe", "ultramarathon vlogs", "trail race reports", "gear reviews"):
        assert kept in text
    for gone in ("$", "20k", "women", "18-34", "UK", "Germany", "conversions", "Budget"):
        assert gone not in text
    assert "unboxing" not in text


def test_negative_clauses_can_be_kept() -> None:
    assert "unboxing" in niche_text(BRIEF, drop_negative=False)


@pytest.mark.parametrize(
    ("brief", "kept", "gone"),
    [
        ("- Product: standing desk - Market: US - Budget: €8k", "standing desk", "US"),
        ("We are looking for creators who post 3 videos about sourdough", "sourdough", "3"),
        ("Audience is 25-40 parents in Canada. Content: toddler meal ideas", "toddler meal", "25"),
        ("indie game devlogs", "indie game devlogs", "creators"),
    ],
)
def test_cases(brief: str, kept: str, gone: str) -> None:
    text = niche_text(brief)
    assert kept in text
    assert gone not in text.split()


def test_nothing_left_returns_the_brief() -> None:
    assert niche_text("Budget: $10k") == "Budget: $10k"
