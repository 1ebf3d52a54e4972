"""Benchmark the text encoders: one brief (the query path) first, then documents.

Prints one JSON document:

- ``query_latency``: p50/p99 of one brief through ``encode_query`` (cache emptied before each
  call) for each onnxruntime configuration (int8 and fp32; 1 or 2 intra-op threads, spinning,
  optimization level, memory arena, parallel execution, a padded length bucket), measured
  interleaved in random order with the **anchor**, sentence-transformers fp32 on torch
  encoding the same brief, so every configuration gets a ratio (anchor p50 / its p50) taken
  under the same load.
- ``query_concurrency``: two client threads encoding briefs at once, 1 vs 2 intra-op threads.
- ``query_cache``: a miss against a hit (a brief repeated or paged through).
- ``tokenizer``: the Rust ``tokenizers`` call against transformers' and sentence-transformers'
  wrappers, and whether all give the same ids.
- ``agreement``: cosine of int8 and fp32 ONNX vectors with the torch vectors on 200 brief-like
  texts (``tests/matcher/briefs.py``, each encoded alone as a query) and on demo-roster
  documents, and the top-10 overlap of a search for each brief over the documents encoded
  both ways.
- ``documents``: documents/s and per CPU-second for torch, ONNX fp32 and int8, one text per
  run against length-bucketed padded batches; optionally a 128-piece window.
- ``defaults``: what ``OnnxEmbedder`` uses.

Wall times on a shared machine move with its load (``loadavg`` is recorded); the ratios and
the CPU times move less. The ONNX files are exported afresh into a temporary directory unless
``--cache-dir`` is given.

    .venv/bin/python bench/bench_encode.py                 # 2,000 documents, ~10 min loaded
    .venv/bin/python bench/bench_encode.py --n 300 --repeats 200 --skip-len128
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo.roster import generate_roster
from matcher.documents import creator_document
from matcher.embedder import (
    Embedder,
    QueryCache,
    SentenceTransformerEmbedder,
    default_model_path,
    normalize_rows,
)
from matcher.onnx_embedder import OnnxEmbedder, SessionConfig
from tests.matcher.briefs import brief_texts

K = 10
FloatArray = npt.NDArray[np.float32]
# The onnxruntime configurations of one brief; "int8" is OnnxEmbedder's default.
QUERY_CONFIGS: dict[str, tuple[bool, SessionConfig]] = {
    "int8": (True, SessionConfig()),
    "int8_intra2": (True, SessionConfig(intra_op_threads=2)),
    "int8_intra2_spinning": (True, SessionConfig(intra_op_threads=2, allow_spinning=True)),
    "int8_opt_basic": (True, SessionConfig(optimization="basic")),
    "int8_opt_extended": (True, SessionConfig(optimization="extended")),
    "int8_no_arena": (True, SessionConfig(cpu_mem_arena=False)),
    "int8_parallel_execution": (True, SessionConfig(parallel_execution=True)),
    "fp32": (False, SessionConfig()),
    "fp32_intra2": (False, SessionConfig(intra_op_threads=2)),
}
PAD_BUCKET = 16


def _loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def _ms(samples: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
    }


def _cpu_flags() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
    return [f for f in wanted if f in flags.split()]


def _padded_query(embedder: OnnxEmbedder) -> Callable[[str], FloatArray]:
    """One brief padded up to a multiple of PAD_BUCKET pieces (what length bucketing would
    do to a single text), for comparison with the exact length."""
    from matcher.onnx_embedder import _feeds

    def encode(text: str) -> FloatArray:
        ids = embedder.tokenize(text)
        feeds = _feeds([ids])
        width = -(-len(ids) // PAD_BUCKET) * PAD_BUCKET
        feeds = {k: np.pad(v, ((0, 0), (0, width - v.shape[1]))) for k, v in feeds.items()}
        out = np.asarray(embedder._session.run(None, feeds)[0], dtype=np.float32)
        vector: FloatArray = normalize_rows(out)[0]
        return vector

    return encode


def _query_latency(
    embedders: dict[str, OnnxEmbedder],
    anchor: SentenceTransformerEmbedder,
    briefs: list[str],
    repeats: int,
) -> dict[str, Any]:
    """Every configuration and the anchor on the same brief each round, in random order."""

    def cold(embedder: OnnxEmbedder) -> Callable[[str], FloatArray]:
        def encode(text: str) -> FloatArray:
            embedder.query_cache.clear()
            return embedder.encode_query(text)

        return encode

    calls: dict[str, Callable[[str], Any]] = {k: cold(e) for k, e in embedders.items()}
    calls[f"int8_pad{PAD_BUCKET}"] = _padded_query(embedders["int8"])
    calls["anchor_torch_fp32"] = lambda text: anchor.encode([text])
    for call in calls.values():  # warm-up
        for brief in briefs[:5]:
            call(brief)
    wall: dict[str, list[float]] = {k: [] for k in calls}
    cpu: dict[str, list[float]] = {k: [] for k in calls}
    rng = random.Random(4)
    load = [_loadavg()]
    for r in range(repeats):
        brief = briefs[r % len(briefs)]
        order = list(calls)
        rng.shuffle(order)
        for key in order:
            c0, t0 = time.process_time(), time.perf_counter()
            calls[key](brief)
            wall[key].append(time.perf_counter() - t0)
            cpu[key].append(time.process_time() - c0)
    load.append(_loadavg())
    anchor_p50 = float(np.percentile(wall["anchor_torch_fp32"], 50))
    anchor_cpu = float(np.mean(cpu["anchor_torch_fp32"]))
    lengths = np.array([len(embedders["int8"].tokenize(b)) for b in briefs])
    # Word pieces of the brief of each round, to split the default's latency by length.
    pieces = np.array([lengths[r % len(briefs)] for r in range(repeats)])
    bands = {"<=10": pieces <= 10, "11-20": (pieces > 10) & (pieces <= 20), ">20": pieces > 20}
    results: dict[str, Any] = {}
    for key in calls:
        results[key] = {
            **_ms(wall[key]),
            "cpu_mean_ms": round(float(np.mean(cpu[key])) * 1e3, 3),
            "speedup_vs_anchor_p50": round(anchor_p50 / float(np.percentile(wall[key], 50)), 2),
            "cpu_speedup_vs_anchor": round(anchor_cpu / float(np.mean(cpu[key])), 2),
        }
    for key in ("int8", "anchor_torch_fp32"):
        samples = np.asarray(wall[key])
        results[key]["p50_ms_by_pieces"] = {
            band: round(float(np.percentile(samples[mask], 50)) * 1e3, 3)
            for band, mask in bands.items()
            if mask.any()
        }
    return {
        "briefs": len(briefs),
        "repeats": repeats,
        "pieces_per_brief": {
            "p50": float(np.percentile(lengths, 50)),
            "p90": float(np.percentile(lengths, 90)),
            "max": int(lengths.max()),
        },
        "anchor": "sentence-transformers fp32 on torch (1 thread), encode([brief])",
        "loadavg": load,
        "results": results,
    }


def _clients(
    embedder: OnnxEmbedder, briefs: list[str], clients: int, per_client: int, tag: str
) -> tuple[list[float], float, float]:
    """``clients`` threads each encoding ``per_client`` distinct briefs: latencies, wall, CPU."""
    samples: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        mine = []
        for i in range(per_client):
            # A distinct text each call (``tag`` differs per run): the cache never answers.
            text = f"{briefs[(offset + i) % len(briefs)]} ({tag}-{offset}-{i})"
            t0 = time.perf_counter()
            embedder.encode_query(text)
            mine.append(time.perf_counter() - t0)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(k * 50,)) for k in range(clients)]
    c0, t0 = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.perf_counter() - t0, time.process_time() - c0


def _query_concurrency(
    embedders: dict[str, OnnxEmbedder], briefs: list[str], per_client: int, rounds: int = 4
) -> dict[str, Any]:
    """Two request threads sharing one embedder, 1 vs 2 intra-op threads (alternating
    rounds, so both see the same load). On a shared machine more threads also win a larger
    share of the CPU from the other jobs: compare ``cpu_ms_per_encode`` too."""
    keys = ("int8", "int8_intra2")
    samples: dict[str, list[float]] = {k: [] for k in keys}
    wall = dict.fromkeys(keys, 0.0)
    cpu = dict.fromkeys(keys, 0.0)
    for r in range(rounds):
        for key in keys:
            got, w, c = _clients(embedders[key], briefs, 2, per_client, tag=str(r))
            samples[key] += got
            wall[key] += w
            cpu[key] += c
    out = {
        key: {
            **_ms(samples[key]),
            "encodes_per_s": round(len(samples[key]) / wall[key], 1),
            "cpu_ms_per_encode": round(cpu[key] / len(samples[key]) * 1e3, 3),
        }
        for key in keys
    }
    return {
        "clients": 2,
        "per_client": per_client * rounds,
        "loadavg": _loadavg(),
        "results": out,
    }


def _query_cache(embedder: OnnxEmbedder, briefs: list[str]) -> dict[str, Any]:
    cache = QueryCache(maxsize=64)
    cached = OnnxEmbedder(cache_dir=embedder.cache_dir, query_cache=cache)
    miss, hit = [], []
    for brief in briefs[:100]:
        t0 = time.perf_counter()
        cached.encode_query(brief)
        t1 = time.perf_counter()
        cached.encode_query(brief)  # the same brief again: a page change, a reload
        hit.append(time.perf_counter() - t1)
        miss.append(t1 - t0)
    return {
        "maxsize": cache.maxsize,
        "entries_after_100_briefs": len(cache),
        "miss": _ms(miss),
        "hit_p50_us": round(float(np.percentile(hit, 50)) * 1e6, 2),
        "hit_p99_us": round(float(np.percentile(hit, 99)) * 1e6, 2),
        "hits": cache.hits,
        "misses": cache.misses,
    }


def _tokenizer(
    embedder: OnnxEmbedder, reference: SentenceTransformerEmbedder, texts: list[str]
) -> dict[str, Any]:
    """Per-call cost of the three ways to tokenize one brief, and whether the ids agree."""
    model = reference._model
    hf = model.tokenizer
    preprocess = getattr(model, "preprocess", None) or model.tokenize
    direct, wrapped, st = [], [], []
    equal = 0
    for _ in range(3):
        for text in texts:
            t0 = time.perf_counter()
            ids = embedder.tokenize(text)
            t1 = time.perf_counter()
            want = hf(text.strip(), truncation=True, max_length=model.max_seq_length)["input_ids"]
            t2 = time.perf_counter()
            preprocess([text])
            t3 = time.perf_counter()
            direct.append(t1 - t0)
            wrapped.append(t2 - t1)
            st.append(t3 - t2)
            equal += ids == want
    return {
        "tokenizers_direct_p50_us": round(float(np.percentile(direct, 50)) * 1e6, 1),
        "transformers_fast_tokenizer_p50_us": round(float(np.percentile(wrapped, 50)) * 1e6, 1),
        "sentence_transformers_preprocess_p50_us": round(float(np.percentile(st, 50)) * 1e6, 1),
        "same_ids": f"{equal // 3}/{len(texts)}",
    }


def _agreement(
    ref_docs: FloatArray,
    docs: FloatArray,
    ref_briefs: FloatArray,
    briefs: FloatArray,
) -> dict[str, float]:
    doc_cos = np.sum(ref_docs * docs, axis=1)
    brief_cos = np.sum(ref_briefs * briefs, axis=1)
    want = np.argsort(-(ref_briefs @ ref_docs.T), axis=1)[:, :K]
    got = np.argsort(-(briefs @ docs.T), axis=1)[:, :K]
    overlaps = np.array([len(set(w) & set(g)) / K for w, g in zip(want, got, strict=True)])
    return {
        "brief_cosine_mean": round(float(brief_cos.mean()), 4),
        "brief_cosine_p1": round(float(np.percentile(brief_cos, 1)), 4),
        "brief_cosine_min": round(float(brief_cos.min()), 4),
        "doc_cosine_mean": round(float(doc_cos.mean()), 4),
        "doc_cosine_p1": round(float(np.percentile(doc_cos, 1)), 4),
        "doc_cosine_min": round(float(doc_cos.min()), 4),
        "top10_overlap_mean": round(float(overlaps.mean()), 3),
        "top10_overlap_min": round(float(overlaps.min()), 3),
    }


def _throughput(embedder: Embedder, docs: list[str]) -> tuple[FloatArray, dict[str, Any]]:
    embedder.encode(docs[:8])  # warm-up
    wall0, cpu0 = time.perf_counter(), time.process_time()
    vectors = embedder.encode(docs, batch_size=64)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return vectors, {
        "docs_per_s": round(len(docs) / wall, 1),
        "docs_per_cpu_s": round(len(docs) / cpu, 1),
        "seconds": round(wall, 2),
        "loadavg": _loadavg(),
    }


def _bucketed(embedder: OnnxEmbedder, texts: list[str], alone: FloatArray) -> dict[str, Any]:
    """Texts sorted by length and run ``size`` at a time, padded to the longest of each
    bucket, on one thread; against one text per run."""
    from matcher.onnx_embedder import _feeds

    rows = [embedder.tokenize(t) for t in texts]
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    out: dict[str, Any] = {}
    for size in (1, 8, 32):
        vectors = np.empty((len(rows), embedder.dim), dtype=np.float32)
        cpu0 = time.process_time()
        for start in range(0, len(order), size):
            bucket = order[start : start + size]
            vectors[bucket] = embedder._session.run(None, _feeds([rows[i] for i in bucket]))[0]
        cpu = time.process_time() - cpu0
        cosines = np.sum(normalize_rows(vectors) * alone, axis=1)
        out[f"batch_{size}"] = {
            "texts_per_cpu_s": round(len(rows) / cpu, 1),
            "cosine_to_alone_min": round(float(cosines.min()), 4),
        }
    return out


def _quantized_ops(embedder: OnnxEmbedder) -> dict[str, Any]:
    import onnx

    model = onnx.load(str(embedder.model_file))
    ops = collections.Counter(node.op_type for node in model.graph.node)
    quantized = ("QAttention", "MatMulInteger", "QEmbedLayerNormalization", "DynamicQuantizeLinear")
    return {
        **(embedder.manifest.get("quantization") or {}),
        "quantized_ops": {op: ops[op] for op in quantized if ops[op]},
        "nodes": sum(ops.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="demo-roster documents")
    parser.add_argument("--repeats", type=int, default=400, help="rounds of the query latency")
    parser.add_argument("--cache-dir", type=Path, help="reuse ONNX files from here")
    parser.add_argument("--skip-len128", action="store_true")
    args = parser.parse_args()

    import onnxruntime  # type: ignore[import-untyped]  # no stubs or py.typed
    import torch

    briefs = brief_texts()
    docs = [creator_document(record) for record in generate_roster(args.n)]
    report: dict[str, Any] = {
        "n_documents": len(docs),
        "n_briefs": len(briefs),
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_flags": _cpu_flags(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "onnxruntime": onnxruntime.__version__,
        "loadavg_start": _loadavg(),
        "model_sizes_mb": {
            "torch_safetensors": round(
                (default_model_path() / "model.safetensors").stat().st_size / 2**20, 1
            )
        },
    }
    with tempfile.TemporaryDirectory(prefix="bench-encode-") as tmp:
        cache_dir = args.cache_dir or Path(tmp)
        embedders: dict[str, OnnxEmbedder] = {}
        export: dict[str, Any] = {}
        for key, (quantize, session) in QUERY_CONFIGS.items():
            embedder = OnnxEmbedder(cache_dir=cache_dir, quantize=quantize, session=session)
            embedders[key] = embedder
            if embedder.exported:
                export[key] = {
                    "seconds": round(embedder.export_seconds, 2),
                    "self_check_min_cosine": embedder.manifest.get("self_check_min_cosine"),
                }
        int8, fp32 = embedders["int8"], embedders["fp32"]
        report["export"] = export
        report["model_sizes_mb"]["onnx_int8"] = round(int8.model_file.stat().st_size / 2**20, 1)
        report["model_sizes_mb"]["onnx_fp32"] = round(fp32.model_file.stat().st_size / 2**20, 1)
        report["quantization"] = _quantized_ops(int8)
        torch_embedder = SentenceTransformerEmbedder()

        report["tokenizer"] = _tokenizer(int8, torch_embedder, briefs)
        # The anchor runs torch on one thread, like each ONNX query: with two OpenMP threads
        # on a loaded machine one brief took ~275 ms instead of ~40 (a worker descheduled
        # at every barrier), and its spinning workers slowed the configurations measured
        # between its calls.
        torch.set_num_threads(1)
        report["query_latency"] = _query_latency(embedders, torch_embedder, briefs, args.repeats)
        torch.set_num_threads(report["torch_threads"])
        report["query_concurrency"] = _query_concurrency(embedders, briefs, per_client=50)
        report["query_cache"] = _query_cache(int8, briefs)
        for key in [k for k in embedders if k not in ("int8", "fp32")]:
            del embedders[key]  # free the sessions before the document runs

        ref_docs, torch_stats = _throughput(torch_embedder, docs)
        ref_briefs = torch_embedder.encode(briefs)
        documents: dict[str, Any] = {"torch_fp32": torch_stats}
        agreement: dict[str, Any] = {}
        for key, embedder in (("onnx_int8", int8), ("onnx_fp32", fp32)):
            vectors, stats = _throughput(embedder, docs)
            documents[key] = stats
            query_vectors = np.stack([embedder.encode_query(b) for b in briefs])
            agreement[key] = _agreement(ref_docs, vectors, ref_briefs, query_vectors)
            if key == "onnx_int8":
                subset = min(len(docs), 500)
                documents["onnx_int8_bucketed"] = {
                    "documents": _bucketed(embedder, docs[:subset], vectors[:subset]),
                    "briefs": _bucketed(embedder, briefs, embedder.encode(briefs)),
                }
        if not args.skip_len128:
            # The quality reference stays torch at 256 word pieces.
            short = OnnxEmbedder(cache_dir=cache_dir, quantize=True, max_seq_length=128)
            vectors, stats = _throughput(short, docs)
            documents["onnx_int8_len128"] = stats
            query_vectors = np.stack([short.encode_query(b) for b in briefs])
            agreement["onnx_int8_len128"] = _agreement(ref_docs, vectors, ref_briefs, query_vectors)
        report["documents"] = documents
        report["agreement_with_torch_fp32"] = agreement
    report["defaults"] = {
        "embedder": int8.name,
        "quantize": int8.quantize,
        "session": asdict(int8.session_config),
        "query": "one text, exact length (no padding), on the caller's thread",
        "documents": f"one text per run, {int8.threads} at a time",
        "query_cache_size": int8.query_cache.maxsize,
    }
    report["loadavg_end"] = _loadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
