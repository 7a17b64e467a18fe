"""Search and related papers over the index, with filters applied to the store's records.

Three methods (``--method``): ``dense`` (MiniLM cosine), ``bm25`` (lexical) and ``hybrid``: both
rankings cut at ``FUSION_DEPTH``, their union scored by ``0.6 * cosine' + 0.4 * bm25'`` (each normalised
over the candidates; reciprocal-rank fusion stays available to the tuning script). ``hybrid`` is the default
because it wins on the held-out evaluation sets (nDCG@10; see the README section "Search quality and speed").
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from tracker.embedding.embedders import TextEmbedder, make_embedder
from tracker.errors import AtlasError
from tracker.paper import Paper, split_arxiv_id
from tracker.search.fusion import DENSE_WEIGHT, LEXICAL_WEIGHT, RRF_K, reciprocal_rank_fusion
from tracker.search.index import PaperIndex, top_rows
from tracker.store import PaperStore

METHODS = ("hybrid", "dense", "bm25")
DEFAULT_METHOD = "hybrid"
# How deep each ranking goes into the fusion: deeper than any page of results, small enough to stay cheap.
FUSION_DEPTH = 100
# How hybrid combines the two, chosen on the dev queries (scripts/tune_search.py): a convex combination of
# normalised scores with alpha = 0.6 (nDCG@10 0.776 averaged over both known-item sets) beat every
# reciprocal-rank fusion tried (best 0.759: k = 10, equal weights), BM25 alone (0.714) and dense alone (0.661).
FUSION = "convex"
CONVEX_ALPHA = 0.6


@dataclass
class SearchFilters:
    since: date | None = None
    until: date | None = None
    categories: list[str] = field(default_factory=list)
    # Paper ids allowed by model/topic filters (computed by the caller); None = no restriction.
    allowed_ids: set[str] | None = None

    def active(self) -> bool:
        return bool(self.since or self.until or self.categories or self.allowed_ids is not None)

    def accepts(self, paper: Paper) -> bool:
        if self.since and paper.published < self.since:
            return False
        if self.until and paper.published > self.until:
            return False
        if self.categories and not set(self.categories) & set(paper.categories):
            return False
        return self.allowed_ids is None or paper.id in self.allowed_ids


@dataclass
class SearchHit:
    paper: Paper
    score: float

    def as_dict(self) -> dict[str, Any]:
        p = self.paper
        return {
            "id": p.id,
            "title": p.title,
            "score": round(self.score, 6),
            "published": p.published.isoformat(),
            "categories": p.categories,
            "authors": p.authors,
            "url": p.abs_url,
            "artifacts": [artifact.model_dump() for artifact in p.artifacts],
        }


def rank_rows(index: PaperIndex, query: str, query_vector: Callable[[], np.ndarray], method: str, k: int,
              mask: np.ndarray | None = None, rrf_k: int = RRF_K,
              weights: tuple[float, float] = (DENSE_WEIGHT, LEXICAL_WEIGHT), fusion: str = FUSION,
              alpha: float = CONVEX_ALPHA) -> list[tuple[int, float]]:
    """``[(row, score)]`` best first for one query: the retrieval core shared by search and evaluation.

    ``mask`` (bool per row) limits results to allowed rows; ``query_vector`` is called only when the
    method needs the dense side, so BM25 never loads the embedding model.
    """
    if method not in METHODS:
        raise AtlasError(f"unknown search method {method!r}; one of {', '.join(METHODS)}")
    if method == "dense":
        return index.dense_top(query_vector(), k, mask)
    lexical = index.lexical.scores(query)
    if mask is not None:
        lexical = np.where(mask, lexical, 0.0)
    if method == "bm25":
        # Documents sharing no word with the query are not results.
        return [(int(r), float(lexical[r])) for r in top_rows(lexical, min(k, int((lexical > 0).sum())))]
    depth = max(FUSION_DEPTH, k)
    vector = query_vector()
    dense = index.dense_top(vector, depth, mask)
    lexical_rows = [int(r) for r in top_rows(lexical, min(depth, int((lexical > 0).sum())))]
    if fusion == "rrf":
        return reciprocal_rank_fusion([[row for row, _ in dense], lexical_rows], weights, rrf_k)[:k]
    return convex_fusion(index, vector, [row for row, _ in dense], lexical_rows, lexical, alpha)[:k]


def convex_fusion(index: PaperIndex, vector: np.ndarray, dense_rows: list[int], lexical_rows: list[int],
                  lexical: np.ndarray, alpha: float) -> list[tuple[int, float]]:
    """``alpha * cosine' + (1 - alpha) * bm25'`` over the union of both candidate lists, best first.

    cosine' is min-max normalised over the candidates, bm25' divided by the best BM25 score, so a query whose
    rare words (a method's name) match one paper strongly keeps that paper on top, which rank fusion loses.
    """
    rows = np.array(sorted(set(dense_rows) | set(lexical_rows)), dtype=np.int64)
    if not len(rows):
        return []
    cosine = index.vectors[rows] @ np.asarray(vector, dtype=np.float32).reshape(-1)
    spread = float(cosine.max() - cosine.min())
    dense_part = (cosine - cosine.min()) / spread if spread > 0 else np.ones_like(cosine)
    best = float(lexical[rows].max())
    lexical_part = lexical[rows] / best if best > 0 else np.zeros_like(cosine)
    combined = alpha * dense_part + (1 - alpha) * lexical_part
    order = np.lexsort((rows, -combined))
    return [(int(rows[i]), float(combined[i])) for i in order]


class PaperSearch:
    """Answers queries from the saved index; loads the embedding model only when a query needs it."""

    def __init__(
        self, store: PaperStore, index: PaperIndex, embedder: TextEmbedder | None = None,
        warn: Callable[[str], Any] | None = None, method: str = DEFAULT_METHOD,
    ) -> None:
        if method not in METHODS:
            raise AtlasError(f"unknown search method {method!r}; one of {', '.join(METHODS)}")
        self.store = store
        self.index = index
        self.method = method
        self._embedder = embedder
        self._warn = warn or (lambda m: print(m, file=sys.stderr))
        if index.fingerprint and not index.matches(store):
            self._warn("warning: the search index is older than the store; run `llm-atlas index` to refresh it")

    @property
    def embedder(self) -> TextEmbedder:
        """The query embedder: the backend the index was built with (its vectors are comparable)."""
        if self._embedder is None:
            cache_dir = self.index.folder.parent.parent if self.index.folder else None
            if cache_dir is None:
                raise AtlasError("the index was not loaded from a cache folder: pass an embedder")
            self._embedder = make_embedder(self.index.backend, cache_dir, self._warn)
        return self._embedder

    def _mask(self, filters: SearchFilters) -> np.ndarray | None:
        if not filters.active():
            return None
        mask = np.zeros(len(self.index), dtype=bool)
        for row, paper_id in enumerate(self.index.ids):
            paper = self.store.get(paper_id)
            mask[row] = paper is not None and filters.accepts(paper)
        return mask

    def _hits(self, ranked: list[tuple[int, float]], k: int, exclude: str | None = None) -> list[SearchHit]:
        hits: list[SearchHit] = []
        for row, score in ranked:
            paper_id = self.index.ids[row]
            paper = self.store.get(paper_id)
            if paper is None or paper_id == exclude:
                continue
            hits.append(SearchHit(paper, score))
            if len(hits) == k:
                break
        return hits

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None,
               method: str | None = None) -> list[SearchHit]:
        if not query.strip():
            raise AtlasError("the query is empty")
        ranked = rank_rows(self.index, query, lambda: self.embedder.encode_query(query), method or self.method,
                           k, self._mask(filters or SearchFilters()))
        return self._hits(ranked, k)

    def related(self, arxiv_id: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Nearest papers by their vectors (dense: a paper's whole text is a long, specific query)."""
        paper_id, _ = split_arxiv_id(arxiv_id)
        vector = self.index.vector(paper_id)
        if vector is None:
            paper = self.store.get(paper_id)
            if paper is None:
                raise AtlasError(f"paper {paper_id} is not in the store")
            vector = self.embedder.encode([paper.text])[0]
        ranked = self.index.dense_top(vector, k + 1, self._mask(filters or SearchFilters()))
        return self._hits(ranked, k, exclude=paper_id)
