"""End-to-end matcher benchmark (issue 3, item 8): index build, in-process match latency with
a breakdown, and ``POST /v1/match`` over HTTP with 1-8 concurrent clients.

    python -m bench.bench_match [--n 100000] [--queries 200] [--skip-http] [--lean]
        [--data-dir DIR] [--http-only] [--build-threads N] [--database-url URL]

Setup, in a temporary directory: a migrated SQLite database (or ``--database-url``), an
organisation and an API key, ``n`` demo creators imported through
``CreatorService.import_rows``. Encoding 100k real documents with MiniLM takes hours on a
2-core CPU, so creator vectors are synthetic but anchored in the real model: for each of the
22 demo categories a few real creator documents are encoded with the real embedder
(those creators keep their real vectors), and every other creator gets a mix of two real
vectors of its primary category, a little of its secondary categories' centroids and
Gaussian noise, L2-normalised. Briefs are always encoded by the real model, so they land near
the right niches (``retrieval_sanity`` in the output checks it). The vectors are written
straight into ``creator_embeddings`` under the real model's name, the encoding queue is
emptied, and ``MatchService.build_index`` then only loads, indexes and fits the side state.

``--lean`` imports shorter rows (at most two posts, no URLs; the rest of the record stays),
which makes 1M creators practical. The index is built with every core (as ``creatormatch
index build``), then queries run on one FAISS thread. The in-process part times whole
matches per filter band (with the service's record and component caches as they fill, and
once with both emptied before every match), then each piece of a match, rows and scoring
both cold and warm, and the recall of the index against an exact scan for real brief
vectors.

Prints one JSON object (progress goes to stderr). The HTTP part serves ``create_app`` as
``creatormatch serve`` does (index worker on, so readiness includes loading the index) in a
child process on a free loopback port. ``--data-dir`` keeps the database and indexes;
``--http-only`` reruns just the HTTP part on such a directory.

``--baseline [--rounds 4]`` replaces the in-process and HTTP parts with a comparison against a
naive anchor (issue 16, item 9): after the setup and the index build (or on an ``--http-only``
data directory), the stored creator vectors are exported to ``anchor/vectors.npz`` and
:mod:`bench.anchor_service` (FastAPI + MiniLM in torch + HNSW + a numpy rerank of 100
candidates) serves them beside the product. Both are loaded by the same client code with the
same unique briefs (:class:`UniqueBriefs`), at 1 and 8 clients, in rounds whose order
alternates; the JSON has every round, the medians and the ratios ours / anchor for p50, p99
and throughput.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.tiers import Tier

K = 20
SEED = 7
# Real documents encoded per category; their vectors anchor the synthetic ones.
PROTOTYPES_PER_CATEGORY = 16
# Synthetic vector = mix of two real same-niche vectors + SECONDARY_WEIGHT * the secondary
# categories' centroids + NOISE * a random unit-ish vector, then L2-normalised.
SECONDARY_WEIGHT = 0.3
NOISE = 0.45
IMPORT_BATCH = 1000
# The server's per-key rate limit during the benchmark: high enough never to answer 429.
BENCH_RATE_LIMIT_PER_MINUTE = 10_000_000
# Index vectors scored per step of the exact scan that recall is measured against.
RECALL_CHUNK = 65_536
# --lean rows keep this many recent posts, each with its text, date and counts only.
LEAN_POSTS = 2
LEAN_POST_FIELDS = ("text", "posted_at", "likes", "comments")
VECTOR_BATCH = 5000
# /readyz waits for the index worker's first pass: index, side state and model loaded
# (minutes at 1M creators).
SERVER_READY_TIMEOUT_S = 1800.0
WARMUP_TIMEOUT_S = 900.0  # without the worker, the first request would load everything
REQUEST_TIMEOUT_S = 60.0
LEVEL_DEADLINE_S = 180.0  # a concurrency level stops issuing requests after this
CONCURRENCY = (1, 2, 4, 8)

TARGETS = {
    "http_p50_ms_at_100k": 8.0,
    "http_p99_ms_at_100k": 15.0,
    "http_p99_ms_at_1m": 20.0,
    "concurrent_8_min_matches_per_s": 150.0,
    "concurrent_8_not_below_1_client": True,
    "index_max_bytes_per_creator": 2048.0,
    "hnsw_min_recall_at_10": 0.97,
}


@dataclass(frozen=True)
class BriefCase:
    """A realistic brief and the niche a good match should mostly come from."""

    text: str
    language: str
    niche: str


# No platform or language words: those would become hard filters (see MatchService.match),
# and the unfiltered case must stay unfiltered; filters are applied explicitly below.
BRIEFS: tuple[BriefCase, ...] = (
    BriefCase(
        "Vegan skincare launch for women 25-34 in the US who care about sustainability and "
        "clean beauty, goal: conversions",
        "en",
        "skincare",
    ),
    BriefCase(
        "Fitness creators to promote a new protein bar to gym-goers aged 18-34 in the UK, "
        "workouts and strength training",
        "en",
        "fitness",
    ),
    BriefCase(
        "Travel gear brand looking for backpackers and city-break travellers, awareness "
        "campaign in Australia and Canada",
        "en",
        "travel",
    ),
    BriefCase(
        "Gaming headset for competitive gamers who play shooters and esports titles, "
        "men 18-24, goal: awareness",
        "en",
        "gaming",
    ),
    BriefCase(
        "Personal finance app wants trusted voices on budgeting, investing and saving money "
        "for young professionals 25-34",
        "en",
        "finance",
    ),
    BriefCase(
        "Gentle baby products for new parents and families with toddlers, mums 25-40, "
        "community building",
        "en",
        "parenting",
    ),
    BriefCase(
        "Premium dog food brand seeking pet owners who post about their dogs and cats, "
        "trusted reviews",
        "en",
        "pets",
    ),
    BriefCase(
        "B2B cybersecurity software for IT managers and CTOs, thought leadership on SaaS "
        "and leadership, goal: conversions",
        "en",
        "b2b",
    ),
    BriefCase(
        "Book subscription box: readers who review novels, fantasy and thrillers, women 18-44",
        "en",
        "books",
    ),
    BriefCase(
        "Electric car test drives for drivers who love cars, road trips and automotive "
        "reviews, goal: PR",
        "en",
        "automotive",
    ),
    BriefCase(
        "Hiking boots and camping gear launch for outdoor enthusiasts, trails and mountains",
        "en",
        "outdoors",
    ),
    BriefCase(
        "Meditation and sleep app for stressed millennials, mental health, yoga and "
        "wellness, conversions",
        "en",
        "wellness",
    ),
    BriefCase(
        "Lanzamiento de una línea de maquillaje para mujeres de 18 a 34 en México y España, "
        "objetivo: ventas",
        "es",
        "beauty",
    ),
    BriefCase(
        "Buscamos creadores de recetas caseras y cocina saludable para una marca de aceite "
        "de oliva, público 25-44",
        "es",
        "food",
    ),
    BriefCase(
        "Campaña de zapatillas para aficionados al fútbol y al deporte en Argentina y "
        "Colombia, hombres 18-34",
        "es",
        "sports",
    ),
    BriefCase(
        "Lancement d'une gamme de cosmétiques bio en France, soins du visage, femmes 25-44, "
        "objectif : notoriété",
        "fr",
        "skincare",
    ),
    BriefCase(
        "Marque de vêtements de mode éthique et seconde main, looks et tenues, public "
        "18-24, objectif : conversions",
        "fr",
        "fashion",
    ),
    BriefCase(
        "Application d'apprentissage pour étudiants, révisions et conseils d'études, "
        "Belgique et Suisse",
        "fr",
        "education",
    ),
    BriefCase(
        "Neue Gaming-Maus für Gamer in Deutschland und Österreich, Zielgruppe Männer 18-24, "
        "Ziel: Reichweite",
        "de",
        "gaming",
    ),
    BriefCase(
        "Nachhaltige Heimwerker-Produkte für DIY-Fans, Renovieren und Einrichten, Zielgruppe 35-54",
        "de",
        "home-diy",
    ),
    BriefCase(
        "Musikfestival sucht Musiker und Musikfans, Konzerte und neue Songs, Ziel: Community",
        "de",
        "music",
    ),
    BriefCase(
        "Zero-waste Haushaltsprodukte für umweltbewusste Familien, Nachhaltigkeit und "
        "Recycling, Ziel: Verkäufe",
        "de",
        "sustainability",
    ),
)

# Variations that make every brief text distinct (so the query-vector LRU cache never
# answers), in the brief's language.
_VARIANTS = {
    "en": "Budget around ${budget}k, flight {wave}.",
    "es": "Presupuesto de unos {budget}.000 €, oleada {wave}.",
    "fr": "Budget d'environ {budget} 000 €, vague {wave}.",
    "de": "Budget etwa {budget}.000 €, Welle {wave}.",
}


class BriefStream:
    """Distinct brief texts, cycling through :data:`BRIEFS` (thread-safe)."""

    def __init__(self, start: int = 0) -> None:
        self._counter = start
        self._lock = threading.Lock()

    def next(self) -> tuple[BriefCase, str]:
        with self._lock:
            i = self._counter
            self._counter += 1
        case = BRIEFS[i % len(BRIEFS)]
        suffix = _VARIANTS[case.language].format(budget=5 + (i * 7) % 95, wave=i)
        return case, f"{case.text}. {suffix}"


# Parts of the composed briefs of --baseline: per demo niche, what is sold and what the
# audience cares about. No platform, language or tier words (the product would read them as
# filters or wishes that the anchor cannot honour).
_NICHE_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "beauty": (
        ("a new lipstick range", "a vegan mascara", "an eyeshadow palette"),
        ("makeup tutorials", "everyday glam looks", "nail art"),
    ),
    "skincare": (
        ("a vitamin C serum", "a mineral sunscreen", "a gentle cleanser"),
        ("skincare routines", "acne care", "clean beauty"),
    ),
    "fitness": (
        ("a protein bar", "adjustable dumbbells", "a training app"),
        ("strength training", "home workouts", "running"),
    ),
    "food": (
        ("an olive oil brand", "a meal kit", "a spice blend"),
        ("home cooking", "easy recipes", "baking"),
    ),
    "vegan": (
        ("an oat milk", "a plant-based burger", "a vegan cookbook"),
        ("plant-based recipes", "vegan meal prep", "cruelty-free living"),
    ),
    "travel": (
        ("a carry-on backpack", "a travel insurance plan", "a boutique hotel chain"),
        ("city breaks", "backpacking", "road trips"),
    ),
    "gaming": (
        ("a gaming headset", "a mechanical keyboard", "a new strategy game"),
        ("competitive shooters", "esports", "retro games"),
    ),
    "tech": (
        ("a smartwatch", "noise-cancelling earbuds", "a budget laptop"),
        ("gadget reviews", "smart home setups", "productivity tools"),
    ),
    "parenting": (
        ("organic baby food", "a baby carrier", "a toddler learning toy"),
        ("family life", "new parents", "bedtime routines"),
    ),
    "fashion": (
        ("a denim collection", "second-hand designer clothes", "ethical sneakers"),
        ("outfit ideas", "street style", "capsule wardrobes"),
    ),
    "pets": (
        ("a premium dog food", "a cat tree", "a pet insurance plan"),
        ("dog training", "rescue pets", "cats"),
    ),
    "finance": (
        ("a budgeting app", "a low-fee index fund", "a credit card with cashback"),
        ("saving money", "investing for beginners", "paying off debt"),
    ),
    "b2b": (
        ("a cybersecurity platform", "a project management tool", "a payroll service"),
        ("SaaS leadership", "IT management", "startup growth"),
    ),
    "books": (
        ("a book subscription box", "an e-reader", "a new fantasy novel"),
        ("thrillers", "book reviews", "reading challenges"),
    ),
    "automotive": (
        ("an electric SUV", "a dash cam", "car care products"),
        ("car reviews", "test drives", "classic cars"),
    ),
    "outdoors": (
        ("hiking boots", "a lightweight tent", "a trail running vest"),
        ("camping", "mountain hikes", "wild swimming"),
    ),
    "wellness": (
        ("a meditation app", "a sleep supplement", "a yoga mat"),
        ("mental health", "mindfulness", "self-care"),
    ),
    "sports": (
        ("football boots", "a tennis racket", "a sports drink"),
        ("football", "basketball highlights", "match analysis"),
    ),
    "education": (
        ("a study planner app", "an online maths course", "flashcards for exams"),
        ("study tips", "exam revision", "learning science"),
    ),
    "home-diy": (
        ("a cordless drill", "eco-friendly paint", "a smart thermostat"),
        ("home renovation", "interior design", "woodworking"),
    ),
    "music": (
        ("wireless studio headphones", "a music festival", "a beginner guitar"),
        ("new songs", "live concerts", "music production"),
    ),
    "sustainability": (
        ("zero-waste cleaning products", "a refillable water bottle", "solar chargers"),
        ("recycling", "low-waste living", "climate action"),
    ),
}
_AUDIENCES = (
    "women 25-34",
    "men 18-24",
    "young professionals 25-34",
    "parents 30-45",
    "students 18-24",
    "adults 35-54",
    "women 18-44",
    "men 25-44",
)
_COUNTRIES = (
    "the US",
    "the UK",
    "Canada",
    "Australia",
    "Germany",
    "France",
    "Spain",
    "Mexico",
    "Italy",
    "the Netherlands",
)
_GOALS = ("awareness", "conversions", "app installs", "community building", "product reviews")
_BUDGETS_K = (5, 8, 10, 15, 20, 30, 40, 60, 80, 120)


class UniqueBriefs:
    """Distinct English briefs composed from a niche's product and interest, an audience, a
    country, a goal and a budget, in a seeded random order over all 792,000 combinations:
    consecutive briefs differ in niche, audience and country, so neither a query cache nor
    the repetition of a few base briefs helps a service. :meth:`take` never returns a brief
    twice."""

    def __init__(self, seed: int = SEED) -> None:
        self._niches = sorted(_NICHE_PARTS)
        self._radix = (
            len(self._niches),
            3,  # products per niche
            3,  # interests per niche
            len(_AUDIENCES),
            len(_COUNTRIES),
            len(_GOALS),
            len(_BUDGETS_K),
        )
        self.combinations = int(np.prod(self._radix))
        self._order = np.random.default_rng(seed).permutation(self.combinations)
        self._next = 0

    def take(self, count: int) -> list[tuple[str, str]]:
        """The next ``count`` briefs as (niche, text)."""
        if self._next + count > self.combinations:
            raise ValueError(f"only {self.combinations} distinct briefs")
        out = [self._compose(int(i)) for i in self._order[self._next : self._next + count]]
        self._next += count
        return out

    def _compose(self, i: int) -> tuple[str, str]:
        digits = []
        for radix in self._radix:
            i, digit = divmod(i, radix)
            digits.append(digit)
        niche_i, product_i, interest_i, audience_i, country_i, goal_i, budget_i = digits
        niche = self._niches[niche_i]
        products, interests = _NICHE_PARTS[niche]
        text = (
            f"Launch of {products[product_i]} for {_AUDIENCES[audience_i]} in "
            f"{_COUNTRIES[country_i]} who are into {interests[interest_i]}. "
            f"Goal: {_GOALS[goal_i]}. Budget around ${_BUDGETS_K[budget_i]}k."
        )
        return niche, text


def _filter_bands() -> dict[str, list[tuple[str, Any]]]:
    """Filter cases per selectivity band (their actual selectivity is measured)."""
    from matcher.service import MatchFilters

    return {
        "unfiltered": [("none", MatchFilters())],
        "about_10pct": [
            ("country DE", MatchFilters(countries=("DE",))),
            ("country FR", MatchFilters(countries=("FR",))),
            ("tier mid", MatchFilters(tiers=(Tier.MID,))),
        ],
        "about_1pct": [
            ("country CH", MatchFilters(countries=("CH",))),
            ("youtube + FR", MatchFilters(platforms=("youtube",), countries=("FR",))),
            ("US + macro", MatchFilters(countries=("US",), tiers=(Tier.MACRO,))),
        ],
    }


def _filters_json(filters: Any) -> dict[str, Any]:
    return {
        k: [str(x) for x in v] if isinstance(v, tuple) else v
        for k, v in asdict(filters).items()
        if v not in ((), None)
    }


# --------------------------------------------------------------------------- helpers


def _log(message: str) -> None:
    print(f"[bench_match {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _stats(samples: Sequence[float]) -> dict[str, float | int]:
    """p50/p99/mean in ms of samples in seconds."""
    if not samples:
        return {"count": 0}
    arr = np.asarray(samples, dtype=np.float64) * 1e3
    return {
        "count": int(arr.size),
        "p50_ms": round(float(np.percentile(arr, 50)), 2),
        "p99_ms": round(float(np.percentile(arr, 99)), 2),
        "mean_ms": round(float(arr.mean()), 2),
        "max_ms": round(float(arr.max()), 2),
    }


class _Timer:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> _Timer:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_mb(pid: int | None = None, field: str = "VmRSS") -> float | None:
    """Resident memory of ``pid`` (default: this process) in MB, from /proc: ``VmRSS`` now,
    ``VmHWM`` the peak."""
    path = Path(f"/proc/{pid or os.getpid()}/status")
    try:
        for line in path.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _database_bytes(url: str) -> int | None:
    """The SQLite file's size (None for another database)."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return path.stat().st_size if path.exists() else None


