"""The bundled MiniLM on ONNX Runtime, int8-quantized: the fast :class:`Embedder`.

The ONNX file is a derived artefact of the local sentence-transformers model, built on first
use and cached under ``cache_dir``:

1. ``torch.onnx.export`` of the transformer with the pooling of the model's ``1_Pooling``
   config (mean over the attention mask) inside the graph; batch and sequence axes dynamic.
2. For BERT models, ONNX Runtime's transformer optimizer fuses attention, layer norms and
   GELU (the fused graph is what makes int8 attention fast on a CPU).
3. ``onnxruntime.quantization.quantize_dynamic`` with int8 per-channel weights. Per-tensor
   weights lose too much (document cosine to torch ~0.93 instead of ~0.99, on an AVX2 CPU
   and on an AVX-512 VNNI one alike).
4. A self-check against the torch model on a few probe texts; the file is written atomically
   (temp file, then ``os.replace``) and then a manifest that names the source model (path,
   weight file size and mtime, sha256 of its configs and tokenizer), the opset, the
   quantization and the onnxruntime version. A manifest that does not match means "export
   again", never a stale model.

At run time only ``onnxruntime``, ``tokenizers`` and numpy are imported; torch and
transformers are imported only to export. Tokenization uses the model's own ``tokenizer.json``
with the Rust ``tokenizers`` library directly (no transformers wrapper per call), truncated to
``max_seq_length`` word pieces like sentence-transformers, and rows are L2-normalised in numpy
as the model's ``Normalize`` module does. A text always runs alone at its exact length (no
padding): with dynamic quantization a padded batch would make a vector depend on its batch
mates. :class:`SessionConfig` holds the onnxruntime session options; the defaults are the
measured best for one short text on a shared 2-core machine (``bench/bench_encode.py``).

:func:`best_embedder` returns this embedder when it can be built and the torch one otherwise.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInputError
from matcher.embedder import (
    Embedder,
    FloatArray,
    ModelUnavailableError,
    QueryCache,
    SentenceTransformerEmbedder,
    checked_texts,
    default_model_path,
    model_name_for,
    normalize_rows,
)

if TYPE_CHECKING:
    import onnxruntime  # type: ignore[import-untyped]  # no stubs or py.typed
    from tokenizers import Tokenizer

__all__ = [
    "EXPORT_FORMAT",
    "OPSET",
    "OnnxEmbedder",
    "SessionConfig",
    "best_embedder",
    "read_manifest",
]

_log = logging.getLogger("creatormatch.matcher")

# Bump when the export pipeline changes (graph, fusion, quantization settings): every cached
# file is then exported again.
EXPORT_FORMAT: Final = 1
OPSET: Final = 17
# The files that decide the model's output, hashed into the manifest (those present).
_SOURCE_FILES = (
    "config.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Texts the export checks the ONNX model on before it is cached.
_PROBES = (
    "Launch of our vegan, cruelty-free face serum; looking for skincare creators.",
    "Buscamos creadores de cocina vegana en Madrid para una campaña de verano.",
    "Categories: gaming. Competitive FPS player streaming every night. #gaming #twitch",
    "",
)
_PROBE_MIN_COSINE: Final = 0.95
_CHUNK: Final = 1 << 20


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _source_fingerprint(model_dir: Path) -> dict[str, Any]:
    """What identifies the source model: cheap (no hash of the weights, their size and mtime)."""
    weights = [model_dir / name for name in _WEIGHT_FILES if (model_dir / name).is_file()]
    if not weights:
        raise ModelUnavailableError(str(model_dir), "no model.safetensors or pytorch_model.bin")
    digest = hashlib.sha256()
    for name in _SOURCE_FILES:
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    return {
        "path": str(model_dir),
        "configs_sha256": digest.hexdigest(),
        "weights": [
            {"file": w.name, "size": w.stat().st_size, "mtime_ns": w.stat().st_mtime_ns}
            for w in weights
        ],
    }


def _check_pooling(model_dir: Path) -> None:
    """Refuse a model whose sentence-transformers pipeline is not Transformer -> mean Pooling
    [-> Normalize]: the export puts exactly that in the graph."""
    modules_path = model_dir / "modules.json"
    if not modules_path.is_file():
        raise ModelUnavailableError(str(model_dir), "no modules.json")
    modules = _read_json(modules_path)
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]):
        raise ModelUnavailableError(str(model_dir), f"unsupported module pipeline {kinds}")
    pooling_dir = model_dir / str(modules[1].get("path", "1_Pooling"))
    pooling = _read_json(pooling_dir / "config.json")
    modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode") and v is True)
    if modes != ["pooling_mode_mean_tokens"]:
        raise ModelUnavailableError(str(model_dir), f"unsupported pooling {modes}")


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path``, or None when it is missing or not a JSON object."""
    try:
        manifest = _read_json(path)
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


