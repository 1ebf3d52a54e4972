"""The match service: the database side of the matcher.

It keeps, per organisation, the live state a match needs in memory: the FAISS index (in an
:class:`~matcher.index.IndexHolder`), the filter catalog, the BM25 index and precomputed
authenticity scores. The database is the truth: vectors live in ``creator_embeddings`` and
the index is a derived artefact under ``<data_dir>/indexes/<organisation id>/``.

A match: parse the brief, turn the hard filters into an id set (catalog), search dense and
lexical candidates *with* that id set, fuse them, load the candidates' rows, score every
component with its reasons, combine with the objective's weights, sort, page.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

import numpy as np
from sqlalchemy.orm import Session

from core.errors import InvalidInputError, NotFoundError, UnavailableError
from core.settings import Settings
from core.tiers import Tier, tier_bounds
from creators.service import STORED_FIELDS, row_values
from matcher.authenticity import AuthenticityModel, AuthenticityScore
from matcher.brief import Brief, Objective, TargetAudience, parse_brief
from matcher.cache import LRUCache
from matcher.catalog import Catalog, CatalogRow, HardFilters
from matcher.documents import creator_document, document_hash
from matcher.embedder import Embedder
from matcher.fusion import FusedHit
from matcher.index import (
    IndexHolder,
    IndexNeedsRebuildError,
    VectorIndex,
    configure_faiss_threads,
)
from matcher.lexical import BM25Index
from matcher.ranking import (
    MatchHit,
    candidates_from_fused,
    catalog_row,
    explain,
    wishes_for,
)
from matcher.retrieval import retrieve_pooled
from matcher.scorer import Candidates, Wishes, score_candidates, strengths_for, wish_fit
from matcher.scoring import (
    CONFLICT_WINDOW_DAYS,
    SAFETY_CATEGORY_ORDER,
    audience_fit,
    brand_needle,
    recent_competitor_mentions,
)
from models import Creator
from storage.repositories.creators import CreatorRepository
from storage.repositories.embeddings import EmbeddingRepository
from storage.repositories.organizations import OrganizationRepository

__all__ = [
    "BuildSummary",
    "CreatorNotIndexedError",
    "IndexNotReadyError",
    "IndexWorker",
    "MatchFilters",
    "MatchHit",
    "MatchPage",
    "MatchService",
    "creator_data",
    "default_matcher",
]

_log = logging.getLogger("creatormatch.matcher")

# How many fused candidates are scored for a page: enough that the component scores can
# reorder the retrieval ranking, few enough to stay within a few milliseconds.
MIN_CANDIDATES = 100
MAX_CANDIDATES = 500
# A brief without a niche scores this many of the allowed creators by its wishes alone.
MAX_NICHELESS = 20_000
# The wish pool: creators whose wish fit is at least this share of the best one's, and at
# least this many of them.
WISH_POOL_SHARE = 0.8
WISH_POOL_MIN = 200


# ~3-5 KB per cached record (the results shown, with their reasons).
RECORD_CACHE_SIZE = 20_000


class IndexNotReadyError(UnavailableError):
    """The organisation's index is not built yet (the background worker is on it)."""

    code = "index_not_ready"
    title = "Index not ready"

    def __init__(self, organization_id: int, reason: str) -> None:
        super().__init__(
            f"the creator index of organisation {organization_id} is not built yet ({reason}); "
            "it is being built in the background, or run `creatormatch index build`"
        )
        self.organization_id = organization_id


class CreatorNotIndexedError(UnavailableError):
    """The creator was added after the index was last built (503 until the next update): a
    lookalike search needs its vector."""

    code = "creator_not_indexed"
    title = "Creator not indexed yet"

    def __init__(self, creator_id: int) -> None:
        super().__init__(
            f"creator {creator_id} is not in the index yet: the index worker adds it, or run "
            "`creatormatch index build`"
        )
        self.creator_id = creator_id


# What the matcher reads of a creator: the record without contact and provenance fields.
_MATCH_FIELDS = tuple(
    name for name in STORED_FIELDS if name not in {"profile_url", "email", "source", "updated_at"}
)


def creator_data(creator: Creator) -> dict[str, Any]:
    """A stored creator as a plain creator-record dict with its id (no re-validation)."""
    return {"id": creator.id, **row_values(creator, _MATCH_FIELDS)}


