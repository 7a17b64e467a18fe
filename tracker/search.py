"""Search and related papers over the index, with filters applied to the store's records."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from tracker.embeddings import Embedder
from tracker.errors import AtlasError
from tracker.index import PaperIndex, store_fingerprint
from tracker.paper import Paper, split_arxiv_id
from tracker.store import PaperStore


@dataclass
class SearchFilters:
    since: date | None = None
    until: date | None = None
    categories: list[str] = field(default_factory=list)
    # Paper ids allowed by model/topic filters (computed by the caller from links); None = no restriction.
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
        }


class PaperSearch:
    """Answers queries from the saved index; loads the embedding model only when a query needs it."""

    def __init__(
        self, store: PaperStore, index: PaperIndex, embedder: Embedder | None = None,
        warn: Callable[[str], Any] | None = None,
    ) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder or Embedder()
        if index.fingerprint and index.fingerprint != store_fingerprint(store):
            (warn or (lambda m: print(m, file=sys.stderr)))(
                "warning: the search index is older than the store; run `llm-atlas index` to refresh it"
            )

    def _rank(self, query_vector: np.ndarray, k: int, filters: SearchFilters, exclude: str | None) -> list[SearchHit]:
        # Exact search over everything when filtering: the flat index makes that one matrix product.
        depth = len(self.index) if filters.active() else k + (1 if exclude else 0)
        hits: list[SearchHit] = []
        for paper_id, score in self.index.search(query_vector, depth):
            paper = self.store.get(paper_id)
            if paper is None or paper_id == exclude or not filters.accepts(paper):
                continue
            hits.append(SearchHit(paper, score))
            if len(hits) == k:
                break
        return hits

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        if not query.strip():
            raise AtlasError("the query is empty")
        return self._rank(self.embedder.encode_query(query), k, filters or SearchFilters(), None)

    def related(self, arxiv_id: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        paper_id, _ = split_arxiv_id(arxiv_id)
        vector = self.index.vector(paper_id)
        if vector is None:
            paper = self.store.get(paper_id)
            if paper is None:
                raise AtlasError(f"paper {paper_id} is not in the store")
            vector = self.embedder.encode([paper.text])[0]
        return self._rank(vector, k, filters or SearchFilters(), exclude=paper_id)
