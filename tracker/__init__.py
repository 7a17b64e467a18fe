"""LLM Atlas: a living research knowledge base and paper tracker for large language models.

The public names below are imported on first use (PEP 562), not with the package: ``llm-atlas search``
then loads only what a search needs (no catalog, linking or relevance code), which keeps a cold search fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Catalog": "tracker.catalog", "CatalogModel": "tracker.catalog", "load_catalog": "tracker.catalog",
    "Embedder": "tracker.embedders", "make_embedder": "tracker.embedders",
    "EmbeddingCache": "tracker.vector_cache", "embed_papers": "tracker.vector_cache",
    "ArxivError": "tracker.errors", "ArxivUnreachableError": "tracker.errors", "AtlasError": "tracker.errors",
    "CatalogError": "tracker.errors", "IndexNotBuiltError": "tracker.errors", "InputError": "tracker.errors",
    "StoreError": "tracker.errors",
    "read_papers": "tracker.importer",
    "PaperIndex": "tracker.index", "build_index": "tracker.index",
    "ModelLinker": "tracker.linking", "PaperLink": "tracker.linking", "link_papers_to_models": "tracker.linking",
    "Paper": "tracker.paper",
    "is_llm_paper": "tracker.relevance_filter", "select_llm_papers": "tracker.relevance_filter",
    "PaperSearch": "tracker.search", "SearchFilters": "tracker.search", "SearchHit": "tracker.search",
    "build_filters": "tracker.search_filters",
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
