"""Benchmark the dense index: build time, memory, latency, recall, and the flat->HNSW threshold.

Prints one JSON document. Vectors are synthetic and embedding-like (see
tests/matcher/synthetic.py); queries run on one FAISS thread, as in the API process.

    .venv/bin/python bench/bench_index.py                 # 100k creators
    .venv/bin/python bench/bench_index.py --n 1000000     # 1M (about 15 min on 2 cores)
    .venv/bin/python bench/bench_index.py --skip-model --skip-threshold
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.index import IndexConfig, VectorIndex, configure_faiss_threads
from tests.matcher.synthetic import embedding_like, uniform_sphere

K = 10
SELECTIVITIES = (1.0, 0.5, 0.10, 0.05, 0.01)


def _ms(samples: list[float]) -> dict[str, float]:
    arr = np.array(samples) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
    }


def _measure(
    index: VectorIndex,
    vectors: npt.NDArray[np.float32],
    ids: npt.NDArray[np.int64],
    queries: npt.NDArray[np.float32],
    selectivity: float,
    seed: int,
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n = ids.size
    latencies, recalls, exact = [], [], 0
    for query in queries:
        allowed = None
        if selectivity < 1.0:
            allowed = rng.choice(ids, max(1, int(n * selectivity)), replace=False)
        t0 = time.perf_counter()
        result = index.search(query, K, allowed_ids=allowed)
        latencies.append(time.perf_counter() - t0)
        exact += int(result.exact)
        scores = vectors @ query
        if allowed is not None:
            scores = np.where(np.isin(ids, allowed), scores, -np.inf)
        truth = ids[np.argpartition(-scores, K)[:K]]
        recalls.append(len(set(result.ids.tolist()) & set(truth.tolist())) / K)
    return {
        "selectivity": selectivity,
        **_ms(latencies),
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "recall_at_10_min": round(float(np.min(recalls)), 2),
        "exact_path_share": round(exact / len(queries), 3),
    }


def bench_n(n: int, n_queries: int, seed: int, data: str) -> dict[str, Any]:
    make = embedding_like if data == "embedding_like" else uniform_sphere
    all_vectors = make(n + n_queries, seed=seed)
    vectors = np.ascontiguousarray(all_vectors[:n])
    queries = np.ascontiguousarray(all_vectors[n:])
    ids = np.arange(n, dtype=np.int64) * 3 + 1
    out: dict[str, Any] = {"n": n, "queries": n_queries, "data": data}
    kinds: tuple[Literal["flat", "hnsw"], ...] = ("flat", "hnsw")
    for kind in kinds:
        configure_faiss_threads(2)  # builds use both cores
        t0 = time.perf_counter()
        index = VectorIndex.build(ids, vectors, model_name="bench", kind=kind)
        seconds = time.perf_counter() - t0
        configure_faiss_threads(1)  # queries: one thread each
        out[kind] = {
            "build_s": round(seconds, 2),
            "bytes_per_creator": round(index.memory_bytes() / n, 1),
            "search": [
                _measure(index, vectors, ids, queries, s, seed + i)
                for i, s in enumerate(SELECTIVITIES)
            ],
        }
        del index
    return out


def bench_threshold(sizes: list[int], n_queries: int, seed: int) -> list[dict[str, Any]]:
    """Single-query latency (1 thread) of flat and HNSW at growing sizes; both indexes grow
    by incremental adds, which build the same structures as a one-shot build."""
    top = max(sizes)
    all_vectors = embedding_like(top + n_queries, seed=seed + 100)
    vectors, queries = all_vectors[:top], all_vectors[top:]
    ids = np.arange(top, dtype=np.int64)
    flat = VectorIndex(384, model_name="bench", kind="flat")
    hnsw = VectorIndex(384, model_name="bench", kind="hnsw")
    rows, done = [], 0
    for size in sorted(sizes):
        configure_faiss_threads(2)
        chunk = np.ascontiguousarray(vectors[done:size])
        flat.add(ids[done:size], chunk)
        hnsw.add(ids[done:size], chunk)
        done = size
        configure_faiss_threads(1)
        row: dict[str, Any] = {"n": size}
        for name, index in (("flat", flat), ("hnsw", hnsw)):
            times = []
            for query in queries:
                t0 = time.perf_counter()
                index.search(query, K)
                times.append(time.perf_counter() - t0)
            row[name] = _ms(times)
        rows.append(row)
    return rows


def bench_model(n_queries: int) -> dict[str, Any]:
    from matcher.embedder import SentenceTransformerEmbedder

    t0 = time.perf_counter()
    embedder = SentenceTransformerEmbedder()
    load_s = time.perf_counter() - t0
    briefs = [
        f"Campaign {i}: launch of our vegan skincare serum in Lisbon, looking for micro "
        f"creators who post about clean beauty, cruelty-free routines and #{i}glow"
        for i in range(n_queries)
    ]
    embedder.encode(briefs[:2])  # warm-up
    times = []
    for brief in briefs:
        t0 = time.perf_counter()
        embedder.encode([brief])
        times.append(time.perf_counter() - t0)
    return {"model": embedder.name, "load_s": round(load_s, 2), "encode_one_brief": _ms(times)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, action="append", help="index size (repeatable)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", choices=["embedding_like", "uniform"], default="embedding_like")
    parser.add_argument("--threshold-sizes", default="5000,20000,50000,100000")
    parser.add_argument("--skip-threshold", action="store_true")
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args(argv)
    sizes = args.n or [100_000]
    report: dict[str, Any] = {"config": repr(IndexConfig()), "k": K}
    report["sizes"] = [bench_n(n, args.queries, args.seed, args.data) for n in sizes]
    if not args.skip_threshold:
        steps = [int(s) for s in args.threshold_sizes.split(",")]
        report["threshold"] = bench_threshold(steps, args.queries, args.seed)
    if not args.skip_model:
        report["model"] = bench_model(min(args.queries, 100))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