# --------------------------------------------------------------------------- setup


@dataclass
class Setup:
    database_url: str
    data_dir: Path
    organization_id: int
    api_key: str
    pepper: str
    embedder: str
    report: dict[str, Any] = field(default_factory=dict)


def _lean(record: dict[str, Any]) -> dict[str, Any]:
    """A demo record with fewer, smaller posts (:data:`LEAN_POSTS`, no URLs or views) and no
    profile URL. Bio, categories, audience, rates and brands stay, so every score component
    and the BM25 document still have their inputs; rows and documents are just shorter."""
    lean = {k: v for k, v in record.items() if k != "profile_url"}
    lean["recent_posts"] = [
        {k: post[k] for k in LEAN_POST_FIELDS if k in post}
        for post in (record.get("recent_posts") or [])[:LEAN_POSTS]
    ]
    return lean


def _import_roster(
    database: Any, organization_id: int, n: int, seed: int, *, lean: bool = False
) -> dict[str, Any]:
    from creators.formats import ParsedRow
    from creators.record import CreatorRecord
    from creators.service import CreatorService
    from demo.roster import generate_roster

    service = CreatorService()
    created = 0
    chunk = 20_000
    started = time.perf_counter()
    roster = generate_roster(n, seed=seed)
    line = 0

    def rows(limit: int) -> Iterator[ParsedRow]:
        nonlocal line
        for _ in range(limit):
            record = next(roster, None)
            if record is None:
                return
            line += 1
            if lean:
                record = _lean(record)
            yield ParsedRow(line=line, record=CreatorRecord.model_validate(record))

    while created < n:
        with database.session() as session:
            summary = service.import_rows(
                session, organization_id, rows(min(chunk, n - created)), batch_size=IMPORT_BATCH
            )
        if summary.created == 0:
            break
        created += summary.created
        _log(f"imported {created}/{n} creators")
    seconds = time.perf_counter() - started
    return {
        "rows": f"lean (at most {LEAN_POSTS} posts, no URLs)" if lean else "rich",
        "created": created,
        "seconds_generate_validate_import": round(seconds, 1),
        "rows_per_s": round(created / seconds) if seconds else None,
    }