@dataclass(frozen=True)
class MatchFilters:
    """Hard filters of a match request; every result passes all of them."""

    platforms: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = ()
    min_followers: int | None = None
    max_followers: int | None = None
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_engagement: float | None = None
    max_cost_usd: float | None = None
    exclude_creator_ids: tuple[int, ...] = ()
    # Leave out creators who posted about a competitor of the brief within the window (the
    # scored "conflicts" component still marks older and undated mentions).
    exclude_competitor_mentions: bool = True
    competitor_window_days: int = CONFLICT_WINDOW_DAYS
    # With a budget, creators costing more than all of it are left out unless this is set.
    include_over_budget: bool = False

    def hard(self) -> HardFilters:
        return HardFilters(
            platforms=self.platforms,
            follower_ranges=tuple(tier_bounds(t) for t in self.tiers),
            min_followers=self.min_followers,
            max_followers=self.max_followers,
            countries=self.countries,
            languages=self.languages,
            min_engagement=self.min_engagement,
            max_cost_usd=self.max_cost_usd,
            exclude_ids=frozenset(self.exclude_creator_ids),
        )


@dataclass(frozen=True)
class MatchPage:
    brief: Brief
    applied_filters: MatchFilters
    total_candidates: int
    hits: tuple[MatchHit, ...]
    next_offset: int | None
    index_kind: str
    exact: bool
    # Creators left out because they mentioned a competitor within the window.
    competitor_excluded: frozenset[int] = frozenset()

    def applied_summary(self) -> dict[str, Any]:
        """The filters the match applied, as plain JSON types, only those set; the
        competitor-mention exclusion as one entry with its brands, window and how many
        creators it left out (the API's ``applied_filters``)."""
        filters = self.applied_filters
        applied: dict[str, Any] = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in vars(filters).items()
            if value not in ((), None, frozenset())
            and key not in ("exclude_competitor_mentions", "competitor_window_days")
        }
        if self.brief.competitor_brands and filters.exclude_competitor_mentions:
            applied["competitor_mentions_excluded"] = {
                "brands": list(self.brief.competitor_brands),
                "window_days": filters.competitor_window_days,
                "creators": len(self.competitor_excluded),
            }
        return applied


@dataclass(frozen=True)
class BuildSummary:
    encoded: int
    unchanged: int
    creators: int
    kind: str
    seconds: float
    path: str


@dataclass
class _OrgState:
    """What one organisation's matches read, swapped as a whole on rebuilds."""

    holder: IndexHolder
    catalog: Catalog
    lexical: BM25Index | None
    authenticity: dict[int, AuthenticityScore]
    model: AuthenticityModel | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (competitors, window, day) -> creators who mentioned one within the window; cleared
    # whenever creators change.
    competitor_mentions: dict[tuple[frozenset[str], int, str], frozenset[int]] = field(
        default_factory=dict
    )
    # Recently shown results' records (for their reasons), so a match reads the database
    # only for creators it has not shown lately. Entries of a creator are dropped when it
    # changes (sync) or goes (forget).
    records: LRUCache[int, dict[str, Any]] = field(
        default_factory=lambda: LRUCache(RECORD_CACHE_SIZE)
    )

    def changed(self, creator_ids: Iterable[int]) -> None:
        """Forget what is cached about these creators."""
        self.records.discard(list(creator_ids))
        self.competitor_mentions.clear()


def _lexical_index(ids: Sequence[int], documents: Sequence[str]) -> BM25Index | None:
    """BM25 over the creators' documents (None for an organisation without creators)."""
    if not documents:
        return None
    return BM25Index().fit(np.asarray(ids, dtype=np.int64), documents)


# What the side state reads of a creator: the catalog's filter and scoring columns (the
# cost inputs, engagement, audience, past collaborations, brand-safety keywords), the
# authenticity features, and the fields of the BM25 document (matcher.documents.
# creator_document: bio, categories, recent posts). Not the handle or names, which only the
# results shown read.
_DOCUMENT_COLUMNS = (Creator.bio, Creator.categories, Creator.recent_posts)
_SIDE_COLUMNS = (
    Creator.platform,
    Creator.country,
    Creator.language,
    Creator.followers,
    Creator.avg_likes,
    Creator.avg_comments,
    Creator.avg_views,
    Creator.posts_per_month,
    Creator.engagement_rate,
    Creator.engagement_rate_computed,
    Creator.rates,
    Creator.audience,
    Creator.brands_mentioned,
    *_DOCUMENT_COLUMNS,
)
# Creators read per query while the side state is built.
SIDE_STATE_BATCH = 2_000
# The record fields of matcher.features.creator_features, which is all the authenticity
# model reads.
_FEATURE_NUMBERS = (
    "followers",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "engagement_rate",
    "posts_per_month",
)


def _interned(value: str | None) -> str | None:
    # Platforms, countries and languages repeat: one string object each, not one per row.
    return None if value is None else sys.intern(value)


