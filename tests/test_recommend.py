"""For you (``llm-atlas recommend``): reading a library, ranking by meaning with the real model, the site page's
ranking from its codes files (``tracker/library/site_rank.py``, mirrored by the page) and bad input.

The store here is ~250 real papers of the bundled store (May to 1 July 2026): every paper whose title says
speculative decoding, jailbreak or KV cache, and every 40th other paper, embedded with the real search model.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, borrow_onnx_export

from tracker.errors import InputError
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.library import DEFAULT_METHOD, METHODS, methods, site_rank
from tracker.library.reader import arxiv_id_in, read_library
from tracker.library.recommend import StoreReader, recommend, resolve
from tracker.library.site_codes import SiteCodes, codes_bundle, week_ranges
from tracker.paper import Paper
from tracker.search.index import PaperIndex, build_index
from tracker.search.site_search import published_dates, store_site_index
from tracker.site.engine import SiteData
from tracker.site.pages.bibtex import bibtex_entry
from tracker.site.search_bundle import SEARCH_DIR, write_search_bundle
from tracker.store import PaperStore

THEMES = ("speculative decoding", "jailbreak", "kv cache")
STORE_MONTHS = ("2026/05", "2026/06", "2026/07")


def bundled_papers() -> list[Paper]:
    papers = []
    for month in STORE_MONTHS:
        lines = (REPO / "data" / "papers" / f"{month}.jsonl").read_text(encoding="utf-8").splitlines()
        papers += [Paper.model_validate_json(line) for line in lines if line.strip()]
    themed = [p for p in papers if any(t in p.title.lower() for t in THEMES)]
    others = [p for p in papers if p not in themed][::40]
    return sorted(themed + others, key=lambda p: p.id)


def themed(paper: Paper, theme: str) -> bool:
    words = {"speculative decoding": ("speculative", "draft"), "jailbreak": ("jailbreak",),
             "kv cache": ("kv cache", "kv-cache", "key-value cache")}[theme]
    return any(w in f"{paper.title} {paper.abstract}".lower() for w in words)


# -- reading a library (no model) -------------------------------------------------------------------------
ZOTERO = """@misc{vaswani_attention_2023,
\ttitle = {Attention {Is} {All} {You} {Need}},
\turl = {http://arxiv.org/abs/1706.03762},
\tdoi = {10.48550/arXiv.1706.03762},
\tabstract = {The dominant sequence transduction models are based on complex recurrent networks.},
\tpublisher = {arXiv},
\tauthor = {Vaswani, Ashish},
\tyear = {2023},
\tnote = {arXiv:1706.03762 [cs]},
}

@article{Devlin2018,
archivePrefix = {arXiv},
arxivId = {1810.04805},
author = {Devlin, Jacob},
eprint = {1810.04805v2},
title = {{BERT: Pre-training of Deep Bidirectional Transformers}},
year = {2018}
}
@article{brown2020, title={Language models are few-shot learners}, journal={arXiv preprint arXiv:2005.14165}}
@article{old, title={Old style}, eprint={hep-th/9901001v3}, archivePrefix={arXiv}}
@book{knuth, title={The Art of Computer Programming}, year={1968}}
@article{textonly, title={A {\\"u}ber \\emph{model}}, abstract={We train a model \\& test it.}}
@article{broken, title={oops
"""


def test_bibtex_from_zotero_mendeley_scholar_and_the_site(tmp_path: Path) -> None:
    path = tmp_path / "library.bib"
    path.write_text(ZOTERO, encoding="utf-8")
    library = read_library(path)
    assert library.kind == "bibtex"
    assert [e.id for e in library.entries] == ["1706.03762", "1810.04805", "2005.14165", "hep-th/9901001", None]
    assert library.entries[0].abstract.startswith("The dominant") and library.entries[1].line == 12
    text_only = library.entries[-1]
    assert (text_only.key, text_only.title) == ("textonly", "A uber model")
    assert text_only.abstract == "We train a model & test it."
    # the book without an id or abstract and the unparsable block: named with their file and line, left out
    assert any(f"{path}:22: entry knuth has no arXiv id and no abstract" in w for w in library.warnings)
    assert any(w.startswith(f"{path}:24: a BibTeX block that does not parse") for w in library.warnings)

    store = [Paper.model_validate_json(line) for line in
             (REPO / "data/papers/2026/06.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    own = tmp_path / "site.bib"  # the site's own export: tracker/site/pages/bibtex.py
    own.write_text("\n".join(bibtex_entry(p) for p in store), encoding="utf-8")
    assert read_library(own).ids == [p.id for p in store]


def test_id_lists_take_urls_old_ids_and_versions_and_skip_comments(tmp_path: Path) -> None:
    path = tmp_path / "library.txt"
    path.write_text("# my papers\n\n2401.01234v2\nhttps://arxiv.org/pdf/2305.10403v1.pdf  a note\n"
                    "hep-th/9901001\nmath.GT/0309136v2\narXiv:2401.01234\nhttps://huggingface.co/papers/2502.00001\n"
                    "not an id\n", encoding="utf-8")
    library = read_library(path)
    assert library.ids == ["2401.01234", "2305.10403", "hep-th/9901001", "math.GT/0309136", "2502.00001"]
    assert library.warnings == [f"{path}:9: not an arXiv id or URL, left out: 'not an id'"]
    assert arxiv_id_in("https://doi.org/10.48550/arXiv.2401.01234") == "2401.01234"
    assert arxiv_id_in("10.1145/3442188.3445922") is None


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the library file is empty"),
    (b"\n  \n\t\n", "the library file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file (binary data)"),
    (b"2401.01234\n\xff\xfe broken", "not UTF-8 text"),
    (b"@article{a, title={No id}}\n@book{b, title={Nor here}, year={2001}}\n", "no paper in the library"),
    (b"hello\nworld\n", "no paper in the library"),
])
def test_bad_library_files_are_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "library.bib"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_library(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)
    assert "\n" not in str(caught.value)
    if b"\xff" in content:
        assert str(caught.value).startswith(f"{path}:2:")


# -- the site's codes files (no model) -----------------------------------------------------------------------
def test_codes_rows_round_trip_and_site_vectors() -> None:
    rng = np.random.default_rng(7)
    lists = rng.integers(0, 300, size=300)
    codes = rng.integers(0, 256, size=(300, 32), dtype=np.uint8)
    blob = site_rank.encode_rows(lists, codes)
    assert len(blob) == 300 * 34 and blob[:2] == int(lists[0]).to_bytes(2, "little")
    got_lists, got_codes = site_rank.decode_rows(gzip.compress(blob), 32)
    assert np.array_equal(got_lists, lists) and np.array_equal(got_codes, codes)
    centroids = rng.normal(size=(300, 256)).astype(np.float32)
    books = rng.normal(size=(32, 256, 8)).astype(np.float32)
    vectors = site_rank.site_vectors(lists, codes, centroids, books)
    row = 5
    by_hand = centroids[lists[row]] + np.concatenate([np.float32(site_rank.RESIDUAL_SCALE) * books[m, codes[row, m]]
                                                      for m in range(32)])
    assert vectors.dtype == np.float32 and np.array_equal(vectors[row], by_hand.astype(np.float32))
    assert week_ranges(["2026-06-01", "2026-06-02", "2026-06-16", "2026-06-17"]) == [
        ["2026-W23", 0, 2], ["2026-W24", 2, 2], ["2026-W25", 2, 4]]  # an empty week is still a week
    assert site_rank.week_rows([["2026-W23", 0, 2], ["2026-W24", 2, 2], ["2026-W25", 2, 4]], 2) == (2, 4)


def test_site_rank_orders_ties_by_row_and_names_its_reasons() -> None:
    library = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    candidates = np.array([[1.0, 0.1], [1.0, 0.1], [0.2, 1.0], [1.0, 0.0]], dtype=np.float32)
    ranked = site_rank.rank(np.array([9, 4, 6, 3]), candidates, np.array([3, 8]), library, 3, "max")
    # row 3 is in the library: left out; rows 9 and 4 tie: the lower row first
    assert [r.row for r in ranked] == [4, 9, 6]
    assert ranked[0].because == [3, 8] and ranked[2].because == [8, 3]


# -- ranking by meaning (the real model) -----------------------------------------------------------------
@pytest.fixture(scope="module")
def recommend_store(tmp_path_factory: pytest.TempPathFactory, onnx_cache: Path) -> tuple[Path, PaperStore, PaperIndex]:
    root = tmp_path_factory.mktemp("recommend")
    (root / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    store = PaperStore(root / "data")
    store.upsert(bundled_papers())
    store.save()
    cache = root / ".cache" / "llm-atlas"
    borrow_onnx_export(cache, onnx_cache)
    build_index(store, cache)
    return root, PaperStore(root / "data"), PaperIndex.load(cache)


def library_of(store: PaperStore, theme: str, count: int, before: str = "2026-06-01") -> list[Paper]:
    return [p for p in store if themed(p, theme) and any(t in p.title.lower() for t in THEMES)
            and p.published.isoformat() < before][:count]


@pytest.mark.slow
def test_a_library_finds_the_newest_papers_on_its_topic(recommend_store, tmp_path: Path) -> None:
    root, store, index = recommend_store
    mine = library_of(store, "speculative decoding", 4)
    path = tmp_path / "library.txt"
    path.write_text("".join(f"https://arxiv.org/abs/{p.id}v1\n" for p in mine), encoding="utf-8")
    result = recommend(path, store, index, k=5)
    assert result.method == DEFAULT_METHOD and result.window.since is not None
    assert result.window.since.isoformat() == "2026-06-08"  # the newest 4 ISO weeks: W24 to W27 (1 July)
    assert all(item.paper.published >= result.window.since for item in result.items)
    on_topic = [item for item in result.items if themed(item.paper, "speculative decoding")]
    assert len(on_topic) >= 4, [item.paper.title for item in result.items]
    assert all(set(item.because) <= {p.id for p in mine} and len(item.because) == 2 for item in result.items)
    scores = [item.score for item in result.items]
    assert scores == sorted(scores, reverse=True)
    for method in METHODS:  # every method answers, from the same window, without the library's own papers
        ranked = recommend(path, store, index, k=5, method=method, weeks=None)
        assert len(ranked.items) == 5 and not {i.paper.id for i in ranked.items} & {p.id for p in mine}, method


@pytest.mark.slow
def test_two_interests_are_both_served(recommend_store, tmp_path: Path) -> None:
    root, store, index = recommend_store
    mine = library_of(store, "speculative decoding", 3) + library_of(store, "jailbreak", 3)
    path = tmp_path / "library.txt"
    path.write_text("\n".join(p.id for p in mine), encoding="utf-8")
    for method in ("topk", "mix", "site"):
        result = recommend(path, store, index, k=10, method=method, weeks=None)
        themes = [t for t in ("speculative decoding", "jailbreak") if any(themed(i.paper, t) for i in result.items)]
        assert len(themes) == 2, (method, [i.paper.title for i in result.items])


@pytest.mark.slow
def test_site_ranking_reads_only_its_codes_files_and_matches_the_bundle(recommend_store, tmp_path: Path) -> None:
    root, store, index = recommend_store
    published = published_dates(store)
    site = store_site_index(index, published)
    dates = [published[i] for i in site.ids]
    codes = SiteCodes.from_site(site, dates)
    first, end = site_rank.week_rows(codes.weeks)
    # the default window as the page computes it (the manifest's weeks) is the CLI's window
    in_window = sorted(row for row, paper_id in enumerate(site.ids) if published[paper_id] >= "2026-06-08")
    assert list(range(first, end)) == in_window
    mine = library_of(store, "kv cache", 3)
    rows = [site.ids.index(p.id) for p in mine]
    library_vectors = codes.vectors(rows)
    window_vectors = codes.vectors(np.arange(first, end))
    assert codes.fetched == site_rank.chunks_of(np.array([*rows, first, end - 1]))  # nothing else was read
    ranked = site_rank.rank(np.arange(first, end), window_vectors, np.array(rows), library_vectors, 10)
    # the same as `recommend --method site`
    path = tmp_path / "library.txt"
    path.write_text("\n".join(p.id for p in mine), encoding="utf-8")
    result = recommend(path, store, index, k=10, method="site")
    assert [i.paper.id for i in result.items] == [site.ids[r.row] for r in ranked]
    assert [i.because for i in result.items] == [[site.ids[b] for b in r.because] for r in ranked]
    # and close to the exact ranking it approximates
    exact = recommend(path, store, index, k=10, method=site_rank.METHOD)
    overlap = len({i.paper.id for i in exact.items} & {i.paper.id for i in result.items}) / 10
    assert overlap >= 0.6, overlap
    # the search bundle lists and holds the same files, and reading them back gives the same vectors
    files, entry = codes_bundle(site, dates)
    assert set(files) == {f"r/{n}.{entry['hashes'][8 * n : 8 * n + 8]}.gz" for n in range(-(-len(dates) // 256))}
    assert entry["weeks"] == codes.weeks and entry["residual_scale"] == site_rank.RESIDUAL_SCALE
    (root / "docs").mkdir(exist_ok=True)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"))
    write_search_bundle(root, data, index, index.folder.parent.parent)
    out = root / "docs" / SEARCH_DIR
    assert json.loads((out / "manifest.json").read_text())["codes"] == entry
    assert all((out / name).read_bytes() == blob for name, blob in files.items())
    read = SiteCodes.from_bundle(out)
    assert np.array_equal(read.vectors(np.arange(len(dates))), codes.vectors(np.arange(len(dates))))


@pytest.mark.slow
def test_papers_the_store_lacks_are_embedded_from_bibtex_or_reported(recommend_store, tmp_path: Path) -> None:
    root, store, index = recommend_store
    gone = Paper.model_validate_json(json.dumps({
        "id": "2312.99999", "version": 1, "title": "Universal jailbreak suffixes for aligned language models",
        "abstract": "We find adversarial suffixes that make aligned chat models answer harmful requests, "
                    "jailbreaking them across model families, and study defenses.",
        "authors": ["A. Author"], "categories": ["cs.CL"], "published": "2023-12-20", "updated": "2023-12-20"}))
    path = tmp_path / "library.bib"
    path.write_text(bibtex_entry(gone).replace("}\n", f"  abstract = {{{gone.abstract}}},\n}}\n", 1)
                    + "@misc{unknown, eprint={2311.00000}, archivePrefix={arXiv}}\n", encoding="utf-8")
    texts: list[str] = []

    def embed(batch: list[str]) -> np.ndarray:
        texts.extend(batch)
        from tracker.embedding.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(index.folder.parent.parent).encode(batch)

    result = recommend(path, store, index, k=5, embed=embed, weeks=None)
    assert texts == [f"{gone.title}. {gone.abstract}"]
    assert result.papers.embedded == ["2312.99999"] and result.papers.missing == ["2311.00000"]
    assert any("2311.00000" in w for w in result.warnings)
    assert sum(themed(i.paper, "jailbreak") for i in result.items) >= 3
    assert all(i.because == ["2312.99999"] for i in result.items)

    # a library of 2,000: the store's papers and unknown ids; the unknown ones are counted in one warning line
    big = tmp_path / "big.txt"
    known = [p.id for p in store][:200]
    big.write_text("\n".join(known + [f"2401.{n:05d}" for n in range(1800)]), encoding="utf-8")
    reader = StoreReader(store)
    vectors = resolve(read_library(big), index, reader, embed)
    assert len(vectors) == 200 and len(vectors.missing) == 1800
    assert len(recommend(big, store, index, k=20, weeks=None).items) == 20


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.slow
def test_cli_json_and_errors(recommend_store, tmp_path: Path) -> None:
    root, store, index = recommend_store
    one = library_of(store, "kv cache", 1)[0]
    path = tmp_path / "one.txt"
    path.write_text(one.id + "\n", encoding="utf-8")
    done = run_cli("recommend", str(path), "-k", "3", "--json", cwd=root)
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)  # stdout is the JSON alone; logs went to stderr
    assert len(items) == 3 and set(items[0]) == {"id", "title", "score", "because"}
    assert all(item["because"] == [one.id] for item in items)
    assert "ranked" in done.stderr and str(path) in done.stderr

    text = run_cli("recommend", str(path), "-k", "2", "--weeks", "all", "--method", "mean", cwd=root)
    assert text.returncode == 0 and "close to your:" in text.stdout

    unknown = tmp_path / "unknown.txt"
    unknown.write_text("2401.00001\n2401.00002v3\n", encoding="utf-8")
    failed = run_cli("recommend", str(unknown), cwd=root)
    assert failed.returncode == 1 and failed.stdout == ""
    lines = failed.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: {unknown}: no usable paper") and "2401.00001" in lines[-1]
    empty = tmp_path / "empty.bib"
    empty.write_bytes(b"")
    failed = run_cli("recommend", str(empty), cwd=root)
    assert failed.returncode == 1 and failed.stderr.strip() == f"error: {empty}: the library file is empty"
    assert run_cli("recommend", str(path), "--weeks", "soon", cwd=root).returncode == 2


def test_method_names_agree() -> None:
    assert set(METHODS) == {*methods.VECTOR_METHODS, "bm25", "site"} and DEFAULT_METHOD in METHODS
    assert site_rank.METHOD in site_rank.METHODS


@pytest.mark.slow
def test_weekly_writes_for_you_when_a_library_is_kept(recommend_store) -> None:
    """scripts/weekly with library.bib at the root (arXiv unreachable: the stored papers are this week's)."""
    root, store, index = recommend_store
    (root / "tracker.toml").write_text('[arxiv]\napi_url = "http://127.0.0.1:9/api/query"\nuse_feed = false\n'
                                       "[http]\ndelay_seconds = 0.0\nmax_retries = 0\n", encoding="utf-8")
    mine = library_of(store, "jailbreak", 3)
    (root / "library.bib").write_text("\n".join(bibtex_entry(p) for p in mine), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLM_ATLAS_")}
    env.update(LLM_ATLAS_CATALOG=str(REPO / "catalog"), HF_HUB_OFFLINE="1")
    try:
        done = subprocess.run([sys.executable, str(REPO / "scripts" / "weekly"), "--offline-ok", "--no-build",
                               "--stale-weeks", "0", "--report", str(root / "out" / "report.json")],
                              cwd=root, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads((root / "out" / "report.json").read_text())
        assert report["for_you"]["report"] == str(root / "out" / "for-you.md") and report["for_you"]["papers"] == 20
        markdown = (root / "out" / "for-you.md").read_text()
        assert markdown.startswith("# For you: 20 new papers, 2026-06-08 … 2026-07-01\n")
        assert markdown.count("https://arxiv.org/abs/") >= 40 and "Close to your: *" in markdown
        # a library that cannot be used is reported, and the run still succeeds
        (root / "library.bib").write_text("@book{b, title={No id here}}\n", encoding="utf-8")
        done = subprocess.run([sys.executable, str(REPO / "scripts" / "weekly"), "--offline-ok", "--no-build",
                               "--stale-weeks", "0", "--report", str(root / "out" / "report.json")],
                              cwd=root, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads((root / "out" / "report.json").read_text())
        assert report["status"] == "ok" and "no paper in the library" in report["for_you"]["error"]
    finally:
        (root / "library.bib").unlink()