def prototype_positions(
    categories: Sequence[Sequence[str]], names: Sequence[str], per_category: int
) -> dict[str, list[int]]:
    """Per category, the positions of its first ``per_category`` creators (by primary
    category): the creators whose documents are encoded for real."""
    chosen: dict[str, list[int]] = {c: [] for c in names}
    for position, cats in enumerate(categories):
        if cats and len(chosen[cats[0]]) < per_category:
            chosen[cats[0]].append(position)
        if all(len(v) >= per_category for v in chosen.values()):
            break
    return chosen


def mix_vectors(
    categories: Sequence[Sequence[str]],
    per_category: dict[str, np.ndarray],
    centroids: np.ndarray,
    code: dict[str, int],
    rng: np.random.Generator,
) -> np.ndarray:
    """Synthetic creator vectors (len(categories), dim), float32, L2-normalised: a mix of two
    real vectors of the primary category, :data:`SECONDARY_WEIGHT` x the secondary categories'
    centroids and :data:`NOISE` x Gaussian noise (one call per :data:`VECTOR_BATCH` block, so
    the same seed gives the same vectors in every script that uses it)."""
    m, dim = len(categories), int(centroids.shape[1])
    block = np.empty((m, dim), dtype=np.float32)
    for j in range(m):
        cats = categories[j]
        pool = per_category[cats[0]] if cats else centroids
        a, b = rng.integers(0, pool.shape[0], 2)
        w = rng.uniform(0.3, 0.7)
        vec = w * pool[a] + (1.0 - w) * pool[b]
        for extra in cats[1:]:
            vec = vec + SECONDARY_WEIGHT * centroids[code[extra]]
        block[j] = vec
    block += NOISE * rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)
    block /= np.linalg.norm(block, axis=1, keepdims=True)
    return block


def _write_vectors(
    database: Any,
    organization_id: int,
    embedder: Any,
    n: int,
    seed: int,
    prototypes_per_category: int,
) -> dict[str, Any]:
    """Encode real prototype documents per category and write one vector per creator."""
    from sqlalchemy import delete, select

    from matcher.documents import creator_document, document_hash
    from matcher.service import creator_data
    from models import Creator, EmbeddingQueueItem
    from storage.repositories.embeddings import EmbeddingRepository

    rng = np.random.default_rng(seed)
    with database.session() as session:
        rows = session.execute(
            select(Creator.id, Creator.categories)
            .where(Creator.organization_id == organization_id)
            .order_by(Creator.id)
        ).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    categories: list[list[str]] = [list(r[1] or []) for r in rows]
    names = sorted({c for cats in categories for c in cats})
    code = {c: i for i, c in enumerate(names)}

    chosen = prototype_positions(categories, names, prototypes_per_category)
    proto_positions = [p for c in names for p in chosen[c]]
    with database.session() as session:
        by_id = {
            c.id: creator_data(c)
            for c in session.scalars(
                select(Creator).where(Creator.id.in_([int(ids[p]) for p in proto_positions]))
            )
        }
    texts = [creator_document(by_id[int(ids[p])]) for p in proto_positions]
    with _Timer() as encode_timer:
        proto_vectors = embedder.encode(texts, batch_size=64)
    per_category = {c: proto_vectors[[proto_positions.index(p) for p in chosen[c]]] for c in names}
    centroids = np.stack([v.mean(axis=0) for v in per_category.values()]).astype(np.float32)
    real = {
        int(ids[p]): (proto_vectors[i], document_hash(texts[i], embedder.name))
        for i, p in enumerate(proto_positions)
    }

    dim = int(embedder.dim)
    with _Timer() as write_timer:
        for start in range(0, len(ids), VECTOR_BATCH):
            stop = min(start + VECTOR_BATCH, len(ids))
            m = stop - start
            block = mix_vectors(categories[start:stop], per_category, centroids, code, rng)
            batch = []
            for j in range(m):
                cid = int(ids[start + j])
                if cid in real:
                    vector, text_hash = real[cid]
                else:
                    vector = block[j]
                    text_hash = document_hash(f"synthetic:{seed}:{cid}", embedder.name)
                batch.append(
                    (cid, embedder.name, text_hash, np.asarray(vector, "<f4").tobytes(), dim)
                )
            with database.session() as session:
                EmbeddingRepository(session).upsert(organization_id, batch)
        with database.session() as session:
            session.execute(
                delete(EmbeddingQueueItem).where(
                    EmbeddingQueueItem.organization_id == organization_id
                )
            )
    return {
        "vectors": "synthetic, anchored on real MiniLM vectors of "
        f"{len(proto_positions)} creator documents ({prototypes_per_category} per category)",
        "categories": len(names),
        "real_documents_encoded": len(proto_positions),
        "real_encode_s": round(encode_timer.seconds, 2),
        "real_encode_docs_per_s": round(len(proto_positions) / encode_timer.seconds, 1),
        "estimated_hours_to_encode_all_for_real": round(
            n / (len(proto_positions) / encode_timer.seconds) / 3600, 2
        ),
        "write_vectors_s": round(write_timer.seconds, 1),
        "mix": {"secondary_weight": SECONDARY_WEIGHT, "noise": NOISE},
    }


def setup(
    settings: Any,
    n: int,
    seed: int,
    embedder: Any,
    prototypes_per_category: int,
    *,
    lean: bool = False,
) -> Setup:
    from accounts.service import AccountService
    from storage.database import Database
    from storage.migrate import upgrade

    url = settings.resolved_database_url
    pepper = settings.api_key_pepper.get_secret_value()
    database = Database(url)
    try:
        upgrade(database.engine)
        accounts = AccountService(pepper)
        with database.session() as session:
            org = accounts.create_organization(session, f"bench-match-{uuid.uuid4().hex[:8]}")
            key = accounts.create_key(session, org, ["read"], name="bench")
            org_id, secret = org.id, key.secret
        report: dict[str, Any] = {
            "import": _import_roster(database, org_id, n, seed, lean=lean),
        }
        report["vectors"] = _write_vectors(
            database, org_id, embedder, n, seed, prototypes_per_category
        )
        report["database_bytes"] = _database_bytes(url)
    finally:
        database.dispose()
    return Setup(url, settings.data_dir, org_id, secret, pepper, settings.embedder, report)


