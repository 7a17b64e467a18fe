"""LLM Atlas: a living research knowledge base and paper tracker for large language models."""

from tracker.catalog import Catalog, CatalogModel, load_catalog
from tracker.embeddings import Embedder, EmbeddingCache, embed_papers
from tracker.errors import (
    ArxivError,
    ArxivUnreachableError,
    AtlasError,
    CatalogError,
    IndexNotBuiltError,
    InputError,
    StoreError,
)
from tracker.importer import read_papers
from tracker.index import PaperIndex, build_index
from tracker.linking import ModelLinker, PaperLink, link_papers_to_models
from tracker.paper import Paper
from tracker.relevance import is_llm_paper
from tracker.search import PaperSearch, SearchFilters, SearchHit
from tracker.store import PaperStore

__all__ = [
    "ArxivError", "ArxivUnreachableError", "AtlasError", "Catalog", "CatalogError", "CatalogModel",
    "Embedder", "EmbeddingCache", "IndexNotBuiltError", "InputError", "ModelLinker", "Paper", "PaperIndex",
    "PaperLink", "PaperSearch", "PaperStore", "SearchFilters", "SearchHit", "StoreError", "build_index",
    "embed_papers", "is_llm_paper", "link_papers_to_models", "load_catalog", "read_papers",
]
