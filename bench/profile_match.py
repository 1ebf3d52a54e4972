"""Stage budget of ``POST /v1/match`` (issue 16, item 1): where each millisecond of a match goes.

    python -m bench.profile_match --data-dir DIR [--queries 200] [--cprofile-queries 60]
    python -m bench.profile_match --n 300        # a fresh temporary setup (smoke runs)

``--data-dir`` is the directory of an earlier ``bench_match.py --data-dir DIR`` run (database
and index); ``--n`` sets up that many demo creators in a temporary directory first, as
``bench_match.py`` does. The app is ``create_app(Settings)`` as ``creatormatch serve`` builds
it, driven in-process by Starlette's ``TestClient`` with one client and unique briefs (the
composed briefs of ``bench_match.py --baseline``, so the query cache never answers). After a
warm-up (the first request loads the index and the side state), two passes:

1. **Stage clock.** The functions each stage runs are wrapped with a timer, and each request
   is split into *exclusive* times per stage (a stage's time minus the stages it calls), so
   the stages add up to the request: middleware, routing and body parsing, auth, the other
   dependencies (session, body validation), brief parsing, wishes, catalog filter, encoding,
   ANN, BM25, wish pool, fusion, feature gathering, scoring, reasons, serialisation. The
   TestClient's own cost (building and reading the HTTP exchange in the client thread) is
   reported apart: it is not the server's.
2. **cProfile** of ``MatchService.match`` alone (a separate pass: the profiler slows what it
   measures), the functions with the most own time.

Prints one JSON object; progress goes to stderr. Wall times on a shared machine move with
its load (``loadavg`` is recorded); shares move less.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import inspect
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_match import (
    BENCH_RATE_LIMIT_PER_MINUTE,
    PROTOTYPES_PER_CATEGORY,
    SEED,
    UniqueBriefs,
    _build_index,
    _load,
    _log,
    reuse,
    setup,
)

K = 20
# (stage, what it covers), in the order of a request. Every stage is the exclusive time of
# the functions listed for it in _targets().
STAGES: tuple[tuple[str, str], ...] = (
    ("middleware", "our ASGI middleware (request context, body limit, idempotency, errors)"),
    ("routing_body", "routing, reading the body, JSON parsing, the thread-pool hop"),
    ("auth", "API key lookup (hash, database) and the per-key rate limiter"),
    ("dependencies_other", "session, bearer header, body validation into MatchRequest"),
    ("brief_parsing", "CampaignService.match_query: parse_brief, campaign fields"),
    ("state_lookup", "MatchService.ensure_loaded (the organisation's loaded index)"),
    ("wishes", "wishes_for: the brief's wishes for the scorer"),
    ("catalog_filter", "Catalog.select: hard filters over the columns"),
    ("encoding", "embedder.encode_query (ONNX int8, cold: every brief is new)"),
    ("ann", "HNSW search, and the vectors of the union (cosines)"),
    ("bm25", "BM25Index.search (both pools, the union, excluded topics)"),
    ("wish_pool", "MatchService._wish_pool: the creators who meet the wishes"),
    ("fusion", "fuse_zscore, Rocchio feedback"),
    ("retrieval_other", "the rest of MatchService._retrieve (union of the pools)"),
    ("feature_gathering", "catalog snapshot, candidate columns, records of the page"),
    ("scoring", "score_candidates: every candidate, one numpy pass"),
    ("reasons", "explain: the components and reasons of the page's hits"),
    ("match_other", "the rest of MatchService.match (filters, page)"),
    ("serialisation", "result_read, brief_understood, MatchResponse, JSON bytes"),
    ("route_other", "the rest of the route (filters, cursor, applied filters)"),
)
STAGE_NAMES = tuple(name for name, _what in STAGES)
# The matcher's own work, the denominator of the overhead ratio of issue 16 item 5:
# e2e / (encode + search + score). Everything else (HTTP, auth, dependencies, brief parsing,
# the service's bookkeeping, serialisation) is overhead around it.
CORE_STAGES = {
    "encode": ("encoding",),
    "search": ("catalog_filter", "ann", "bm25", "wish_pool", "fusion", "retrieval_other"),
    "score": ("feature_gathering", "scoring", "reasons"),
}


class StageClock:
    """Exclusive wall and CPU time per stage of one request at a time.

    Wrapped functions push a frame when called and pop it when they return; a frame's time
    minus its children's is its stage's. One global stack (not per thread) on purpose: the
    route runs in a worker thread while its caller awaits on the event loop, and requests
    are sequential here. CPU time is the frame's own thread's (``time.thread_time``), minus
    that of its children on the same thread: on a loaded machine it moves less than wall
    time, which also holds the waits for a core and for the thread-pool hops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # [stage, wall start, CPU start, thread id, children's wall, children's CPU here]
        self._stack: list[list[Any]] = []
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def enter(self, stage: str) -> None:
        cpu, now = time.thread_time(), time.perf_counter()
        with self._lock:
            self._stack.append([stage, now, cpu, threading.get_ident(), 0.0, 0.0])

    def leave(self) -> None:
        now, cpu_now = time.perf_counter(), time.thread_time()
        with self._lock:
            stage, started, cpu_started, thread, children, children_cpu = self._stack.pop()
            spent, cpu = now - started, cpu_now - cpu_started
            self.wall[stage] = self.wall.get(stage, 0.0) + spent - children
            self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - children_cpu
            if self._stack:
                parent = self._stack[-1]
                parent[4] += spent
                if parent[3] == thread:
                    parent[5] += cpu

    def take(self) -> tuple[dict[str, float], dict[str, float]]:
        """This request's exclusive (wall, CPU) seconds per stage; starts the next request."""
        with self._lock:
            if self._stack:
                raise RuntimeError(f"unfinished stages: {[f[0] for f in self._stack]}")
            out = (self.wall, self.cpu)
            self.wall, self.cpu = {}, {}
        return out


