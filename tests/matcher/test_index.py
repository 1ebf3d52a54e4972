"""VectorIndex, IndexHolder: exactness, filters inside the search, writes, persistence, swaps."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from core.errors import InvalidInputError, UnavailableError
from matcher.index import (
    FORMAT_VERSION,
    IndexConfig,
    IndexHolder,
    IndexNeedsRebuildError,
    IndexNotBuiltError,
    IndexRegistry,
    VectorIndex,
    read_manifest,
)
from tests.matcher.synthetic import embedding_like, exact_top_k

DIM = 384
N = 20_000
MODEL = "test-model"
SELECTIVITIES = [0.01, 0.05, 0.10, 0.50, 1.0]
# Forces the HNSW filtered path down to 5% selectivity (the default config searches up to
# 4,096 allowed ids exactly, which at 20k creators covers 1%, 5% and 10%).
STRESS = IndexConfig(exact_max_ids=500, exact_fraction=0.05)


def _ids(n: int, offset: int = 0) -> np.ndarray:
    # Sparse, non-contiguous ids, as database ids are after deletions.
    return (np.arange(n, dtype=np.int64) * 7 + 3 + offset).astype(np.int64)


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = embedding_like(N + 40, DIM, seed=11)
    return _ids(N), np.ascontiguousarray(data[:N]), np.ascontiguousarray(data[N:])


@pytest.fixture(scope="module")
def hnsw_index(corpus: tuple[np.ndarray, np.ndarray, np.ndarray]) -> VectorIndex:
    ids, vectors, _ = corpus
    index = VectorIndex.build(ids, vectors, model_name=MODEL, kind="hnsw")
    assert index.kind == "hnsw"
    return index


@pytest.fixture
def small() -> tuple[np.ndarray, np.ndarray]:
    return _ids(500), embedding_like(500, DIM, seed=3)


def _recall(got: np.ndarray, truth: np.ndarray) -> float:
    if truth.size == 0:
        return 1.0
    return len(set(got.tolist()) & set(truth.tolist())) / truth.size


class TestBuild:
    def test_kind_follows_threshold(self, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        assert VectorIndex.build(ids, vectors, model_name=MODEL).kind == "flat"
        cfg = IndexConfig(hnsw_threshold=400)
        assert VectorIndex.build(ids, vectors, model_name=MODEL, config=cfg).kind == "hnsw"

    def test_flat_is_exact(self, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL)
        query = embedding_like(1, DIM, seed=99)[0]
        result = index.search(query, 10)
        assert result.exact
        np.testing.assert_array_equal(result.ids, exact_top_k(vectors, ids, query, 10))
        expected = np.sort(vectors @ query)[::-1][:10]
        np.testing.assert_allclose(result.scores, expected, rtol=1e-5, atol=1e-6)

    def test_k_larger_than_index(self, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids[:5], np.ascontiguousarray(vectors[:5]), model_name=MODEL)
        result = index.search(vectors[0], 50)
        assert sorted(result.ids.tolist()) == sorted(ids[:5].tolist())
        assert result.ids[0] == ids[0]

    def test_empty_index_returns_nothing(self) -> None:
        index = VectorIndex(DIM, model_name=MODEL)
        assert len(index.search(np.full(DIM, DIM**-0.5, dtype=np.float32), 5)) == 0

    def test_memory_per_creator_under_2kb(self, hnsw_index: VectorIndex) -> None:
        per_creator = hnsw_index.memory_bytes() / len(hnsw_index)
        assert 1536 < per_creator <= 2048


class TestFilteredRecall:
    @pytest.mark.parametrize("selectivity", SELECTIVITIES)
    @pytest.mark.parametrize("config", [IndexConfig(), STRESS], ids=["default", "stress"])
    def test_recall_at_10_against_exact(
        self,
        corpus: tuple[np.ndarray, np.ndarray, np.ndarray],
        hnsw_index: VectorIndex,
        selectivity: float,
        config: IndexConfig,
    ) -> None:
        ids, vectors, queries = corpus
        hnsw_index.config = config
        try:
            rng = np.random.default_rng(int(selectivity * 1000))
            recalls = []
            for query in queries:
                allowed = (
                    None
                    if selectivity == 1.0
                    else rng.choice(ids, int(N * selectivity), replace=False)
                )
                result = hnsw_index.search(query, 10, allowed_ids=allowed)
                truth = exact_top_k(vectors, ids, query, 10, allowed)
                assert len(result) == 10
                if allowed is not None:
                    assert np.isin(result.ids, allowed).all()
                recalls.append(_recall(result.ids, truth))
        finally:
            hnsw_index.config = IndexConfig()
        assert np.mean(recalls) >= 0.95, f"recall@10 {np.mean(recalls):.3f}"

    @pytest.mark.parametrize(
        ("selectivity", "exact"), [(0.01, True), (0.05, False), (0.5, False), (1.0, False)]
    )
    def test_path_by_selectivity(
        self,
        corpus: tuple[np.ndarray, np.ndarray, np.ndarray],
        hnsw_index: VectorIndex,
        selectivity: float,
        exact: bool,
    ) -> None:
        ids, _, queries = corpus
        hnsw_index.config = STRESS
        try:
            allowed = ids[: int(N * selectivity)]
            assert hnsw_index.search(queries[0], 10, allowed_ids=allowed).exact is exact
        finally:
            hnsw_index.config = IndexConfig()

    @pytest.mark.parametrize("selectivity", [0.01, 0.10])
    def test_small_allowed_sets_get_exactly_the_exact_top_k(
        self,
        corpus: tuple[np.ndarray, np.ndarray, np.ndarray],
        hnsw_index: VectorIndex,
        selectivity: float,
    ) -> None:
        # The selection rule with the shipped config: at most exact_max_ids (16,384) allowed
        # creators, or under exact_fraction of them, are searched exactly over just those, so
        # a 1% or 10% filter returns the exact top-k (ids, order and scores), not an
        # approximation (docs/matcher-index.md: the graph search loses recall under a filter).
        ids, vectors, queries = corpus
        assert hnsw_index.config == IndexConfig()
        rng = np.random.default_rng(int(selectivity * 100))
        for query in queries[:10]:
            allowed = rng.choice(ids, int(N * selectivity), replace=False)
            result = hnsw_index.search(query, 10, allowed_ids=allowed)
            assert result.exact
            np.testing.assert_array_equal(result.ids, exact_top_k(vectors, ids, query, 10, allowed))
            expected = np.sort(vectors[np.isin(ids, allowed)] @ query)[::-1][:10]
            np.testing.assert_allclose(result.scores, expected, rtol=1e-5, atol=1e-6)

    @pytest.mark.parametrize("config", [IndexConfig(), STRESS], ids=["default", "stress"])
    def test_filter_inside_search_finds_far_creators(
        self,
        corpus: tuple[np.ndarray, np.ndarray, np.ndarray],
        hnsw_index: VectorIndex,
        config: IndexConfig,
    ) -> None:
        # The allowed creators are the 10% least similar to the query: a post-filter over the
        # unfiltered top candidates would find none of them.
        ids, vectors, queries = corpus
        query = queries[1]
        allowed = ids[np.argsort(vectors @ query)[: N // 10]]
        hnsw_index.config = config
        try:
            result = hnsw_index.search(query, 10, allowed_ids=allowed)
        finally:
            hnsw_index.config = IndexConfig()
        assert len(result) == 10
        assert np.isin(result.ids, allowed).all()
        truth = exact_top_k(vectors, ids, query, 10, allowed)
        assert _recall(result.ids, truth) >= 0.9

    def test_unknown_allowed_ids_are_ignored(self, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL)
        allowed = np.array([ids[4], 10**12, ids[9], ids[4]], dtype=np.int64)
        result = index.search(vectors[4], 10, allowed_ids=allowed)
        assert result.ids.tolist() == [ids[4], ids[9]] or result.ids.tolist() == [ids[4], ids[9]]
        assert len(index.search(vectors[4], 10, allowed_ids=np.array([], dtype=np.int64))) == 0

    def test_large_exact_subset_uses_faiss_scan(self) -> None:
        # More than 8,192 allowed ids on the exact path goes through the bitmap flat scan.
        n = 12_000
        ids, vectors = _ids(n), embedding_like(n, DIM, seed=8)
        index = VectorIndex.build(ids, vectors, model_name=MODEL)
        query = embedding_like(1, DIM, seed=9)[0]
        allowed = ids[::1][: n - 1000]
        result = index.search(query, 10, allowed_ids=allowed)
        np.testing.assert_array_equal(result.ids, exact_top_k(vectors, ids, query, 10, allowed))


class TestInputChecks:
    @pytest.fixture
    def index(self, small: tuple[np.ndarray, np.ndarray]) -> VectorIndex:
        ids, vectors = small
        return VectorIndex.build(ids, vectors, model_name=MODEL)

    @pytest.mark.parametrize(
        ("vectors", "message"),
        [
            (np.zeros((2, DIM), dtype=np.float64), "float32"),
            (np.zeros((2, DIM + 1), dtype=np.float32), "shape"),
            (np.zeros(DIM, dtype=np.float32), "shape"),
            (np.asfortranarray(np.zeros((2, DIM), dtype=np.float32)), "C-contiguous"),
            (np.full((2, DIM), np.nan, dtype=np.float32), "NaN"),
            ([[0.0] * DIM] * 2, "numpy array"),
        ],
    )
    def test_bad_vectors(self, index: VectorIndex, vectors: object, message: str) -> None:
        with pytest.raises(InvalidInputError, match=message):
            index.add(np.array([1, 2], dtype=np.int64), vectors)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("ids", "message"),
        [
            (np.array([1.0, 2.0]), "int64"),
            (np.array([[1, 2]], dtype=np.int64), "1-D"),
            (np.array([1, 1], dtype=np.int64), "duplicates"),
            (np.array([1], dtype=np.int64), "2 vectors"),
            (np.array([-1, 2], dtype=np.int64), "non-negative"),
        ],
    )
    def test_bad_ids(self, index: VectorIndex, ids: np.ndarray, message: str) -> None:
        with pytest.raises(InvalidInputError, match=message):
            index.add(ids, np.zeros((2, DIM), dtype=np.float32))

    def test_add_existing_id_refused(
        self, index: VectorIndex, small: tuple[np.ndarray, np.ndarray]
    ) -> None:
        ids, vectors = small
        with pytest.raises(InvalidInputError, match="already in the index"):
            index.add(ids[:1], np.ascontiguousarray(vectors[:1]))

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            (np.zeros(DIM, dtype=np.float64), "float32"),
            (np.zeros(DIM - 1, dtype=np.float32), "shape"),
            (np.zeros((2, DIM), dtype=np.float32), "shape"),
            (np.zeros((DIM, 2), dtype=np.float32)[:, 0], "C-contiguous"),
        ],
    )
    def test_bad_query(self, index: VectorIndex, query: np.ndarray, message: str) -> None:
        with pytest.raises(InvalidInputError, match=message):
            index.search(query, 5)

    @pytest.mark.parametrize("k", [0, -1, 2.5, True])
    def test_bad_k(self, index: VectorIndex, k: object) -> None:
        with pytest.raises(InvalidInputError, match="k"):
            index.search(np.zeros(DIM, dtype=np.float32), k)  # type: ignore[arg-type]

    def test_bad_allowed_ids(self, index: VectorIndex) -> None:
        with pytest.raises(InvalidInputError, match="allowed_ids"):
            index.search(np.zeros(DIM, dtype=np.float32), 5, allowed_ids=np.array([0.5]))


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
class TestWrites:
    def test_add_then_find(self, kind: str, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        index = VectorIndex.build(
            ids[:300], np.ascontiguousarray(vectors[:300]), model_name=MODEL, kind=kind
        )  # type: ignore[arg-type]
        index.add(ids[300:], np.ascontiguousarray(vectors[300:]))
        assert len(index) == 500
        result = index.search(vectors[450], 1)
        assert result.ids.tolist() == [ids[450]]
        assert result.scores[0] == pytest.approx(1.0, abs=1e-4)

    def test_update_replaces_vector(self, kind: str, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL, kind=kind)  # type: ignore[arg-type]
        # Creator 0 takes creator 1's old vector; its own old vector no longer leads to it.
        index.update(ids[:1], np.ascontiguousarray(vectors[1:2]))
        assert len(index) == 500
        assert index.ntotal == 501
        assert set(index.search(vectors[1], 2).ids.tolist()) == {ids[0], ids[1]}
        assert ids[0] not in index.search(vectors[0], 3).ids.tolist()
        np.testing.assert_array_equal(index.get_vectors(ids[:1]), vectors[1:2])
        # An update of an unknown id adds it.
        index.update(np.array([10**9], dtype=np.int64), np.ascontiguousarray(vectors[2:3]))
        assert 10**9 in index

    def test_remove(self, kind: str, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL, kind=kind)  # type: ignore[arg-type]
        gone = ids[:200]
        assert index.remove(np.concatenate([gone, [10**12]])) == 200
        assert index.remove(gone) == 0
        assert len(index) == 300
        for i in range(0, 200, 20):
            assert not np.isin(index.search(vectors[i], 20).ids, gone).any()
            filtered = index.search(vectors[i], 20, allowed_ids=ids[:250])
            assert set(filtered.ids.tolist()) <= set(ids[200:250].tolist())
        assert np.array_equal(index.ids(), np.sort(ids[200:]))
        assert index.needs_rebuild  # 40% tombstones

    def test_compacted_drops_tombstones(
        self, kind: str, small: tuple[np.ndarray, np.ndarray]
    ) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL, kind=kind)  # type: ignore[arg-type]
        index.remove(ids[::2])
        fresh = index.compacted(kind=kind)  # type: ignore[arg-type]
        assert fresh.ntotal == len(fresh) == 250
        assert not fresh.needs_rebuild or kind == "hnsw"  # a 250-creator HNSW is "too small"
        query = vectors[7]
        assert fresh.search(query, 5).ids.tolist() == index.search(query, 5).ids.tolist()


class TestNeedsRebuild:
    def test_flat_grown_past_threshold(self, small: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = small
        cfg = IndexConfig(hnsw_threshold=400)
        index = VectorIndex.build(
            ids[:300], np.ascontiguousarray(vectors[:300]), model_name=MODEL, config=cfg
        )
        assert not index.needs_rebuild
        index.add(ids[300:], np.ascontiguousarray(vectors[300:]))
        assert index.needs_rebuild
        assert index.compacted().kind == "hnsw"


class TestPersistence:
    @pytest.mark.parametrize("kind", ["flat", "hnsw"])
    def test_round_trip(
        self, tmp_path: Path, kind: str, small: tuple[np.ndarray, np.ndarray]
    ) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL, kind=kind)  # type: ignore[arg-type]
        index.remove(ids[:10])
        manifest = index.save(tmp_path)
        assert manifest.count == 490
        assert manifest.ntotal == 500
        assert manifest.kind == kind
        assert manifest.format_version == FORMAT_VERSION
        assert manifest.dim == DIM
        on_disk = json.loads((tmp_path / "manifest.json").read_text())
        assert on_disk["model_name"] == MODEL
        assert on_disk["count"] == 490
        loaded = VectorIndex.load(tmp_path, model_name=MODEL, dim=DIM)
        assert loaded.kind == kind
        assert len(loaded) == 490
        for i in (10, 99, 321):
            a, b = index.search(vectors[i], 10), loaded.search(vectors[i], 10)
            np.testing.assert_array_equal(a.ids, b.ids)
            np.testing.assert_allclose(a.scores, b.scores)
        assert ids[0] not in loaded
        loaded.add(ids[:1], np.ascontiguousarray(vectors[:1]))  # still writable
        assert loaded.search(vectors[0], 1).ids.tolist() == [ids[0]]

    def test_old_generations_are_cleaned(
        self, tmp_path: Path, small: tuple[np.ndarray, np.ndarray]
    ) -> None:
        ids, vectors = small
        index = VectorIndex.build(ids, vectors, model_name=MODEL)
        gens = [index.save(tmp_path).generation for _ in range(3)]
        on_disk = {p.name for p in tmp_path.glob("gen-*")}
        assert on_disk == {f"gen-{gens[1]}", f"gen-{gens[2]}"}
        assert not list(tmp_path.glob(".*.tmp"))
        assert not list(tmp_path.glob("gen-*/.*.tmp"))
        manifest = read_manifest(tmp_path)
        assert manifest is not None
        assert manifest.generation == gens[2]

    def test_missing_is_not_built(self, tmp_path: Path) -> None:
        with pytest.raises(IndexNotBuiltError) as info:
            VectorIndex.load(tmp_path / "nothing", model_name=MODEL, dim=DIM)
        assert isinstance(info.value, UnavailableError)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"model_name": "other-model"}, "model"),
            ({"dim": 768}, "dimension"),
            ({"count": 499}, "count"),
            ({"format_version": FORMAT_VERSION + 1}, "format version"),
            ({"kind": "hnsw"}, "manifest says hnsw"),
            ({"generation": "feed"}, "cannot read"),
        ],
    )
    def test_mismatch_refused(
        self,
        tmp_path: Path,
        small: tuple[np.ndarray, np.ndarray],
        change: dict[str, object],
        message: str,
    ) -> None:
        ids, vectors = small
        VectorIndex.build(ids, vectors, model_name=MODEL).save(tmp_path)
        path = tmp_path / "manifest.json"
        data = json.loads(path.read_text())
        data.update(change)
        path.write_text(json.dumps(data))
        with pytest.raises(IndexNeedsRebuildError, match=message) as info:
            VectorIndex.load(tmp_path, model_name=MODEL, dim=DIM)
        assert isinstance(info.value, UnavailableError)

    def test_expected_model_and_dim_checked(
        self, tmp_path: Path, small: tuple[np.ndarray, np.ndarray]
    ) -> None:
        ids, vectors = small
        VectorIndex.build(ids, vectors, model_name=MODEL).save(tmp_path)
        with pytest.raises(IndexNeedsRebuildError, match="model"):
            VectorIndex.load(tmp_path, model_name="new-model", dim=DIM)
        with pytest.raises(IndexNeedsRebuildError, match="dimension"):
            VectorIndex.load(tmp_path, model_name=MODEL, dim=768)

    def test_corrupt_files_refused(
        self, tmp_path: Path, small: tuple[np.ndarray, np.ndarray]
    ) -> None:
        ids, vectors = small
        manifest = VectorIndex.build(ids, vectors, model_name=MODEL).save(tmp_path)
        (tmp_path / f"gen-{manifest.generation}" / "index.faiss").write_bytes(b"garbage")
        with pytest.raises(IndexNeedsRebuildError, match="cannot read"):
            VectorIndex.load(tmp_path, model_name=MODEL, dim=DIM)

    def test_garbled_manifest_refused(self, tmp_path: Path) -> None:
        tmp_path.joinpath("manifest.json").write_text("{not json")
        with pytest.raises(IndexNeedsRebuildError, match="unreadable manifest"):
            VectorIndex.load(tmp_path, model_name=MODEL, dim=DIM)


class TestHolder:
    def test_not_built(self) -> None:
        holder = IndexHolder()
        assert not holder.is_built
        with pytest.raises(IndexNotBuiltError):
            holder.search(np.zeros(DIM, dtype=np.float32), 3)

    def test_registry_one_holder_per_organisation(self) -> None:
        registry = IndexRegistry()
        assert registry.holder(1) is registry.holder(1)
        assert registry.holder(1) is not registry.holder(2)

    def test_reader_never_sees_a_partial_index_during_swaps(self) -> None:
        # Generation g holds ids g*1_000_000 + 0..n_g-1. A search must always return k hits
        # from exactly one generation, whatever the swaps do meanwhile.
        k = 10
        vectors = embedding_like(3_000, DIM, seed=21)
        query = vectors[0]

        def generation(g: int) -> VectorIndex:
            n = 1_000 + 500 * (g % 3)
            ids = np.arange(n, dtype=np.int64) + g * 1_000_000
            return VectorIndex.build(ids, np.ascontiguousarray(vectors[:n]), model_name=MODEL)

        holder = IndexHolder(generation(0))
        stop = threading.Event()
        failures: list[str] = []
        searches = [0]

        def reader() -> None:
            while not stop.is_set():
                try:
                    result = holder.search(query, k)
                except Exception as exc:  # the test reports any error at all
                    failures.append(repr(exc))
                    return
                gens = set((result.ids // 1_000_000).tolist())
                if len(result) != k or len(gens) != 1:
                    failures.append(f"partial result {result.ids.tolist()}")
                    return
                searches[0] += 1

        threads = [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            for g in range(1, 16):
                holder.rebuild(lambda g=g: generation(g))
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert not failures, failures[:3]
        assert holder.current.ids()[0] == 15 * 1_000_000
        assert searches[0] > 0

    def test_writes_during_rebuild_are_replayed(self) -> None:
        vectors = embedding_like(1_200, DIM, seed=5)
        ids = np.arange(1_200, dtype=np.int64)
        holder = IndexHolder(
            VectorIndex.build(ids[:1_000], np.ascontiguousarray(vectors[:1_000]), model_name=MODEL)
        )

        def build() -> VectorIndex:
            snapshot = holder.current.ids()  # "read the database"
            fresh = VectorIndex.build(
                snapshot, np.ascontiguousarray(vectors[snapshot]), model_name=MODEL
            )
            # Writes that land after the snapshot, while the build runs.
            holder.add(ids[1_000:], np.ascontiguousarray(vectors[1_000:]))
            holder.remove(ids[:100])
            holder.update(ids[500:501], np.ascontiguousarray(vectors[1_100:1_101]))
            return fresh

        new = holder.rebuild(build)
        assert holder.current is new
        assert len(new) == 1_100
        assert 1_150 in new
        assert 50 not in new
        np.testing.assert_array_equal(new.get_vectors(ids[500:501]), vectors[1_100:1_101])
        # Writes after the rebuild are not journaled any more.
        holder.remove(ids[100:101])
        assert 100 not in holder.current

    def test_concurrent_search_and_writes_on_one_index(self) -> None:
        vectors = embedding_like(4_000, DIM, seed=6)
        ids = np.arange(4_000, dtype=np.int64)
        index = VectorIndex.build(
            ids[:2_000], np.ascontiguousarray(vectors[:2_000]), model_name=MODEL, kind="hnsw"
        )
        stop = threading.Event()
        failures: list[str] = []

        def reader() -> None:
            i = 0
            while not stop.is_set():
                try:
                    result = index.search(
                        vectors[i % 2_000], 5, allowed_ids=ids[: 1_000 + i % 1_000]
                    )
                except Exception as exc:  # the test reports any error at all
                    failures.append(repr(exc))
                    return
                if (result.ids < 0).any() or len(result) != 5:
                    failures.append(f"bad result {result.ids.tolist()}")
                    return
                i += 1

        threads = [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            for start in range(2_000, 4_000, 200):
                index.add(
                    ids[start : start + 200], np.ascontiguousarray(vectors[start : start + 200])
                )
                index.remove(ids[start - 2_000 + 1_500 : start - 2_000 + 1_600])
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert not failures, failures[:3]
        assert len(index) == 4_000 - 1_000
