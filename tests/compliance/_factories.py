"""Post factory for the compliance tests."""

from __future__ import annotations

from typing import Any

from compliance.types import Post


def post(
    caption: str,
    *,
    mc: str = "paid",
    brand: str | None = "Lumora",
    j: str = "US",
    platform: str = "instagram",
    media: str = "image",
    transcript: str | None = None,
    platform_label: bool = False,
    **extra: Any,
) -> Post:
    """A valid post with sensible defaults (US paid Instagram image)."""
    return Post.from_dict(
        {
            "caption": caption,
            "transcript": transcript,
            "platform": platform,
            "media": media,
            "material_connection": {"type": mc, "brand": brand},
            "platform_label": platform_label,
            "jurisdiction": j,
            **extra,
        }
    )
