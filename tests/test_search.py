"""Embedding, index and search with the real all-MiniLM-L6-v2 on real papers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tracker.embeddings import Embedder, EmbeddingCache
from tracker.index import PaperIndex, build_index
from tracker.paper import Paper
from tracker.search import PaperSearch, SearchFilters
from tracker.store import PaperStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, llm_papers: list[Paper], embedder: Embedder):
    root = tmp_path_factory.mktemp("indexed")
    store = PaperStore(root / "data")
    store.upsert(llm_papers)
    store.save()
    report = build_index(store, root / "cache", embedder)
    return store, root / "cache", report


def test_first_index_embeds_every_paper_and_the_second_none(indexed, embedder: Embedder) -> None:
    store, cache, report = indexed
    assert report.embedded == len(store) > 50
    again = build_index(PaperStore(store.data_dir), cache, embedder)
    assert again.embedded == 0
    assert len(PaperIndex.load(cache)) == len(store)


def test_only_new_or_changed_papers_are_embedded(tmp_path: Path, indexed, embedder: Embedder) -> None:
    store, _, _ = indexed
    papers = list(store)
    small = PaperStore(tmp_path / "data")
    small.upsert(papers[:20])
    small.save()
    assert build_index(small, tmp_path / "cache", embedder).embedded == 20
    changed = papers[0].model_copy(update={"version": 2, "title": papers[0].title + " (revised)"})
    small.upsert([changed, *papers[20:25]])
    small.save()
    assert build_index(PaperStore(small.data_dir), tmp_path / "cache", embedder).embedded == 6
    cache = EmbeddingCache(tmp_path / "cache").load()
    assert len(cache.keys) == 25  # the old text's vector was dropped


def test_a_papers_own_title_finds_it_first(indexed, embedder: Embedder) -> None:
    store, cache, _ = indexed
    search = PaperSearch(store, PaperIndex.load(cache), embedder)
    papers = list(store)
    sample = papers[:: max(1, len(papers) // 15)][:15]
    firsts = [search.search(p.title, k=5)[0].paper.id == p.id for p in sample]
    # titles are near-unique descriptions of their paper: all but at most one must come back first
    assert sum(firsts) >= len(sample) - 1, firsts


def test_topic_query_ranks_topical_papers_high(indexed, embedder: Embedder) -> None:
    store, cache, _ = indexed
    search = PaperSearch(store, PaperIndex.load(cache), embedder)
    hits = search.search("language models in medicine and clinical care", k=5)
    assert len(hits) == 5
    medical = ("medical", "clinical", "patient", "health")
    assert sum(any(w in h.paper.text.lower() for w in medical) for h in hits) >= 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_related_excludes_the_paper_itself(indexed, embedder: Embedder) -> None:
    store, cache, _ = indexed
    search = PaperSearch(store, PaperIndex.load(cache), embedder)
    paper = next(iter(store))
    hits = search.related(paper.id, k=5)
    assert len(hits) == 5 and paper.id not in {h.paper.id for h in hits}
    # the nearest neighbour by the stored vectors, computed independently
    index = PaperIndex.load(cache)
    sims = index.vectors @ index.vector(paper.id)
    sims[index.position[paper.id]] = -1
    assert hits[0].paper.id == index.ids[int(np.argmax(sims))]


def test_filters_restrict_results(indexed, embedder: Embedder) -> None:
    store, cache, _ = indexed
    search = PaperSearch(store, PaperIndex.load(cache), embedder)
    only_cv = search.search("vision language model", k=10, filters=SearchFilters(categories=["cs.CV"]))
    assert only_cv and all("cs.CV" in h.paper.categories for h in only_cv)
    allowed = {p.id for p in list(store)[:7]}
    restricted = search.search("language model", k=10, filters=SearchFilters(allowed_ids=allowed))
    assert {h.paper.id for h in restricted} == allowed
    assert search.search("language model", filters=SearchFilters(since=date(2026, 7, 2))) == []


def test_torch_vectors_are_normalised(embedder: Embedder) -> None:
    vectors = embedder.encode(["a sentence about transformers", "another one about tokenizers"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
