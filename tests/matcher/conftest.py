"""Fixtures of the matcher tests: the real embedding model, loaded once per session."""

from __future__ import annotations

import pytest

from matcher.embedder import SentenceTransformerEmbedder


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()