class _Documents(Sequence[str]):
    """BM25 documents kept UTF-8 encoded until the fit reads them: most demo documents hold an
    emoji, so as ``str`` they take 4 bytes a character (~2.3 KB a creator), ~4x their UTF-8."""

    def __init__(self) -> None:
        self._encoded: list[bytes] = []

    def append(self, document: str) -> None:
        self._encoded.append(document.encode())

    def __len__(self) -> int:
        return len(self._encoded)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [doc.decode() for doc in self._encoded[index]]
        return self._encoded[index].decode()


class _FeatureRecords(Sequence[Mapping[str, Any]]):
    """The authenticity inputs of every creator, column-wise: the platform and the
    :data:`_FEATURE_NUMBERS` as float64 (NaN = unknown, which the features read as missing,
    like None). Items are record dicts made on access: a list of 1M dicts would cost
    ~0.5 GB, these columns 56 MB."""

    def __init__(self) -> None:
        self.platforms: list[str | None] = []
        self.numbers = {name: array("d") for name in _FEATURE_NUMBERS}

    def append(self, record: Mapping[str, Any]) -> None:
        self.platforms.append(_interned(record.get("platform")))
        for name, column in self.numbers.items():
            value = record.get(name)
            column.append(math.nan if value is None else float(value))

    def __len__(self) -> int:
        return len(self.platforms)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        record: dict[str, Any] = {"platform": self.platforms[index]}
        for name, column in self.numbers.items():
            record[name] = column[index]
        return record


def _catalog_row(data: Mapping[str, Any]) -> CatalogRow:
    return catalog_row(data, None)


def _new_catalog(rows: Sequence[CatalogRow]) -> Catalog:
    return Catalog(rows, safety_categories=len(SAFETY_CATEGORY_ORDER))


