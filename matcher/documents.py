"""The text that stands for a creator in the dense and lexical indexes, and its content hash.

MiniLM reads at most 256 word pieces (roughly 1,000 characters of English), so a document
is capped at :data:`MAX_DOCUMENT_CHARS` with the most informative parts first: categories,
bio, the creator's most used hashtags, then recent post texts (hashtags already listed are
dropped from them). :func:`document_hash` keys the embedding cache: an unchanged creator is
never encoded twice, and a new model or document layout re-encodes everyone.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "DOCUMENT_VERSION",
    "MAX_DOCUMENT_CHARS",
    "MAX_HASHTAGS",
    "MAX_POSTS",
    "creator_document",
    "document_hash",
    "extract_hashtags",
]

# Bump when the layout of creator_document changes: every stored hash then changes.
DOCUMENT_VERSION = 1
MAX_DOCUMENT_CHARS = 1_000
MAX_HASHTAGS = 15
MAX_POSTS = 10

_HASHTAG = re.compile(r"#(\w[\w-]*)", re.UNICODE)
_SPACE = re.compile(r"\s+")


def _clean(text: object) -> str:
    return _SPACE.sub(" ", text).strip() if isinstance(text, str) else ""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        return []
    return [s for s in (_clean(v) for v in value) if s]


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in ``text``, lower-cased, without ``#``, in order of appearance."""
    return [m.lower() for m in _HASHTAG.findall(text)]


def _posts(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    posts = record.get("recent_posts")
    if not isinstance(posts, list):
        return []
    return [p for p in posts if isinstance(p, Mapping)]


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.")


_TRAILING_TAGS = re.compile(r"(?:\s*#\w[\w-]*)+\s*$", re.UNICODE)


def _strip_listed_tags(text: str, listed: set[str]) -> str:
    """Drop a trailing block of hashtags when all are in the tag list already; inline
    hashtags become plain words ("my #vegan routine" -> "my vegan routine")."""
    tail = _TRAILING_TAGS.search(text)
    if tail and all(t in listed for t in extract_hashtags(tail.group(0))):
        text = text[: tail.start()]
    return _HASHTAG.sub(lambda m: m.group(1), text)


def creator_document(record: Mapping[str, Any], *, max_chars: int = MAX_DOCUMENT_CHARS) -> str:
    """The text of a creator: categories, bio, top hashtags, then recent post texts.

    Args:
        record: a creator mapping (``bio``, ``categories``, ``recent_posts`` as a list of
            ``{"text": ..., "hashtags": [...]}``...); any key may be missing or None.
        max_chars: the cap; later parts are cut first.

    Returns:
        One line of text, at most ``max_chars`` characters; "" when there is nothing to say.
    """
    posts = _posts(record)
    post_texts = _dedupe(_clean(p.get("text") or p.get("caption")) for p in posts)
    post_texts = [t for t in post_texts if t][:MAX_POSTS]

    tag_counts: Counter[str] = Counter()
    for post in posts:
        tags = [t.lstrip("#").lower() for t in _strings(post.get("hashtags"))]
        tags += extract_hashtags(_clean(post.get("text") or post.get("caption")))
        tag_counts.update(dict.fromkeys(tags, 1))  # once per post: frequency across posts
    tag_counts.update(
        dict.fromkeys((t.lstrip("#").lower() for t in _strings(record.get("hashtags"))), 1)
    )
    # most_common keeps first-seen order among equal counts.
    top_tags = [t for t, _ in tag_counts.most_common(MAX_HASHTAGS) if t]

    parts: list[str] = []
    categories = _dedupe(_strings(record.get("categories")))
    if categories:
        parts.append("Categories: " + ", ".join(categories) + ".")
    bio = _clean(record.get("bio"))
    if bio:
        parts.append(bio if bio.endswith((".", "!", "?")) else bio + ".")
    if top_tags:
        parts.append(" ".join("#" + t for t in top_tags))
    listed = set(top_tags)
    for text in post_texts:
        stripped = _clean(_strip_listed_tags(text, listed))
        if stripped:
            parts.append(stripped if stripped.endswith((".", "!", "?")) else stripped + ".")

    out = ""
    for part in parts:
        candidate = f"{out} {part}" if out else part
        if len(candidate) > max_chars:
            room = max_chars - len(out) - (1 if out else 0)
            if room > 20:  # a few words are worth keeping; a fragment is not
                out = f"{out} {_truncate(part, room)}" if out else _truncate(part, room)
            break
        out = candidate
    return out


def document_hash(text: str, model_name: str) -> str:
    """sha256 hex of the document, the model and the document layout version."""
    payload = f"v{DOCUMENT_VERSION}\x00{model_name}\x00{text}".encode()
    return hashlib.sha256(payload).hexdigest()