def reuse(settings: Any) -> Setup:
    """The setup an earlier run left in ``settings.data_dir`` (``--data-dir``), migrated to
    the current schema, with a new read key for its benchmark organisation."""
    from sqlalchemy import func, select

    from accounts.service import AccountService
    from models import Creator, Organization
    from storage.database import Database
    from storage.migrate import upgrade

    url = settings.resolved_database_url
    pepper = settings.api_key_pepper.get_secret_value()
    database = Database(url)
    try:
        upgrade(database.engine)
        with database.session() as session:
            org = session.scalars(
                select(Organization).where(Organization.name.like("bench-match-%"))
            ).one()
            creators = session.scalar(
                select(func.count()).select_from(Creator).where(Creator.organization_id == org.id)
            )
            key = AccountService(pepper).create_key(session, org, ["read"], name="bench")
            org_id, secret = org.id, key.secret
    finally:
        database.dispose()
    report = {"reused_data_dir": str(settings.data_dir), "creators": creators}
    return Setup(url, settings.data_dir, org_id, secret, pepper, settings.embedder, report)


# --------------------------------------------------------------------------- in-process


def _index_bytes(index_dir: Path) -> int:
    return sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())


def _recall(state: Any, queries: Sequence[Any], ks: Sequence[int]) -> dict[str, Any]:
    """Recall@k of the live (HNSW) index against an exact scan of the same stored vectors,
    for real brief vectors, unfiltered: the index's vectors are read back in chunks and
    scored with numpy, so nothing holds all of them at once."""
    index = state.holder.current
    q = np.stack([np.asarray(v, dtype=np.float32) for v in queries])
    ids = index.ids()
    top = min(max(ks), int(ids.size))
    best_scores = np.full((q.shape[0], 0), -np.inf, dtype=np.float32)
    best_ids = np.empty((q.shape[0], 0), dtype=np.int64)

    for start in range(0, ids.size, RECALL_CHUNK):
        chunk = ids[start : start + RECALL_CHUNK]
        scores = q @ index.get_vectors(chunk).T
        all_scores = np.concatenate([best_scores, scores], axis=1)
        all_ids = np.concatenate([best_ids, np.broadcast_to(chunk, scores.shape)], axis=1)
        keep = np.argpartition(-all_scores, top - 1, axis=1)[:, :top]
        best_scores = np.take_along_axis(all_scores, keep, axis=1)
        best_ids = np.take_along_axis(all_ids, keep, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    exact = np.take_along_axis(best_ids, order, axis=1)
    out: dict[str, Any] = {"queries": int(q.shape[0]), "index_kind": index.kind}
    for k in ks:
        found = [
            len(set(state.holder.search(q[i], k).ids.tolist()) & set(exact[i, :k].tolist())) / k
            for i in range(q.shape[0])
        ]
        out[f"recall_at_{k}"] = round(float(np.mean(found)), 4)
        out[f"recall_at_{k}_min"] = round(float(np.min(found)), 4)
    return out


def _score_page(
    state: Any, columns: Any, brief: Any, fused: Any, records: dict[int, Any]
) -> list[Any]:
    """What MatchService._rank does for one page: score every candidate on the columns,
    explain the first K."""
    from matcher.ranking import candidates_from_fused, explain, wishes_for
    from matcher.scorer import score_candidates

    wishes = wishes_for(brief)
    scored = score_candidates(columns, candidates_from_fused(fused), wishes)
    return [
        explain(
            columns,
            scored,
            int(j),
            records[fused[int(j)].creator_id],
            wishes,
            authenticity=state.authenticity.get(fused[int(j)].creator_id),
        )
        for j in scored.order[:K]
    ]


def in_process(
    cfg: Setup, embedder: Any, queries: int, breakdown_queries: int, build_threads: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the index, then time whole matches and their pieces; returns (build, match)."""
    from sqlalchemy import select

    from matcher.cache import LRUCache
    from matcher.fusion import reciprocal_rank_fusion
    from matcher.index import configure_faiss_threads, read_manifest
    from matcher.service import (
        MAX_CANDIDATES,
        MIN_CANDIDATES,
        MatchService,
        brief_from_request,
    )
    from matcher.service import creator_data as to_data
    from models import Creator
    from storage.database import Database

    side_state_s: list[float] = []

    class TimedService(MatchService):
        """The service, timing its side-state build (catalog, BM25, authenticity)."""

        def _side_state(self, session: Any, organization_id: int) -> Any:
            with _Timer() as timer:
                result = super()._side_state(session, organization_id)
            side_state_s.append(timer.seconds)
            return result

    index_dir = cfg.data_dir / "indexes"
    service = TimedService(index_dir, lambda: embedder, faiss_threads=None)
    database = Database(cfg.database_url)
    org = cfg.organization_id
    try:
        threads = build_threads or os.cpu_count() or 1
        _log(f"building the index (MatchService.build_index, {threads} FAISS threads)")
        load_before = _load()
        # Like `creatormatch index build`: every core for the build, then one thread per
        # query as the server runs.
        configure_faiss_threads(threads)
        with database.session() as session, _Timer() as build_timer:
            summary = service.build_index(session, org)
        configure_faiss_threads(1)
        org_dir = index_dir / str(org)
        manifest = read_manifest(org_dir)
        files = _index_bytes(org_dir)
        build = {
            "kind": summary.kind,
            "creators": summary.creators,
            "encoded_by_build": summary.encoded,
            "faiss_threads": threads,
            "build_s": round(build_timer.seconds, 2),
            "side_state_s": round(sum(side_state_s), 2),
            "load_avg_before": load_before,
            "load_avg_after": _load(),
            "index_files_bytes": files,
            "bytes_per_creator": round(files / max(summary.creators, 1), 1),
            "hnsw_m": manifest.hnsw_m if manifest else None,
            "hnsw_ef_construction": manifest.hnsw_ef_construction if manifest else None,
            "bench_process_rss_mb_after_build": _rss_mb(),
            "bench_process_peak_rss_mb": _peak_rss_mb(),
        }
        with database.session() as session:
            state = service.ensure_loaded(session, org, build=False)
        catalog_size = len(state.catalog)
        bands = _filter_bands()
        wanted = min(max(MIN_CANDIDATES, 3 * K), MAX_CANDIDATES)

        # Actual selectivity of every filter case.
        selectivity: dict[str, dict[str, float]] = {}
        for band, cases in bands.items():
            selectivity[band] = {}
            for name, filters in cases:
                allowed = state.catalog.select(filters.hard())
                size = catalog_size if allowed is None else int(allowed.size)
                selectivity[band][name] = round(size / catalog_size, 4)

        def caches() -> tuple[int, int]:
            r = state.records
            return r.hits, r.misses

        def hit_rates(before: tuple[int, ...], after: tuple[int, ...]) -> dict[str, Any]:
            d = [a - b for a, b in zip(after, before, strict=True)]
            return {"record_hit_rate": round(d[0] / max(d[0] + d[1], 1), 3)}

        stream = BriefStream()
        match: dict[str, Any] = {
            "k": K,
            "candidates_scored_per_match": wanted,
            "caches": "every candidate is scored on the catalog's columns (no cache); the "
            "service's record LRU holds the records of the results shown and fills as the "
            "bands run (22 base briefs cycle); 'unfiltered_cold_caches' empties it before "
            "every match",
            "bands": {},
        }
        timed = {**bands, "unfiltered_cold_caches": bands["unfiltered"]}
        for band, cases in timed.items():
            _log(f"in-process matches: {band}")
            latencies: list[float] = []
            cpu: list[float] = []
            before = caches()
            for i in range(queries):
                _name, filters = cases[i % len(cases)]
                _case, text = stream.next()
                if band == "unfiltered_cold_caches":
                    state.records.clear()
                cpu0 = time.process_time()
                with database.session() as session, _Timer() as t:
                    brief = brief_from_request(text)
                    service.match(session, org, brief, filters=filters, k=K, build=False)
                cpu.append(time.process_time() - cpu0)
                latencies.append(t.seconds)
            values = list(selectivity[band if band in selectivity else "unfiltered"].values())
            match["bands"][band] = {
                "filters": {name: _filters_json(f) for name, f in cases},
                "selectivity": selectivity.get(band, selectivity["unfiltered"]),
                "selectivity_mean": round(float(np.mean(values)), 4),
                "latency": _stats(latencies),
                # CPU seconds of this process per match (all threads): what a match costs
                # whatever the other jobs on the machine are doing.
                "process_cpu": _stats(cpu),
                **hit_rates(before, caches()),
            }

        # Where the time goes: the pieces of MatchService.match, called one by one. Rows and
        # scores are timed cold (every candidate read from the database, every component
        # computed, as for creators no recent match has seen) and warm (the same candidates
        # again, from the record and component caches).
        breakdown: dict[str, Any] = {}
        sanity: dict[str, list[float]] = {"dense_top20": [], "ranked_top20": []}
        recall_queries: list[Any] = []
        for band, cases in bands.items():
            parts: dict[str, list[float]] = {
                "parse_brief": [],
                "catalog_filter": [],
                "encode_query_cold": [],
                "encode_query_warm": [],
                "faiss_search": [],
                "bm25_search": [],
                "rrf_fusion": [],
                "row_load_cold": [],
                "row_load_warm": [],
                "scoring_cold": [],
                "scoring_warm": [],
                "sum_of_parts_cold": [],
                "sum_of_parts_warm": [],
            }
            for i in range(breakdown_queries):
                _name, filters = cases[i % len(cases)]
                case, text = stream.next()
                with _Timer() as t_parse:
                    brief = brief_from_request(text)
                with _Timer() as t_filter:
                    allowed = state.catalog.select(filters.hard())
                with _Timer() as t_cold:
                    query = embedder.encode_query(brief.text)
                with _Timer() as t_warm:
                    embedder.encode_query(brief.text)
                if band == "unfiltered":
                    recall_queries.append(query)
                with _Timer() as t_dense:
                    dense = state.holder.search(query, wanted, allowed_ids=allowed)
                with _Timer() as t_lex:
                    lexical = (
                        state.lexical.search(brief.text, wanted, allowed_ids=allowed)
                        if state.lexical is not None
                        else None
                    )
                with _Timer() as t_fuse:
                    fused = reciprocal_rank_fusion(dense, lexical, limit=wanted)
                wanted_ids = [h.creator_id for h in fused]
                # Cold: the query MatchService._score runs for the candidates it misses.
                with database.session() as session, _Timer() as t_rows:
                    records = {
                        c.id: to_data(c)
                        for c in session.scalars(
                            select(Creator).where(
                                Creator.organization_id == org, Creator.id.in_(wanted_ids)
                            )
                        )
                    }
                record_cache: LRUCache[int, dict[str, Any]] = LRUCache(MAX_CANDIDATES)
                for cid, record in records.items():
                    record_cache.put(cid, record)
                with _Timer() as t_rows_warm:
                    for cid in wanted_ids:
                        record_cache.get(cid)
                columns = state.catalog.snapshot()

                with _Timer() as t_score:
                    hits = _score_page(state, columns, brief, fused, records)
                with _Timer() as t_score_warm:
                    _score_page(state, columns, brief, fused, records)
                shared = (t_parse, t_filter, t_cold, t_dense, t_lex, t_fuse)
                timings = (
                    ("parse_brief", t_parse),
                    ("catalog_filter", t_filter),
                    ("encode_query_cold", t_cold),
                    ("encode_query_warm", t_warm),
                    ("faiss_search", t_dense),
                    ("bm25_search", t_lex),
                    ("rrf_fusion", t_fuse),
                    ("row_load_cold", t_rows),
                    ("row_load_warm", t_rows_warm),
                    ("scoring_cold", t_score),
                    ("scoring_warm", t_score_warm),
                )
                for name, timer in timings:
                    parts[name].append(timer.seconds)
                parts["sum_of_parts_cold"].append(
                    sum(tm.seconds for tm in (*shared, t_rows, t_score))
                )
                parts["sum_of_parts_warm"].append(
                    sum(tm.seconds for tm in (*shared, t_rows_warm, t_score_warm))
                )
                if band == "unfiltered":
                    dense_ids = [int(x) for x in dense.ids[:K]]
                    with database.session() as session:
                        cats = dict(
                            session.execute(
                                select(Creator.id, Creator.categories).where(
                                    Creator.id.in_(dense_ids)
                                )
                            ).all()
                        )
                    sanity["dense_top20"].append(
                        float(np.mean([case.niche in (cats.get(c) or []) for c in dense_ids]))
                    )
                    top = hits[:K]
                    sanity["ranked_top20"].append(
                        float(np.mean([case.niche in h.creator.get("categories", []) for h in top]))
                        if top
                        else 0.0
                    )
            breakdown[band] = {
                "queries": breakdown_queries,
                "p50_ms": {k: _stats(v).get("p50_ms") for k, v in parts.items()},
                "p99_ms": {k: _stats(v).get("p99_ms") for k, v in parts.items()},
            }
        match["breakdown"] = breakdown
        match["retrieval_sanity"] = {
            "what": "share of the top 20 that carry the brief's intended niche (unfiltered)",
            "dense_top20_niche_share": round(float(np.mean(sanity["dense_top20"])), 3),
            "ranked_top20_niche_share": round(float(np.mean(sanity["ranked_top20"])), 3),
        }
        _log("recall of the index against an exact scan")
        with _Timer() as recall_timer:
            match["recall_vs_exact_unfiltered"] = _recall(state, recall_queries, (10, wanted))
        match["recall_vs_exact_unfiltered"]["seconds"] = round(recall_timer.seconds, 1)
        cache = getattr(embedder, "query_cache", None)
        if cache is not None:
            match["query_cache"] = {"hits": cache.hits, "misses": cache.misses}
        match["bench_process_rss_mb"] = _rss_mb()
        match["bench_process_peak_rss_mb"] = _peak_rss_mb()
        return build, match
    finally:
        database.dispose()


# --------------------------------------------------------------------------- HTTP


def _request_body(text: str, filters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"brief": text, "k": K}
    wire = {
        k: [str(x) for x in v] if isinstance(v, tuple) else v
        for k, v in asdict(filters).items()
        if k != "exclude_creator_ids" and v not in ((), None)
    }
    if wire:
        body["filters"] = wire
    return body


@dataclass
class _ClientResult:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _run_clients(
    base_url: str,
    api_key: str,
    clients: int,
    requests_per_client: int,
    make_body: Callable[[], dict[str, Any]],
    *,
    path: str = "/v1/match",
) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, send
    ``requests_per_client`` POSTs to ``path`` after a common start; the bodies are built
    before the start. Latencies are of 200 answers; throughput is answers per wall second."""
    import httpx

    results = [_ClientResult() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(out: _ClientResult) -> None:
        with httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=REQUEST_TIMEOUT_S,
        ) as client:
            bodies = [make_body() for _ in range(requests_per_client)]
            barrier.wait()
            for body in bodies:
                if time.perf_counter() > deadline[0]:
                    out.errors.append("deadline")
                    break
                t0 = time.perf_counter()
                try:
                    response = client.post(path, json=body)
                except httpx.HTTPError as exc:
                    out.errors.append(type(exc).__name__)
                    continue
                elapsed = time.perf_counter() - t0
                if response.status_code == 200:
                    out.latencies.append(elapsed)
                else:
                    out.errors.append(f"HTTP {response.status_code}")

    threads = [threading.Thread(target=worker, args=(r,), daemon=True) for r in results]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + LEVEL_DEADLINE_S
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(LEVEL_DEADLINE_S + REQUEST_TIMEOUT_S + 5)
    wall = time.perf_counter() - started
    latencies = [x for r in results for x in r.latencies]
    errors = [e for r in results for e in r.errors]
    return {
        "clients": clients,
        "requests_per_client": requests_per_client,
        "ok": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "wall_s": round(wall, 2),
        "matches_per_s": round(len(latencies) / wall, 1) if wall > 0 else None,
        "latency": _stats(latencies),
    }


_SERVE = "import sys; from cli.main import app; sys.exit(app())"


def _product_env(cfg: Setup) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CREATORMATCH_DATABASE_URL=cfg.database_url,
        CREATORMATCH_DATA_DIR=str(cfg.data_dir),
        # As `creatormatch serve` runs: the worker's first pass loads the index, the side
        # state and the model, and /readyz waits for it.
        CREATORMATCH_INDEX_WORKER="true",
        CREATORMATCH_EMBEDDER=cfg.embedder,
        CREATORMATCH_API_KEY_PEPPER=cfg.pepper,
        CREATORMATCH_ENVIRONMENT="development",
        CREATORMATCH_LOG_LEVEL="WARNING",
        # The per-key limiter (600 a minute by default) would answer 429 to the load test.
        CREATORMATCH_RATE_LIMIT_PER_MINUTE=str(BENCH_RATE_LIMIT_PER_MINUTE),
    )
    return env


def _product_command(port: int) -> list[str]:
    # What the `creatormatch` script runs. Not `python -m cli.main`: run as __main__,
    # cli.main is imported a second time by cli.outreach, a circular import.
    return [sys.executable, "-c", _SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def _server(
    command: list[str], env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A server child process, its output in ``log_path``; stopped on exit (its log tail is
    printed if the block raised)."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=str(Path(__file__).resolve().parents[1]),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc
        except BaseException:
            _log(f"{log_path.name} tail:\n" + "\n".join(_tail(log_path, 30)))
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def http(cfg: Setup, queries: int) -> dict[str, Any]:
    import httpx

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = cfg.data_dir / "server.log"
    out: dict[str, Any] = {
        "server": "uvicorn, 1 process, create_app(Settings()) from env, index worker on",
        "rate_limit_per_minute": BENCH_RATE_LIMIT_PER_MINUTE,
    }
    with _server(_product_command(port), _product_env(cfg), log_path) as proc:
        out.update(_http_measure(proc, base_url, cfg, queries, httpx))
    tail = _tail(log_path, 5)
    if tail:
        out["server_log_tail"] = tail
    return out


def _tail(path: Path, lines: int) -> list[str]:
    return path.read_text(errors="replace").strip().splitlines()[-lines:]


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, timeout_s: float) -> float:
    """Seconds until ``GET /readyz`` answers 200; raises if the server dies or times out."""
    import httpx

    started = time.perf_counter()
    deadline = started + timeout_s
    with httpx.Client(base_url=base_url, timeout=2.0) as probe:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            try:
                if probe.get("/readyz").status_code == 200:
                    return round(time.perf_counter() - started, 2)
            except httpx.HTTPError:
                pass
            # Wait a little, but wake up at once if the server dies.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.25)
    raise RuntimeError("the server did not become ready")


def _http_measure(
    proc: subprocess.Popen[bytes], base_url: str, cfg: Setup, queries: int, httpx: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["ready_after_s"] = _wait_ready(proc, base_url, SERVER_READY_TIMEOUT_S)
    out["server_rss_mb_when_ready"] = _rss_mb(proc.pid)

    bands = _filter_bands()
    stream = BriefStream(start=1_000_000)
    headers = {"Authorization": f"Bearer {cfg.api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=WARMUP_TIMEOUT_S) as client:
        _log("HTTP warm-up (one request per filter case)")
        t0 = time.perf_counter()
        first = client.post(
            "/v1/match", json=_request_body(stream.next()[1], bands["unfiltered"][0][1])
        )
        out["first_request_s"] = round(time.perf_counter() - t0, 2)
        if first.status_code != 200:
            raise RuntimeError(f"warm-up failed: HTTP {first.status_code} {first.text[:500]}")
        out["first_response_results"] = len(first.json()["results"])
        for band_cases in bands.values():
            for _name, filters in band_cases:
                client.post("/v1/match", json=_request_body(stream.next()[1], filters))
    out["server_rss_mb_after_warmup"] = _rss_mb(proc.pid)

    single: dict[str, Any] = {}
    for band, cases in bands.items():
        _log(f"HTTP one client: {band}")
        counter = [0]

        def body(
            cases: list[tuple[str, Any]] = cases, counter: list[int] = counter
        ) -> dict[str, Any]:
            filters = cases[counter[0] % len(cases)][1]
            counter[0] += 1
            return _request_body(stream.next()[1], filters)

        single[band] = _run_clients(base_url, cfg.api_key, 1, queries, body)
    repeated_text = stream.next()[1]
    unfiltered = bands["unfiltered"][0][1]
    _log("HTTP one client: repeated brief (query cache warm)")
    single["repeated_brief_unfiltered"] = _run_clients(
        base_url, cfg.api_key, 1, queries, lambda: _request_body(repeated_text, unfiltered)
    )
    out["single_client"] = single

    concurrent: list[dict[str, Any]] = []
    for clients in CONCURRENCY:
        _log(f"HTTP {clients} concurrent clients")
        per_client = max(5, queries // clients)
        level = _run_clients(
            base_url,
            cfg.api_key,
            clients,
            per_client,
            lambda: _request_body(stream.next()[1], unfiltered),
        )
        level["load_avg_after"] = _load()
        concurrent.append(level)
    out["concurrent_unfiltered_distinct_briefs"] = concurrent
    out["server_rss_mb_at_end"] = _rss_mb(proc.pid)
    out["server_peak_rss_mb"] = _rss_mb(proc.pid, "VmHWM")
    return out


# --------------------------------------------------------------------------- anchor

# Concurrency levels of the comparison with the anchor.
BASELINE_LEVELS = (1, 8)
BASELINE_WARMUP = 10  # requests to each service before the rounds (not measured)
SANITY_BRIEFS = 44  # briefs whose top 20 are compared between the services (not timed)
# What each round reports per service and level, and the medians and ratios are taken of.
BASELINE_METRICS = ("p50_ms", "p99_ms", "matches_per_s", "server_cpu_ms_per_match")
# HNSW candidates the anchor reranks: the product's MIN_CANDIDATES at k = 20.
ANCHOR_CANDIDATES = 100


def _export_anchor_vectors(cfg: Setup, model_name: str, path: Path) -> dict[str, Any]:
    """Write the organisation's stored creator vectors (the rows the product's index is built
    from), with each creator's handle, followers and engagement rate, to ``path`` (.npz) for
    :mod:`bench.anchor_service`. Returns a report and, under ``"_categories"``, each creator's
    categories (for the sanity check; removed before printing)."""
    from sqlalchemy import select

    from models import Creator, CreatorEmbedding
    from storage.database import Database

    ids: list[int] = []
    blobs: list[bytes] = []
    handles: list[str] = []
    followers: list[int] = []
    engagement: list[float] = []
    categories: dict[int, list[str]] = {}
    database = Database(cfg.database_url)
    try:
        with database.session() as session, _Timer() as timer:
            rows = session.execute(
                select(
                    CreatorEmbedding.creator_id,
                    CreatorEmbedding.vector,
                    Creator.handle,
                    Creator.followers,
                    Creator.engagement_rate,
                    Creator.categories,
                )
                .join(Creator, Creator.id == CreatorEmbedding.creator_id)
                .where(
                    CreatorEmbedding.organization_id == cfg.organization_id,
                    CreatorEmbedding.model_name == model_name,
                )
                .order_by(CreatorEmbedding.creator_id)
                .execution_options(yield_per=VECTOR_BATCH)
            )
            for cid, blob, handle, n_followers, rate, cats in rows:
                ids.append(int(cid))
                blobs.append(bytes(blob))
                handles.append(str(handle))
                followers.append(-1 if n_followers is None else int(n_followers))
                engagement.append(np.nan if rate is None else float(rate))
                categories[int(cid)] = list(cats or [])
    finally:
        database.dispose()
    if not ids:
        raise RuntimeError(f"no stored vectors of {model_name!r} to hand to the anchor")
    vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(ids), -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        ids=np.asarray(ids, dtype=np.int64),
        vectors=vectors.astype(np.float32),
        engagement=np.asarray(engagement, dtype=np.float32),
        followers=np.asarray(followers, dtype=np.int64),
        handles=np.asarray(handles),
    )
    return {
        "source": "creator_embeddings (the rows the product's index is built from)",
        "model_name": model_name,
        "creators": len(ids),
        "dim": int(vectors.shape[1]),
        "engagement_known": int(np.count_nonzero(~np.isnan(np.asarray(engagement)))),
        "export_s": round(timer.seconds, 2),
        "file_bytes": path.stat().st_size,
        "_categories": categories,
    }


def _build_index(cfg: Setup, embedder: Any, build_threads: int) -> dict[str, Any]:
    """``MatchService.build_index`` as ``creatormatch index build`` runs it (every core)."""
    from matcher.index import configure_faiss_threads
    from matcher.service import MatchService
    from storage.database import Database

    service = MatchService(cfg.data_dir / "indexes", lambda: embedder, faiss_threads=None)
    database = Database(cfg.database_url)
    threads = build_threads or os.cpu_count() or 1
    _log(f"building the index (MatchService.build_index, {threads} FAISS threads)")
    try:
        configure_faiss_threads(threads)
        with database.session() as session, _Timer() as timer:
            summary = service.build_index(session, cfg.organization_id)
    finally:
        configure_faiss_threads(1)
        database.dispose()
    return {
        "kind": summary.kind,
        "creators": summary.creators,
        "faiss_threads": threads,
        "build_s": round(timer.seconds, 2),
    }


@dataclass(frozen=True)
class _Service:
    name: str
    base_url: str
    path: str
    proc: subprocess.Popen[bytes]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _feed(texts: Sequence[str]) -> Callable[[], dict[str, Any]]:
    """Request bodies for ``texts`` in order, one per call (thread-safe); the same body for
    both services: brief and k only."""
    it = iter(texts)
    lock = threading.Lock()

    def body() -> dict[str, Any]:
        with lock:
            return {"brief": next(it), "k": K}

    return body


def _level_figures(level: dict[str, Any]) -> dict[str, Any]:
    lat = level["latency"]
    return {
        "p50_ms": lat.get("p50_ms"),
        "p99_ms": lat.get("p99_ms"),
        "matches_per_s": level["matches_per_s"],
        "ok": level["ok"],
        "errors": level["errors"],
        **({"error_kinds": level["error_kinds"]} if level["errors"] else {}),
    }


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(float(np.median(present)), 2) if present else None


def _ratio(ours: float | None, anchor: float | None) -> float | None:
    return round(ours / anchor, 3) if ours is not None and anchor else None


def _sanity(
    services: Sequence[_Service],
    api_key: str,
    briefs: Sequence[tuple[str, str]],
    categories: dict[int, list[str]],
) -> dict[str, Any]:
    """Not timed: for the same briefs, the share of each service's top 20 that carries the
    brief's niche, and how much the two top 20s overlap."""
    import httpx

    tops: dict[str, list[list[int]]] = {s.name: [] for s in services}
    for service in services:
        with httpx.Client(
            base_url=service.base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=REQUEST_TIMEOUT_S,
        ) as client:
            for _niche, text in briefs:
                response = client.post(service.path, json={"brief": text, "k": K})
                response.raise_for_status()
                tops[service.name].append(
                    [int(r["creator_id"]) for r in response.json()["results"]]
                )
    out: dict[str, Any] = {
        "what": "share of the top 20 carrying the brief's niche, and the share of the "
        "product's top 20 the anchor also returns (same briefs, not timed)",
        "briefs": len(briefs),
    }
    for name, lists in tops.items():
        shares = [
            float(np.mean([niche in categories.get(c, []) for c in top])) if top else 0.0
            for (niche, _text), top in zip(briefs, lists, strict=True)
        ]
        out[f"{name}_niche_share_top20"] = round(float(np.mean(shares)), 3)
    overlap = [
        len(set(a) & set(b)) / max(len(a), 1)
        for a, b in zip(tops["ours"], tops["anchor"], strict=True)
    ]
    out["overlap_top20"] = round(float(np.mean(overlap)), 3)
    return out


def baseline(
    cfg: Setup, model_name: str, queries: int, rounds: int, seed: int, omp_wait: str = "passive"
) -> dict[str, Any]:
    """The product and the naive anchor (:mod:`bench.anchor_service`) on the same vectors,
    both running, loaded in turn with the same unique briefs: in round r each service gets
    the same fresh briefs, at 1 then 8 clients; the order alternates (ours first in
    rounds 1, 3, ..., the anchor first in rounds 2, 4, ...) so that drift in the machine's
    load cancels. Each level also reports the server's CPU time per answer."""
    import httpx

    from bench.anchor_service import RERANK_COSINE
    from matcher.brief import parse_brief
    from matcher.index import HNSWParams

    hnsw = HNSWParams()
    anchor_dir = cfg.data_dir / "anchor"
    _log("exporting the stored vectors for the anchor")
    export = _export_anchor_vectors(cfg, model_name, anchor_dir / "vectors.npz")
    categories = export.pop("_categories")

    per_level = {clients: max(clients, queries // clients * clients) for clients in BASELINE_LEVELS}
    stream = UniqueBriefs(seed)
    warmup = stream.take(2 * BASELINE_WARMUP)
    sanity_briefs = stream.take(SANITY_BRIEFS)
    planned = [{c: stream.take(m) for c, m in per_level.items()} for _ in range(rounds)]
    texts = [t for _n, t in warmup + sanity_briefs] + [
        t for r in planned for level in r.values() for _n, t in level
    ]
    assert len(set(texts)) == len(texts)
    leaking = [t for t in texts if parse_brief(t).platforms or parse_brief(t).languages]
    if leaking:
        raise RuntimeError(f"briefs that would add platform/language filters: {leaking[:3]}")

    out: dict[str, Any] = {
        "what": "the product vs a naive anchor, same vectors, same briefs, same client",
        "anchor": {
            "service": "bench/anchor_service.py: FastAPI + sentence-transformers MiniLM in "
            "torch fp32 + FAISS IndexHNSWFlat + a numpy rerank "
            f"({RERANK_COSINE} x cosine + {1 - RERANK_COSINE:.1f} x engagement min-max "
            f"normalised over the candidates) of {ANCHOR_CANDIDATES} candidates, uvicorn, "
            "1 process, a sync route (FastAPI's thread pool)",
            "candidates": ANCHOR_CANDIDATES,
            "omp_wait_policy": omp_wait,
            "hnsw_m": hnsw.m,
            "hnsw_ef_construction": hnsw.ef_construction,
            "hnsw_ef_search": hnsw.ef_search,
            "vectors": export,
        },
        "ours": {
            "service": "creatormatch serve: uvicorn 1 process, index worker on, POST /v1/match",
            "embedder_setting": cfg.embedder,
            "model_name": model_name,
        },
        "load_generator": {
            "client": "httpx.Client per client thread, keep-alive, same headers, bodies "
            f'{{"brief": <unique text>, "k": {K}}} built before the start',
            "levels": list(BASELINE_LEVELS),
            "requests_per_level": per_level,
            "rounds": rounds,
            "order": "rounds 1, 3, 5, ...: ours then anchor; rounds 2, 4, 6, ...: anchor then ours",
            "unique_briefs": len(texts),
            "brief_combinations": stream.combinations,
            "example_briefs": [t for _n, t in warmup[:3]],
        },
    }
    env_anchor = dict(os.environ)
    env_anchor.setdefault("HF_HUB_OFFLINE", "1")
    if omp_wait == "passive":
        # torch's libgomp threads spin-wait between parallel regions by default; with more
        # runnable threads than cores, one request at a time then took ~10x longer, and
        # far less right after an 8-client level (more OpenMP threads than cores make
        # libgomp throttle its spinning), so the anchor's 1-client figures depended on
        # what ran before them. Passive waiting is the anchor at its best (the product's
        # ONNX session also turns spinning off).
        env_anchor["OMP_WAIT_POLICY"] = "PASSIVE"
    else:
        env_anchor.pop("OMP_WAIT_POLICY", None)
    anchor_port, ours_port = _free_port(), _free_port()
    anchor_cmd = [
        sys.executable,
        "-m",
        "bench.anchor_service",
        "--vectors",
        str(anchor_dir / "vectors.npz"),
        "--port",
        str(anchor_port),
        "--hnsw-m",
        str(hnsw.m),
        "--ef-construction",
        str(hnsw.ef_construction),
        "--ef-search",
        str(hnsw.ef_search),
        "--candidates",
        str(ANCHOR_CANDIDATES),
    ]
    with contextlib.ExitStack() as stack:
        _log("starting the product server")
        ours_proc = stack.enter_context(
            _server(_product_command(ours_port), _product_env(cfg), cfg.data_dir / "server.log")
        )
        out["ours"]["ready_after_s"] = _wait_ready(
            ours_proc, f"http://127.0.0.1:{ours_port}", SERVER_READY_TIMEOUT_S
        )
        _log("starting the anchor server")
        anchor_proc = stack.enter_context(
            _server(anchor_cmd, env_anchor, anchor_dir / "anchor.log")
        )
        out["anchor"]["ready_after_s"] = _wait_ready(
            anchor_proc, f"http://127.0.0.1:{anchor_port}", SERVER_READY_TIMEOUT_S
        )
        out["anchor"]["readyz"] = httpx.get(f"http://127.0.0.1:{anchor_port}/readyz").json()
        services = (
            _Service("ours", f"http://127.0.0.1:{ours_port}", "/v1/match", ours_proc),
            _Service("anchor", f"http://127.0.0.1:{anchor_port}", "/match", anchor_proc),
        )
        headers = {"Authorization": f"Bearer {cfg.api_key}"}
        for i, service in enumerate(services):
            _log(f"warming up {service.name}")
            with httpx.Client(
                base_url=service.base_url, headers=headers, timeout=WARMUP_TIMEOUT_S
            ) as client:
                for _niche, text in warmup[i * BASELINE_WARMUP : (i + 1) * BASELINE_WARMUP]:
                    response = client.post(service.path, json={"brief": text, "k": K})
                    if response.status_code != 200:
                        raise RuntimeError(
                            f"{service.name} warm-up: HTTP {response.status_code} "
                            f"{response.text[:300]}"
                        )
            out[service.name]["rss_mb_after_warmup"] = _rss_mb(service.proc.pid)

        rounds_out: list[dict[str, Any]] = []
        for r, plan in enumerate(planned):
            order = services if r % 2 == 0 else services[::-1]
            entry: dict[str, Any] = {"round": r + 1, "order": [s.name for s in order]}
            for service in order:
                figures: dict[str, Any] = {"load_avg_before": _load()}
                for clients, briefs in plan.items():
                    _log(f"round {r + 1}/{rounds}: {service.name}, {clients} client(s)")
                    cpu_before = _cpu_s(service.proc.pid)
                    level = _run_clients(
                        service.base_url,
                        cfg.api_key,
                        clients,
                        per_level[clients] // clients,
                        _feed([t for _n, t in briefs]),
                        path=service.path,
                    )
                    figures[f"clients_{clients}"] = _level_figures(level)
                    # CPU the server spent per answer (all its threads): what a match costs
                    # whatever else the machine runs, unlike wall-clock latency.
                    cpu = _cpu_s(service.proc.pid) - cpu_before
                    figures[f"clients_{clients}"]["server_cpu_ms_per_match"] = (
                        round(cpu * 1e3 / level["ok"], 2) if level["ok"] else None
                    )
                entry[service.name] = figures
            entry["ratios_ours_over_anchor"] = {
                f"clients_{c}": {
                    m: _ratio(entry["ours"][f"clients_{c}"][m], entry["anchor"][f"clients_{c}"][m])
                    for m in BASELINE_METRICS
                }
                for c in BASELINE_LEVELS
            }
            rounds_out.append(entry)
        out["rounds"] = rounds_out
        _log("sanity: the same briefs' top 20 from both services")
        out["sanity"] = _sanity(services, cfg.api_key, sanity_briefs, categories)
        for service in services:
            out[service.name]["rss_mb_at_end"] = _rss_mb(service.proc.pid)
            out[service.name]["peak_rss_mb"] = _rss_mb(service.proc.pid, "VmHWM")

    medians: dict[str, Any] = {}
    for name in ("ours", "anchor"):
        medians[name] = {
            f"clients_{c}": {
                m: _median([e[name][f"clients_{c}"][m] for e in rounds_out])
                for m in BASELINE_METRICS
            }
            for c in BASELINE_LEVELS
        }
    out["medians"] = medians
    out["ratios_ours_over_anchor"] = {
        "meaning": "ours / anchor of the medians over rounds: below 1 for p50, p99 and "
        "server_cpu_ms_per_match means the product answers faster or cheaper; above 1 for "
        "matches_per_s means it serves more",
        **{
            f"clients_{c}": {
                m: _ratio(medians["ours"][f"clients_{c}"][m], medians["anchor"][f"clients_{c}"][m])
                for m in BASELINE_METRICS
            }
            for c in BASELINE_LEVELS
        },
    }
    for name, log_path in (
        ("ours", cfg.data_dir / "server.log"),
        ("anchor", anchor_dir / "anchor.log"),
    ):
        tail = _tail(log_path, 5)
        if tail:
            out[name]["log_tail"] = tail
    return out


# --------------------------------------------------------------------------- main


def _targets(n: int, result: dict[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {"targets": TARGETS}
    build = result.get("build", {})
    if "bytes_per_creator" in build:
        checks["index_bytes_per_creator_ok"] = (
            build["bytes_per_creator"] <= TARGETS["index_max_bytes_per_creator"]
        )
    recall = result.get("in_process", {}).get("recall_vs_exact_unfiltered", {})
    if "recall_at_10" in recall:
        checks["hnsw_recall_at_10_ok"] = recall["recall_at_10"] >= TARGETS["hnsw_min_recall_at_10"]
    web = result.get("http")
    if web:
        lat = web["single_client"]["unfiltered"]["latency"]
        if n >= 1_000_000:
            checks["http_p99_1m_ok"] = lat.get("p99_ms", 1e9) <= TARGETS["http_p99_ms_at_1m"]
        else:
            checks["scale_note"] = f"n={n}; the 100k targets apply at n=100000"
            checks["http_p50_ok"] = lat.get("p50_ms", 1e9) <= TARGETS["http_p50_ms_at_100k"]
            checks["http_p99_ok"] = lat.get("p99_ms", 1e9) <= TARGETS["http_p99_ms_at_100k"]
        levels = {lv["clients"]: lv for lv in web["concurrent_unfiltered_distinct_briefs"]}
        if 8 in levels and 1 in levels:
            eight, one = levels[8]["matches_per_s"] or 0.0, levels[1]["matches_per_s"] or 0.0
            checks["concurrent_8_matches_per_s"] = eight
            checks["concurrent_8_ok"] = eight >= TARGETS["concurrent_8_min_matches_per_s"]
            checks["concurrent_8_not_below_1_ok"] = eight >= one
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="creators (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="matches per measurement")
    parser.add_argument(
        "--breakdown-queries", type=int, default=44, help="queries for the per-piece timing"
    )
    parser.add_argument("--skip-http", action="store_true", help="in-process only")
    parser.add_argument(
        "--lean",
        action="store_true",
        help=f"lean demo rows: at most {LEAN_POSTS} posts without URLs (faster import at 1M)",
    )
    parser.add_argument(
        "--data-dir",
        default="",
        help="keep the database and indexes here (default: a temporary directory, removed)",
    )
    parser.add_argument(
        "--http-only",
        action="store_true",
        help="only the HTTP part, against the --data-dir of an earlier run (a new API key)",
    )
    parser.add_argument(
        "--build-threads",
        type=int,
        default=0,
        help="FAISS threads for the index build (default 0: every core, as `index build`)",
    )
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="instead of the in-process and HTTP parts: the product against the naive anchor "
        "(bench/anchor_service.py) on the same vectors, same briefs, in alternating rounds",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="--baseline: rounds of ours + anchor (default 4)"
    )
    parser.add_argument(
        "--anchor-omp-wait",
        choices=("passive", "default"),
        default="passive",
        help="--baseline: OMP_WAIT_POLICY=PASSIVE for the anchor's torch (default), or "
        "libgomp's spinning default",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--prototypes", type=int, default=PROTOTYPES_PER_CATEGORY)
    parser.add_argument(
        "--embedder",
        choices=("auto", "onnx", "torch"),
        default=os.environ.get("CREATORMATCH_EMBEDDER", "auto"),
        help="CREATORMATCH_EMBEDDER for this run and the server (default: auto)",
    )
    args = parser.parse_args()

    import torch
    from pydantic import SecretStr

    from core.settings import Settings
    from matcher.brief import parse_brief
    from matcher.service import MAX_CANDIDATES, MIN_CANDIDATES, default_matcher

    leaking = [
        b.text for b in BRIEFS if parse_brief(b.text).platforms or parse_brief(b.text).languages
    ]
    if leaking:
        raise SystemExit(f"these briefs would add platform/language filters: {leaking}")
    wall = time.perf_counter()
    load_before = _load()
    result: dict[str, Any] = {
        "benchmark": "match",
        "n": args.n,
        "load_avg_before": load_before,
        "machine": {
            "cpus": os.cpu_count(),
            "arch": platform.machine(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "settings": {
            "queries": args.queries,
            "breakdown_queries": args.breakdown_queries,
            "k": K,
            "seed": args.seed,
            "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
            "faiss_threads": 1,
            "faiss_build_threads": args.build_threads or os.cpu_count(),
            "rows": "lean" if args.lean else "rich",
            "min_max_candidates": [MIN_CANDIDATES, MAX_CANDIDATES],
            "briefs": len(BRIEFS),
            "brief_languages": sorted({b.language for b in BRIEFS}),
            "distinct_brief_texts": True,
        },
    }
    if args.http_only and not args.data_dir:
        raise SystemExit("--http-only needs the --data-dir of an earlier run")
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            tmp = Path(args.data_dir)
            tmp.mkdir(parents=True, exist_ok=True)
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-match-")))
        _log("loading the embedding model")
        settings = Settings(
            _env_file=None,
            data_dir=tmp,
            database_url=args.database_url,
            index_worker=False,
            api_key_pepper=SecretStr("bench-match-pepper"),
            embedder=args.embedder,
        )
        # The embedder api.app.default_matcher builds, so that the server finds the index
        # built here current (the index is keyed by the embedder's name).
        with _Timer() as model_timer:
            embedder = default_matcher(settings).embedder
        result["settings"]["embedder_setting"] = settings.embedder
        result["settings"]["model"] = embedder.name
        result["settings"]["embedder_class"] = type(embedder).__name__
        result["settings"]["embedder_load_s"] = round(model_timer.seconds, 1)
        if args.http_only:
            cfg = reuse(settings)
            result["setup"] = cfg.report
        else:
            _log(f"setting up {args.n} creators")
            with _Timer() as setup_timer:
                cfg = setup(settings, args.n, args.seed, embedder, args.prototypes, lean=args.lean)
            result["setup"] = {**cfg.report, "setup_s": round(setup_timer.seconds, 1)}
            if args.baseline:
                result["build"] = _build_index(cfg, embedder, args.build_threads)
            else:
                build, match = in_process(
                    cfg, embedder, args.queries, args.breakdown_queries, args.build_threads
                )
                result["build"] = build
                result["in_process"] = match
                result["load_avg_after_in_process"] = _load()
        if args.baseline:
            result["baseline"] = baseline(
                cfg, embedder.name, args.queries, args.rounds, args.seed, args.anchor_omp_wait
            )
        elif not args.skip_http:
            result["http"] = http(cfg, args.queries)
    result["load_avg_after"] = _load()
    result["total_s"] = round(time.perf_counter() - wall, 1)
    if not args.baseline:
        result["checks"] = _targets(args.n, result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
