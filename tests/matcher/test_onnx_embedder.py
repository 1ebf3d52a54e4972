"""The ONNX Runtime int8 embedder against the torch reference, on real demo-roster documents.

The ONNX file is exported once per test session into a temporary cache directory (about
10 s); the torch reference is the session ``embedder`` of ``conftest.py``.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from importlib.metadata import version
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

pytest.importorskip("onnxruntime")

from core.errors import InvalidInputError
from demo.roster import generate_roster
from matcher import onnx_embedder as onnx_module
from matcher.documents import creator_document
from matcher.embedder import (
    DEFAULT_MODEL_NAME,
    Embedder,
    ModelUnavailableError,
    QueryCache,
    SentenceTransformerEmbedder,
    default_model_path,
)
from matcher.onnx_embedder import (
    OPSET,
    OnnxEmbedder,
    SessionConfig,
    best_embedder,
    read_manifest,
)
from tests.matcher.briefs import brief_texts

N_DOCUMENTS = 200
K = 10
# Observed (onnxruntime 1.32, AVX2 CPU without VNNI; the vectors are deterministic): these
# 200 documents mean 0.989, min 0.980; briefs min 0.985; top-10 overlap mean 0.92, min 0.9.
# The floors sit just under.
MEAN_COSINE_FLOOR = 0.985
MIN_COSINE_FLOOR = 0.975
BRIEF_COSINE_FLOOR = 0.98
OVERLAP_MEAN_FLOOR = 0.85
OVERLAP_MIN_FLOOR = 0.8
# The 200 brief-like texts of tests/matcher/briefs.py, each encoded alone as a query: observed
# mean 0.993, min 0.988 (AVX-512 VNNI CPU). Issue 16 asks for >= 0.98.
BRIEF_CORPUS_MEAN_FLOOR = 0.985
BRIEF_CORPUS_MIN_FLOOR = 0.98

BRIEFS = {
    "en_skincare": "Launch of our vegan, cruelty-free face serum; looking for skincare creators.",
    "en_gaming": "New wireless gaming headset: we want FPS streamers for a two-week campaign.",
    "en_fitness": "Home workout app looking for fitness coaches who post daily routines.",
    "en_travel": "Boutique hotels in Portugal seek travel photographers for summer stories.",
    "es_food": "Buscamos creadores de cocina vegana para lanzar nuestra nueva leche de avena.",
    "es_fashion": "Marca de moda sostenible busca influencers de estilo en Madrid y Barcelona.",
    "fr_beauty": "Nous lançons un rouge à lèvres bio et cherchons des créatrices beauté.",
    "fr_tech": "Startup française cherche des créateurs tech pour tester notre ordinateur portable.",
    "de_outdoor": "Wir suchen Outdoor- und Wander-Creator für unsere neue Regenjacke.",
    "de_parenting": "Familienmarke sucht Eltern-Influencer für nachhaltiges Babyspielzeug.",
}

FloatArray = npt.NDArray[np.float32]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(cache_dir=onnx_cache)


@pytest.fixture(scope="session")
def documents() -> list[str]:
    return [creator_document(record) for record in generate_roster(N_DOCUMENTS)]


@pytest.fixture(scope="session")
def reference_vectors(embedder: SentenceTransformerEmbedder, documents: list[str]) -> FloatArray:
    return embedder.encode(documents)


@pytest.fixture(scope="session")
def onnx_vectors(onnx_embedder: OnnxEmbedder, documents: list[str]) -> FloatArray:
    return onnx_embedder.encode(documents)


class TestInterface:
    def test_protocol_shape_dtype_normalised(self, onnx_embedder: OnnxEmbedder) -> None:
        assert isinstance(onnx_embedder, Embedder)
        assert onnx_embedder.dim == 384
        vectors = onnx_embedder.encode(["vegan skincare", "", "  FPS streamer  "], batch_size=2)
        assert vectors.shape == (3, 384)
        assert vectors.dtype == np.float32
        assert vectors.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_name_differs_from_torch(self, onnx_embedder: OnnxEmbedder) -> None:
        assert onnx_embedder.name == f"{DEFAULT_MODEL_NAME}+onnx-int8"

    def test_empty_input(self, onnx_embedder: OnnxEmbedder) -> None:
        vectors = onnx_embedder.encode([])
        assert vectors.shape == (0, 384)
        assert vectors.dtype == np.float32

    @pytest.mark.parametrize("texts", ["a bare string", ["ok", 3]])
    def test_bad_input(self, onnx_embedder: OnnxEmbedder, texts: object) -> None:
        with pytest.raises(InvalidInputError):
            onnx_embedder.encode(texts)  # type: ignore[arg-type]

    def test_bad_batch_size(self, onnx_embedder: OnnxEmbedder) -> None:
        with pytest.raises(InvalidInputError):
            onnx_embedder.encode(["a"], batch_size=0)

    def test_a_vector_depends_only_on_its_text(
        self, onnx_embedder: OnnxEmbedder, documents: list[str]
    ) -> None:
        texts = [*documents[:12], "short", ""]
        whole = onnx_embedder.encode(texts, batch_size=64)
        reversed_small = onnx_embedder.encode(texts[::-1], batch_size=3)[::-1]
        alone = np.stack([onnx_embedder.encode([t])[0] for t in texts[:3]])
        np.testing.assert_allclose(reversed_small, whole, atol=1e-6)
        np.testing.assert_allclose(alone, whole[:3], atol=1e-6)

    def test_encode_query_cached_read_only(self, onnx_embedder: OnnxEmbedder) -> None:
        text = BRIEFS["en_travel"]
        first = onnx_embedder.encode_query(text)
        assert first.shape == (384,)
        assert not first.flags.writeable
        assert onnx_embedder.encode_query(text) is first
        np.testing.assert_allclose(first, onnx_embedder.encode([text])[0], atol=1e-6)

    def test_progress_bar(
        self, onnx_embedder: OnnxEmbedder, capsys: pytest.CaptureFixture[str]
    ) -> None:
        onnx_embedder.encode(["a", "b", "c"], batch_size=1, show_progress=True)
        assert "3/3" in capsys.readouterr().err

    def test_shorter_window_truncates(
        self, onnx_cache: Path, onnx_embedder: OnnxEmbedder, documents: list[str]
    ) -> None:
        short = OnnxEmbedder(cache_dir=onnx_cache, max_seq_length=32)
        assert not short.exported  # the graph does not depend on the window
        assert short.name == f"{DEFAULT_MODEL_NAME}+onnx-int8-len32"
        longest = max(documents, key=len)
        cosine = float(short.encode([longest])[0] @ onnx_embedder.encode([longest])[0])
        assert cosine < 0.99

    @pytest.mark.parametrize(("field", "value"), [("threads", 0), ("max_seq_length", 0)])
    def test_bad_parameters(self, onnx_cache: Path, field: str, value: int) -> None:
        with pytest.raises(InvalidInputError):
            OnnxEmbedder(cache_dir=onnx_cache, **{field: value})  # type: ignore[arg-type]


def _reference_ids(model: object, texts: list[str]) -> list[list[int]]:
    """The ids sentence-transformers feeds its model (padding removed)."""
    # sentence-transformers 6 renamed ``tokenize`` to ``preprocess`` (the old name warns).
    preprocess = getattr(model, "preprocess", None) or model.tokenize  # type: ignore[attr-defined]
    out = []
    for text in texts:
        features = preprocess([text])
        ids, mask = features["input_ids"][0], features["attention_mask"][0]
        out.append(ids[mask.bool()].tolist())
    return out


EDGE_TEXTS = [
    "",
    "   ",
    "  padded brief  ",
    "Crème brûlée & café: ÉTÉ 2025!",
    "emoji 🎉🔥 creators 💄",
    "日本のゲーム実況者",
    "tab\tand\nnewline",
    "x " * 400,  # past the 256-piece window
]


class TestTokenizer:
    def test_same_ids_as_sentence_transformers(
        self,
        embedder: SentenceTransformerEmbedder,
        onnx_embedder: OnnxEmbedder,
        documents: list[str],
    ) -> None:
        texts = [*brief_texts(), *documents[:40], *EDGE_TEXTS]
        want = _reference_ids(embedder._model, texts)
        got = [onnx_embedder.tokenize(text) for text in texts]
        mismatched = [t for t, w, g in zip(texts, want, got, strict=True) if w != g]
        assert mismatched == []

    def test_exact_length_no_padding(self, onnx_embedder: OnnxEmbedder) -> None:
        pieces = onnx_embedder._tokenizer.encode("vegan skincare", add_special_tokens=False).ids
        assert onnx_embedder.tokenize("  vegan skincare ") == [101, *pieces, 102]  # no [PAD]

    def test_truncated_to_the_window(self, onnx_embedder: OnnxEmbedder) -> None:
        ids = onnx_embedder.tokenize("word " * 1000)
        assert len(ids) == onnx_embedder.max_seq_length
        assert ids[-1] == 102


class TestQueryCache:
    @pytest.fixture
    def small(self, onnx_cache: Path, onnx_embedder: OnnxEmbedder) -> OnnxEmbedder:
        return OnnxEmbedder(cache_dir=onnx_cache, query_cache=QueryCache(maxsize=2))

    def test_hit_is_the_same_vector(self, small: OnnxEmbedder) -> None:
        first = small.encode_query(BRIEFS["en_gaming"])
        second = small.encode_query(BRIEFS["en_gaming"])
        assert second is first
        assert (small.query_cache.hits, small.query_cache.misses) == (1, 1)

    def test_exact_text_is_the_key(self, small: OnnxEmbedder) -> None:
        small.encode_query("vegan skincare")
        small.encode_query("vegan skincare ")
        assert small.query_cache.misses == 2
        assert len(small.query_cache) == 2

    def test_bounded_least_recent_goes(self, small: OnnxEmbedder) -> None:
        a, b, c = BRIEFS["en_skincare"], BRIEFS["en_gaming"], BRIEFS["en_travel"]
        small.encode_query(a)
        small.encode_query(b)
        small.encode_query(a)  # now b is the least recent
        small.encode_query(c)
        assert len(small.query_cache) == 2
        assert (small.name, a) in small.query_cache
        assert (small.name, b) not in small.query_cache

    def test_model_name_in_the_key(
        self, onnx_cache: Path, onnx_embedder: OnnxEmbedder, embedder: SentenceTransformerEmbedder
    ) -> None:
        shared = QueryCache(maxsize=8)
        onnx = OnnxEmbedder(cache_dir=onnx_cache, query_cache=shared)
        torch_embedder = SentenceTransformerEmbedder(query_cache=shared)
        text = BRIEFS["fr_beauty"]
        from_onnx = onnx.encode_query(text)
        from_torch = torch_embedder.encode_query(text)
        assert len(shared) == 2
        assert shared.hits == 0
        assert not np.array_equal(from_onnx, from_torch)  # int8 differs from fp32
        np.testing.assert_array_equal(from_torch, embedder.encode([text])[0])
        assert onnx.encode_query(text) is from_onnx
        assert torch_embedder.encode_query(text) is from_torch

    def test_thread_safe(self, onnx_cache: Path, onnx_embedder: OnnxEmbedder) -> None:
        texts = list(BRIEFS.values())
        want = {text: onnx_embedder.encode([text])[0] for text in texts}
        shared = OnnxEmbedder(cache_dir=onnx_cache, query_cache=QueryCache(maxsize=4))
        errors: list[str] = []

        def work(offset: int) -> None:
            for i in range(40):
                text = texts[(offset + i) % len(texts)]
                if not np.allclose(shared.encode_query(text), want[text], atol=1e-6):
                    errors.append(text)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(shared.query_cache) == 4
        assert shared.query_cache.hits + shared.query_cache.misses == 240


class TestSessionConfig:
    def test_defaults_one_quiet_thread(self) -> None:
        import onnxruntime

        options = SessionConfig().options(onnxruntime)
        assert options.intra_op_num_threads == 1
        assert options.inter_op_num_threads == 1
        assert options.execution_mode == onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        assert options.graph_optimization_level == onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        assert options.enable_cpu_mem_arena
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"

    def test_every_option_reaches_onnxruntime(self) -> None:
        import onnxruntime

        config = SessionConfig(
            intra_op_threads=2,
            allow_spinning=True,
            optimization="basic",
            cpu_mem_arena=False,
            parallel_execution=True,
        )
        options = config.options(onnxruntime)
        assert options.intra_op_num_threads == 2
        assert options.execution_mode == onnxruntime.ExecutionMode.ORT_PARALLEL
        assert (
            options.graph_optimization_level == onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        )
        assert not options.enable_cpu_mem_arena
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "1"

    @pytest.mark.parametrize(
        "kwargs", [{"intra_op_threads": 0}, {"optimization": "max"}], ids=["threads", "level"]
    )
    def test_bad_values(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(InvalidInputError):
            SessionConfig(**kwargs)  # type: ignore[arg-type]

    def test_options_do_not_change_the_vectors(
        self, onnx_cache: Path, onnx_embedder: OnnxEmbedder
    ) -> None:
        other = OnnxEmbedder(
            cache_dir=onnx_cache,
            session=SessionConfig(intra_op_threads=2, optimization="basic"),
        )
        assert other.name == onnx_embedder.name
        texts = list(BRIEFS.values())
        cosines = np.sum(other.encode(texts) * onnx_embedder.encode(texts), axis=1)
        assert float(cosines.min()) > 0.9999


class TestAgreementWithTorch:
    def test_documents(self, reference_vectors: FloatArray, onnx_vectors: FloatArray) -> None:
        cosines = np.sum(reference_vectors * onnx_vectors, axis=1)
        assert float(cosines.mean()) >= MEAN_COSINE_FLOOR
        assert float(cosines.min()) >= MIN_COSINE_FLOOR

    def test_brief_corpus(
        self, embedder: SentenceTransformerEmbedder, onnx_embedder: OnnxEmbedder
    ) -> None:
        texts = brief_texts()
        want = embedder.encode(texts)
        got = np.stack([onnx_embedder.encode_query(text) for text in texts])
        cosines = np.sum(want * got, axis=1)
        assert float(cosines.mean()) >= BRIEF_CORPUS_MEAN_FLOOR
        assert float(cosines.min()) >= BRIEF_CORPUS_MIN_FLOOR

    @pytest.mark.parametrize("brief", BRIEFS.values(), ids=BRIEFS.keys())
    def test_briefs(
        self, embedder: SentenceTransformerEmbedder, onnx_embedder: OnnxEmbedder, brief: str
    ) -> None:
        cosine = float(embedder.encode_query(brief) @ onnx_embedder.encode_query(brief))
        assert cosine >= BRIEF_COSINE_FLOOR

    def test_top10_neighbours(
        self,
        embedder: SentenceTransformerEmbedder,
        onnx_embedder: OnnxEmbedder,
        reference_vectors: FloatArray,
        onnx_vectors: FloatArray,
    ) -> None:
        overlaps = []
        for brief in BRIEFS.values():
            want = set(np.argsort(-(reference_vectors @ embedder.encode_query(brief)))[:K])
            got = set(np.argsort(-(onnx_vectors @ onnx_embedder.encode_query(brief)))[:K])
            overlaps.append(len(want & got) / K)
        assert float(np.mean(overlaps)) >= OVERLAP_MEAN_FLOOR
        assert min(overlaps) >= OVERLAP_MIN_FLOOR


class TestCache:
    def test_second_construction_reuses_the_file(
        self, onnx_cache: Path, onnx_embedder: OnnxEmbedder
    ) -> None:
        before = onnx_embedder.model_file.stat()
        again = OnnxEmbedder(cache_dir=onnx_cache)
        after = again.model_file.stat()
        assert not again.exported
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    def test_manifest_contents(self, onnx_embedder: OnnxEmbedder) -> None:
        manifest = read_manifest(onnx_embedder.model_file.with_suffix(".json"))
        assert manifest is not None
        assert manifest["quantized"] is True
        assert manifest["opset"] == OPSET
        assert manifest["onnxruntime"] == version("onnxruntime")
        assert manifest["source"]["path"] == str(default_model_path().resolve())
        assert manifest["size"] == onnx_embedder.model_file.stat().st_size
        assert manifest["self_check_min_cosine"] >= 0.95
        assert list(onnx_embedder.cache_dir.glob(".export-*")) == []  # no temp left behind

    @pytest.mark.parametrize(
        "tamper",
        ["opset", "onnxruntime", "quantized", "source", "format", "sha256", "file", "garbage"],
    )
    def test_stale_artefact_is_not_current(
        self, onnx_cache: Path, onnx_embedder: OnnxEmbedder, tmp_path: Path, tamper: str
    ) -> None:
        shutil.copytree(onnx_cache, tmp_path, dirs_exist_ok=True)
        manifest_path = tmp_path / "model-int8.json"
        model_file = tmp_path / "model-int8.onnx"
        manifest = json.loads(manifest_path.read_text())
        expected = onnx_embedder._expected(default_model_path().resolve())
        probe = OnnxEmbedder.__new__(OnnxEmbedder)
        probe.quantize, probe.cache_dir = True, tmp_path
        assert probe._is_current(expected, model_file)  # the copy is current before tampering
        if tamper == "garbage":
            manifest_path.write_text("{not json")
        elif tamper == "file":
            with model_file.open("r+b") as f:
                f.seek(1000)
                f.write(b"\x00" * 16)
        else:
            changed = {
                "opset": OPSET - 1,
                "onnxruntime": "0.0.0",
                "quantized": False,
                "source": {**manifest["source"], "configs_sha256": "0" * 64},
                "format": -1,
                "sha256": "0" * 64,
            }
            manifest[tamper] = changed[tamper]
            manifest_path.write_text(json.dumps(manifest))
        assert not probe._is_current(expected, model_file)

    def test_tampered_manifest_exports_again(
        self, onnx_cache: Path, onnx_embedder: OnnxEmbedder, tmp_path: Path
    ) -> None:
        shutil.copytree(onnx_cache, tmp_path, dirs_exist_ok=True)
        manifest_path = tmp_path / "model-int8.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["onnxruntime"] = "0.0.0"
        manifest_path.write_text(json.dumps(manifest))
        inode = (tmp_path / "model-int8.onnx").stat().st_ino

        rebuilt = OnnxEmbedder(cache_dir=tmp_path)

        assert rebuilt.exported
        assert rebuilt.model_file.stat().st_ino != inode
        fixed = read_manifest(manifest_path)
        assert fixed is not None
        assert fixed["onnxruntime"] == onnx_embedder.manifest["onnxruntime"]
        text = BRIEFS["de_outdoor"]
        assert float(rebuilt.encode([text])[0] @ onnx_embedder.encode([text])[0]) > 0.999

    def test_unsupported_pooling_is_refused(self, tmp_path: Path) -> None:
        source = default_model_path()
        for name in ("config.json", "modules.json"):
            shutil.copy(source / name, tmp_path / name)
        (tmp_path / "1_Pooling").mkdir()
        (tmp_path / "1_Pooling" / "config.json").write_text(
            json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
        )
        with pytest.raises(ModelUnavailableError, match="pooling"):
            OnnxEmbedder(tmp_path, cache_dir=tmp_path / "cache")
        assert not (tmp_path / "cache").exists()


class TestBestEmbedder:
    def test_prefers_onnx(self, onnx_cache: Path, onnx_embedder: OnnxEmbedder) -> None:
        chosen = best_embedder(None, onnx_cache)
        assert isinstance(chosen, OnnxEmbedder)
        assert not chosen.exported

    def test_torch_forced(self, onnx_cache: Path, embedder: SentenceTransformerEmbedder) -> None:
        chosen = best_embedder(None, onnx_cache, prefer="torch")
        assert isinstance(chosen, SentenceTransformerEmbedder)
        assert chosen.name == DEFAULT_MODEL_NAME

    def test_falls_back_and_logs_why(
        self,
        onnx_cache: Path,
        embedder: SentenceTransformerEmbedder,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        def broken(*args: object, **kwargs: object) -> OnnxEmbedder:
            raise ModelUnavailableError("somewhere", "export exploded")

        monkeypatch.setattr(onnx_module, "OnnxEmbedder", broken)
        with caplog.at_level(logging.WARNING, logger="creatormatch.matcher"):
            chosen = best_embedder(None, onnx_cache)
        assert isinstance(chosen, SentenceTransformerEmbedder)
        assert "export exploded" in caplog.text

    def test_onnx_required_raises(self, onnx_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def missing(*args: object, **kwargs: object) -> OnnxEmbedder:
            raise ImportError("No module named 'onnxruntime'")

        monkeypatch.setattr(onnx_module, "OnnxEmbedder", missing)
        with pytest.raises(ImportError):
            best_embedder(None, onnx_cache, prefer="onnx")
