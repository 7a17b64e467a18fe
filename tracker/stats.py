"""``llm-atlas stats``: what the store holds (papers per month, category, model, topic; how many name their code,
weights, data) and whether the index is fresh."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tracker.artifacts import KINDS
from tracker.errors import IndexNotBuiltError
from tracker.knowledge.catalog import Catalog
from tracker.knowledge.linking import link_papers_to_models
from tracker.knowledge.topics import Taxonomy
from tracker.paper import Paper
from tracker.search.index import PaperIndex
from tracker.store import PaperStore


def collect_stats(
    store: PaperStore, catalog: Catalog, cache_dir: Path, taxonomy: Taxonomy | None = None
) -> dict[str, Any]:
    papers = list(store)
    per_month = Counter(p.month for p in papers)
    per_category = Counter(p.primary_category for p in papers)
    links = link_papers_to_models(papers, catalog)
    per_model = Counter(link.model for found in links.values() for link in found)
    try:
        index = PaperIndex.load(cache_dir)
        freshness: dict[str, Any] = {
            "built": True,
            "papers": len(index),
            "fresh": index.matches(store),
        }
    except IndexNotBuiltError:
        freshness = {"built": False, "papers": 0, "fresh": False}
    return {
        "papers": len(papers),
        "first_published": min((p.published for p in papers), default=None),
        "last_published": max((p.published for p in papers), default=None),
        "per_month": dict(sorted(per_month.items())),
        "per_primary_category": dict(per_category.most_common()),
        "models": len(catalog.models),
        "linked_papers": len(links),
        "per_model": {m: per_model.get(m, 0) for m in sorted(catalog.models)},
        # papers under each topic of catalog/topics.yaml (a paper may count under several), taxonomy order
        "per_topic": per_topic(papers, taxonomy) if taxonomy is not None else {},
        # papers naming code, weights, data, a project page in their abstract or comment (tracker.artifacts)
        "with_artifacts": {kind: sum(any(a.kind == kind for a in p.artifacts) for p in papers) for kind in KINDS},
        "index": freshness,
    }


def per_topic(papers: list[Paper], taxonomy: Taxonomy) -> dict[str, int]:
    counts = Counter(match.topic for found in taxonomy.assign(papers).values() for match in found)
    return {topic.id: counts.get(topic.id, 0) for topic in taxonomy}