class MatchService:
    """Per-process matcher state for every organisation, and the use cases on it."""

    def __init__(
        self,
        index_dir: Path,
        embedder_factory: Callable[[], Embedder],
        *,
        faiss_threads: int | None = 1,
    ) -> None:
        self.index_dir = index_dir
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._states: dict[int, _OrgState] = {}
        self._lock = threading.Lock()
        self._load_locks: dict[int, threading.Lock] = {}
        if faiss_threads is not None:
            configure_faiss_threads(faiss_threads)

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use (once per process)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            return self._embedder

    def _dir(self, organization_id: int) -> Path:
        return self.index_dir / str(organization_id)

    def is_loaded(self, organization_id: int) -> bool:
        return organization_id in self._states

    def loaded_sizes(self) -> dict[int, int]:
        """Organisation id -> creators in its live index."""
        return {org: len(s.holder.current) for org, s in self._states.items() if s.holder.is_built}

    # ------------------------------------------------------------------ encoding

    def _encode(
        self,
        session: Session,
        organization_id: int,
        creators: Sequence[Creator],
        *,
        progress: Callable[[int], object] | None = None,
    ) -> tuple[list[int], np.ndarray[Any, np.dtype[np.float32]], int]:
        """Encode the creators whose document changed; store their vectors.

        Returns the ids encoded, their vectors, and how many were unchanged.
        """
        embedder = self.embedder
        repo = EmbeddingRepository(session)
        stored = repo.hashes([c.id for c in creators])
        ids: list[int] = []
        texts: list[str] = []
        hashes: list[str] = []
        unchanged = 0
        for creator in creators:
            text = creator_document(creator_data(creator))
            text_hash = document_hash(text, embedder.name)
            if stored.get(creator.id) == (embedder.name, text_hash):
                unchanged += 1
                continue
            ids.append(creator.id)
            texts.append(text)
            hashes.append(text_hash)
        vectors = (
            embedder.encode(texts, batch_size=64)
            if texts
            else np.empty((0, embedder.dim), dtype=np.float32)
        )
        repo.upsert(
            organization_id,
            [
                (cid, embedder.name, h, vectors[i].astype("<f4").tobytes(), embedder.dim)
                for i, (cid, h) in enumerate(zip(ids, hashes, strict=True))
            ],
        )
        if progress is not None:
            progress(len(creators))
        return ids, vectors, unchanged

    def encode_pending(
        self,
        session: Session,
        organization_id: int,
        *,
        batch_size: int = 256,
        progress: Callable[[int], object] | None = None,
    ) -> tuple[int, int]:
        """Encode queued creators and those without a vector for the current model.

        Each batch is flushed with its dequeue, so a crash loses at most the batch in hand
        and the queue still holds it. Returns (encoded, unchanged).
        """
        repo = EmbeddingRepository(session)
        encoded = unchanged = 0
        while True:
            queued = repo.queued(organization_id, limit=batch_size)
            if not queued:
                break
            ids, _vectors, same = self._encode(session, organization_id, queued, progress=progress)
            repo.dequeue([c.id for c in queued])
            session.flush()
            encoded += len(ids)
            unchanged += same
        while True:
            missing = repo.missing(organization_id, self.embedder.name, limit=batch_size)
            if not missing:
                break
            ids, _vectors, same = self._encode(session, organization_id, missing, progress=progress)
            session.flush()
            encoded += len(ids)
            unchanged += same
        return encoded, unchanged

    # ------------------------------------------------------------------ state

    def _load_vectors(self, session: Session, organization_id: int) -> VectorIndex:
        embedder = self.embedder
        id_parts: list[np.ndarray[Any, np.dtype[np.int64]]] = []
        vec_parts: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        repo = EmbeddingRepository(session)
        for batch in repo.iterate_vectors(organization_id, embedder.name):
            id_parts.append(np.fromiter((cid for cid, _ in batch), dtype=np.int64))
            raw = b"".join(vec for _, vec in batch)
            vec_parts.append(np.frombuffer(raw, dtype="<f4").reshape(len(batch), embedder.dim))
        if id_parts:
            ids = np.concatenate(id_parts)
            vectors = np.ascontiguousarray(np.concatenate(vec_parts), dtype=np.float32)
        else:
            ids = np.empty(0, dtype=np.int64)
            vectors = np.empty((0, embedder.dim), dtype=np.float32)
        return VectorIndex.build(ids, vectors, model_name=embedder.name)

    def _side_state(
        self, session: Session, organization_id: int
    ) -> tuple[Catalog, BM25Index | None, dict[int, AuthenticityScore], AuthenticityModel | None]:
        """The catalog, BM25 and authenticity state, from the creators streamed in batches of
        :data:`SIDE_STATE_BATCH` with only the columns they read (see :data:`_SIDE_COLUMNS`):
        per creator it keeps a catalog row, its document and its authenticity inputs, never
        the rows themselves."""
        ids = array("q")
        catalog_rows: list[CatalogRow] = []
        documents = _Documents()
        features = _FeatureRecords()
        for batch in CreatorRepository(session).iterate_columns(
            organization_id, _SIDE_COLUMNS, batch_size=SIDE_STATE_BATCH
        ):
            for record in batch:
                ids.append(int(record["id"]))
                catalog_rows.append(_catalog_row(record))
                documents.append(creator_document(record))
                features.append(record)
        catalog = _new_catalog(catalog_rows)
        del catalog_rows
        model: AuthenticityModel | None = None
        scores: dict[int, AuthenticityScore] = {}
        if len(features):
            model = AuthenticityModel().fit(features)
            # Scores are per creator once the model is fitted: a batch at a time keeps the
            # intermediate features small.
            for start in range(0, len(features), SIDE_STATE_BATCH):
                chunk = features[start : start + SIDE_STATE_BATCH]
                scores.update(zip(ids[start : start + len(chunk)], model.score(chunk), strict=True))
        del features
        catalog.set_authenticity({cid: (s.score, s.flagged) for cid, s in scores.items()})
        return catalog, _lexical_index(ids, documents), scores, model

    def _documents(self, session: Session, organization_id: int) -> tuple[array[int], _Documents]:
        """Every creator's id and BM25 document, in id order, streamed like the side state."""
        ids = array("q")
        documents = _Documents()
        for batch in CreatorRepository(session).iterate_columns(
            organization_id, _DOCUMENT_COLUMNS, batch_size=SIDE_STATE_BATCH
        ):
            for record in batch:
                ids.append(int(record["id"]))
                documents.append(creator_document(record))
        return ids, documents

    def build_index(
        self,
        session: Session,
        organization_id: int,
        *,
        progress: Callable[[int], object] | None = None,
    ) -> BuildSummary:
        """Encode what is pending, rebuild the index from the stored vectors beside the live
        one, save it atomically and swap it in."""
        started = datetime.now(UTC)
        encoded, unchanged = self.encode_pending(session, organization_id, progress=progress)
        session.flush()
        index = self._load_vectors(session, organization_id)
        index.save(self._dir(organization_id))
        catalog, lexical, scores, model = self._side_state(session, organization_id)
        state = self._states.get(organization_id)
        if state is None:
            self._states[organization_id] = _OrgState(
                IndexHolder(index), catalog, lexical, scores, model
            )
        else:
            with state.lock:
                state.holder.rebuild(lambda: index)
                state.catalog, state.lexical = catalog, lexical
                state.authenticity, state.model = scores, model
                state.records.clear()
                state.competitor_mentions.clear()
        return BuildSummary(
            encoded=encoded,
            unchanged=unchanged,
            creators=len(index),
            kind=index.kind,
            seconds=round((datetime.now(UTC) - started).total_seconds(), 2),
            path=str(self._dir(organization_id)),
        )

    def ensure_loaded(
        self, session: Session, organization_id: int, *, build: bool = True
    ) -> _OrgState:
        """The organisation's state: in memory, else loaded from disk (checked against the
        manifest), else rebuilt from the database (or, with ``build=False``,
        :class:`IndexNotReadyError`: the API never blocks a request on a full build)."""
        state = self._states.get(organization_id)
        if state is not None:
            return state
        # One loader per organisation: concurrent first requests wait for it instead of
        # each loading the same index and rows again.
        with self._lock:
            org_lock = self._load_locks.setdefault(organization_id, threading.Lock())
        with org_lock:
            state = self._states.get(organization_id)
            if state is not None:
                return state
            return self._load(session, organization_id, build=build)

    def _load(self, session: Session, organization_id: int, *, build: bool) -> _OrgState:
        embedder = self.embedder
        try:
            index = VectorIndex.load(
                self._dir(organization_id), model_name=embedder.name, dim=embedder.dim
            )
        except IndexNeedsRebuildError as exc:
            if not build:
                raise IndexNotReadyError(organization_id, exc.message) from None
            self.build_index(session, organization_id)
            return self._states[organization_id]
        catalog, lexical, scores, model = self._side_state(session, organization_id)
        state = _OrgState(IndexHolder(index), catalog, lexical, scores, model)
        self._states[organization_id] = state
        return state

    def sync(self, session: Session, organization_id: int, *, build: bool = True) -> int:
        """Encode queued changes and apply them to the live state; returns how many creators
        changed."""
        state = self.ensure_loaded(session, organization_id, build=build)
        repo = EmbeddingRepository(session)
        changed = 0
        while True:
            queued = repo.queued(organization_id, limit=256)
            if not queued:
                break
            ids, vectors, _same = self._encode(session, organization_id, queued)
            if ids:
                state.holder.update(np.asarray(ids, dtype=np.int64), vectors)
            records = [creator_data(c) for c in queued]
            state.catalog.upsert([_catalog_row(r) for r in records])
            if state.model is not None:
                fresh = dict(
                    zip((r["id"] for r in records), state.model.score(records), strict=True)
                )
                state.authenticity.update(fresh)
                state.catalog.set_authenticity(
                    {cid: (s.score, s.flagged) for cid, s in fresh.items()}
                )
            repo.dequeue([c.id for c in queued])
            session.flush()
            state.changed(c.id for c in queued)
            changed += len(queued)
        if changed:
            self._refit_lexical(session, organization_id, state)
        return changed

    def _refit_lexical(self, session: Session, organization_id: int, state: _OrgState) -> None:
        # BM25's idf and average length are corpus-wide, so it is refitted whole; the catalog
        # and the authenticity scores were already updated creator by creator above.
        state.lexical = _lexical_index(*self._documents(session, organization_id))

    def forget(self, organization_id: int, creator_ids: Iterable[int]) -> None:
        """Drop deleted creators from the live state (the database rows are already gone)."""
        state = self._states.get(organization_id)
        if state is None:
            return
        ids = np.fromiter(creator_ids, dtype=np.int64)
        if state.holder.is_built:
            state.holder.remove(ids)
        state.catalog.remove(ids.tolist())
        state.changed(ids.tolist())
        for cid in ids.tolist():
            state.authenticity.pop(cid, None)

    # ------------------------------------------------------------------ matching

    def match(
        self,
        session: Session,
        organization_id: int,
        brief: Brief,
        *,
        filters: MatchFilters,
        weights: Mapping[str, float] | None = None,
        k: int = 20,
        offset: int = 0,
        now: datetime | None = None,
        build: bool = True,
        sources: Mapping[str, str] | None = None,
    ) -> MatchPage:
        """Rank the organisation's creators for ``brief``; see the module docstring.
        ``sources`` names where each wish came from (brief, campaign, request)."""
        if not brief.text.strip():
            raise InvalidInputError.for_field("brief", "the brief is empty")
        strengths_for(brief.objective, weights)  # validates the overrides before any work
        state = self.ensure_loaded(session, organization_id, build=build)
        # "TikTok and Instagram only" is a filter; platforms merely named are a preference
        # the scorer weighs. A campaign's platforms arrive as filters already.
        if brief.only_platforms and not filters.platforms:
            filters = _replace(filters, platforms=tuple(brief.only_platforms))
        if brief.languages and not filters.languages:
            filters = _replace(filters, languages=tuple(brief.languages))
        wishes = wishes_for(brief, sources=sources)
        hard = filters.hard()
        if wishes.cap_usd is not None and not filters.include_over_budget:
            hard = replace(hard, budget_cap_usd=wishes.cap_usd)
        competitor_excluded: frozenset[int] = frozenset()
        if brief.competitor_brands and filters.exclude_competitor_mentions:
            competitor_excluded = self._competitor_mentioners(
                session,
                organization_id,
                state,
                brief.competitor_brands,
                filters.competitor_window_days,
                now or datetime.now(UTC),
            )
            hard = replace(hard, exclude_ids=hard.exclude_ids | competitor_excluded)
        allowed = state.catalog.select(hard)
        wanted = min(max(MIN_CANDIDATES, 3 * (offset + k)), MAX_CANDIDATES)
        fused, exact = self._retrieve(state, brief, wanted, allowed, wishes)
        hits, total = self._rank(
            session, organization_id, state, wishes, fused, weights, now, offset, k
        )
        more = offset + k < total
        return MatchPage(
            brief=brief,
            applied_filters=filters,
            total_candidates=total,
            hits=tuple(hits),
            next_offset=offset + k if more else None,
            index_kind=state.holder.current.kind,
            exact=exact,
            competitor_excluded=competitor_excluded,
        )

    def _retrieve(
        self,
        state: _OrgState,
        brief: Brief,
        wanted: int,
        allowed: Any,
        wishes: Wishes | None = None,
    ) -> tuple[list[FusedHit], bool]:
        """Candidates for the brief's niche text inside the allowed ids, fused; and whether
        the dense search was exact.

        Two pools are searched: every allowed creator, and (when the brief states wishes
        about the audience, platforms or tiers) the allowed creators who meet them, so a
        crowded niche cannot fill the candidates with creators the recruiter ruled out. The
        union is then scored as one list (:func:`matcher.retrieval.retrieve_pooled`: Rocchio
        feedback on the dense side, BM25 within the union, z-score fusion), so relevance is
        comparable whichever pool found a candidate. A brief that names no niche ("women
        25-34 in the US, $15k") gives the allowed creators as equally relevant candidates (up to
        :data:`MAX_NICHELESS`, the best by wishes first): the scorer orders them."""
        text = brief.search_text
        pool = self._wish_pool(state, wishes, allowed) if wishes is not None else None
        if not text.strip():
            ids = state.catalog.ids if allowed is None else allowed
            if pool is not None:
                ids = np.concatenate([pool, ids[~np.isin(ids, pool)]])
            return [FusedHit(int(i), 1.0) for i in ids[:MAX_NICHELESS]], True
        query = self.embedder.encode_query(text)
        return retrieve_pooled(
            text,
            query,
            dense=state.holder.current,
            lexical=state.lexical,
            k=wanted,
            allowed_ids=allowed,
            pool_ids=pool,
        )

    def _wish_pool(self, state: _OrgState, wishes: Wishes, allowed: Any) -> Any:
        """The allowed creators who meet the brief's wishes best (None when it states none,
        or when nobody is set apart by them)."""
        if not (wishes.countries or wishes.genders or wishes.age or wishes.platforms) and not (
            wishes.tiers or wishes.objective is not None
        ):
            return None
        columns = state.catalog.snapshot()
        fit = wish_fit(columns, wishes)
        ids = columns.ids
        if allowed is not None:
            keep = np.isin(ids, allowed)
            ids, fit = ids[keep], fit[keep]
        if not ids.size:
            return None
        best = float(fit.max())
        chosen = ids[fit >= best * WISH_POOL_SHARE]
        if chosen.size < WISH_POOL_MIN:  # too few meet every wish: the best WISH_POOL_MIN
            chosen = ids[np.argsort(-fit, kind="stable")[:WISH_POOL_MIN]]
        if chosen.size >= ids.size:
            return None
        return np.sort(chosen)

    def _rank(
        self,
        session: Session,
        organization_id: int,
        state: _OrgState,
        wishes: Wishes,
        fused: Sequence[FusedHit],
        weights: Mapping[str, float] | None,
        now: datetime | None,
        offset: int,
        k: int,
    ) -> tuple[list[MatchHit], int]:
        """Score every candidate on the catalog's columns in one pass; explain the page."""
        if not fused:
            return [], 0
        columns = state.catalog.snapshot()
        candidates = candidates_from_fused(fused)
        present = columns.contains(candidates.ids)
        if not present.all():  # deleted since the index answered
            fused = [h for h, keep in zip(fused, present, strict=True) if keep]
            candidates = candidates_from_fused(fused)
        if not fused:
            return [], 0
        avoided = self._avoided(state, wishes, candidates)
        scored = score_candidates(columns, candidates, wishes, overrides=weights, avoided=avoided)
        page = [int(j) for j in scored.order[offset : offset + k]]
        records = self._records(
            session, organization_id, state, [fused[j].creator_id for j in page]
        )
        hits = [
            explain(
                columns,
                scored,
                j,
                records[fused[j].creator_id],
                wishes,
                authenticity=state.authenticity.get(fused[j].creator_id),
                now=now,
                retrieval=fused[j],
            )
            for j in page
            if fused[j].creator_id in records
        ]
        return hits, len(fused)

    def _avoided(self, state: _OrgState, wishes: Wishes, candidates: Candidates) -> Any:
        """Which candidates post about a topic the brief rules out ("no unboxing
        channels"): the lexical index searched for those topics within the candidates."""
        if not wishes.excluded_topics or state.lexical is None or not len(candidates):
            return None
        found = state.lexical.search(
            " ".join(wishes.excluded_topics), len(candidates), allowed_ids=candidates.ids
        )
        hit = found.ids[found.scores > 0]
        return np.isin(candidates.ids, hit)

    def _records(
        self, session: Session, organization_id: int, state: _OrgState, ids: Sequence[int]
    ) -> dict[int, dict[str, Any]]:
        """The records of the results shown, from the cache or the database."""
        records: dict[int, dict[str, Any]] = {}
        missing: list[int] = []
        for cid in ids:
            record = state.records.get(cid)
            if record is None:
                missing.append(cid)
            else:
                records[cid] = record
        if missing:
            for creator in CreatorRepository(session).get_many(organization_id, missing):
                records[creator.id] = state.records.put(creator.id, creator_data(creator))
        return records

    def _competitor_mentioners(
        self,
        session: Session,
        organization_id: int,
        state: _OrgState,
        brands: Sequence[str],
        window_days: int,
        now: datetime,
    ) -> frozenset[int]:
        """Creators who posted about one of ``brands`` within ``window_days``: a database
        prefilter on each brand's ASCII needle, then the scorer's own brand matching on the
        posts it found. Cached per (brands, window, day) until creators change."""
        key = (frozenset(brands), window_days, now.date().isoformat())
        cached = state.competitor_mentions.get(key)
        if cached is not None:
            return cached
        needles = sorted({brand_needle(b) for b in brands})
        found = frozenset(
            cid
            for cid, posts in CreatorRepository(session).posts_containing(organization_id, needles)
            if recent_competitor_mentions(
                {"recent_posts": posts}, brands, now, window_days=window_days
            )
        )
        state.competitor_mentions[key] = found
        return found

    def explain(
        self,
        session: Session,
        organization_id: int,
        brief: Brief,
        creator_ids: Iterable[int],
        *,
        now: datetime | None = None,
    ) -> dict[int, MatchHit]:
        """Score the given creators for ``brief`` exactly as a match would (the same
        retrieval scores and components), by creator id; creators not in the index are
        left out. Outreach uses it for "why you fit" in e-mails."""
        state = self.ensure_loaded(session, organization_id, build=False)
        wanted = np.array(sorted(set(creator_ids)), dtype=np.int64)
        allowed = wanted[np.isin(wanted, state.catalog.ids)]
        if not allowed.size:
            return {}
        fused, _exact = self._retrieve(state, brief, int(allowed.size), allowed)
        hits, _total = self._rank(
            session, organization_id, state, wishes_for(brief), fused, None, now, 0, len(fused)
        )
        return {int(h.creator["id"]): h for h in hits}

    def similar(
        self,
        session: Session,
        organization_id: int,
        creator_id: int,
        *,
        filters: MatchFilters,
        k: int = 10,
        build: bool = True,
    ) -> list[tuple[dict[str, Any], float, tuple[str, ...]]]:
        """Lookalikes of one creator, by content (the vectors) and by audience.

        Returns (creator data, score, reasons) best first; the creator itself is excluded.
        """
        state = self.ensure_loaded(session, organization_id, build=build)
        creators = CreatorRepository(session)
        seed = creators.get(organization_id, creator_id)
        if seed is None:
            raise NotFoundError(f"creator {creator_id} not found")
        index = state.holder.current
        if creator_id not in index:
            raise CreatorNotIndexedError(creator_id)
        vector = np.ascontiguousarray(index.get_vectors(np.array([creator_id]))[0])
        excluded = (*filters.exclude_creator_ids, creator_id)
        allowed = state.catalog.select(_replace(filters, exclude_creator_ids=excluded).hard())
        found = state.holder.search(vector, min(4 * k, MAX_CANDIDATES), allowed_ids=allowed)
        target = _audience_target(seed.audience)
        rows = {c.id: c for c in creators.get_many(organization_id, [int(i) for i in found.ids])}
        results = []
        for cid, cosine in found.pairs():
            creator = rows.get(cid)
            if creator is None or cid == creator_id:
                continue
            content = max(0.0, min(1.0, cosine))
            reasons = [f"content similarity {cosine:.2f}"]
            shared = sorted(set(seed.categories) & set(creator.categories))
            if shared:
                reasons.append("shares " + ", ".join(shared))
            audience_score = None
            if target is not None:
                fit = audience_fit(target, creator.audience)
                audience_score = fit.score
                reasons.extend(fit.reasons[:1])
            score = content if audience_score is None else 0.7 * content + 0.3 * audience_score
            results.append((creator_data(creator), round(score, 4), tuple(reasons)))
        results.sort(key=lambda r: (-r[1], r[0]["id"]))
        return results[:k]


