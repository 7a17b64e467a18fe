"""Search filters from what a reader names: dates, arXiv categories, catalog models or families, topics, and the
kinds of artifact a paper must name (``--has-code``, ``--has-weights``, ``--has-data``: tracker/artifacts.py).

The model and topic filters are resolved against the store here (the linker and the taxonomy decide which
papers qualify), so ``tracker.search.query`` only ever sees a set of allowed paper ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from tracker.artifacts import KINDS
from tracker.errors import AtlasError
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.linking import link_papers_to_models
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.search.query import SearchFilters


def papers_of_topics(papers: Iterable[Paper], catalog_dir: Path, topics: Sequence[str]) -> set[str]:
    """Ids of the papers under any of ``topics`` (ids of ``catalog/topics.yaml``)."""
    taxonomy = load_topics(catalog_dir)
    unknown = [t for t in topics if t not in taxonomy.topics]
    if unknown:
        raise AtlasError(f"--topic: {unknown[0]!r} is not a topic id in {catalog_dir / 'topics.yaml'}")
    return {p.id for p in papers if any(m.topic in topics for m in taxonomy.match(p))}


def papers_of_models(papers: Iterable[Paper], catalog_dir: Path, models: Sequence[str]) -> set[str]:
    """Ids of the papers linked to any of ``models`` (catalog model or family ids)."""
    catalog = load_catalog(catalog_dir)
    unknown = [m for m in models if m not in catalog.models and m not in catalog.families]
    if unknown:
        raise AtlasError(f"--model: {unknown[0]!r} is not a catalog model or family id")
    links = link_papers_to_models(papers, catalog)
    return {pid for pid, found in links.items() if any(x.model in models or x.family in models for x in found)}


def papers_with_artifacts(papers: Iterable[Paper], kinds: Sequence[str]) -> set[str]:
    """Ids of the papers that name an artifact of every one of ``kinds`` ("code", "weights", "data", "project")."""
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise AtlasError(f"not a kind of artifact: {unknown[0]!r} (one of {', '.join(KINDS)})")
    wanted = set(kinds)
    return {p.id for p in papers if wanted <= {artifact.kind for artifact in p.artifacts}}


def build_filters(papers: Iterable[Paper], catalog_dir: Path, since: date | None = None, until: date | None = None,
                  categories: Sequence[str] = (), models: Sequence[str] = (),
                  topics: Sequence[str] = (), artifacts: Sequence[str] = ()) -> SearchFilters:
    """The filters of one search; ``models`` and ``topics`` are checked against the catalog (unknown id: error),
    ``artifacts`` are kinds a paper must name (all of them)."""
    papers = list(papers) if models or topics or artifacts else []
    allowed: set[str] | None = None
    if topics:
        allowed = papers_of_topics(papers, catalog_dir, topics)
    if models:
        linked = papers_of_models(papers, catalog_dir, models)
        allowed = linked if allowed is None else allowed & linked
    if artifacts:
        named = papers_with_artifacts(papers, artifacts)
        allowed = named if allowed is None else allowed & named
    return SearchFilters(since=since, until=until, categories=list(categories), allowed_ids=allowed)
