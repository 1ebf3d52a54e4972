"""The dense vector index of one organisation's creators (the only module that imports faiss).

A :class:`VectorIndex` maps int64 creator ids to L2-normalised float32 vectors and answers
inner-product (cosine) top-k queries, optionally restricted to an allowed set of ids.

Kinds
    ``flat``: exact ``IndexFlatIP``, used while the index is small (below
    ``IndexConfig.hnsw_threshold`` creators); ``hnsw``: ``IndexHNSWFlat`` (approximate), above it.

Ids
    FAISS labels are internal *slots* (0..ntotal-1); ``_slot_ids[slot]`` is the creator id, -1
    for a removed slot (a tombstone: HNSW cannot delete, and an update must not leave two live
    slots for one id). Tombstones are excluded inside the search by a bitmap selector;
    :meth:`VectorIndex.compacted` rebuilds without them, and :attr:`VectorIndex.needs_rebuild`
    says when that is due.

Filters
    ``allowed_ids`` is applied inside the FAISS search with an ``IDSelectorBitmap`` over slots
    (never by post-filtering). When few creators pass (fewer than ``exact_max_ids`` or under
    ``exact_fraction`` of the live ones) the search is exact over just those vectors, because
    graph search recall collapses at low selectivity. A filtered HNSW search is checked against
    an exact score of a sample of the allowed creators and redone exactly when the sample
    shows it missed better ones (filters anti-correlated with the query).

Concurrency
    Searches take a shared lock and run concurrently; ``add``/``update``/``remove`` take the
    exclusive lock. A full rebuild happens beside the live index and :class:`IndexHolder` swaps it
    in atomically, replaying the writes that arrived during the rebuild.

Threads
    A single query runs on one FAISS thread when the process calls
    :func:`configure_faiss_threads` with 1 (the API process does, at startup): concurrency comes
    from request threads, and a background rebuild then never steals every core from queries.

Persistence
    :meth:`VectorIndex.save` writes ``gen-<id>/index.faiss`` and ``gen-<id>/ids.npy`` (each via a
    temp file and ``os.replace``) and then ``manifest.json`` the same way; the manifest replace is
    the commit point. :meth:`VectorIndex.load` raises :class:`IndexNeedsRebuildError` rather
    than return an index that does not match the expected model, dimension or count.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import faiss as _faiss_module
import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from core.errors import InvalidInputError, UnavailableError

# faiss-cpu ships partial stubs (no SearchParametersHNSW, no ``sel`` keyword, no ``.hnsw``), so
# the module is used untyped; every value crossing into our API is a checked numpy array.
faiss: Any = _faiss_module

__all__ = [
    "FORMAT_VERSION",
    "HNSWParams",
    "IndexConfig",
    "IndexHolder",
    "IndexKind",
    "IndexManifest",
    "IndexNeedsRebuildError",
    "IndexNotBuiltError",
    "IndexRegistry",
    "SearchResult",
    "VectorIndex",
    "configure_faiss_threads",
    "read_manifest",
]

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
INDEX_FILE = "index.faiss"
IDS_FILE = "ids.npy"

IndexKind = Literal["flat", "hnsw"]
FloatArray = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]

# Below this many allowed vectors an exact subset search gathers them with numpy (no scan of
# the whole index); above it a FAISS flat scan with a bitmap selector is cheaper than the copy.
_GATHER_MAX = 8_192


class IndexNeedsRebuildError(UnavailableError):
    """The stored index cannot be used as it is (missing, stale or corrupt): rebuild it."""

    code = "index_needs_rebuild"
    title = "Index needs rebuild"

    def __init__(self, directory: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"index in {os.fspath(directory)!r} needs a rebuild: {reason}")
        self.directory = os.fspath(directory)
        self.reason = reason


class IndexNotBuiltError(IndexNeedsRebuildError):
    """No index exists yet (no manifest on disk, or nothing swapped into a holder)."""

    code = "index_not_built"
    title = "Index not built"


def configure_faiss_threads(n: int) -> None:
    """Set the number of threads FAISS (OpenMP) and numpy's BLAS use in this process (1 for
    query serving: the exact filtered scan is a BLAS mat-vec, and two spinning BLAS threads
    made it 4.6 ms instead of 0.5 ms under concurrent requests)."""
    if n < 1:
        raise InvalidInputError.for_field("threads", f"must be >= 1, got {n}")
    faiss.omp_set_num_threads(n)
    threadpool_limits(limits=n, user_api="blas")


@dataclass(frozen=True)
class HNSWParams:
    """HNSW graph parameters.

    ``m`` = 32 links per node keeps the index under 2 KB per 384-d creator (1,536 bytes of
    vector + ~280 bytes of graph). Real brief vectors sit between the tight niche clusters,
    where a shallow search settles in the wrong niche: at efConstruction 64 / efSearch 256
    recall@10 was 0.898 at 100k and 0.696 at 1M (docs/benchmarks-match.md); a sweep on the
    100k index reached 0.995 at efConstruction 200 / efSearch 1,024 for ~1.6 ms a search.
    """

    m: int = 32
    ef_construction: int = 200
    ef_search: int = 1024
    # Filtered HNSW searches raise efSearch by 1/selectivity, up to this factor.
    filtered_ef_boost: float = 4.0
    # After a filtered HNSW search, this many allowed creators (evenly spaced by id) are scored
    # exactly; if one of them beats the k-th hit the graph search missed better creators (a
    # filter anti-correlated with the query) and the search is redone exactly. 0 disables it.
    guard_sample: int = 512


@dataclass(frozen=True)
class IndexConfig:
    """When to use which kind and which path; defaults come from bench/bench_index.py."""

    hnsw_threshold: int = 20_000
    hnsw: HNSWParams = field(default_factory=HNSWParams)
    exact_fraction: float = 0.2
    exact_max_ids: int = 16_384
    # needs_rebuild turns true when this fraction of the slots are tombstones.
    max_dead_fraction: float = 0.2

    def kind_for(self, count: int) -> IndexKind:
        """The kind a fresh build of ``count`` creators gets."""
        return "hnsw" if count >= self.hnsw_threshold else "flat"


@dataclass(frozen=True)
class SearchResult:
    """Top-k hits, best first: ``ids`` int64 (n,), ``scores`` float32 (n,) cosine similarities.

    ``exact`` tells whether the search was exhaustive (flat kind or the low-selectivity path).
    """

    ids: IdArray
    scores: FloatArray
    exact: bool

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def pairs(self) -> list[tuple[int, float]]:
        """``(creator_id, score)`` tuples, best first."""
        return [(int(i), float(s)) for i, s in zip(self.ids, self.scores, strict=True)]


@dataclass(frozen=True)
class IndexManifest:
    """What ``manifest.json`` records beside the index files."""

    format_version: int
    model_name: str
    dim: int
    count: int
    ntotal: int
    kind: IndexKind
    built_at: str
    generation: str
    hnsw_m: int
    hnsw_ef_construction: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


class _RWLock:
    """Many readers or one writer; a waiting writer blocks new readers (no writer starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def _check_ids(ids: object, name: str = "ids") -> IdArray:
    if not isinstance(ids, np.ndarray):
        raise InvalidInputError.for_field(name, f"must be a numpy array, got {type(ids).__name__}")
    if ids.ndim != 1:
        raise InvalidInputError.for_field(name, f"must be 1-D, got shape {ids.shape}")
    if ids.dtype != np.int64:
        if ids.size == 0 or np.issubdtype(ids.dtype, np.integer):
            ids = ids.astype(np.int64)
        else:
            raise InvalidInputError.for_field(name, f"must be int64, got dtype {ids.dtype}")
    if ids.size and int(ids.min()) < 0:
        raise InvalidInputError.for_field(name, "must be non-negative creator ids")
    return np.ascontiguousarray(ids)


def _check_vectors(vectors: object, dim: int, name: str = "vectors") -> FloatArray:
    if not isinstance(vectors, np.ndarray):
        raise InvalidInputError.for_field(
            name, f"must be a numpy array, got {type(vectors).__name__}"
        )
    if vectors.dtype != np.float32:
        raise InvalidInputError.for_field(name, f"must be float32, got dtype {vectors.dtype}")
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise InvalidInputError.for_field(name, f"must have shape (n, {dim}), got {vectors.shape}")
    if not vectors.flags.c_contiguous:
        raise InvalidInputError.for_field(name, "must be C-contiguous (np.ascontiguousarray)")
    if vectors.size and not np.isfinite(vectors).all():
        raise InvalidInputError.for_field(name, "contains NaN or infinite values")
    return vectors


def _check_query(query: object, dim: int) -> FloatArray:
    if not isinstance(query, np.ndarray):
        raise InvalidInputError.for_field(
            "query", f"must be a numpy array, got {type(query).__name__}"
        )
    if query.ndim == 1:
        query = query.reshape(1, -1)
    if query.ndim != 2 or query.shape[0] != 1:
        raise InvalidInputError.for_field(
            "query", f"must have shape ({dim},) or (1, {dim}), got {query.shape}"
        )
    return _check_vectors(query, dim, "query")


def _bitmap(slots: IdArray, ntotal: int) -> npt.NDArray[np.uint8]:
    """A little-endian bitmap of ``slots`` over ``ntotal`` bits (IDSelectorBitmap's layout)."""
    bits = np.zeros(ntotal, dtype=bool)
    bits[slots] = True
    return np.packbits(bits, bitorder="little")


def _new_faiss_index(kind: IndexKind, dim: int, hnsw: HNSWParams) -> Any:
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    index = faiss.IndexHNSWFlat(dim, hnsw.m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = hnsw.ef_construction
    index.hnsw.efSearch = hnsw.ef_search
    return index


class VectorIndex:
    """The vectors of one organisation's creators, searchable by cosine similarity.

    Vectors must be float32, C-contiguous, shape (n, dim) and L2-normalised (the embedder's
    output), so inner product is cosine similarity. Thread-safe: searches run concurrently,
    writes are exclusive.
    """

    def __init__(
        self,
        dim: int,
        *,
        model_name: str,
        kind: IndexKind = "flat",
        config: IndexConfig | None = None,
    ) -> None:
        if dim < 1:
            raise InvalidInputError.for_field("dim", f"must be >= 1, got {dim}")
        if kind not in ("flat", "hnsw"):
            raise InvalidInputError.for_field("kind", f"must be 'flat' or 'hnsw', got {kind!r}")
        self.dim = dim
        self.model_name = model_name
        self.kind: IndexKind = kind
        self.config = config or IndexConfig()
        self.built_at = datetime.now(UTC)
        self._index: Any = _new_faiss_index(kind, dim, self.config.hnsw)
        self._slot_ids: IdArray = np.empty(0, dtype=np.int64)
        self._sorted_ids: IdArray = np.empty(0, dtype=np.int64)
        self._sorted_slots: IdArray = np.empty(0, dtype=np.int64)
        self._live_bitmap: npt.NDArray[np.uint8] | None = None
        self._lock = _RWLock()

    # ----------------------------------------------------------------- construction

    @classmethod
    def build(
        cls,
        ids: IdArray,
        vectors: FloatArray,
        *,
        model_name: str,
        config: IndexConfig | None = None,
        kind: IndexKind | None = None,
    ) -> VectorIndex:
        """A new index of ``vectors`` (n, dim) under ``ids`` (n,); kind by size unless given."""
        config = config or IndexConfig()
        if not isinstance(vectors, np.ndarray) or vectors.ndim != 2:
            raise InvalidInputError.for_field("vectors", "must be a 2-D numpy array (n, dim)")
        index = cls(
            int(vectors.shape[1]),
            model_name=model_name,
            kind=kind or config.kind_for(int(vectors.shape[0])),
            config=config,
        )
        index.add(ids, vectors)
        return index

    def compacted(self, *, kind: IndexKind | None = None) -> VectorIndex:
        """A fresh index of the live vectors (no tombstones; kind chosen by size unless given).

        Meant to run beside the live index and be swapped in with :meth:`IndexHolder.rebuild`.
        """
        with self._lock.read():
            ids = self._sorted_ids.copy()
            vectors = self._reconstruct(self._sorted_slots)
        return VectorIndex.build(
            ids, vectors, model_name=self.model_name, config=self.config, kind=kind
        )

    # ----------------------------------------------------------------- properties

    def __len__(self) -> int:
        return int(self._sorted_ids.shape[0])

    @property
    def ntotal(self) -> int:
        """Slots in the FAISS index, tombstones included."""
        return int(self._slot_ids.shape[0])

    @property
    def dead_fraction(self) -> float:
        return 0.0 if self.ntotal == 0 else 1.0 - len(self) / self.ntotal

    @property
    def needs_rebuild(self) -> bool:
        """True when a compaction is due: too many tombstones, or the size calls for the
        other kind (a flat index that grew past the threshold, an HNSW one that shrank well
        below it)."""
        if self.dead_fraction > self.config.max_dead_fraction:
            return True
        n = len(self)
        if self.kind == "flat":
            return n >= self.config.hnsw_threshold
        return n < self.config.hnsw_threshold // 2

    def ids(self) -> IdArray:
        """The live creator ids, sorted."""
        with self._lock.read():
            return self._sorted_ids.copy()

    def __contains__(self, creator_id: object) -> bool:
        if not isinstance(creator_id, int | np.integer):
            return False
        with self._lock.read():
            return bool(self._lookup(np.array([creator_id], dtype=np.int64))[1].size)

    def memory_bytes(self) -> int:
        """Approximate resident bytes: stored vectors, HNSW graph arrays and the id arrays."""
        with self._lock.read():
            total = self.ntotal * self.dim * 4
            if self.kind == "hnsw":
                hnsw = self._index.hnsw
                total += hnsw.neighbors.size() * 4 + hnsw.offsets.size() * 8
                total += hnsw.levels.size() * 4
            return (
                total + self._slot_ids.nbytes + self._sorted_ids.nbytes + self._sorted_slots.nbytes
            )

    def get_vectors(self, ids: IdArray) -> FloatArray:
        """The stored vectors of ``ids`` (m, dim), in the order given.

        Raises:
            InvalidInputError: when an id is not in the index.
        """
        ids = _check_ids(ids)
        with self._lock.read():
            pos, found = self._positions(ids)
            if not found.all():
                missing = ids[~found][:5].tolist()
                raise InvalidInputError.for_field("ids", f"not in the index: {missing}")
            return self._reconstruct(self._sorted_slots[pos])

    # ----------------------------------------------------------------- writes

    def add(self, ids: IdArray, vectors: FloatArray) -> None:
        """Add new creators.

        Raises:
            InvalidInputError: bad dtype/shape/contiguity, duplicate ids in the batch, or an id
                already in the index (use :meth:`update`).
        """
        ids, vectors = self._checked_batch(ids, vectors)
        if ids.size == 0:
            return
        with self._lock.write():
            _, found = self._positions(ids)
            if found.any():
                present = ids[found][:5].tolist()
                raise InvalidInputError.for_field(
                    "ids", f"already in the index (use update): {present}"
                )
            self._append(ids, vectors)

    def _checked_batch(self, ids: object, vectors: object) -> tuple[IdArray, FloatArray]:
        """``ids`` and ``vectors`` checked (dtype, shape, one vector per id, no duplicate id)."""
        checked_ids = _check_ids(ids)
        checked_vectors = _check_vectors(vectors, self.dim)
        if checked_ids.shape[0] != checked_vectors.shape[0]:
            raise InvalidInputError.for_field(
                "ids", f"has {checked_ids.shape[0]} ids for {checked_vectors.shape[0]} vectors"
            )
        if np.unique(checked_ids).size != checked_ids.size:
            raise InvalidInputError.for_field("ids", "contains duplicates")
        return checked_ids, checked_vectors

    def update(self, ids: IdArray, vectors: FloatArray) -> None:
        """Replace the vectors of ``ids`` (remove + add; ids not yet present are added)."""
        ids, vectors = self._checked_batch(ids, vectors)
        if ids.size == 0:
            return
        with self._lock.write():
            self._tombstone(ids)
            self._append(ids, vectors)

    def remove(self, ids: IdArray) -> int:
        """Remove creators; unknown ids are ignored. Returns how many were removed."""
        ids = _check_ids(ids)
        with self._lock.write():
            return self._tombstone(np.unique(ids))

    def _append(self, ids: IdArray, vectors: FloatArray) -> None:
        start = self.ntotal
        self._index.add(vectors)
        new_slots = np.arange(start, start + ids.shape[0], dtype=np.int64)
        self._slot_ids = np.concatenate([self._slot_ids, ids])
        order = np.argsort(ids, kind="stable")
        merged_ids = np.concatenate([self._sorted_ids, ids[order]])
        merged_slots = np.concatenate([self._sorted_slots, new_slots[order]])
        # Two sorted runs: the stable (tim/radix) sort merges them in linear time.
        order = np.argsort(merged_ids, kind="stable")
        self._sorted_ids = np.ascontiguousarray(merged_ids[order])
        self._sorted_slots = np.ascontiguousarray(merged_slots[order])
        self._live_bitmap = None

    def _tombstone(self, ids: IdArray) -> int:
        pos, found = self._positions(ids)
        if not found.any():
            return 0
        pos = pos[found]
        self._slot_ids[self._sorted_slots[pos]] = -1
        keep = np.ones(self._sorted_ids.shape[0], dtype=bool)
        keep[pos] = False
        self._sorted_ids = self._sorted_ids[keep]
        self._sorted_slots = self._sorted_slots[keep]
        self._live_bitmap = None
        return int(pos.size)

    # ----------------------------------------------------------------- lookups

    def _positions(self, ids: IdArray) -> tuple[IdArray, npt.NDArray[np.bool_]]:
        """Positions of ``ids`` in the sorted live arrays, and which ids were found."""
        pos = np.searchsorted(self._sorted_ids, ids).astype(np.int64)
        n = self._sorted_ids.shape[0]
        if n == 0:
            return pos, np.zeros(ids.shape[0], dtype=bool)
        found = (pos < n) & (self._sorted_ids[np.minimum(pos, n - 1)] == ids)
        return pos, found

    def _lookup(self, ids: IdArray) -> tuple[IdArray, IdArray]:
        """(found ids, their slots) for unique sorted ``ids``."""
        pos, found = self._positions(ids)
        return ids[found], self._sorted_slots[pos[found]]

    def _reconstruct(self, slots: IdArray) -> FloatArray:
        if slots.size == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        out = self._index.reconstruct_batch(np.ascontiguousarray(slots, dtype=np.int64))
        return np.ascontiguousarray(out, dtype=np.float32)

    # ----------------------------------------------------------------- search

    def search(
        self, query: FloatArray, k: int, *, allowed_ids: IdArray | None = None
    ) -> SearchResult:
        """The ``k`` creators most similar to ``query`` (dim,) among ``allowed_ids`` (all if None).

        The filter is applied inside the search. Ids in ``allowed_ids`` that are not in the
        index are ignored. Fewer than ``k`` hits come back when fewer creators qualify.

        Raises:
            InvalidInputError: bad query dtype/shape/contiguity, k < 1, bad allowed_ids.
        """
        q = _check_query(query, self.dim)
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise InvalidInputError.for_field("k", f"must be an integer >= 1, got {k!r}")
        allowed = None if allowed_ids is None else _check_ids(allowed_ids, "allowed_ids")
        with self._lock.read():
            live = len(self)
            if allowed is None:
                if live == 0:
                    return _empty(exact=True)
                return self._search_all(q, k)
            # A mask over slots dedupes the allowed ids in O(n), cheaper than np.unique.
            pos, found = self._positions(allowed)
            mask = np.zeros(self.ntotal, dtype=bool)
            mask[self._sorted_slots[pos[found]]] = True
            m = int(np.count_nonzero(mask))
            if m == 0:
                return _empty(exact=True)
            cfg = self.config
            if self.kind == "flat" or m <= cfg.exact_max_ids or m < cfg.exact_fraction * live:
                return self._search_exact_subset(q, k, mask, m)
            bits = np.packbits(mask, bitorder="little")
            result = self._search_hnsw(q, k, bits, m / live)
            if self._guard_failed(q, k, np.flatnonzero(mask), result):
                return self._search_exact_subset(q, k, mask, m)
            return result

    def _search_all(self, q: FloatArray, k: int) -> SearchResult:
        sel_bits = None
        if len(self) < self.ntotal:
            if self._live_bitmap is None:
                # A benign race under the shared lock: two readers may both build it.
                self._live_bitmap = _bitmap(self._sorted_slots, self.ntotal)
            sel_bits = self._live_bitmap
        if self.kind == "hnsw":
            return self._search_hnsw(q, k, sel_bits, len(self) / max(self.ntotal, 1))
        params = None
        sel = None
        if sel_bits is not None:
            sel = faiss.IDSelectorBitmap(self.ntotal, faiss.swig_ptr(sel_bits))
            params = faiss.SearchParameters(sel=sel)
        scores, labels = self._index.search(q, min(k, len(self)), params=params)
        return self._result(scores[0], labels[0], exact=True)

    def _search_hnsw(
        self,
        q: FloatArray,
        k: int,
        bits: npt.NDArray[np.uint8] | None,
        selectivity: float,
    ) -> SearchResult:
        hp = self.config.hnsw
        boost = min(hp.filtered_ef_boost, 1.0 / max(selectivity, 1e-9))
        ef = max(k, math.ceil(hp.ef_search * boost))
        sel = None if bits is None else faiss.IDSelectorBitmap(self.ntotal, faiss.swig_ptr(bits))
        params = faiss.SearchParametersHNSW(efSearch=ef)
        if sel is not None:
            params.sel = sel
        scores, labels = self._index.search(q, k, params=params)
        return self._result(scores[0], labels[0], exact=False)

    def _guard_failed(self, q: FloatArray, k: int, slots: IdArray, result: SearchResult) -> bool:
        """True when an evenly spaced sample of the allowed creators shows the graph search
        missed a creator better than its k-th hit (or returned fewer than it could)."""
        n_sample = self.config.hnsw.guard_sample
        if n_sample <= 0:
            return False
        if len(result) < min(k, int(slots.size)):
            return True
        step = max(1, slots.size // n_sample)
        sample = slots[::step][:n_sample]
        sample = sample[~np.isin(self._slot_ids[sample], result.ids)]
        if sample.size == 0:
            return False
        best = float((self._reconstruct(sample) @ q[0]).max())
        return best > float(result.scores[-1])

    def _search_exact_subset(
        self, q: FloatArray, k: int, mask: npt.NDArray[np.bool_], m: int
    ) -> SearchResult:
        """Exact top-k among the slots set in ``mask`` (``m`` of them)."""
        k = min(k, m)
        if m <= _GATHER_MAX:
            slots = np.flatnonzero(mask)
            scores = self._reconstruct(slots) @ q[0]
            top = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
            top = top[np.lexsort((self._slot_ids[slots[top]], -scores[top]))]
            return SearchResult(
                ids=self._slot_ids[slots[top]].copy(),
                scores=scores[top].astype(np.float32),
                exact=True,
            )
        bits = np.packbits(mask, bitorder="little")
        sel = faiss.IDSelectorBitmap(self.ntotal, faiss.swig_ptr(bits))
        flat = self._index if self.kind == "flat" else faiss.downcast_index(self._index.storage)
        scores, labels = flat.search(q, k, params=faiss.SearchParameters(sel=sel))
        return self._result(scores[0], labels[0], exact=True)

    def _result(self, scores: FloatArray, labels: IdArray, *, exact: bool) -> SearchResult:
        ok = labels >= 0
        labels = labels[ok]
        ids = self._slot_ids[labels]
        live = ids >= 0  # defensive: a selector always excludes tombstones
        return SearchResult(
            ids=np.ascontiguousarray(ids[live]),
            scores=np.ascontiguousarray(scores[ok][live], dtype=np.float32),
            exact=exact,
        )

    # ----------------------------------------------------------------- persistence

    def manifest(self, generation: str = "") -> IndexManifest:
        return IndexManifest(
            format_version=FORMAT_VERSION,
            model_name=self.model_name,
            dim=self.dim,
            count=len(self),
            ntotal=self.ntotal,
            kind=self.kind,
            built_at=self.built_at.isoformat(),
            generation=generation,
            hnsw_m=self.config.hnsw.m,
            hnsw_ef_construction=self.config.hnsw.ef_construction,
        )

    def save(self, directory: str | os.PathLike[str]) -> IndexManifest:
        """Write the index to ``directory`` atomically; returns the manifest written.

        Files go to a fresh ``gen-<id>/`` folder (temp file + ``os.replace`` each), then
        ``manifest.json`` is replaced: a reader sees the old index or the new one, never a mix.
        The previous generation is kept (a reader may still be opening it); older ones go.
        """
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        generation = uuid.uuid4().hex
        gen_dir = root / f"gen-{generation}"
        gen_dir.mkdir()
        with self._lock.read():
            manifest = self.manifest(generation)
            _atomic_write(gen_dir / INDEX_FILE, lambda p: faiss.write_index(self._index, str(p)))
            ids = self._slot_ids.copy()
        _atomic_write(gen_dir / IDS_FILE, lambda p: _save_npy(p, ids))
        previous = read_manifest(root)
        _atomic_write(root / MANIFEST_NAME, lambda p: p.write_text(manifest.to_json()))
        _fsync_dir(root)
        keep = {gen_dir.name} | ({f"gen-{previous.generation}"} if previous else set())
        for old in root.glob("gen-*"):
            if old.is_dir() and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return manifest

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str],
        *,
        model_name: str,
        dim: int,
        config: IndexConfig | None = None,
    ) -> VectorIndex:
        """The index saved in ``directory``, checked against the expected model and dimension.

        Raises:
            IndexNotBuiltError: no manifest in ``directory``.
            IndexNeedsRebuildError: format, model, dimension or count disagree, or a file is
                missing or unreadable.
        """
        root = Path(directory)
        try:
            manifest = read_manifest(root)
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexNeedsRebuildError(root, f"unreadable manifest ({exc})") from exc
        if manifest is None:
            raise IndexNotBuiltError(root, "no manifest")
        if manifest.format_version != FORMAT_VERSION:
            raise IndexNeedsRebuildError(
                root, f"format version {manifest.format_version}, expected {FORMAT_VERSION}"
            )
        if manifest.model_name != model_name:
            raise IndexNeedsRebuildError(
                root, f"built with model {manifest.model_name!r}, expected {model_name!r}"
            )
        if manifest.dim != dim:
            raise IndexNeedsRebuildError(root, f"dimension {manifest.dim}, expected {dim}")
        gen_dir = root / f"gen-{manifest.generation}"
        try:
            raw = faiss.read_index(str(gen_dir / INDEX_FILE))
            slot_ids = np.load(gen_dir / IDS_FILE, allow_pickle=False)
        except (OSError, RuntimeError, ValueError) as exc:
            raise IndexNeedsRebuildError(root, f"cannot read index files ({exc})") from exc
        kind: IndexKind = "hnsw" if isinstance(raw, faiss.IndexHNSW) else "flat"
        problems = []
        if kind != manifest.kind:
            problems.append(f"file holds a {kind} index, manifest says {manifest.kind}")
        if raw.d != dim:
            problems.append(f"file dimension {raw.d}, expected {dim}")
        if slot_ids.dtype != np.int64 or slot_ids.ndim != 1 or slot_ids.size != raw.ntotal:
            problems.append(f"{slot_ids.size} slot ids for {raw.ntotal} vectors")
        live = slot_ids[slot_ids >= 0] if slot_ids.dtype == np.int64 else slot_ids
        if live.size != manifest.count or raw.ntotal != manifest.ntotal:
            problems.append(f"count {live.size}, manifest says {manifest.count}")
        if np.unique(live).size != live.size:
            problems.append("duplicate creator ids")
        if problems:
            raise IndexNeedsRebuildError(root, "; ".join(problems))
        base = config or IndexConfig()
        if kind == "hnsw":
            base = IndexConfig(
                hnsw_threshold=base.hnsw_threshold,
                hnsw=HNSWParams(
                    m=manifest.hnsw_m,
                    ef_construction=manifest.hnsw_ef_construction,
                    ef_search=base.hnsw.ef_search,
                    filtered_ef_boost=base.hnsw.filtered_ef_boost,
                    guard_sample=base.hnsw.guard_sample,
                ),
                exact_fraction=base.exact_fraction,
                exact_max_ids=base.exact_max_ids,
                max_dead_fraction=base.max_dead_fraction,
            )
            raw.hnsw.efSearch = base.hnsw.ef_search
        index = cls(dim, model_name=model_name, kind=kind, config=base)
        index.built_at = datetime.fromisoformat(manifest.built_at)
        index._index = raw
        index._slot_ids = np.ascontiguousarray(slot_ids)
        live_slots = np.flatnonzero(slot_ids >= 0).astype(np.int64)
        order = np.argsort(slot_ids[live_slots], kind="stable")
        index._sorted_ids = np.ascontiguousarray(slot_ids[live_slots][order])
        index._sorted_slots = np.ascontiguousarray(live_slots[order])
        return index


def _empty(*, exact: bool) -> SearchResult:
    return SearchResult(
        ids=np.empty(0, dtype=np.int64), scores=np.empty(0, dtype=np.float32), exact=exact
    )


def _save_npy(path: Path, array: IdArray) -> None:
    with path.open("wb") as fh:
        np.save(fh, array, allow_pickle=False)


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(directory: str | os.PathLike[str]) -> IndexManifest | None:
    """The manifest in ``directory``, or None when there is none.

    Raises:
        ValueError, KeyError, TypeError: the manifest exists but is malformed.
    """
    path = Path(directory) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    if not isinstance(data, dict):
        raise ValueError("manifest is not a JSON object")
    known = set(IndexManifest.__dataclass_fields__)
    return IndexManifest(**{k: v for k, v in data.items() if k in known})


# --------------------------------------------------------------------- holder and registry

_Op = tuple[Literal["upsert", "remove"], IdArray, FloatArray | None]


class IndexHolder:
    """The live index of one organisation, with writes and an atomic swap for rebuilds.

    ``search`` reads the current reference once and searches it, so a search started before a
    swap finishes on the old index and one started after sees the new one: never a partial
    index. Writes and swaps take the holder's lock. Writes made while :meth:`rebuild` runs are
    journaled and replayed (as idempotent upserts/removes) onto the new index before the swap.
    """

    def __init__(self, index: VectorIndex | None = None) -> None:
        self._current = index
        self._lock = threading.Lock()
        self._rebuild_lock = threading.Lock()
        self._journal: list[_Op] | None = None

    @property
    def current(self) -> VectorIndex:
        """The live index.

        Raises:
            IndexNotBuiltError: nothing has been swapped in yet.
        """
        index = self._current
        if index is None:
            raise IndexNotBuiltError("<memory>", "no index swapped in yet")
        return index

    @property
    def is_built(self) -> bool:
        return self._current is not None

    def search(
        self, query: FloatArray, k: int, *, allowed_ids: IdArray | None = None
    ) -> SearchResult:
        return self.current.search(query, k, allowed_ids=allowed_ids)

    def add(self, ids: IdArray, vectors: FloatArray) -> None:
        with self._lock:
            self.current.add(ids, vectors)
            self._record(("upsert", ids, vectors))

    def update(self, ids: IdArray, vectors: FloatArray) -> None:
        with self._lock:
            self.current.update(ids, vectors)
            self._record(("upsert", ids, vectors))

    def remove(self, ids: IdArray) -> int:
        with self._lock:
            removed = self.current.remove(ids)
            self._record(("remove", ids, None))
            return removed

    def _record(self, op: _Op) -> None:
        if self._journal is not None:
            kind, ids, vectors = op
            self._journal.append(
                (kind, np.array(ids, dtype=np.int64), None if vectors is None else vectors.copy())
            )

    def swap(self, new: VectorIndex) -> VectorIndex | None:
        """Make ``new`` the live index; returns the old one (searches on it may still finish)."""
        with self._lock:
            old, self._current = self._current, new
            return old

    def rebuild(self, build: Callable[[], VectorIndex]) -> VectorIndex:
        """Build a new index beside the live one with ``build()`` and swap it in.

        ``build`` runs without the holder's lock (searches and writes go on). It should read
        its source (the database) after it is called: writes from then on are journaled and
        replayed onto its result before the swap. One rebuild at a time per holder.
        """
        with self._rebuild_lock:
            with self._lock:
                self._journal = []
            try:
                new = build()
                with self._lock:
                    for kind, ids, vectors in self._journal:
                        if kind == "remove":
                            new.remove(ids)
                        else:
                            assert vectors is not None
                            new.update(ids, vectors)
                    self._current = new
                    return new
            finally:
                with self._lock:
                    self._journal = None


class IndexRegistry:
    """One :class:`IndexHolder` per organisation id, created on first use."""

    def __init__(self) -> None:
        self._holders: dict[int, IndexHolder] = {}
        self._lock = threading.Lock()

    def holder(self, organization_id: int) -> IndexHolder:
        with self._lock:
            holder = self._holders.get(organization_id)
            if holder is None:
                holder = self._holders[organization_id] = IndexHolder()
            return holder

    def drop(self, organization_id: int) -> None:
        with self._lock:
            self._holders.pop(organization_id, None)
