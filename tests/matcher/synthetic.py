"""Seeded synthetic vectors shaped like sentence embeddings, for index tests and benchmarks.

Uniform random 384-d vectors are the worst case for any graph index (no neighbourhood
structure: the 10 nearest are barely nearer than the rest). Sentence embeddings are not like
that: they live near a low-dimensional manifold with topical clusters. These vectors are a
mixture of Gaussians in a 64-d latent space, projected to ``dim`` and blurred with isotropic
noise, then L2-normalised: top-10 cosine ~0.35 against a mean of ~0, which is harder than
MiniLM creator texts (top-10 ~0.5-0.7) and keeps recall tests meaningful.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def embedding_like(
    n: int,
    dim: int = 384,
    *,
    seed: int = 0,
    latent: int = 64,
    clusters: int = 500,
    spread: float = 1.3,
    noise: float = 0.7,
) -> npt.NDArray[np.float32]:
    """``n`` L2-normalised float32 rows (C-contiguous); same seed, same vectors."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((clusters, latent), dtype=np.float32)
    proj = rng.standard_normal((latent, dim), dtype=np.float32)
    labels = rng.integers(0, clusters, n)
    z = centers[labels] + spread * rng.standard_normal((n, latent), dtype=np.float32)
    x = z @ proj
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x += noise * rng.standard_normal((n, dim), dtype=np.float32) / np.sqrt(dim)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x, dtype=np.float32)


def uniform_sphere(n: int, dim: int = 384, *, seed: int = 0) -> npt.NDArray[np.float32]:
    """``n`` uniformly random unit vectors (the adversarial case for HNSW)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x)


def exact_top_k(
    vectors: npt.NDArray[np.float32],
    ids: npt.NDArray[np.int64],
    query: npt.NDArray[np.float32],
    k: int,
    allowed: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int64]:
    """Brute-force top-k ids by inner product, optionally among ``allowed`` ids only."""
    scores = vectors @ query
    if allowed is not None:
        scores = np.where(np.isin(ids, allowed), scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    order = order[np.isfinite(scores[order])]
    top: npt.NDArray[np.int64] = ids[order]
    return top
