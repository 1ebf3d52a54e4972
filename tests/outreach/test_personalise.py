"""Building contexts from plain data: post choice, fee proposal, deliverables, captions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.checker import check_post
from compliance.types import (
    ConnectionType,
    Jurisdiction,
    MaterialConnection,
    Media,
    Platform,
    Post,
    Verdict,
)
from core.errors import InvalidInputError
from core.tiers import Tier
from outreach.personalise import (
    ScoredPost,
    build_email_context,
    choose_recent_post,
    deliverables_for,
    example_caption,
    lexical_overlap,
    propose_compensation,
)
from outreach.render import render_email

BRIEF = "Trail running shoes for muddy mountain trails; spring group runs"
POSTS = [
    ("Brunch at my favourite cafe", "https://x.example/1"),
    ("Muddy mountain trail this morning, new shoes held up", "https://x.example/2"),
    ("Trail running playlist", "https://x.example/3"),
]


def test_precomputed_scores_win() -> None:
    posts = [(t, u, s) for (t, u), s in zip(POSTS, [0.9, 0.2, 0.3], strict=True)]
    chosen = choose_recent_post(posts, brief=BRIEF)
    assert chosen is not None and chosen.url == "https://x.example/1"


def test_lexical_fallback_when_a_score_is_missing() -> None:
    posts = [ScoredPost(t, u) for t, u in POSTS]
    chosen = choose_recent_post(posts, brief=BRIEF)
    assert chosen is not None and chosen.url == "https://x.example/2"


def test_no_overlap_means_no_post() -> None:
    assert choose_recent_post([POSTS[0] + (None,)], brief=BRIEF) is None
    assert choose_recent_post([], brief=BRIEF) is None


def test_posts_without_text_or_web_link_are_skipped() -> None:
    posts = [
        ("", "https://x.example/a", 1.0),
        ("Trail", "ftp://x.example/b", 0.9),
        ("Trail", "https://x.example/c", 0.1),
    ]
    chosen = choose_recent_post(posts)
    assert chosen is not None and chosen.url == "https://x.example/c"


def test_ties_go_to_the_newest_post() -> None:
    posts = [("a", "https://x.example/new", 0.5), ("b", "https://x.example/old", 0.5)]
    chosen = choose_recent_post(posts)
    assert chosen is not None and chosen.url == "https://x.example/new"


def test_custom_similarity() -> None:
    posts = [ScoredPost(t, u) for t, u in POSTS]
    chosen = choose_recent_post(posts, brief=BRIEF, similarity=lambda text, _b: len(text) % 7)
    assert chosen is not None and chosen.text == POSTS[0][0]


def test_lexical_overlap_ignores_stopwords_and_case() -> None:
    assert lexical_overlap("The TRAIL and the mud", "trail mud") == pytest.approx(1.0)
    assert lexical_overlap("the and for", "the and for") == 0.0


@pytest.mark.parametrize(
    ("followers", "tier", "amount"),
    [
        (500, Tier.EMERGING, Decimal(50)),
        (1_000, Tier.NANO, Decimal(10)),
        (10_000, Tier.MICRO, Decimal(100)),
        (31_623, Tier.MICRO, Decimal(550)),
        (99_999, Tier.MICRO, Decimal(1_000)),
        (100_000, Tier.MID, Decimal(1_000)),
        (2_000_000, Tier.MEGA, Decimal(37_100)),
        (50_000_000, Tier.MEGA, Decimal(100_000)),
    ],
)
def test_tier_benchmark_proposals(followers: int, tier: Tier, amount: Decimal) -> None:
    proposal = propose_compensation(followers)
    assert proposal.source == "tier_benchmark"
    assert proposal.tier is tier
    assert proposal.compensation.amount == amount
    assert proposal.compensation.currency == "USD"
    assert proposal.compensation.basis == "per post"


def test_micro_proposals_stay_inside_the_benchmark() -> None:
    for followers in range(10_000, 100_000, 7_919):
        amount = propose_compensation(followers).compensation.amount
        assert Decimal(100) <= amount <= Decimal(1_000)


def test_the_creators_own_rate_wins() -> None:
    proposal = propose_compensation(
        25_000, creator_rate=Decimal("420"), currency="EUR", rate_basis="per video"
    )
    assert proposal.source == "creator_rate"
    assert proposal.compensation.display == "EUR 420.00 per video"
    assert proposal.tier is Tier.MICRO


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"followers": None}, "followers"),
        ({"followers": -1}, "followers"),
        ({"followers": 20_000, "currency": "GBP"}, "currency"),
    ],
)
def test_proposal_errors(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        propose_compensation(**kwargs)  # type: ignore[arg-type]
    assert exc.value.errors[0].field == field


def test_deliverables_per_platform() -> None:
    items = deliverables_for(
        ["instagram", Platform.PODCAST, "instagram"], counts={Platform.PODCAST: 3}
    )
    assert [(d.platform, d.format, d.count) for d in items] == [
        (Platform.INSTAGRAM, "Reel (30-60 s)", 1),
        (Platform.PODCAST, "host-read ad (60 s)", 3),
    ]


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("platform", [Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE])
def test_example_captions_pass_the_post_checker(
    jurisdiction: Jurisdiction, platform: Platform
) -> None:
    caption = example_caption(jurisdiction, "Loving my new Ridge 3 trail shoes", "trailhound")
    post = Post(
        caption,
        platform,
        Media.IMAGE,
        MaterialConnection(ConnectionType.PAID, "Trailhound"),
        jurisdiction,
    )
    assert check_post(post, score=False).verdict is Verdict.COMPLIANT
    assert caption.endswith("@trailhound")


def test_build_email_context_fills_everything_in() -> None:
    ctx = build_email_context(
        sender_name="Dana Whitfield",
        sender_company="Trailhound Outfitters",
        sender_postal_address="2200 NW Alder Street\nPortland, OR 97209",
        reply_to="dana@trailhound.example",
        brand="Trailhound",
        campaign_name="Spring Trail Series",
        brief=BRIEF,
        creator_display_name="Mia",
        handle="miaruns",
        platform=Platform.INSTAGRAM,
        niche="trail running",
        reasons=["Trail running niche"],
        unsubscribe_url="https://trailhound.example/u/1",
        followers=40_000,
        posts=[ScoredPost(t, u) for t, u in POSTS],
        jurisdiction=Jurisdiction.UK,
        caption_text="New shoes, muddy trails",
        brand_handle="trailhound",
    )
    assert ctx.recent_post is not None and ctx.recent_post.url == "https://x.example/2"
    assert ctx.compensation.amount == Decimal(640)  # 100 + 900 * log10(4)
    assert ctx.deliverables[0].platform is Platform.INSTAGRAM
    assert ctx.example_caption == "Ad New shoes, muddy trails @trailhound"
    assert render_email(ctx).subject.startswith("Trailhound x Mia")
