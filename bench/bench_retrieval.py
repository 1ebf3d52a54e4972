"""Benchmark the retrieval stage at scale: BM25 (ours and bm25s), and a whole retrieval.

    .venv/bin/python -m bench.bench_retrieval                      # 100k creators
    .venv/bin/python -m bench.bench_retrieval --n 20000 --parts lexical

Prints one JSON object (progress on stderr). Documents are the demo roster's
(``demo.roster.generate_roster(n, seed)`` through ``matcher.documents.creator_document``,
as bench/bench_match.py imports them); queries are real brief texts (bench_match's 22 briefs
and the training briefs of eval/data, which hold long and short ones); vectors are synthetic
and embedding-like (tests/matcher/synthetic.py, as bench/bench_index.py), queries drawn from
the same distribution. Each part, on one thread (FAISS and numpy's pools), k = 100 candidates
as a match asks for, with
the hard filters allowing 100%, 10% and 1% of the creators:

* ``lexical``: ``matcher.lexical.BM25Index`` fit time and search latency (with the matched
  terms the scorer reads).
* ``bm25s``: the bm25s package (scipy sparse, the Lucene BM25 variant, our tokenizer) on the
  same documents: fit time, search latency (its ``weight_mask`` applies the filter), and
  whether its top-k equals ours (order compared after ties are broken by id).
* ``retrieval``: ``matcher.retrieval.retrieve`` (FAISS, Rocchio re-scoring, BM25, z-score
  fusion) against the old path (one FAISS search, one BM25 search, RRF), over the same FAISS
  index (HNSW at 100k, as the product builds it).

Run a part on an older checkout (``--parts lexical``) to compare implementations over time.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

K = 100
SELECTIVITIES = (1.0, 0.1, 0.01)
PARTS = ("lexical", "bm25s", "retrieval")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ms(samples: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "mean_ms": round(float(arr.mean()), 3),
    }


def _documents(n: int, seed: int) -> list[str]:
    from demo.roster import generate_roster
    from matcher.documents import creator_document

    return [creator_document(record) for record in generate_roster(n, seed=seed)]


def _queries(limit: int) -> list[str]:
    from bench.bench_match import BRIEFS

    texts = [b.text for b in BRIEFS]
    train = Path(__file__).resolve().parents[1] / "eval" / "data" / "briefs_train.jsonl"
    texts += [json.loads(line)["text"] for line in train.read_text("utf-8").splitlines() if line]
    return [texts[i % len(texts)] for i in range(limit)]


def _filters(
    ids: npt.NDArray[np.int64], n_queries: int, seed: int
) -> dict[float, list[npt.NDArray[np.int64] | None]]:
    rng = np.random.default_rng(seed)
    out: dict[float, list[npt.NDArray[np.int64] | None]] = {}
    for s in SELECTIVITIES:
        out[s] = [
            None if s == 1.0 else np.sort(rng.choice(ids, max(1, int(ids.size * s)), replace=False))
            for _ in range(n_queries)
        ]
    return out


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and the seconds it took."""
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def bench_lexical(
    ids: npt.NDArray[np.int64],
    docs: list[str],
    queries: list[str],
    filters: dict[float, list[npt.NDArray[np.int64] | None]],
) -> tuple[dict[str, Any], Any]:
    from matcher.lexical import BM25Index

    def fit() -> BM25Index:
        return BM25Index().fit(ids, docs)

    index, fit_s = _timed(fit)
    out: dict[str, Any] = {"fit_s": round(fit_s, 2), "vocabulary": len(index.vocabulary_)}
    for s, allowed in filters.items():
        index.search(queries[0], K, allowed_ids=allowed[0])  # warm-up
        samples = []
        for q, a in zip(queries, allowed, strict=True):
            _, t = _timed(index.search, q, K, allowed_ids=a)
            samples.append(t)
        out[f"search_{int(s * 100)}pct"] = _ms(samples)
    return out, index


