"""The vector cache: paper vectors on disk, keyed by model + paper id + text hash, so nothing is embedded twice.

``embed_texts`` is the one loop that embeds what a cache lacks, chunk by chunk (saved after each chunk, so
Ctrl-C loses at most one chunk and the next run resumes); ``embed_papers`` is it for stored papers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_open, atomic_write_text
from tracker.embedding.embedders import TextEmbedder
from tracker.embedding.weights import DIMENSION, search_model_name
from tracker.paper import Paper
from tracker.settings import vectors_dir

# Saved every chunk, so Ctrl-C loses at most one chunk of work and the next run resumes.
CHUNK = 512


def cache_key(paper: Paper) -> str:
    return f"{paper.id}:{paper.text_hash}"


class EmbeddingCache:
    """Vectors on disk under ``<cache>/embeddings/<model>/``: ``vectors.npy`` + ``keys.json`` (same order)."""

    def __init__(self, cache_dir: Path, model_name: str | None = None) -> None:
        self.dir = vectors_dir(cache_dir, model_name or search_model_name())
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


def embed_texts(keys: Sequence[str], texts: Sequence[str], cache: EmbeddingCache, embedder: TextEmbedder,
                progress: Callable[[int], Any] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` (in order, cached under ``keys``), embedding only what the cache lacks.

    Returns the vectors and how many texts were embedded now.
    """
    rows = cache.rows()
    # Length-sorted chunks keep padding (and so wasted work) inside each batch small.
    missing = sorted((i for i, key in enumerate(keys) if key not in rows), key=lambda i: len(texts[i]))
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        cache.add([keys[i] for i in chunk], embedder.encode([texts[i] for i in chunk]))
        cache.save()
        if progress:
            progress(len(chunk))
    if not keys:
        return np.zeros((0, DIMENSION), dtype=np.float32), len(missing)
    rows = cache.rows()
    return cache.vectors[[rows[key] for key in keys]], len(missing)


def embed_papers(papers: Sequence[Paper], cache: EmbeddingCache, embedder: TextEmbedder,
                 progress: Callable[[int], Any] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for stored ``papers`` (title + abstract), embedding only those whose id + text are not cached."""
    return embed_texts([cache_key(p) for p in papers], [p.text for p in papers], cache, embedder, progress)
