"""Benchmark the compliance checker; prints JSON.

Single-post latency (p50 / p99 over the evaluation set, repeated) with and without the
classifier score, and the wall time to check a batch of 10,000 posts.
"""

from __future__ import annotations

import json
import statistics
import time

from compliance.checker import check_many, check_post
from compliance.classifier import default_classifier
from compliance.evaluate import load_eval
from compliance.types import Post


def _posts() -> list[Post]:
    return [
        Post.from_dict({k: v for k, v in row.items() if not k.startswith("expected_")})
        for row in load_eval()
    ]


def _latencies(posts: list[Post], repeats: int, *, score: bool) -> dict[str, float]:
    samples: list[float] = []
    for _ in range(repeats):
        for p in posts:
            t0 = time.perf_counter()
            check_post(p, score=score)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 4),
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 4),
        "max_ms": round(samples[-1], 4),
    }


def main() -> None:
    """Run the benchmark and print one JSON object."""
    posts = _posts()
    t0 = time.perf_counter()
    default_classifier()
    train_s = time.perf_counter() - t0
    for p in posts:  # warm up
        check_post(p)
    batch = [posts[i % len(posts)] for i in range(10_000)]
    t0 = time.perf_counter()
    n = sum(1 for _ in check_many(batch))
    batch_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sum(1 for _ in check_many(batch, score=False))
    batch_rules_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "eval_posts": len(posts),
                "classifier_first_use_s": round(train_s, 3),
                "single_post_with_score": _latencies(posts, 20, score=True),
                "single_post_rules_only": _latencies(posts, 20, score=False),
                "batch_10000_with_score_s": round(batch_s, 3),
                "batch_10000_rules_only_s": round(batch_rules_s, 3),
                "batch_posts": n,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