def bench_bm25s(
    ids: npt.NDArray[np.int64],
    docs: list[str],
    queries: list[str],
    filters: dict[float, list[npt.NDArray[np.int64] | None]],
    ours: Any,
) -> dict[str, Any]:
    try:
        import bm25s
    except ImportError:
        return {"skipped": "bm25s is not installed (pip install bm25s)"}

    from matcher.lexical import tokenize

    def fit() -> Any:
        model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        model.index([tokenize(d) for d in docs], show_progress=False)
        return model

    model, fit_s = _timed(fit)
    out: dict[str, Any] = {"version": bm25s.__version__, "fit_s": round(fit_s, 2)}
    order = np.argsort(ids)
    sorted_ids = ids[order]

    def search(query: str, allowed: npt.NDArray[np.int64] | None) -> npt.NDArray[np.int64]:
        tokens = [t for t in tokenize(query) if t in model.vocab_dict]
        if not tokens:
            return np.empty(0, dtype=np.int64)
        mask = None
        if allowed is not None:
            mask = np.zeros(ids.size, dtype=np.float32)
            pos = np.searchsorted(sorted_ids, allowed)
            mask[order[pos]] = 1.0
        scores = model.get_scores(tokens, weight_mask=mask)
        keep = np.flatnonzero(scores > 0)
        if keep.size > K:
            keep = keep[np.argpartition(-scores[keep], K - 1)[:K]]
        rows = keep[np.lexsort((ids[keep], -scores[keep]))]
        return ids[rows]

    same = 0
    total = 0
    for s, allowed in filters.items():
        samples = []
        for q, a in zip(queries, allowed, strict=True):
            found, t = _timed(search, q, a)
            samples.append(t)
            total += 1
            same += int(np.array_equal(found, ours.search(q, K, allowed_ids=a).ids))
        out[f"search_{int(s * 100)}pct"] = _ms(samples)
    out["identical_top_k_share"] = round(same / total, 4)
    out["note"] = (
        "scores are ours / (k1 + 1) (bm25s's Lucene variant drops the constant); no matched"
        " terms (the scorer needs them: another sparse slice per query)"
    )
    return out


def bench_retrieval(
    ids: npt.NDArray[np.int64],
    lexical: Any,
    queries: list[str],
    filters: dict[float, list[npt.NDArray[np.int64] | None]],
    seed: int,
    repeats: int = 1,
) -> dict[str, Any]:
    from matcher.fusion import reciprocal_rank_fusion
    from matcher.index import VectorIndex, configure_faiss_threads
    from matcher.retrieval import retrieve
    from tests.matcher.synthetic import embedding_like

    vectors = embedding_like(ids.size + len(queries), seed=seed)
    configure_faiss_threads(2)

    def build() -> VectorIndex:
        return VectorIndex.build(ids, np.ascontiguousarray(vectors[: ids.size]), model_name="x")

    index, build_s = _timed(build)
    configure_faiss_threads(1)
    qvecs = np.ascontiguousarray(vectors[ids.size :])
    out: dict[str, Any] = {"index_kind": index.kind, "index_build_s": round(build_s, 1)}
    for s, allowed in filters.items():
        old, new, dense_only = [], [], []
        for q, v, a in zip(queries, qvecs, allowed, strict=True):

            def old_path(q: str = q, v: Any = v, a: Any = a) -> Any:
                dense = index.search(v, K, allowed_ids=a)
                return reciprocal_rank_fusion(dense, lexical.search(q, K, allowed_ids=a), limit=K)

            # The best of `repeats` runs per query: on a shared machine a single timing
            # measures the neighbours as much as the code.
            t_old = min(_timed(old_path)[1] for _ in range(repeats))
            t_new = min(
                _timed(retrieve, q, v, dense=index, lexical=lexical, k=K, allowed_ids=a)[1]
                for _ in range(repeats)
            )
            t_dense = min(_timed(index.search, v, K, allowed_ids=a)[1] for _ in range(repeats))
            old.append(t_old)
            new.append(t_new)
            dense_only.append(t_dense)
        pct = f"{int(s * 100)}pct"
        out[f"old_rrf_{pct}"] = _ms(old)
        out[f"new_retrieve_{pct}"] = _ms(new)
        out[f"one_faiss_search_k{K}_{pct}"] = _ms(dense_only)
    out["note"] = (
        "new = FAISS of 100 + reading their stored vectors (Rocchio re-scoring) + BM25 of 100 +"
        " z-score fusion; old = FAISS of 100 + BM25 of 100 + RRF; per query the best of"
        " `repeats` timings"
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_retrieval")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"of {', '.join(PARTS)}")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="retrieval: time each query this often and keep the best",
    )
    args = parser.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}")
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    _log(f"generating {args.n} documents")
    docs, gen_s = _timed(_documents, args.n, args.seed)
    ids = np.arange(args.n, dtype=np.int64) * 3 + 1
    queries = _queries(args.queries)
    filters = _filters(ids, len(queries), args.seed)
    result: dict[str, Any] = {
        "n": args.n,
        "queries": len(queries),
        "k": K,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "documents_s": round(gen_s, 1),
        "mean_document_chars": round(float(np.mean([len(d) for d in docs])), 1),
    }
    _log("lexical")
    result["lexical"], ours = bench_lexical(ids, docs, queries, filters)
    if "bm25s" in parts:
        _log("bm25s")
        result["bm25s"] = bench_bm25s(ids, docs, queries, filters, ours)
    if "retrieval" in parts:
        _log("retrieval")
        result["retrieval"] = bench_retrieval(
            ids, ours, queries, filters, args.seed, repeats=args.repeats
        )
        result["retrieval"]["repeats"] = args.repeats
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
