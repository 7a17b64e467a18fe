"""The site's search: the static query encoder (tracker/embedding/static_encoder.py), the compact codes
(tracker/search/compact.py), the site index and its ranking (tracker/search/site_index.py, ``--method site``)
and the bundle the page fetches from (tracker/site/search_bundle.py).

The browser side is tested in tests/test_site_browser.py (real Chromium against the built site) and
tests/test_web_search_js.py (the page's worker under Node against the Python it mirrors).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, borrow_onnx_export

from tracker.embedding.onnx_embedder import OnnxEmbedder
from tracker.embedding.static_encoder import shipped_static_encoder
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.search.compact import build_lists, int8_rows, train_pq
from tracker.search.index import PaperIndex, build_index
from tracker.search.query import PaperSearch
from tracker.search.site_index import DEFAULT_SITE, SiteIndex
from tracker.search.site_search import SiteSearch, published_dates, store_site_index
from tracker.site.engine import SiteData
from tracker.site.search_bundle import SEARCH_DIR, VECTOR_CHUNK, token_files, write_search_bundle
from tracker.store import PaperStore


def test_static_encoder_points_where_the_search_model_does(onnx_cache: Path, llm_papers: list[Paper]) -> None:
    """Titles are queries the encoder never saw (the store's papers were left out of its training)."""
    encoder = shipped_static_encoder()
    teacher = OnnxEmbedder(onnx_cache)
    titles = [p.title for p in llm_papers[:60]]
    ours = np.stack([encoder.full_query(t) for t in titles])
    theirs = teacher.encode(titles)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.mean() >= 0.8 and cosines.min() >= 0.5, (cosines.mean(), cosines.min())
    # and much closer to its own text's vector than to the others': it is not a constant vector
    assert (np.argmax(ours @ theirs.T, axis=1) == np.arange(len(titles))).mean() >= 0.9
    assert encoder.meta["teacher"].startswith(OnnxEmbedder(onnx_cache).name)


def test_pq_codes_keep_the_top_ten() -> None:
    # The point is the quantisation arithmetic, so any vectors will do.
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3000, 64)).astype(np.float32)
    lists = build_lists(vectors, 50)
    assert lists.offsets[-1] == 3000 and sorted(lists.members) == list(range(3000))
    assignment = np.zeros(3000, dtype=np.int64)
    for number in range(len(lists)):
        assignment[lists.members[lists.offsets[number] : lists.offsets[number + 1]]] = number
    residuals = vectors - lists.centroids[assignment]
    pq = train_pq(residuals, 16)
    codes = pq.encode(residuals)
    assert codes.dtype == np.uint8 and codes.shape == (3000, 16)
    overlaps = []
    for _ in range(20):
        query = rng.normal(size=64).astype(np.float32)
        tables = pq.tables(query)
        approx = lists.centroids[assignment] @ query + tables[np.arange(16)[None, :], codes].sum(axis=1)
        exact = vectors @ query
        overlaps.append(len(set(np.argsort(-exact)[:10]) & set(np.argsort(-approx)[:10])) / 10)
    assert np.mean(overlaps) >= 0.5  # isotropic random vectors are the worst case for PQ (chance: 0.003)
    again = train_pq(residuals, 16)
    assert np.array_equal(again.codebook_codes, pq.codebook_codes)  # seeded, single-threaded: reproducible
    codes8, scales = int8_rows(vectors)
    assert np.abs(codes8 * scales[:, None] - vectors).max() <= scales.max() / 2 + 1e-6


@pytest.fixture
def small_store(tmp_path: Path, llm_papers: list[Paper], onnx_cache: Path) -> tuple[Path, PaperStore, PaperIndex, Path]:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    store = PaperStore(root / "data")
    store.upsert(llm_papers[:60])
    store.save()
    cache = tmp_path / "cache"
    borrow_onnx_export(cache, onnx_cache)
    build_index(store, cache)
    return root, store, PaperIndex.load(cache), cache


