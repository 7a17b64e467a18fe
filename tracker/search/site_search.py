"""``llm-atlas search --method site``: the store searched as the site's page searches it.

The site index is built from the saved paper index (``tracker.search.site_index``) once and kept beside it
(``<cache>/index/<model>/site/``); the site bundle (``tracker.site.search_bundle``) writes the page's files from
the same object, so the CLI and the page rank with the same codes, lists and postings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from tracker.embedding.static_encoder import StaticEncoder, shipped_static_encoder
from tracker.errors import AtlasError
from tracker.search.index import PaperIndex
from tracker.search.query import PaperSearch, SearchFilters, SearchHit
from tracker.search.site_index import DEFAULT_SITE, SiteIndex, SiteSettings, site_fingerprint
from tracker.store import PaperStore

SITE_METHOD = "site"


def published_dates(store: PaperStore) -> dict[str, str]:
    return {paper.id: paper.published.isoformat() for paper in store}


def store_site_index(index: PaperIndex, published: Mapping[str, str], settings: SiteSettings = DEFAULT_SITE,
                     encoder: StaticEncoder | None = None, log: Callable[[str], Any] | None = None) -> SiteIndex:
    """The store's site index (``published``: paper id -> ISO date, which orders the rows): loaded when it was
    built from this index, settings, encoder and dates; else built and saved beside the index."""
    encoder = encoder or shipped_static_encoder()
    teacher = str(encoder.meta.get("teacher", ""))
    if log and not teacher.startswith(index.embedder_name.split("-int8")[0]):
        # the table imitates one search model's query vectors; another adapter needs a retrained table
        log(f"warning: the static query encoder was trained on {teacher}, the index is {index.embedder_name}; "
            "retrain it (scripts/train_static_encoder.py)")
    dates = [published.get(paper_id, "") for paper_id in index.ids]
    fingerprint = site_fingerprint(index, encoder, settings, dates)
    folder = index.folder / "site" if index.folder else None
    if folder is not None:
        loaded = SiteIndex.load(folder, fingerprint, settings, encoder, index.lexical.tokens)
        if loaded is not None:
            return loaded
    if log:
        log("building the site's search index (lists, codes, postings) from the search index")
    site = SiteIndex.build(index, encoder, settings, dates)
    if folder is not None:
        site.save(folder, fingerprint)
    return site


class SiteSearch:
    """Search and related papers over the site index, with the CLI's filters and hits."""

    def __init__(self, search: PaperSearch, settings: SiteSettings = DEFAULT_SITE) -> None:
        self.base = search
        self.settings = settings
        self._site: SiteIndex | None = None

    @property
    def site(self) -> SiteIndex:
        if self._site is None:
            self._site = store_site_index(self.base.index, published_dates(self.base.store), self.settings)
        return self._site

    def _allowed(self, filters: SearchFilters | None) -> np.ndarray | None:
        mask = self.base._mask(filters or SearchFilters())
        return None if mask is None else mask[self.site.index_rows]

    def _hits(self, ranked: list[tuple[int, float]]) -> list[SearchHit]:
        hits = []
        for row, score in ranked:
            paper = self.base.store.get(self.site.ids[row])
            if paper is not None:
                hits.append(SearchHit(paper, score))
        return hits

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None,
               method: str = "hybrid") -> list[SearchHit]:
        if not query.strip():
            raise AtlasError("the query is empty")
        return self._hits(self.site.rank(query, method, k, self._allowed(filters))[:k])

    def related(self, paper_id: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        if paper_id not in self.site.ids:
            raise AtlasError(f"paper {paper_id} is not in the index")
        return self._hits([(row, 0.0) for row in self.site.like(paper_id, k, self._allowed(filters))])
