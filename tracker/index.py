"""The search index: a FAISS inner-product index over the cached paper vectors, with its id list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from tracker.atomic import atomic_write_bytes, atomic_write_text
from tracker.embeddings import MODEL_NAME, Embedder, EmbeddingCache, cache_key, embed_papers
from tracker.errors import IndexNotBuiltError
from tracker.store import PaperStore


def store_fingerprint(store: PaperStore) -> str:
    """Changes whenever a paper is added or its text changes: tells whether the index is fresh."""
    digest = hashlib.sha256()
    for paper in store:
        digest.update(cache_key(paper).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]


@dataclass
class IndexReport:
    papers: int
    embedded: int
    model: str

    def as_dict(self) -> dict[str, Any]:
        return {"papers": self.papers, "embedded": self.embedded, "model": self.model}


class PaperIndex:
    """Exact cosine search over normalised vectors (``IndexFlatIP``)."""

    def __init__(self, ids: list[str], vectors: np.ndarray, fingerprint: str = "") -> None:
        self.ids = ids
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.fingerprint = fingerprint
        self.position = {paper_id: row for row, paper_id in enumerate(ids)}
        self.faiss = faiss.IndexFlatIP(self.vectors.shape[1] if len(self.vectors) else 384)
        if len(self.vectors):
            self.faiss.add(self.vectors)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        if not self.ids or k <= 0:
            return []
        k = min(k, len(self.ids))
        scores, rows = self.faiss.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        return [(self.ids[r], float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]

    def vector(self, paper_id: str) -> np.ndarray | None:
        row = self.position.get(paper_id)
        return None if row is None else self.vectors[row]

    # -- persistence --------------------------------------------------------------------------------
    @staticmethod
    def directory(cache_dir: Path) -> Path:
        return Path(cache_dir) / "index" / MODEL_NAME

    def save(self, cache_dir: Path) -> None:
        folder = self.directory(cache_dir)
        atomic_write_bytes(folder / "index.faiss", faiss.serialize_index(self.faiss).tobytes())
        meta = {"model": MODEL_NAME, "count": len(self.ids), "fingerprint": self.fingerprint, "ids": self.ids}
        # The metadata goes last: it names the fingerprint only once the index beside it is complete.
        atomic_write_text(folder / "meta.json", json.dumps(meta))

    @classmethod
    def load(cls, cache_dir: Path) -> PaperIndex:
        folder = cls.directory(cache_dir)
        meta_path, index_path = folder / "meta.json", folder / "index.faiss"
        if not meta_path.exists() or not index_path.exists():
            raise IndexNotBuiltError(f"{folder}: no search index yet; run `llm-atlas index` first")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        index = faiss.deserialize_index(np.frombuffer(index_path.read_bytes(), dtype=np.uint8))
        if index.ntotal != len(meta["ids"]):
            raise IndexNotBuiltError(f"{folder}: index and its id list disagree; run `llm-atlas index`")
        vectors = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, 384), np.float32)
        return cls(meta["ids"], vectors, meta.get("fingerprint", ""))


def build_index(
    store: PaperStore,
    cache_dir: Path,
    embedder: Embedder | None = None,
    progress: Callable[[int], Any] | None = None,
    on_start: Callable[[int], Any] | None = None,
) -> IndexReport:
    """Embed what is new or changed in the store and write a fresh index. No network."""
    papers = list(store)
    cache = EmbeddingCache(cache_dir).load()
    rows = cache.rows()
    if on_start:
        on_start(sum(1 for p in papers if cache_key(p) not in rows))
    vectors, embedded = embed_papers(papers, cache, embedder or Embedder(), progress)
    cache.keep_only({cache_key(p) for p in papers})
    if embedded or len(cache.keys) != len(rows):
        cache.save()
    index = PaperIndex([p.id for p in papers], vectors, store_fingerprint(store))
    index.save(cache_dir)
    return IndexReport(papers=len(papers), embedded=embedded, model=MODEL_NAME)