def test_site_index_is_reproducible_and_cached(small_store: tuple[Path, PaperStore, PaperIndex, Path]) -> None:
    root, store, index, cache = small_store
    published = published_dates(store)
    site = store_site_index(index, published)
    assert [published[i] for i in site.ids] == sorted(published[i] for i in site.ids)  # rows in date order
    assert sorted(site.ids) == sorted(index.ids)
    assert (index.folder / "site" / "site.npz").exists()
    again = SiteIndex.build(index, shipped_static_encoder(), DEFAULT_SITE, [published[i] for i in index.ids])
    assert np.array_equal(again.codes, site.codes) and np.array_equal(again.lists.members, site.lists.members)
    assert again.lexical.terms == site.lexical.terms and np.array_equal(again.lexical.rows, site.lexical.rows)
    loaded = store_site_index(index, published)
    assert np.array_equal(loaded.neighbours, site.neighbours)
    search = SiteSearch(PaperSearch(store, index))
    hits = search.search("language model reasoning", 10)
    assert len(hits) == 10 and hits[0].score >= hits[-1].score
    related = search.related(site.ids[0], 10)
    cli = PaperSearch(store, index).related(site.ids[0], 10)
    assert [h.paper.id for h in related] == [h.paper.id for h in cli]  # "More like this" is exact


def test_bundle_is_complete_consistent_and_reproducible(small_store: tuple[Path, PaperStore, PaperIndex, Path]) -> None:
    root, store, index, cache = small_store
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"))
    report = write_search_bundle(root, data, index, cache)
    out = root / "docs" / SEARCH_DIR
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_search_bundle(root, data, index, cache)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    assert report.papers == 60 and set(report.files) == set(first)

    manifest = json.loads(first["manifest.json"])
    for name in manifest["files"].values():
        assert name in first
    directory = json.loads(gzip.decompress(first[manifest["files"]["directory"]]))
    for kind, count in (("l", manifest["lists"]["count"]), ("p", 4), ("n", 1), ("i", 1)):
        assert len(directory[kind]) == 8 * count, kind
        for number in range(count):  # every chunk is there, named by its content's hash
            assert f"{kind}/{number}.{directory[kind][8 * number : 8 * number + 8]}.gz" in first
    ranges = tuple((start, size) for start, size in manifest["encoder"]["chunks"])
    lexicon = json.loads(gzip.decompress(first[manifest["files"]["lexicon"]]))
    for kind, count, extension in (("t", len(token_files(manifest["encoder"]["rows"], ranges)), "gz"),
                                   ("x", len(lexicon["firsts"]), "gz"), ("v", -(-60 // VECTOR_CHUNK), "bin")):
        # token files, postings and vectors: every file is there, all named by one hash of them all
        digest = directory["digests"][kind]
        names = sorted(name for name in first if name.startswith(f"{kind}/"))
        assert names == sorted(f"{kind}/{number}.{digest}.{extension}" for number in range(count)), kind
        assert digest == hashlib.sha256("".join(hashlib.sha256(first[n]).hexdigest()[:8] for n in
                                                sorted(names, key=lambda n: int(n[2:].split(".")[0]))).encode()
                                        ).hexdigest()[:8]
    assert {"search.js", "worker.js"} <= set(first)
    assert not any(name.endswith((".wasm", ".onnx", ".wasm.gz", ".onnx.gz")) for name in first)
    site = store_site_index(index, published_dates(store))
    chunks = [first[f"p/{n}.{directory['p'][8 * n : 8 * n + 8]}.gz"] for n in range(4)]
    rows = [row for chunk in chunks for row in json.loads(gzip.decompress(chunk))]
    assert [row[0] for row in rows] == site.ids
    vector = np.frombuffer(first[f"v/7.{directory['digests']['v']}.bin"], dtype=np.int8)  # row 7's, as stored
    assert np.array_equal(vector[: site.encoder.rank], site.vector_codes[7])
    assert np.frombuffer(vector[site.encoder.rank :].tobytes(), "<f4")[0] == site.vector_scales[7]
    models = json.loads(gzip.decompress(first[manifest["files"]["models"]]))
    linked = {model for row in rows for model in row[4]}
    assert linked and linked == set(models)
    for model in models.values():  # links are relative to site/search/
        assert model["page"].startswith("../generated/models/")
    assert manifest["search"]["probes"] == DEFAULT_SITE.probes and manifest["search"]["alpha"] == DEFAULT_SITE.alpha