def _replace(filters: MatchFilters, **changes: Any) -> MatchFilters:
    return replace(filters, **changes)


def _audience_target(audience: Mapping[str, Any] | None) -> TargetAudience | None:
    """A creator's audience as a target, for lookalikes by audience."""
    if not audience:
        return None
    gender = audience.get("gender") or {}
    countries = audience.get("countries") or {}
    return TargetAudience.from_mapping(
        {
            "age": dict(audience.get("age") or {}),
            "genders": [g for g, share in gender.items() if share >= 0.5],
            "countries": [c for c, share in countries.items() if share >= 0.2],
            "interests": list(audience.get("interests") or []),
        }
    )


def brief_from_request(
    text: str,
    *,
    objective: str | None = None,
    target: Mapping[str, Any] | None = None,
    competitor_brands: Sequence[str] | None = None,
    brand_safety: Sequence[str] | None = None,
    budget: float | None = None,
) -> Brief:
    """Parse the brief text; fields given explicitly override what the parser found."""
    brief = parse_brief(text)
    return brief.merge(
        objective=Objective(objective) if objective else None,
        target=TargetAudience.from_mapping(dict(target)) if target else None,
        competitor_brands=tuple(competitor_brands) if competitor_brands else None,
        brand_safety=tuple(brand_safety) if brand_safety else None,
        budget=budget,
    )


