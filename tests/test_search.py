"""Embedding, index and search with the real all-MiniLM-L6-v2 on real papers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tracker.embedding.embedders import Embedder
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.search.index import FLAT_LIMIT, PaperIndex, build_index, choose_kind
from tracker.search.query import CONVEX_ALPHA, FUSION_DEPTH, METHODS, PaperSearch, SearchFilters
from tracker.search.vectors import EmbeddingCache
from tracker.store import PaperStore

REPO = Path(__file__).parent.parent

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
    cache = EmbeddingCache(tmp_path / "cache", embedder.name).load()
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


@pytest.mark.parametrize("method", METHODS)
def test_filters_restrict_results(indexed, embedder: Embedder, method: str) -> None:
    store, cache, _ = indexed
    search = PaperSearch(store, PaperIndex.load(cache), embedder, method=method)
    only_cv = search.search("vision language model", k=10, filters=SearchFilters(categories=["cs.CV"]))
    assert only_cv and all("cs.CV" in h.paper.categories for h in only_cv)
    unfiltered = search.search("vision language model", k=10)
    assert any("cs.CV" not in h.paper.categories for h in unfiltered)  # so the filter did something
    allowed = {p.id for p in list(store)[:7]}
    restricted = search.search("language model", k=10, filters=SearchFilters(allowed_ids=allowed))
    assert restricted and {h.paper.id for h in restricted} <= allowed
    assert search.search("language model", filters=SearchFilters(since=date(2026, 7, 2))) == []
    assert search.search("language model", filters=SearchFilters(until=date(2026, 6, 30))) == []


def test_related_respects_filters_and_still_excludes_itself(indexed, embedder: Embedder) -> None:
    store, cache, _ = indexed
    search = PaperSearch(store, PaperIndex.load(cache), embedder)
    paper = next(p for p in store if "cs.CL" in p.categories)
    hits = search.related(paper.id, k=5, filters=SearchFilters(categories=["cs.CL"]))
    assert len(hits) == 5 and paper.id not in {h.paper.id for h in hits}
    assert all("cs.CL" in h.paper.categories for h in hits)


def test_hybrid_combines_the_dense_and_bm25_scores(indexed, embedder: Embedder) -> None:
    store, cache, _ = indexed
    index = PaperIndex.load(cache)
    search = PaperSearch(store, index, embedder)
    query = "reducing hallucinations with retrieval"
    dense = [h.paper.id for h in search.search(query, k=FUSION_DEPTH, method="dense")]
    bm25 = [h.paper.id for h in search.search(query, k=FUSION_DEPTH, method="bm25")]
    hybrid = search.search(query, k=10)
    assert search.method == "hybrid" and len(hybrid) == 10
    # recomputed independently: 0.6 * min-max-normalised cosine + 0.4 * BM25 / best BM25, over both lists
    candidates = sorted(set(dense) | set(bm25))
    vector = embedder.encode_query(query)
    cosine = {pid: float(index.vector(pid) @ vector) for pid in candidates}
    lexical = index.lexical.scores(query)
    words = {pid: float(lexical[index.position[pid]]) for pid in candidates}
    low, high, best = min(cosine.values()), max(cosine.values()), max(words.values())
    expected = {pid: CONVEX_ALPHA * (cosine[pid] - low) / (high - low) + (1 - CONVEX_ALPHA) * words[pid] / best
                for pid in candidates}
    assert all(h.score == pytest.approx(expected[h.paper.id], abs=1e-4) for h in hybrid)
    assert [h.score for h in hybrid] == pytest.approx(sorted(expected.values(), reverse=True)[:10], abs=1e-4)
    # the paper that is best on both sides tops the hybrid list
    if dense[0] == bm25[0]:
        assert hybrid[0].paper.id == dense[0]
    # every BM25 hit shares a word with the query
    assert all(any(w in h.paper.text.lower() for w in ("hallucinat", "retriev", "reduc"))
               for h in search.search(query, k=10, method="bm25"))


def test_index_kind_is_chosen_by_size(indexed, tmp_path: Path) -> None:
    _, cache, report = indexed
    assert report.kind == "flat" == PaperIndex.load(cache).kind
    assert choose_kind(FLAT_LIMIT) == "flat" and choose_kind(FLAT_LIMIT + 1) == "ivf"
    # an IVF index over the same real vectors, saved and loaded, finds the exact nearest neighbours
    flat = PaperIndex.load(cache)
    ivf = PaperIndex(flat.ids, flat.vectors, kind="ivf")
    ivf.save(tmp_path)
    ivf = PaperIndex.load(tmp_path)
    assert ivf.kind == "ivf" and ivf.graph.ntotal == len(flat)
    overlaps = []
    for row in range(0, len(flat), max(1, len(flat) // 20)):
        exact = {r for r, _ in flat.dense_top(flat.vectors[row], 10)}
        overlaps.append(len(exact & {r for r, _ in ivf.dense_top(flat.vectors[row], 10)}) / 10)
    assert sum(overlaps) / len(overlaps) >= 0.95, overlaps


def test_cli_search_filters_by_topic_and_method(indexed) -> None:
    store, cache, _ = indexed
    taxonomy = load_topics(REPO / "catalog")
    topic = max(taxonomy.topics, key=lambda t: sum(any(m.topic == t for m in taxonomy.match(p)) for p in store))
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "search", "language model evaluation", "--method", "bm25", "--topic",
         topic, "-k", "5", "--json", "--data-dir", str(store.data_dir), "--cache-dir", str(cache),
         "--catalog-dir", str(REPO / "catalog")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert hits and all(any(m.topic == topic for m in taxonomy.match(store.papers[h["id"]])) for h in hits)
    bad = subprocess.run([sys.executable, "-m", "tracker", "search", "x", "--topic", "no-such-topic", "--data-dir",
                          str(store.data_dir), "--cache-dir", str(cache), "--catalog-dir", str(REPO / "catalog")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "'no-such-topic' is not a topic id" in bad.stderr


def test_torch_vectors_are_normalised(embedder: Embedder) -> None:
    vectors = embedder.encode(["a sentence about transformers", "another one about tokenizers"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
