"""What the YouTube evaluation (``eval/youtube.py``) and its retrieval experiments
(``eval/retrieval.py``) share: a channel's ground truth and the dataset, the corpus a ranker
indexes, the ranker types, the gains of a brief, an experiment's description and the bundled
embedder. Both import it; neither imports the other's harness."""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matcher.embedder import Embedder

__all__ = [
    "ChannelTruth",
    "Corpus",
    "Dataset",
    "Experiment",
    "Ranker",
    "RankerFactory",
    "default_embedder",
    "encode_cached",
    "relevance_of",
]


@dataclass(frozen=True)
class ChannelTruth:
    """The ground truth of one channel, kept apart from the record the rankers see.

    ``distribution`` maps category -> share of the channel's unique videos (sums to 1),
    largest first; ``label`` is its first key (ties: more views, then the name).
    """

    handle: str
    channel_title: str
    label: str
    distribution: Mapping[str, float]
    n_videos: int
    countries: tuple[str, ...]

    def share(self, category: str) -> float:
        return self.distribution.get(category, 0.0)


@dataclass(frozen=True)
class Dataset:
    """Creator records and their truths (index-aligned), plus counts for the report."""

    records: list[dict[str, Any]]
    truths: list[ChannelTruth]
    n_rows: int
    n_country_videos: int
    files: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.records)

    def label_counts(self) -> Counter[str]:
        return Counter(t.label for t in self.truths)


Ranker = Callable[[str, int], list[int]]


class Corpus:
    """What a ranker factory gets: the records, their documents (built once with
    :func:`matcher.documents.creator_document`) and a cache of document embeddings."""

    def __init__(
        self,
        records: Sequence[Mapping[str, Any]],
        *,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        from matcher.documents import creator_document

        self.records = list(records)
        self.documents = [creator_document(r) for r in self.records]
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._embeddings: dict[str, npt.NDArray[np.float32]] = {}

    def __len__(self) -> int:
        return len(self.records)

    def embeddings(self, embedder: Embedder) -> npt.NDArray[np.float32]:
        """The documents embedded by ``embedder`` (n, dim), computed once per model name
        (and kept in ``cache_dir``, keyed by the model name and the documents, when set)."""
        cached = self._embeddings.get(embedder.name)
        if cached is not None:
            return cached
        cached = encode_cached(embedder, self.documents, self.cache_dir, "embeddings")
        self._embeddings[embedder.name] = cached
        return cached


RankerFactory = Callable[[Corpus], Ranker]


def encode_cached(
    embedder: Embedder, texts: Sequence[str], cache_dir: Path | None, prefix: str
) -> npt.NDArray[np.float32]:
    """``texts`` embedded by ``embedder``; with a ``cache_dir``, kept there as
    ``<prefix>-<hash>.npy`` keyed by the model name and the texts (written atomically) and
    read back on the next run."""
    path = None
    if cache_dir is not None:
        digest = hashlib.sha256(embedder.name.encode())
        for text in texts:
            digest.update(text.encode() + b"\x00")
        path = cache_dir / f"{prefix}-{digest.hexdigest()[:24]}.npy"
        if path.is_file():
            loaded: npt.NDArray[np.float32] = np.load(path)
            return loaded
    vectors = np.asarray(embedder.encode(texts, batch_size=64), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        os.replace(tmp, path)
    return vectors


@functools.lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The bundled MiniLM, loaded once per process: rankers share it and its query cache."""
    from matcher.embedder import SentenceTransformerEmbedder, default_model_path

    return SentenceTransformerEmbedder(default_model_path())


def relevance_of(
    truths: Sequence[ChannelTruth], category: str
) -> tuple[dict[int, float], dict[int, float]]:
    """Binary gains (majority category == ``category``) and graded gains (the share of the
    channel's videos in ``category``), keyed by channel position."""
    binary = {i: 1.0 for i, t in enumerate(truths) if t.label == category}
    graded = {i: t.share(category) for i, t in enumerate(truths) if t.share(category) > 0}
    return binary, graded


@dataclass(frozen=True)
class Experiment:
    """One retrieval idea for the "Retrieval experiments" section: its variants (ranker
    names with a label) against a baseline ranker, and what was learned."""

    title: str
    baseline: str
    variants: tuple[tuple[str, str], ...]
    note: str = ""