@contextlib.contextmanager
def _export_lock(cache_dir: Path) -> Iterator[None]:
    """One export at a time per cache directory, across threads and processes."""
    with _thread_lock, (cache_dir / ".export.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_thread_lock = threading.Lock()


def _ort_errors() -> tuple[type[Exception], ...]:
    """The exception types of onnxruntime (they do not share a base class)."""
    from onnxruntime.capi import (  # type: ignore[import-untyped]  # no stubs
        onnxruntime_pybind11_state as state,
    )

    return tuple(
        value
        for value in vars(state).values()
        if isinstance(value, type) and issubclass(value, Exception)
    )


def _export_errors() -> tuple[type[Exception], ...]:
    """What torch, onnx and onnxruntime raise when an export fails."""
    return (ImportError, OSError, RuntimeError, ValueError, *_ort_errors())


def _make_tokenizer(model_dir: Path, max_seq_length: int) -> Tokenizer:
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise ModelUnavailableError(str(model_dir), "no tokenizer.json (a fast tokenizer)")
    tokenizer = Tokenizer.from_file(str(path))
    # tokenizer.json ships truncation/padding of its own (128 for MiniLM): set ours; padding
    # is done per batch in numpy.
    tokenizer.enable_truncation(max_length=max_seq_length)
    tokenizer.no_padding()
    return tokenizer


class _Exporter:
    """Builds the ONNX file of one model directory (torch and transformers imported here)."""

    def __init__(self, model_dir: Path, *, quantize: bool) -> None:
        self.model_dir = model_dir
        self.quantize = quantize

    def build(self, target: Path, work: Path) -> dict[str, Any]:
        """Export to ``work``, check, and move the result to ``target``; the manifest fields."""
        import onnxruntime
        import torch
        from transformers import AutoConfig, AutoModel

        config = AutoConfig.from_pretrained(str(self.model_dir), local_files_only=True)
        # Eager attention traces to plain MatMul/Softmax that the optimizer fuses.
        model = AutoModel.from_pretrained(
            str(self.model_dir), local_files_only=True, attn_implementation="eager"
        ).eval()
        pooled = _mean_pooled(model).eval()

        raw = work / "model-raw.onnx"
        # Two rows, the second padded, so the trace keeps the attention mask in the graph.
        ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.int64)
        mask = (ids != 0).to(torch.int64)
        axes = {0: "batch", 1: "sequence"}
        # The tracer warns about shapes it treats as constants and about the exporter being
        # the legacy one; the self-check below is what tells whether the graph is right.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                pooled,
                (ids, mask, torch.zeros_like(ids)),
                str(raw),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": axes,
                    "attention_mask": axes,
                    "token_type_ids": axes,
                    "sentence_embedding": {0: "batch"},
                },
                opset_version=OPSET,
                do_constant_folding=True,
                # The TorchScript exporter: no onnxscript dependency, and its BERT graph is
                # the one onnxruntime's transformer optimizer knows how to fuse.
                dynamo=False,
            )

        fused = False
        current = raw
        if getattr(config, "model_type", "") == "bert":
            from onnxruntime.transformers.optimizer import (  # type: ignore[import-untyped]
                optimize_model,  # no stubs or py.typed
            )

            optimized = optimize_model(
                str(raw),
                model_type="bert",
                num_heads=int(config.num_attention_heads),
                hidden_size=int(config.hidden_size),
                opt_level=1,
                use_gpu=False,
            )
            current = work / "model-fused.onnx"
            optimized.save_model_to_file(str(current))
            fused = True

        if self.quantize:
            import onnx
            from onnxruntime.quantization import (  # type: ignore[import-untyped]  # no stubs
                QuantType,
                quantize_dynamic,
            )

            quantized = work / "model-int8.onnx"
            quantize_dynamic(
                current,
                quantized,
                weight_type=QuantType.QInt8,
                per_channel=True,
                # Fused ops (com.microsoft domain) defeat ONNX shape inference of their outputs.
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
            current = quantized

        min_cosine = self._self_check(current, pooled)
        sha256 = _sha256_file(current)
        size = current.stat().st_size
        os.replace(current, target)
        return {
            "fused": fused,
            "self_check_min_cosine": round(min_cosine, 5),
            "sha256": sha256,
            "size": size,
            "torch": torch.__version__,
            "onnxruntime_export": onnxruntime.__version__,
        }

    def _self_check(self, path: Path, pooled: Any) -> float:
        """The min cosine between the ONNX and torch embeddings of :data:`_PROBES`."""
        import onnxruntime
        import torch

        tokenizer = _make_tokenizer(self.model_dir, 256)
        feeds = _feeds([e.ids for e in tokenizer.encode_batch(list(_PROBES))])
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        got = normalize_rows(session.run(None, feeds)[0])
        with torch.inference_mode():
            tensors = {k: torch.from_numpy(v) for k, v in feeds.items()}
            want = normalize_rows(pooled(**tensors).numpy())
        min_cosine = float(np.min(np.sum(got * want, axis=1)))
        if not min_cosine >= _PROBE_MIN_COSINE:
            raise ModelUnavailableError(
                str(self.model_dir),
                f"the ONNX export disagrees with torch (min cosine {min_cosine:.3f})",
            )
        return min_cosine


def _mean_pooled_class() -> type[Any]:
    import torch

    class MeanPooled(torch.nn.Module):
        """The transformer followed by sentence-transformers' mean pooling."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * weights).sum(dim=1)
            pooled: torch.Tensor = summed / weights.sum(dim=1).clamp(min=1e-9)
            return pooled

    return MeanPooled


def _mean_pooled(model: Any) -> Any:
    """``model`` wrapped in :class:`MeanPooled` (torch is imported only to export)."""
    return _mean_pooled_class()(model)


def _feeds(rows: Sequence[Sequence[int]]) -> dict[str, npt.NDArray[np.int64]]:
    """Right-padded int64 inputs (pad id 0) for a batch of token-id rows."""
    length = max((len(r) for r in rows), default=0)
    ids = np.zeros((len(rows), max(length, 1)), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        mask[i, : len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _single_feeds(ids: Sequence[int]) -> dict[str, npt.NDArray[np.int64]]:
    """The inputs of one text at its exact length (batch of one, no padding)."""
    input_ids = np.array([ids], dtype=np.int64)
    return {
        "input_ids": input_ids,
        "attention_mask": np.ones_like(input_ids),
        "token_type_ids": np.zeros_like(input_ids),
    }


_OPTIMIZATION_LEVELS: Final = ("basic", "extended", "all")


@dataclass(frozen=True)
class SessionConfig:
    """How onnxruntime runs the graph (one session per embedder).

    The defaults are the measured best for one short text (``bench/bench_encode.py``): a
    brief of ~13 word pieces is too small to split across threads (two intra-op threads were
    slower at p50 and used more CPU), and requests already run concurrently, so a second
    intra-op thread only competes with the other request. Idle intra-op threads that spin
    would steal the other core from FAISS and the API.

    Args:
        intra_op_threads: threads onnxruntime uses inside one run (>= 1).
        allow_spinning: let idle intra-op threads busy-wait for the next op.
        optimization: onnxruntime's graph optimization level, ``"basic"``, ``"extended"``
            or ``"all"`` (the exported file is already fused; ``"extended"`` and above also
            fuse the quantize/matmul/scale chains into ``DynamicQuantizeMatMul``).
        cpu_mem_arena: onnxruntime's memory arena (reuses buffers between runs).
        parallel_execution: run independent graph branches concurrently (inter-op); a BERT
            graph is one chain, so this only adds a thread pool.

    Raises:
        InvalidInputError: ``intra_op_threads`` < 1 or an unknown ``optimization``.
    """

    intra_op_threads: int = 1
    allow_spinning: bool = False
    optimization: Literal["basic", "extended", "all"] = "all"
    cpu_mem_arena: bool = True
    parallel_execution: bool = False

    def __post_init__(self) -> None:
        if self.intra_op_threads < 1:
            raise InvalidInputError.for_field(
                "intra_op_threads", f"must be >= 1, got {self.intra_op_threads}"
            )
        if self.optimization not in _OPTIMIZATION_LEVELS:
            raise InvalidInputError.for_field(
                "optimization", f"must be basic, extended or all: {self.optimization!r}"
            )

    def options(self, onnxruntime: Any) -> Any:
        """These settings as an ``onnxruntime.SessionOptions``."""
        levels = onnxruntime.GraphOptimizationLevel
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.intra_op_threads
        options.inter_op_num_threads = 1
        options.execution_mode = (
            onnxruntime.ExecutionMode.ORT_PARALLEL
            if self.parallel_execution
            else onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        )
        options.graph_optimization_level = {
            "basic": levels.ORT_ENABLE_BASIC,
            "extended": levels.ORT_ENABLE_EXTENDED,
            "all": levels.ORT_ENABLE_ALL,
        }[self.optimization]
        options.enable_cpu_mem_arena = self.cpu_mem_arena
        options.add_session_config_entry(
            "session.intra_op.allow_spinning", "1" if self.allow_spinning else "0"
        )
        return options


def _thread_count(threads: int | None) -> int:
    if threads is not None:
        if threads < 1:
            raise InvalidInputError.for_field("threads", f"must be >= 1, got {threads}")
        return threads
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (or another mean-pooled sentence-transformers model) on ONNX Runtime.

    Args:
        model_path: the sentence-transformers model directory (default: the bundled MiniLM).
        cache_dir: where the exported file and its manifest live (created when missing).
        quantize: int8 dynamic quantization (about 3x faster, cosine ~0.99 to torch) or
            float32 (the torch vectors to ~1e-6).
        max_seq_length: word pieces per text; longer texts are truncated (256 as the model).
        threads: texts embedded at once by :meth:`encode` (default: all cores); each runs
            in one onnxruntime session run, and :meth:`encode_query` on the caller's thread.
        query_cache_size: entries of the query-vector LRU (when ``query_cache`` is None).
        query_cache: a :class:`QueryCache` to use (may be shared with other embedders: its
            keys carry the model name).
        session: onnxruntime session options (default :class:`SessionConfig`: one intra-op
            thread, no spinning, every graph optimization).

    Raises:
        ModelUnavailableError: the model is missing or unsupported, or the export failed.
        ImportError: onnxruntime or tokenizers is not installed.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        cache_dir: Path,
        quantize: bool = True,
        max_seq_length: int = 256,
        threads: int | None = None,
        query_cache_size: int = 1024,
        query_cache: QueryCache | None = None,
        session: SessionConfig | None = None,
    ) -> None:
        import onnxruntime

        path = Path(model_path) if model_path is not None else default_model_path()
        self.model_path = str(path.resolve())
        model_dir = Path(self.model_path)
        if not (model_dir / "config.json").is_file():
            raise ModelUnavailableError(self.model_path, "no config.json in that directory")
        _check_pooling(model_dir)
        config = _read_json(model_dir / "config.json")
        self._dim = int(config["hidden_size"])
        max_positions = int(config.get("max_position_embeddings", 512))
        if not 1 <= max_seq_length <= max_positions:
            raise InvalidInputError.for_field(
                "max_seq_length", f"must be in 1..{max_positions}, got {max_seq_length}"
            )
        self.max_seq_length = max_seq_length
        self.quantize = quantize
        self.threads = _thread_count(threads)
        self.cache_dir = Path(cache_dir)
        self.session_config = session if session is not None else SessionConfig()

        base = model_name_for(path)
        st_config_path = model_dir / "sentence_bert_config.json"
        default_length = (
            int(_read_json(st_config_path).get("max_seq_length", 256))
            if st_config_path.is_file()
            else 256
        )
        suffix = ("-int8" if quantize else "") + (
            f"-len{max_seq_length}" if max_seq_length != default_length else ""
        )
        # float32 at the model's length gives the torch vectors: same name, same index.
        self._name = f"{base}+onnx{suffix}" if suffix else base

        self.model_file, self.exported, self.export_seconds = self._ensure_model(model_dir)
        self.manifest = read_manifest(self._manifest_path) or {}
        self._tokenizer = _make_tokenizer(model_dir, max_seq_length)
        self._session = self._new_session(onnxruntime)
        self.query_cache = query_cache if query_cache is not None else QueryCache(query_cache_size)

    # -- the artefact --------------------------------------------------------------------

    @property
    def _stem(self) -> str:
        return "model-int8" if self.quantize else "model-fp32"

    @property
    def _manifest_path(self) -> Path:
        return self.cache_dir / f"{self._stem}.json"

    def _expected(self, model_dir: Path) -> dict[str, Any]:
        import onnxruntime

        return {
            "format": EXPORT_FORMAT,
            "source": _source_fingerprint(model_dir),
            "opset": OPSET,
            "quantized": self.quantize,
            "quantization": (
                {"method": "dynamic", "weights": "int8", "per_channel": True}
                if self.quantize
                else None
            ),
            "onnxruntime": onnxruntime.__version__,
            "file": f"{self._stem}.onnx",
        }

    def _is_current(self, expected: dict[str, Any], model_file: Path) -> bool:
        manifest = read_manifest(self._manifest_path)
        if manifest is None or any(manifest.get(k) != v for k, v in expected.items()):
            return False
        try:
            size = model_file.stat().st_size
        except OSError:
            return False
        return size == manifest.get("size") and _sha256_file(model_file) == manifest.get("sha256")

    def _ensure_model(self, model_dir: Path) -> tuple[Path, bool, float]:
        """The cached ONNX file, exported first when missing or stale; (path, exported, s)."""
        expected = self._expected(model_dir)
        model_file = self.cache_dir / expected["file"]
        if self._is_current(expected, model_file):
            return model_file, False, 0.0
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with _export_lock(self.cache_dir):
            if self._is_current(expected, model_file):  # another process just exported it
                return model_file, False, 0.0
            _log.info("exporting %s to ONNX in %s", self.model_path, self.cache_dir)
            started = time.perf_counter()
            work = Path(tempfile.mkdtemp(prefix=".export-", dir=self.cache_dir))
            try:
                built = _Exporter(model_dir, quantize=self.quantize).build(
                    work / "model.onnx", work
                )
                os.replace(work / "model.onnx", model_file)
            except ModelUnavailableError:
                raise
            except _export_errors() as exc:
                raise ModelUnavailableError(self.model_path, f"ONNX export failed: {exc}") from exc
            finally:
                shutil.rmtree(work, ignore_errors=True)
            seconds = time.perf_counter() - started
            manifest = {
                **expected,
                **built,
                "export_seconds": round(seconds, 2),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            temp = self._manifest_path.with_suffix(".json.tmp")
            temp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            os.replace(temp, self._manifest_path)
            _log.info("exported %s in %.1f s", model_file, seconds)
            return model_file, True, seconds

    def _new_session(self, onnxruntime: Any) -> onnxruntime.InferenceSession:
        try:
            return onnxruntime.InferenceSession(
                str(self.model_file),
                self.session_config.options(onnxruntime),
                providers=["CPUExecutionProvider"],
            )
        except _ort_errors() as exc:
            raise ModelUnavailableError(str(self.model_file), str(exc)) from exc

    # -- the Embedder interface ----------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _embed_ids(self, ids: Sequence[int]) -> FloatArray:
        """The pooled (not yet normalised) vector of one tokenized text."""
        out = self._session.run(None, _single_feeds(ids))[0]
        return np.asarray(out[0], dtype=np.float32)

    def tokenize(self, text: str) -> list[int]:
        """The word-piece ids of ``text`` as the model sees them: stripped, with [CLS] and
        [SEP], truncated to ``max_seq_length`` (sentence-transformers' ids)."""
        ids: list[int] = self._tokenizer.encode(text.strip()).ids
        return ids

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Embed ``texts`` (a tqdm progress bar when ``show_progress``).

        Each text runs on its own, ``threads`` at a time: dynamic quantization scales the
        activations over a whole call, so in a padded batch a text's vector would depend on
        its batch mates (cosine ~0.98 between the two); alone it depends only on the text,
        and needs no padding. ``batch_size`` is accepted for the :class:`Embedder` interface.

        Returns:
            float32 (len(texts), dim), rows L2-normalised, C-contiguous.

        Raises:
            InvalidInputError: ``texts`` is a bare string or holds a non-string, or
                ``batch_size`` < 1.
        """
        items = checked_texts(texts, batch_size)
        if not items:
            return np.empty((0, self._dim), dtype=np.float32)
        # sentence-transformers strips texts before tokenizing.
        rows = [e.ids for e in self._tokenizer.encode_batch([t.strip() for t in items])]
        out = np.empty((len(rows), self._dim), dtype=np.float32)
        progress = None
        if show_progress:
            from tqdm.auto import tqdm

            progress = tqdm(total=len(rows), desc="Embedding", unit="text")
        try:
            with ThreadPoolExecutor(max_workers=min(self.threads, len(rows))) as pool:
                # Longest first, so the workers finish together.
                order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
                vectors = pool.map(self._embed_ids, [rows[i] for i in order])
                for i, vector in zip(order, vectors, strict=True):
                    out[i] = vector
                    if progress is not None:
                        progress.update(1)
        finally:
            if progress is not None:
                progress.close()
        return normalize_rows(out)

    def encode_query(self, text: str) -> FloatArray:
        """Embed one brief or query on the calling thread: float32 (dim,), normalised,
        read-only, LRU-cached by (model name, exact text)."""
        if not isinstance(text, str):
            raise InvalidInputError.for_field("text", f"must be a str, got {type(text).__name__}")
        key = (self._name, text)
        cached = self.query_cache.get(key)
        if cached is not None:
            return cached
        vector = self._embed_ids(self.tokenize(text))
        norm = np.linalg.norm(vector)
        if norm > 0:
            vector = vector / norm
        return self.query_cache.put(key, vector)


def best_embedder(
    model_path: str | os.PathLike[str] | None,
    cache_dir: Path,
    *,
    prefer: Literal["auto", "onnx", "torch"] = "auto",
) -> Embedder:
    """The ONNX int8 embedder when onnxruntime is installed and the export works, else the
    torch :class:`SentenceTransformerEmbedder` (the reason is logged).

    Args:
        model_path: the model directory (None: the bundled MiniLM).
        cache_dir: where the ONNX file is cached (``<data_dir>/models/minilm-onnx``).
        prefer: ``"torch"`` forces the torch embedder; ``"onnx"`` makes a failure to build
            the ONNX one an error instead of a fallback.

    Raises:
        ModelUnavailableError: no embedder can be built (or, with ``prefer="onnx"``, the ONNX
            one cannot).
    """
    if prefer not in ("auto", "onnx", "torch"):
        raise InvalidInputError.for_field("prefer", f"must be auto, onnx or torch: {prefer!r}")
    if prefer == "torch":
        return SentenceTransformerEmbedder(model_path)
    try:
        return OnnxEmbedder(model_path, cache_dir=cache_dir)
    except (ImportError, ModelUnavailableError) as exc:
        if prefer == "onnx":
            raise
        _log.warning("using the torch embedder, the ONNX one is unavailable: %s", exc)
    return SentenceTransformerEmbedder(model_path)