class IndexWorker:
    """Keeps every organisation's index current in a background thread: builds a missing
    index, then encodes queued changes and applies them to the live state.

    ``run_once`` does one pass (tests call it directly); ``start`` loops until ``stop``.
    Each organisation is handled in its own transaction, and errors are logged per
    organisation so one bad organisation does not stop the others. ``warm`` is set once the
    first pass has loaded (or built) every organisation's state and the embedding model, so
    readiness can wait for it instead of the first match paying for the load.
    """

    def __init__(self, service: MatchService, database: Any, *, interval: float = 2.0) -> None:
        self.service = service
        self.database = database
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.warm = threading.Event()

    def run_once(self) -> dict[int, int]:
        """One pass over the organisations; returns organisation id -> creators synced."""
        with self.database.session() as session:
            organizations = OrganizationRepository(session).ids()
        done: dict[int, int] = {}
        for organization_id in organizations:
            if self._stop.is_set():
                break
            try:
                with self.database.session() as session:
                    done[organization_id] = self.service.sync(session, organization_id)
            except Exception as exc:  # logged per organisation, then go on
                self.last_error = f"organisation {organization_id}: {exc}"
                _log.exception("index worker failed for organisation %s", organization_id)
        return done

    def _loop(self) -> None:
        try:
            self.service.embedder.encode_query("warm up the model")
        except Exception as exc:  # a broken model shows in readiness and in every match
            self.last_error = f"embedder: {exc}"
            _log.exception("the embedding model failed to load")
        while not self._stop.is_set():
            self.run_once()
            self.warm.set()
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="index-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def default_matcher(settings: Settings, *, faiss_threads: int | None = 1) -> MatchService:
    """The match service for ``settings``: the configured encoder of the bundled model
    (``CREATORMATCH_EMBEDDER``: the int8 ONNX export by default, else torch), loaded on
    first use, and the indexes under ``<data_dir>/indexes``.

    ``faiss_threads=1`` suits a server (concurrency comes from requests); a batch job such as
    ``creatormatch index build`` passes None to keep FAISS's default of every core.
    """
    from matcher.onnx_embedder import best_embedder

    def embedder() -> Embedder:
        return best_embedder(
            settings.resolved_model_path,
            settings.data_dir / "models" / "minilm-onnx",
            prefer=settings.embedder,
        )

    return MatchService(settings.index_dir, embedder, faiss_threads=faiss_threads)
