"""The embedders: text in, L2-normalised float32 vectors out (``TextEmbedder``).

``make_embedder(backend, cache)`` gives the search model run by ONNX Runtime (``tracker.embedding.onnx_embedder``, the
default: no torch at run time) or by sentence-transformers on torch (``Embedder``, the reference path). Which
weights they run is ``tracker.embedding.weights``' business; the hub is switched off before any is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from tracker.embedding.onnx_embedder import OnnxEmbedder
from tracker.embedding.weights import (
    BASE_MODEL_NAME,
    DIMENSION,
    base_model_path,
    offline_hub,
    search_model_name,
    search_model_path,
)
from tracker.errors import AtlasError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

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
        return Embedder(model_dir=search_model_path(cache_dir, log), name=search_model_name())
    if backend in ("onnx-int8", "onnx-fp32"):
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
            offline_hub()
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self.threads)
            folder = self.model_dir or base_model_path()
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
