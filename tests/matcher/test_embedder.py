"""The bundled MiniLM embedder (real model, loaded once per session)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from core.errors import InvalidInputError
from matcher.embedder import (
    DEFAULT_MODEL_NAME,
    Embedder,
    ModelUnavailableError,
    QueryCache,
    SentenceTransformerEmbedder,
    default_model_path,
    normalize_rows,
)

VEGAN_CREATOR = (
    "Categories: beauty, skincare. Vegan skincare tips from Lisbon. #vegan #skincare "
    "#crueltyfree My plant-based night routine with a cruelty-free serum."
)
GAMING_CREATOR = (
    "Categories: gaming. Competitive FPS player streaming every night. #gaming #twitch "
    "#valorant Ranked grind and new keyboard setup."
)
BRIEF = "Launch of our vegan, cruelty-free face serum; looking for skincare creators."


def test_offline_and_bundled() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert (default_model_path() / "config.json").is_file()


def test_shape_dtype_normalised(embedder: SentenceTransformerEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.name == DEFAULT_MODEL_NAME
    assert embedder.dim == 384
    vectors = embedder.encode([VEGAN_CREATOR, GAMING_CREATOR, ""], batch_size=2)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.encode([]).shape == (0, 384)


@pytest.mark.parametrize("texts", ["a bare string", ["ok", 3]])
def test_bad_input(embedder: SentenceTransformerEmbedder, texts: object) -> None:
    with pytest.raises(InvalidInputError):
        embedder.encode(texts)  # type: ignore[arg-type]


def test_brief_closer_to_matching_creator(embedder: SentenceTransformerEmbedder) -> None:
    creators = embedder.encode([VEGAN_CREATOR, GAMING_CREATOR])
    brief = embedder.encode_query(BRIEF)
    vegan, gaming = creators @ brief
    assert vegan > gaming + 0.2


def test_same_model_loaded_once(embedder: SentenceTransformerEmbedder) -> None:
    again = SentenceTransformerEmbedder()
    assert again._model is embedder._model


def test_query_cache(embedder: SentenceTransformerEmbedder) -> None:
    embedder.query_cache.clear()
    first = embedder.encode_query(BRIEF)
    second = embedder.encode_query(BRIEF)
    assert second is first
    assert not first.flags.writeable
    assert first.shape == (384,)
    np.testing.assert_allclose(first, embedder.encode([BRIEF])[0], atol=1e-5)


def test_query_cache_is_lru() -> None:
    cache = QueryCache(maxsize=2)
    a, b, c = (np.full(3, v, dtype=np.float32) for v in (1, 2, 3))
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is not None  # "a" is now the most recent
    cache.put("c", c)
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    assert len(cache) == 2


def test_missing_model_directory(tmp_path: object) -> None:
    with pytest.raises(ModelUnavailableError):
        SentenceTransformerEmbedder(str(tmp_path))


def test_normalize_rows() -> None:
    out = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
