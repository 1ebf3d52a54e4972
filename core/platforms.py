"""Facts about social platforms that every layer shares.

:data:`PLATFORM_ENGAGEMENT_MODIFIERS` scales the (Instagram-like) tier engagement
benchmarks of :mod:`core.tiers` per platform. The matcher judges a creator's engagement
against it and the planner projects a plan's engagement from it, so both read this one table.
"""

from __future__ import annotations

__all__ = ["PLATFORM_ENGAGEMENT_MODIFIERS"]

# Estimates from the usual industry reports: TikTok engagement per follower runs about 1.5x
# Instagram, YouTube (likes + comments per subscriber) a little lower, Facebook, X and
# LinkedIn much lower. Unknown platforms use 1.0.
PLATFORM_ENGAGEMENT_MODIFIERS: dict[str, float] = {
    "instagram": 1.0,
    "tiktok": 1.5,
    "youtube": 0.8,
    "x": 0.4,
    "twitch": 1.0,
    "linkedin": 0.6,
    "facebook": 0.4,
    "pinterest": 0.5,
    "snapchat": 1.0,
    "podcast": 1.0,
    "blog": 1.0,
}
