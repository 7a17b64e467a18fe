"""The search page's data (tracker/site/search_bundle.py) and query model (tracker/embedding/web_model.py).

The browser side is tested in tests/test_site_browser.py (real Chromium against the built site) and
tests/test_web_search_js.py (the JavaScript against the Python it mirrors).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, borrow_onnx_export

from tracker.embedding.onnx_embedder import OnnxEmbedder
from tracker.embedding.onnx_export import INT8_FILE, onnx_dir
from tracker.embedding.web_model import ensure_web_model
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.search.index import PaperIndex, build_index
from tracker.search.query import CONVEX_ALPHA, DEFAULT_METHOD, FUSION_DEPTH
from tracker.site.engine import SiteData
from tracker.site.search_bundle import SEARCH_DIR, quantise_vectors, write_search_bundle
from tracker.store import PaperStore


def test_int8_vectors_keep_the_scores_and_the_top_ten() -> None:
    # The point is the quantisation arithmetic, so any unit vectors will do.
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(2000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    codes, scales = quantise_vectors(vectors)
    assert codes.dtype == np.int8 and scales.shape == (384,)
    restored = codes.astype(np.float32) * scales
    assert np.abs(restored - vectors).max() <= scales.max() / 2 + 1e-7
    overlaps = []
    for _ in range(20):
        query = vectors[rng.integers(len(vectors))] + rng.normal(scale=0.05, size=384).astype(np.float32)
        exact, approx = vectors @ query, restored @ query
        assert np.abs(exact - approx).max() < 0.02
        overlaps.append(len(set(np.argsort(-exact)[:10]) & set(np.argsort(-approx)[:10])) / 10)
    assert np.mean(overlaps) >= 0.9


def test_browser_query_model_is_small_and_agrees_with_the_cli(onnx_cache: Path, llm_papers: list[Paper]) -> None:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model, tokenizer_file = ensure_web_model(onnx_cache)
    assert model.stat().st_size < 0.5 * (onnx_dir(onnx_cache) / INT8_FILE).stat().st_size  # the word table is int8
    again, _ = ensure_web_model(onnx_cache)
    assert again == model
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    cli = OnnxEmbedder(onnx_cache)
    queries = [p.title for p in llm_papers[:30]]
    for query in queries:
        ids = np.array([tokenizer.encode(query).ids], dtype=np.int64)
        vector = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                    "token_type_ids": np.zeros_like(ids)})[0][0]
        assert abs(float(np.linalg.norm(vector)) - 1) < 1e-3
        assert float(vector @ cli.encode_query(query)) >= 0.98, query


@pytest.fixture
def bundle_repo(tmp_path: Path, llm_papers: list[Paper], onnx_cache: Path) -> tuple[Path, SiteData, PaperIndex, Path]:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    store = PaperStore(root / "data")
    store.upsert(llm_papers[:40])
    store.save()
    cache = tmp_path / "cache"
    borrow_onnx_export(cache, onnx_cache)
    build_index(store, cache)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"))
    return root, data, PaperIndex.load(cache), cache


def test_bundle_is_complete_consistent_and_reproducible(bundle_repo: tuple[Path, SiteData, PaperIndex, Path]) -> None:
    root, data, index, cache = bundle_repo
    report = write_search_bundle(root, data, index, cache)
    out = root / "docs" / SEARCH_DIR
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    write_search_bundle(root, data, index, cache)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # byte-identical rebuild

    manifest = json.loads(first["manifest.json"])
    assert set(manifest["fetched"]) <= set(first) and {"search.js", "worker.js"} <= set(first)
    for name, size in manifest["bytes"].items():
        assert len(first[name]) == size, name
    assert report.papers == manifest["papers"] == len(index.ids) == 40
    inflated = {name[: -len(".gz")]: gzip.decompress(first[name]) for name in manifest["fetched"]}
    assert {name: len(blob) for name, blob in inflated.items()} == {
        name[: -len(".gz")]: size for name, size in manifest["inflated_bytes"].items()}
    assert len(inflated["vectors.i8"]) == 40 * manifest["dimension"]
    scales = np.array(manifest["vectors"]["scales"])
    restored = np.frombuffer(inflated["vectors.i8"], dtype=np.int8).reshape(40, -1) * scales
    assert np.all(np.sum(restored * index.vectors, axis=1) > 0.99)

    papers = json.loads(inflated["papers.json"])
    assert [row[0] for row in papers["papers"]] == index.ids
    linked = {model for row in papers["papers"] for model in row[4]}
    assert linked and linked == set(papers["models"])
    for model in papers["models"].values():  # links are relative to site/search/
        assert model["page"].startswith("../generated/models/")
    lexical = json.loads(inflated["lexical.json"])
    assert lexical["terms"] and set(lexical["terms"].values()) <= set(range(len(lexical["vocabulary"])))
    assert manifest["search"] == {"default_method": DEFAULT_METHOD, "alpha": CONVEX_ALPHA, "depth": FUSION_DEPTH}
