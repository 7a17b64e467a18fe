"""The search index: paper vectors (dense) and a BM25 index (lexical) over the store, saved in the cache.

Dense search is exact (one matrix product over normalised vectors) up to ``FLAT_LIMIT`` papers; above that
a FAISS inverted-file index (IVF, k-means cells, ``nprobe`` cells searched) answers unfiltered queries. IVF
rather than HNSW because it builds in seconds on two cores where an HNSW graph over a million vectors
takes many minutes; its recall against exact search is measured by ``scripts/bench``.
Filtered queries and ``related`` always score exactly over the vectors, so a filter never loses a match.

Files under ``<cache>/index/<model>/``: ``vectors.npy``, ``ivf.faiss`` (large indexes only), ``lexical/``
and ``meta.json``, written last so it names a fingerprint only once everything beside it is complete.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from tracker.embedding.embedders import DEFAULT_BACKEND, TextEmbedder, make_embedder
from tracker.embedding.onnx_embedder import onnx_model_name
from tracker.embedding.weights import DIMENSION, search_model_name, shipped_search_model_name
from tracker.errors import IndexNotBuiltError
from tracker.search.lexical import LexicalIndex
from tracker.search.stored_vectors import StoredVectors, VectorLookup, as_stored
from tracker.search.vectors import EmbeddingCache, cache_key, embed_papers
from tracker.settings import index_dir
from tracker.store import PaperStore

# Exact search costs ~N*384 multiply-adds per query: 300k papers is ~0.05 s on one core. Above, IVF.
FLAT_LIMIT = 300_000
# Cells searched per query: recall@10 against exact search >= 0.95 on real MiniLM vectors (scripts/bench).
IVF_NPROBE = 32
# k-means on 64 points per cell is plenty (faiss asks for at least 39) and keeps a 1M build to a minute or two.
IVF_TRAIN_PER_CELL = 64


def store_fingerprint(store: PaperStore) -> str:
    """Changes whenever a paper is added or its text changes: tells whether the index is fresh."""
    digest = hashlib.sha256()
    for paper in store:
        digest.update(cache_key(paper).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def choose_kind(count: int) -> str:
    return "flat" if count <= FLAT_LIMIT else "ivf"


def ivf_cells(count: int) -> int:
    """~sqrt(N) cells (1,000 for a million papers), never fewer than 39 training points per cell."""
    return max(1, min(int(count**0.5), count // 39))


def build_ivf(vectors: np.ndarray, nprobe: int = IVF_NPROBE) -> Any:
    """An IVF-flat inner-product index; k-means trained on a fixed sample, so builds are reproducible."""
    import faiss

    data = np.ascontiguousarray(vectors, dtype=np.float32)
    cells = ivf_cells(len(data))
    quantizer = faiss.IndexFlatIP(data.shape[1])
    ivf = faiss.IndexIVFFlat(quantizer, data.shape[1], cells, faiss.METRIC_INNER_PRODUCT)
    sample = data
    if len(data) > IVF_TRAIN_PER_CELL * cells:
        sample = data[np.random.default_rng(0).choice(len(data), IVF_TRAIN_PER_CELL * cells, replace=False)]
    ivf.train(sample)
    ivf.add(data)
    ivf.nprobe = min(nprobe, cells)
    return ivf


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest scores, best first (ties: lower row first, so results are deterministic)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(scores):
        # argpartition picks arbitrarily among scores tied at the cut: take every row scoring at least the k-th
        # best, so a tie always goes to the lower row (the page's JavaScript ranks the same way)
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        part = np.flatnonzero(scores >= kth)
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))][:k]


@dataclass
class IndexReport:
    papers: int
    embedded: int
    model: str
    backend: str = DEFAULT_BACKEND
    kind: str = "flat"
    from_store: int = 0  # vectors read from <data>/vectors (committed with the store)
    from_cache: int = 0  # vectors found in the cache (embedded by an earlier run)
    stale: int = 0  # stored vectors of an older text of their paper (embedded again)
    vector_files_written: int = 0  # <data>/vectors files (re)written by this run

    def as_dict(self) -> dict[str, Any]:
        return {"papers": self.papers, "embedded": self.embedded, "model": self.model, "backend": self.backend,
                "kind": self.kind, "from_store": self.from_store, "from_cache": self.from_cache,
                "stale": self.stale, "vector_files_written": self.vector_files_written}


class PaperIndex:
    """Paper vectors in store order, with exact search and (for large indexes) an IVF index."""

    def __init__(self, ids: list[str], vectors: np.ndarray, fingerprint: str = "", *, kind: str | None = None,
                 backend: str = DEFAULT_BACKEND, embedder_name: str | None = None, graph: Any = None,
                 lexical: LexicalIndex | None = None, folder: Path | None = None) -> None:
        self.ids = ids
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, DIMENSION)
        self.fingerprint = fingerprint
        self.position = {paper_id: row for row, paper_id in enumerate(ids)}
        self.kind = kind or choose_kind(len(ids))
        self.backend = backend
        self.embedder_name = embedder_name or search_model_name()
        self.graph = graph if graph is not None or self.kind == "flat" else build_ivf(self.vectors)
        self._lexical = lexical
        self.folder = folder

    def __len__(self) -> int:
        return len(self.ids)

    def dense_scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to every paper (exact)."""
        return self.vectors @ np.asarray(query, dtype=np.float32).reshape(-1)

    def dense_top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """``[(row, cosine)]`` best first. With a mask (rows allowed) the search is exact over those rows."""
        if not self.ids or k <= 0:
            return []
        if self.kind == "ivf" and mask is None:
            scores, rows = self.graph.search(np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, len(self)))
            return [(int(r), float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]
        scores = self.dense_scores(query)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
            k = min(k, int(mask.sum()))
        return [(int(r), float(scores[r])) for r in top_rows(scores, k)]

    def matches(self, store: PaperStore) -> bool:
        """Whether this index was built from the store as it is now (same papers, same texts)."""
        return self.fingerprint == store_fingerprint(store)

    def vector(self, paper_id: str) -> np.ndarray | None:
        row = self.position.get(paper_id)
        return None if row is None else self.vectors[row]

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            loaded = LexicalIndex.load(self.folder / "lexical") if self.folder else None
            if loaded is None or loaded.ids != self.ids:
                raise IndexNotBuiltError(f"{self.folder}: no BM25 index beside the vectors; run `llm-atlas index`")
            self._lexical = loaded
        return self._lexical

    # -- persistence --------------------------------------------------------------------------------
    @staticmethod
    def directory(cache_dir: Path) -> Path:
        return index_dir(cache_dir, search_model_name())

    def save(self, cache_dir: Path) -> None:
        folder = self.directory(cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_open(folder / "vectors.npy", "wb") as handle:
            np.save(handle, self.vectors)
        if self.kind == "ivf":
            import faiss

            atomic_write_bytes(folder / "ivf.faiss", faiss.serialize_index(self.graph).tobytes())
        if self._lexical is not None:
            self._lexical.save(folder / "lexical")
        meta = {"model": search_model_name(), "embedder": self.embedder_name, "backend": self.backend,
                "kind": self.kind, "count": len(self.ids), "fingerprint": self.fingerprint, "ids": self.ids}
        atomic_write_text(folder / "meta.json", json.dumps(meta))
        self.folder = folder

    @classmethod
    def load(cls, cache_dir: Path) -> PaperIndex:
        folder = cls.directory(cache_dir)
        meta_path, vectors_path = folder / "meta.json", folder / "vectors.npy"
        if not meta_path.exists() or not vectors_path.exists():
            raise IndexNotBuiltError(f"{folder}: no search index yet; run `llm-atlas index` first")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        vectors = np.load(vectors_path)
        if len(vectors) != len(meta["ids"]):
            raise IndexNotBuiltError(f"{folder}: index and its id list disagree; run `llm-atlas index`")
        graph: Any = None
        if meta.get("kind") == "ivf":
            import faiss

            # deserialize_index already returns the IVF class (a downcast copy would not own the C++ index)
            graph = faiss.deserialize_index(np.frombuffer((folder / "ivf.faiss").read_bytes(), dtype=np.uint8))
            graph.nprobe = min(IVF_NPROBE, graph.nlist)  # nprobe is a search setting, not kept in the file
        return cls(meta["ids"], vectors, meta.get("fingerprint", ""), kind=meta.get("kind", "flat"),
                   backend=meta.get("backend", "torch"), embedder_name=meta.get("embedder", search_model_name()),
                   graph=graph, folder=folder)


def store_vectors_model() -> str:
    """The fingerprint of the vectors committed with the store: the default embedder with the shipped adapter.

    Only this embedder writes ``<data>/vectors``: another backend (torch, fp32) or the plain model
    (``LLM_ATLAS_NO_ADAPTER``) reads and embeds through the cache and leaves the committed files alone.
    """
    return onnx_model_name(DEFAULT_BACKEND.removeprefix("onnx-"), shipped_search_model_name())


def build_index(
    store: PaperStore,
    cache_dir: Path,
    embedder: TextEmbedder | None = None,
    progress: Callable[[int], Any] | None = None,
    on_start: Callable[[int], Any] | None = None,
    log: Callable[[str], Any] | None = None,
    write_vectors: bool | None = None,
) -> IndexReport:
    """Embed what is new or changed in the store and write a fresh index (vectors + BM25). No network.

    Vectors come from the store's own files (``tracker.search.stored_vectors``) when they are whole, of this
    embedder's model and of the paper's current text; then from the cache; the rest are embedded (chunk by
    chunk into the cache, so an interrupted run resumes). ``write_vectors`` (default: when ``embedder`` is the
    store's model, ``store_vectors_model()``) writes the weeks whose vectors changed back into the store.
    """
    papers = list(store)
    embedder = embedder or make_embedder(DEFAULT_BACKEND, cache_dir, log)
    if write_vectors is None:
        write_vectors = embedder.name == store_vectors_model()
    stored = StoredVectors(store.data_dir, embedder.name, embedder.dimension)
    lookup = stored.lookup(papers)
    _report_lookup(lookup, stored, log)
    todo = [p for p in papers if p.id not in lookup.found]
    cache = EmbeddingCache(cache_dir, embedder.name).load()
    rows = cache.rows()
    if on_start:
        on_start(sum(1 for p in todo if cache_key(p) not in rows))
    fresh, embedded = embed_papers(todo, cache, embedder, progress)
    # the cache keeps only what the store's files do not hold, so it does not duplicate them
    cache.keep_only({cache_key(p) for p in todo})
    if embedded or len(cache.keys) != len(rows):
        cache.save()
    by_id = dict(lookup.found)
    by_id.update((p.id, fresh[i]) for i, p in enumerate(todo))
    written = stored.write(papers, by_id, log) if write_vectors else []
    ids = [p.id for p in papers]
    matrix = np.stack([by_id[i] for i in ids]) if ids else np.zeros((0, DIMENSION), dtype=np.float32)
    lexical = LexicalIndex.build(ids, [(p.title, p.abstract) for p in papers])
    index = PaperIndex(ids, as_stored(matrix), store_fingerprint(store), backend=embedder.backend,
                       embedder_name=embedder.name, lexical=lexical)
    index.save(cache_dir)
    return IndexReport(papers=len(papers), embedded=embedded, model=search_model_name(), backend=embedder.backend,
                       kind=index.kind, from_store=len(lookup.found), from_cache=len(todo) - embedded,
                       stale=len(lookup.stale), vector_files_written=len(written) // 2)


def _report_lookup(lookup: VectorLookup, stored: StoredVectors, log: Callable[[str], Any] | None) -> None:
    """One line per unusable file, except files of another model, which are summed up in one line."""
    if not log:
        return
    for line in lookup.problems:
        log(f"{line}: its papers are embedded again")
    if lookup.other_models:
        log(f"{stored.root}: {len(lookup.other_models)} week files hold vectors of another model "
            f"({lookup.other_models[0]}, not {stored.model}); this index embeds with {stored.model}")
    if lookup.stale:
        shown = ", ".join(lookup.stale[:5]) + (" …" if len(lookup.stale) > 5 else "")
        log(f"{len(lookup.stale)} stored vectors are of an older text of their paper ({shown}): embedded again")
