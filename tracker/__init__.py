"""LLM Atlas: a living research knowledge base and paper tracker for large language models.

The public names below are imported on first use (PEP 562), not with the package: ``llm-atlas search``
then loads only what a search needs (no catalog, linking or relevance code), which keeps a cold search fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Embedder": "tracker.embedding.embedders",
    "make_embedder": "tracker.embedding.embedders",
    "ArxivError": "tracker.errors",
    "ArxivUnreachableError": "tracker.errors",
    "AtlasError": "tracker.errors",
    "CatalogError": "tracker.errors",
    "IndexNotBuiltError": "tracker.errors",
    "InputError": "tracker.errors",
    "StoreError": "tracker.errors",
    "read_papers": "tracker.importer",
    "Catalog": "tracker.knowledge.catalog",
    "CatalogModel": "tracker.knowledge.catalog",
    "load_catalog": "tracker.knowledge.catalog",
    "ModelLinker": "tracker.knowledge.linking",
    "PaperLink": "tracker.knowledge.linking",
    "link_papers_to_models": "tracker.knowledge.linking",
    "Paper": "tracker.paper",
    "is_llm_paper": "tracker.relevance.filter",
    "select_llm_papers": "tracker.relevance.filter",
    "build_filters": "tracker.search.filters",
    "PaperIndex": "tracker.search.index",
    "build_index": "tracker.search.index",
    "PaperSearch": "tracker.search.query",
    "SearchFilters": "tracker.search.query",
    "SearchHit": "tracker.search.query",
    "EmbeddingCache": "tracker.search.vectors",
    "embed_papers": "tracker.search.vectors",
    "Settings": "tracker.settings",
    "PaperStore": "tracker.store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