def _timed(clock: StageClock, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            clock.enter(stage)
            try:
                return await func(*args, **kwargs)
            finally:
                clock.leave()

        return timed_async

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        clock.enter(stage)
        try:
            return func(*args, **kwargs)
        finally:
            clock.leave()

    return timed


def _targets(app: Any) -> list[tuple[Any, str, str]]:
    """(owner, attribute, stage) of every function the stage clock wraps."""
    import fastapi.routing

    import api.routes.matching as route
    import matcher.retrieval as retrieval
    import matcher.service as service
    from accounts.service import AccountService
    from api.middleware import RateLimiter
    from campaigns.service import CampaignService
    from matcher.catalog import Catalog
    from matcher.index import IndexHolder, VectorIndex
    from matcher.lexical import BM25Index

    embedder_class = type(app.state.matcher.embedder)
    return [
        (type(app), "__call__", "middleware"),
        (type(app.router), "__call__", "routing_body"),
        (fastapi.routing, "run_endpoint_function", "routing_body"),
        (fastapi.routing, "solve_dependencies", "dependencies_other"),
        # What runs a sync route in the thread pool (FastAPI keeps the endpoint function
        # itself, so the clock cannot wrap match_ by its module attribute).
        (fastapi.routing, "_run_sync_endpoint", "route_other"),
        (AccountService, "authenticate", "auth"),
        (RateLimiter, "hit", "auth"),
        (CampaignService, "match_query", "brief_parsing"),
        (service.MatchService, "match", "match_other"),
        (service.MatchService, "ensure_loaded", "state_lookup"),
        (service, "wishes_for", "wishes"),
        (Catalog, "select", "catalog_filter"),
        (embedder_class, "encode_query", "encoding"),
        (IndexHolder, "search", "ann"),
        (VectorIndex, "search", "ann"),
        (VectorIndex, "get_vectors", "ann"),
        (BM25Index, "search", "bm25"),
        (service.MatchService, "_wish_pool", "wish_pool"),
        (retrieval, "fuse_zscore", "fusion"),
        (retrieval, "feedback_query", "fusion"),
        (service.MatchService, "_retrieve", "retrieval_other"),
        (service.MatchService, "_rank", "feature_gathering"),
        (service.MatchService, "_records", "feature_gathering"),
        (service, "score_candidates", "scoring"),
        (service, "explain", "reasons"),
        (route, "brief_understood", "serialisation"),
        (route, "MatchResponse", "serialisation"),
        (fastapi.routing, "serialize_response", "serialisation"),
        # The route's serialisation helpers: since the thin HTTP layer it builds plain JSON types
        # and encodes them itself, and result_read is gone; each is wrapped when the code
        # measured has it, so the same script measures older and newer code.
        *(
            (route, name, "serialisation")
            for name in ("result_read", "result_fields", "brief_understood_fields", "encode_json")
            if hasattr(route, name)
        ),
    ]


@contextlib.contextmanager
def _patched(targets: list[tuple[Any, str, Callable[[Any], Any]]]) -> Iterator[None]:
    """Replace each ``owner.attribute`` by ``wrap(original)``; restore them all on exit (an
    attribute a class inherited is deleted again rather than copied onto it)."""
    saved: list[tuple[Any, str, Any, bool]] = []
    try:
        for owner, attribute, wrap in targets:
            own = isinstance(owner, type) and attribute in vars(owner)
            original = vars(owner)[attribute] if own else getattr(owner, attribute)
            saved.append((owner, attribute, original, own or not isinstance(owner, type)))
            setattr(owner, attribute, wrap(original))
        yield
    finally:
        for owner, attribute, original, restore in reversed(saved):
            if restore:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)


