"""Benchmark the text encoders: torch fp32 vs ONNX fp32 vs ONNX int8, and a 128-piece window.

Prints one JSON document: documents/s on demo-roster documents, single-brief latency p50/p99,
export+quantize time, model file sizes, and agreement with the torch vectors (cosine, top-10
neighbour overlap for a set of EN/ES/FR/DE briefs). The ONNX files are exported afresh into a
temporary directory unless ``--cache-dir`` is given. Wall times on a shared machine move with
its load (reported as ``loadavg``); ``docs_per_cpu_s`` moves less.

    .venv/bin/python bench/bench_encode.py                 # 500 documents, about 4 min
    .venv/bin/python bench/bench_encode.py --n 200 --skip-len128
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from creators.demo import generate_roster
from matcher.documents import creator_document
from matcher.embedder import Embedder, SentenceTransformerEmbedder, default_model_path
from matcher.onnx_embedder import OnnxEmbedder

K = 10
BRIEFS = [
    "Launch of our vegan, cruelty-free face serum; looking for skincare creators.",
    "New wireless gaming headset: we want FPS streamers for a two-week campaign.",
    "Home workout app looking for fitness coaches who post daily routines.",
    "Boutique hotels in Portugal seek travel photographers for summer stories.",
    "Buscamos creadores de cocina vegana para lanzar nuestra nueva leche de avena.",
    "Marca de moda sostenible busca influencers de estilo en Madrid y Barcelona.",
    "Nous lançons un rouge à lèvres bio et cherchons des créatrices beauté.",
    "Startup française cherche des créateurs tech pour tester notre ordinateur portable.",
    "Wir suchen Outdoor- und Wander-Creator für unsere neue Regenjacke.",
    "Familienmarke sucht Eltern-Influencer für nachhaltiges Babyspielzeug.",
]
FloatArray = npt.NDArray[np.float32]


def _loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def _throughput(
    embedder: Embedder, docs: list[str], batch_size: int
) -> tuple[FloatArray, dict[str, Any]]:
    embedder.encode(docs[:8], batch_size=batch_size)  # warm-up
    wall0, cpu0 = time.perf_counter(), time.process_time()
    vectors = embedder.encode(docs, batch_size=batch_size)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return vectors, {
        "docs_per_s": round(len(docs) / wall, 1),
        "docs_per_cpu_s": round(len(docs) / cpu, 1),
        "seconds": round(wall, 2),
        "loadavg": _loadavg(),
    }


def _latency(embedder: Embedder, repeats: int) -> dict[str, float]:
    cache = getattr(embedder, "query_cache", None)
    samples = []
    for i in range(repeats):
        if cache is not None:
            cache.clear()
        brief = BRIEFS[i % len(BRIEFS)]
        t0 = time.perf_counter()
        embedder.encode_query(brief)
        samples.append(time.perf_counter() - t0)
    arr = np.array(samples) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 2),
        "p99_ms": round(float(np.percentile(arr, 99)), 2),
    }


def _agreement(
    reference: Embedder,
    ref_vectors: FloatArray,
    candidate: Embedder,
    vectors: FloatArray,
) -> dict[str, float]:
    cosines = np.sum(ref_vectors * vectors, axis=1)
    brief_cos, overlaps = [], []
    for brief in BRIEFS:
        ref_q, q = reference.encode_query(brief), candidate.encode_query(brief)
        brief_cos.append(float(ref_q @ q))
        want = set(np.argsort(-(ref_vectors @ ref_q))[:K].tolist())
        got = set(np.argsort(-(vectors @ q))[:K].tolist())
        overlaps.append(len(want & got) / K)
    return {
        "doc_cosine_mean": round(float(cosines.mean()), 4),
        "doc_cosine_p1": round(float(np.percentile(cosines, 1)), 4),
        "doc_cosine_min": round(float(cosines.min()), 4),
        "brief_cosine_min": round(min(brief_cos), 4),
        "top10_overlap_mean": round(float(np.mean(overlaps)), 3),
        "top10_overlap_min": round(min(overlaps), 3),
    }


def _token_stats(embedder: OnnxEmbedder, docs: list[str]) -> dict[str, float]:
    lengths = np.array([len(e.ids) for e in embedder._tokenizer.encode_batch(docs)])
    return {
        "p50": float(np.percentile(lengths, 50)),
        "p90": float(np.percentile(lengths, 90)),
        "max": int(lengths.max()),
        "share_truncated": round(float(np.mean(lengths >= embedder.max_seq_length)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="demo-roster documents")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latency-repeats", type=int, default=60)
    parser.add_argument("--cache-dir", type=Path, help="reuse ONNX files from here")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--skip-fp32", action="store_true")
    parser.add_argument("--skip-len128", action="store_true")
    args = parser.parse_args()

    import onnxruntime  # type: ignore[import-untyped]  # no stubs or py.typed
    import torch

    docs = [creator_document(record) for record in generate_roster(args.n)]
    report: dict[str, Any] = {
        "n_documents": len(docs),
        "batch_size": args.batch_size,
        "cpus": len(os.sched_getaffinity(0)),
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
        onnx: dict[str, OnnxEmbedder] = {}
        export: dict[str, Any] = {}
        for label, quantize in (("onnx_int8", True), ("onnx_fp32", False)):
            if label == "onnx_fp32" and args.skip_fp32:
                continue
            embedder = OnnxEmbedder(cache_dir=cache_dir, quantize=quantize)
            onnx[label] = embedder
            export[label] = {
                "exported_now": embedder.exported,
                "seconds": round(embedder.export_seconds, 2),
                "self_check_min_cosine": embedder.manifest.get("self_check_min_cosine"),
            }
            report["model_sizes_mb"][label] = round(embedder.model_file.stat().st_size / 2**20, 1)
        report["export"] = export
        report["tokens_per_document"] = _token_stats(onnx["onnx_int8"], docs)

        results: dict[str, Any] = {}
        torch_embedder = SentenceTransformerEmbedder()
        ref_vectors = None
        if not args.skip_torch:
            ref_vectors, stats = _throughput(torch_embedder, docs, args.batch_size)
            results["torch_fp32"] = {**stats, "brief_latency": _latency(torch_embedder, 30)}
        else:
            ref_vectors = torch_embedder.encode(docs, batch_size=args.batch_size)
        for label, embedder in onnx.items():
            vectors, stats = _throughput(embedder, docs, args.batch_size)
            results[label] = {
                **stats,
                "brief_latency": _latency(embedder, args.latency_repeats),
                "agreement_with_torch": _agreement(torch_embedder, ref_vectors, embedder, vectors),
            }

        if not args.skip_len128:
            # The quality reference stays torch at 256 word pieces.
            short = OnnxEmbedder(cache_dir=cache_dir, quantize=True, max_seq_length=128)
            vectors, stats = _throughput(short, docs, args.batch_size)
            results["onnx_int8_len128"] = {
                **stats,
                "brief_latency": _latency(short, args.latency_repeats),
                "agreement_with_torch_256": _agreement(torch_embedder, ref_vectors, short, vectors),
            }
            if not args.skip_torch:
                model = torch_embedder._model
                saved = model.max_seq_length
                model.max_seq_length = 128
                try:
                    torch_embedder.query_cache.clear()
                    vectors, stats = _throughput(torch_embedder, docs, args.batch_size)
                    results["torch_fp32_len128"] = {
                        **stats,
                        "agreement_with_torch_256": _agreement(
                            SentenceTransformerEmbedder(), ref_vectors, torch_embedder, vectors
                        ),
                    }
                finally:
                    model.max_seq_length = saved
                    torch_embedder.query_cache.clear()
        report["results"] = results
    report["loadavg_end"] = _loadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