def _stats_ms(samples: list[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1e3
    return {
        "mean_ms": round(float(arr.mean()), 3),
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
    }


def stage_pass(app: Any, client: Any, api_key: str, briefs: list[str]) -> dict[str, Any]:
    """Time ``briefs`` one request each through the stage clock."""
    clock = StageClock()
    targets: list[tuple[Any, str, Callable[[Any], Any]]] = [
        (owner, attribute, functools.partial(_timed, clock, stage))
        for owner, attribute, stage in _targets(app)
    ]
    headers = {"Authorization": f"Bearer {api_key}"}
    per_stage: dict[str, list[float]] = {name: [] for name in STAGE_NAMES}
    per_stage_cpu: dict[str, list[float]] = {name: [] for name in STAGE_NAMES}
    client_total: list[float] = []
    server_total: list[float] = []
    server_cpu: list[float] = []
    cpu: list[float] = []
    with _patched(targets):
        for text in briefs:
            c0, t0 = time.process_time(), time.perf_counter()
            response = client.post("/v1/match", json={"brief": text, "k": K}, headers=headers)
            wall = time.perf_counter() - t0
            cpu.append(time.process_time() - c0)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
            stages, stages_cpu = clock.take()
            unknown = set(stages) - set(STAGE_NAMES)
            if unknown:
                raise RuntimeError(f"stages without a row: {sorted(unknown)}")
            for name in STAGE_NAMES:
                per_stage[name].append(stages.get(name, 0.0))
                per_stage_cpu[name].append(stages_cpu.get(name, 0.0))
            server_total.append(sum(stages.values()))
            server_cpu.append(sum(stages_cpu.values()))
            client_total.append(wall)
    mean_server = float(np.mean(server_total))
    mean_cpu = float(np.mean(server_cpu))
    table = {
        name: {
            **_stats_ms(per_stage[name]),
            "cpu_mean_ms": round(float(np.mean(per_stage_cpu[name])) * 1e3, 3),
            "share_of_server": round(float(np.mean(per_stage[name])) / mean_server, 4),
            "share_of_server_cpu": round(float(np.mean(per_stage_cpu[name])) / mean_cpu, 4),
            "what": what,
        }
        for name, what in STAGES
    }
    return {
        "requests": len(briefs),
        "overhead": overhead(table, mean_server, mean_cpu),
        "stages": table,
        "server_total": {
            **_stats_ms(server_total),
            "cpu_mean_ms": round(mean_cpu * 1e3, 3),
        },
        "client_total": _stats_ms(client_total),
        "test_client_overhead": _stats_ms(
            [c - s for c, s in zip(client_total, server_total, strict=True)]
        ),
        "process_cpu": _stats_ms(cpu),
    }


def overhead(table: dict[str, Any], server_ms: float, server_cpu_ms: float) -> dict[str, Any]:
    """The overhead ratio e2e / (encode + search + score), in wall and CPU time (means per
    request; e2e is the server's whole request as the stage clock sees it, from the ASGI app's
    call to its return, so the TestClient's own cost is not in it)."""
    out: dict[str, Any] = {"core_stages": CORE_STAGES}
    for unit, key, total in (("wall", "mean_ms", server_ms), ("cpu", "cpu_mean_ms", server_cpu_ms)):
        parts = {
            part: round(sum(table[name][key] for name in names), 3)
            for part, names in CORE_STAGES.items()
        }
        core = sum(parts.values())
        e2e = total * 1e3
        out[unit] = {
            **{f"{part}_ms": value for part, value in parts.items()},
            "core_ms": round(core, 3),
            "e2e_ms": round(e2e, 3),
            "overhead_ms": round(e2e - core, 3),
            "ratio": round(e2e / core, 3) if core else None,
        }
    return out


def cprofile_pass(
    app: Any, client: Any, api_key: str, briefs: list[str], top: int
) -> dict[str, Any]:
    """cProfile of ``MatchService.match`` over ``briefs``: the ``top`` functions by own time,
    per match."""
    import matcher.service as service

    profiler = cProfile.Profile()
    original = service.MatchService.match

    def profiled(*args: Any, **kwargs: Any) -> Any:
        return profiler.runcall(original, *args, **kwargs)

    headers = {"Authorization": f"Bearer {api_key}"}
    with _patched([(service.MatchService, "match", lambda _f: profiled)]):
        for text in briefs:
            response = client.post("/v1/match", json={"brief": text, "k": K}, headers=headers)
            response.raise_for_status()
    stats = pstats.Stats(profiler)
    root = str(Path(__file__).resolve().parents[1]) + os.sep
    rows = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]  # pstats keeps it untyped
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in raw.items():
        where = path.replace(root, "") if path.startswith(root) else Path(path).name
        rows.append(
            {
                "function": f"{where}:{line}({name})",
                "calls_per_match": round(calls / len(briefs), 1),
                "own_ms_per_match": round(own * 1e3 / len(briefs), 3),
                "cumulative_ms_per_match": round(cumulative * 1e3 / len(briefs), 3),
            }
        )
    rows.sort(key=lambda r: -r["own_ms_per_match"])
    total = sum(r["own_ms_per_match"] for r in rows)
    return {
        "matches": len(briefs),
        "profiled": "MatchService.match (cProfile inflates small calls: compare shares)",
        "own_ms_per_match_total": round(total, 3),
        "top_by_own_time": rows[:top],
    }


def main() -> None:
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from api.app import create_app
    from core.settings import Settings
    from matcher.service import default_matcher

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="an earlier bench_match --data-dir")
    parser.add_argument("--n", type=int, default=0, help="set up n creators in a temp dir")
    parser.add_argument("--queries", type=int, default=200, help="requests of the stage pass")
    parser.add_argument("--cprofile-queries", type=int, default=60)
    parser.add_argument("--top", type=int, default=25, help="cProfile rows")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--embedder", choices=("auto", "onnx", "torch"), default="auto")
    parser.add_argument("--seed", type=int, default=SEED + 9)
    args = parser.parse_args()
    if (args.data_dir is None) == (args.n == 0):
        raise SystemExit("give --data-dir DIR (an earlier bench_match run) or --n N")

    report: dict[str, Any] = {"loadavg_start": _load()}
    with contextlib.ExitStack() as stack:
        data_dir = args.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="profile-match-"))
        )
        settings = Settings(
            _env_file=None,
            data_dir=data_dir,
            index_worker=False,
            api_key_pepper=SecretStr("bench-match-pepper"),
            embedder=args.embedder,
            environment="development",
            log_level="WARNING",
            rate_limit_per_minute=BENCH_RATE_LIMIT_PER_MINUTE,
        )
        if args.data_dir is not None:
            cfg = reuse(settings)
        else:
            embedder = default_matcher(settings).embedder
            _log(f"setting up {args.n} creators")
            cfg = setup(settings, args.n, SEED, embedder, min(PROTOTYPES_PER_CATEGORY, 2))
            _build_index(cfg, embedder, 0)
            del embedder
        report["setup"] = cfg.report
        app = create_app(settings)
        stream = UniqueBriefs(args.seed)
        warmup = [t for _n, t in stream.take(args.warmup)]
        timed = [t for _n, t in stream.take(args.queries)]
        profiled = [t for _n, t in stream.take(args.cprofile_queries)]
        client = stack.enter_context(TestClient(app))
        headers = {"Authorization": f"Bearer {cfg.api_key}"}
        _log("warm-up (the first request loads the index and the side state)")
        with_load = time.perf_counter()
        for text in warmup:
            client.post(
                "/v1/match", json={"brief": text, "k": K}, headers=headers
            ).raise_for_status()
        report["warmup_s"] = round(time.perf_counter() - with_load, 2)
        embedder_now = app.state.matcher.embedder
        report["embedder"] = {"name": embedder_now.name, "class": type(embedder_now).__name__}
        report["creators"] = app.state.matcher.loaded_sizes().get(cfg.organization_id)
        report["k"] = K
        _log(f"stage pass: {len(timed)} requests")
        report["loadavg_before_stages"] = _load()
        report["stage_pass"] = stage_pass(app, client, cfg.api_key, timed)
        if profiled:
            _log(f"cProfile pass: {len(profiled)} requests")
            report["cprofile"] = cprofile_pass(app, client, cfg.api_key, profiled, args.top)
    report["loadavg_end"] = _load()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
