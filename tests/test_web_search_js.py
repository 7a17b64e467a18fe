"""The search page's JavaScript (tracker/site/web/) agrees with the Python it mirrors, run under Node.

- tokenizer.js gives the ``tokenizers`` library's ids (the model's own tokenizer.json), mapped to the static
  encoder's rows, on real titles and abstracts and on awkward text (accents, CJK, control characters, symbols);
- the page's stems (npm Porter2 + the bundle's exceptions table) are PyStemmer's for every word of the indexed
  texts, and for most words no paper contains;
- the real worker (worker.js), fed the files of a bundle written by ``write_search_bundle`` from 301 real
  papers, answers queries with the ranking of ``llm-atlas search --method site`` (``SiteSearch``): the same
  query vector, lists, PQ scores, postings and fusion (a long query's weight included), for hybrid, dense and
  BM25, with date and model filters and "More like this"; and it fetches only the chunks a query needs, the
  very files ``tracker.site.search_fetch`` names (the byte counts of the README are computed from those).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, borrow_onnx_export

from tracker.embedding.static_encoder import QUERY_TOKENS, shipped_static_encoder
from tracker.embedding.weights import base_model_path
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.search.filters import build_filters
from tracker.search.index import PaperIndex, build_index
from tracker.search.lexical import TOKEN_PATTERN
from tracker.search.query import PaperSearch, SearchFilters
from tracker.search.site_search import SiteSearch
from tracker.site.engine import SiteData
from tracker.site.search_bundle import SEARCH_DIR, match_floor, token_files, vocabulary_text, write_search_bundle
from tracker.site.search_fetch import Bundle, query_files
from tracker.site.web_bundle import node_modules
from tracker.store import PaperStore

HARNESS = Path(__file__).parent / "js" / "parity.mjs"
AWKWARD = [
    "Café naïve résumé — “quoted” ‘text’ … and Ångström",
    "大型语言模型 (LLMs) と日本語のトークン化",
    "emoji 🤖🔥 and math $x^2 \\leq 5$, a+b=c | d ~ e @ f # g",
    "control\x00chars\x0bhere\x85and\u200bzero\u200dwidth\ufeffbom \ufffd",
    "tabs\tnew\nlines\r\nnbsp\u00a0thin\u2009space",
    "supercalifragilistic" * 6 + " short",
    "İstanbul ΑΒΓ αβγ ﬁnance Straße",
    "GPT-4o vs. LLaMA-3.1-70B-Instruct: 3.5× faster, 92.3% acc.",
    "",
    "a" * 99 + " " + "b" * 101,
]
QUERIES = [
    "retrieval-augmented generation for question answering",
    "reinforcement learning from human feedback reward models",
    "quantization of large language models for efficient inference",
    "benchmarks for code generation agents",
    "hallucination detection",
    "the of and",  # stop words only
    "Mixture-of-Experts routing MoE",
    "LLaMA fine-tuning with LoRA adapters",
    "multilingual speech translation",
    "safety alignment jailbreak attacks",
]
# Long questions (12 indexable words or more: SiteSettings.long_words) are fused with another weight.
LONG_QUERIES = [
    "Large language models often hallucinate facts when answering questions about long documents. Which paper "
    "proposes a retrieval method that grounds each generated sentence in the source text?",
    "How can we reduce the memory of the key-value cache during inference of transformer language models "
    "without losing accuracy on long-context benchmarks?",
]


def run_node(request: dict) -> object:
    modules = node_modules(REPO)
    completed = subprocess.run([shutil.which("node") or "node", str(HARNESS)], input=json.dumps(request),
                               capture_output=True, text=True, env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"},
                               timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)


def test_tokenizer_gives_the_models_tokens_as_table_rows(corpus_papers: list[Paper], tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    tokenizer_file = base_model_path() / "tokenizer.json"
    reference = Tokenizer.from_file(str(tokenizer_file))
    reference.no_padding()
    reference.enable_truncation(QUERY_TOKENS)
    encoder = shipped_static_encoder()
    texts = [*AWKWARD, *(p.title for p in corpus_papers), *(p.abstract for p in corpus_papers[:150])]
    vocab = tmp_path / "vocab.txt"
    vocab.write_text(vocabulary_text(encoder, tokenizer_file), encoding="utf-8")
    ours = run_node({"task": "tokenize", "vocab": str(vocab), "max_tokens": QUERY_TOKENS, "texts": texts})
    expected = [[int(encoder.row_of[i]) for i in e.ids] for e in reference.encode_batch(texts)]
    mismatched = [(text[:60], a, b) for text, a, b in zip(texts, ours, expected, strict=True) if a != b]  # type: ignore[call-overload]
    assert not mismatched, mismatched[:3]
    assert len(texts) > 500


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, corpus_papers: list[Paper],
           onnx_cache: Path) -> tuple[Path, SiteSearch, dict]:
    """A search bundle written from the 301 papers of the 2026-07-01 listing, and the CLI's site search on them."""
    root = tmp_path_factory.mktemp("parity") / "repo"
    (root / "docs").mkdir(parents=True)
    store = PaperStore(root / "data")
    store.upsert(list({p.id: p for p in corpus_papers}.values()))
    store.save()
    cache = root / ".cache"
    borrow_onnx_export(cache, onnx_cache)
    build_index(store, cache)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"))
    index = PaperIndex.load(cache)
    write_search_bundle(root, data, index, cache)
    folder = root / "docs" / SEARCH_DIR
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return folder, SiteSearch(PaperSearch(store, index)), manifest


def test_stems_are_pystemmers_for_every_indexed_word(bundle: tuple[Path, SiteSearch, dict],
                                                     corpus_papers: list[Paper]) -> None:
    folder, search, manifest = bundle
    lexicon = json.loads(gzip.decompress((folder / manifest["files"]["lexicon"]).read_bytes()))
    words = sorted({w for p in corpus_papers for w in re.findall(TOKEN_PATTERN, f"{p.title} {p.abstract}".lower())})
    unseen = sorted({w + suffix for w in words if w.isalpha() and len(w) > 4 for suffix in ("s", "ing", "ed")}
                    - set(words))[:3000]
    answers = run_node({"task": "stems", "stopwords": lexicon["stopwords"], "exceptions": lexicon["exceptions"],
                        "queries": words + unseen})
    python = [search.site.stems(w) for w in words + unseen]
    assert len(words) > 5000
    wrong = [w for w, a, b in zip(words, answers, python, strict=False) if a != b]  # type: ignore[call-overload]
    assert not wrong, wrong[:10]
    agree = sum(a == b for a, b in zip(answers[len(words):], python[len(words):], strict=True))  # type: ignore[index]
    assert agree >= 0.95 * len(unseen), f"only {agree} of {len(unseen)} unseen words stem as PyStemmer does"


def _worker(folder: Path, messages: list[dict]) -> list[dict]:
    return run_node({"task": "worker", "folder": str(folder), "messages": messages})  # type: ignore[return-value]


def test_worker_ranks_as_the_cli_site_method(bundle: tuple[Path, SiteSearch, dict]) -> None:
    folder, search, manifest = bundle
    messages, expected = [], []
    assert all(len(search.site.stems(q)) >= search.site.settings.long_words for q in LONG_QUERIES)
    for query in QUERIES + LONG_QUERIES:
        for method in ("hybrid", "dense", "bm25"):
            messages.append({"type": "search", "id": len(messages) + 1, "query": query, "method": method, "k": 20,
                             "filters": {}})
            expected.append((query, method, [(h.paper.id, h.score) for h in search.search(query, 20, method=method)]))
    answers = _worker(folder, messages)
    agreeing = 0
    for (query, method, want), got in zip(expected, answers, strict=True):
        answer = got["answer"]
        assert answer["type"] == "results" and answer["stage"] == "final", answer
        ids = [h["id"] for h in answer["hits"]]
        assert len(ids) == len(want), (query, method)
        if not want:  # stop words only: no word matches
            agreeing += 1
            continue
        # scores agree to float32 rounding; near-ties may swap places, so compare scores by id, and the sets
        scores = {h["id"]: h["score"] for h in answer["hits"]}
        overlap = len(set(ids[:10]) & {i for i, _ in want[:10]}) / max(1, min(10, len(want)))
        assert overlap >= 0.9, (query, method, ids[:10], want[:10])
        for paper_id, score in want:
            if paper_id in scores:
                assert abs(scores[paper_id] - score) < 1e-4 * max(1.0, abs(score)), (query, method, paper_id)
        agreeing += ids == [i for i, _ in want]
    assert agreeing >= 0.9 * len(expected), f"only {agreeing} of {len(expected)} rankings identical"
    assert sum(len(w) for _, _, w in expected) > 300


def test_worker_fetches_only_what_a_query_needs(bundle: tuple[Path, SiteSearch, dict]) -> None:
    folder, search, manifest = bundle
    answers = _worker(folder, [
        {"type": "search", "id": 1, "query": QUERIES[0], "method": "hybrid", "k": 10, "filters": {}},
        {"type": "search", "id": 2, "query": QUERIES[0], "method": "hybrid", "k": 10, "filters": {}},
        {"type": "search", "id": 3, "query": QUERIES[1], "method": "hybrid", "k": 10, "filters": {}},
    ])
    first, again, other = (a["fetched"] for a in answers)
    names = [f["name"] for f in first]
    assert len(names) == len(set(names))  # each file once
    lists = [n for n in names if n.startswith("l/")]
    assert len(lists) == min(manifest["search"]["probes"], manifest["lists"]["count"]) < manifest["lists"]["count"]
    tokens = [n for n in names if n.startswith("t/")]
    ranges = tuple((start, size) for start, size in manifest["encoder"]["chunks"])
    assert 0 < len(tokens) < len(token_files(manifest["encoder"]["rows"], ranges)) / 100
    assert [n for n in names if n.startswith("x/")] and [n for n in names if n.startswith("p/")]
    assert not [n for n in names if n.startswith(("n/", "i/", "k/"))]  # like and filter data: not for a plain query
    assert again == []  # a repeated query: nothing new
    assert all(f["name"] not in names for f in other)


def test_worker_fetches_the_files_python_counts(bundle: tuple[Path, SiteSearch, dict]) -> None:
    """A visit of several queries: each fetches what ``search_fetch.query_files`` names and was not fetched before
    (the word matches' metadata on the first query only), so the byte counts made from it are the page's."""
    folder, search, manifest = bundle
    model = Bundle({p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()})
    queries = [LONG_QUERIES[0], QUERIES[0], LONG_QUERIES[1], QUERIES[4], QUERIES[0]]
    answers = _worker(folder, [{"type": "search", "id": n + 1, "query": q, "method": "hybrid", "k": 20,
                                "filters": {}} for n, q in enumerate(queries)])
    seen: set[str] = set()
    for number, (query, got) in enumerate(zip(queries, answers, strict=True)):
        fetched = [f["name"] for f in got["fetched"]]
        assert not [f for f in got["fetched"] if f.get("missing")], query
        want = [n for n in query_files(search.site, model, query, k=20, words_first=number == 0) if n not in seen]
        assert sorted(fetched) == sorted(want), (query, sorted(set(fetched) ^ set(want)))
        seen |= set(want)
    assert answers[-1]["fetched"] == []  # asked again: nothing new


def test_worker_filters_and_more_like_this_match_the_cli(bundle: tuple[Path, SiteSearch, dict]) -> None:
    folder, search, manifest = bundle
    site = search.site
    dates = sorted({search.base.store.get(i).published.isoformat() for i in site.ids})  # type: ignore[union-attr]
    since, until = dates[len(dates) // 3], dates[2 * len(dates) // 3]
    models = json.loads(gzip.decompress((folder / manifest["files"]["models"]).read_bytes()))
    model = max(models, key=lambda m: models[m]["papers"])
    cases = [
        ({"since": since, "until": until},
         SearchFilters(since=date.fromisoformat(since), until=date.fromisoformat(until))),
        ({"model": model}, None),
        # papers with code (issue 26): the page's a/code row list against the CLI's --has-code
        ({"has": ["code"]}, build_filters(search.base.store, REPO / "catalog", artifacts=["code"])),
    ]
    messages, expected = [], []
    for query in QUERIES[:4]:
        for page_filters, cli_filters in cases:
            if cli_filters is None:
                cli_filters = build_filters(search.base.store, REPO / "catalog", models=[model])
            messages.append({"type": "search", "id": len(messages) + 1, "query": query, "method": "hybrid", "k": 10,
                             "filters": page_filters})
            expected.append([h.paper.id for h in search.search(query, 10, cli_filters)])
    seed = site.ids[len(site.ids) // 2]
    messages.append({"type": "like", "id": len(messages) + 1, "paper": seed, "k": 20, "filters": {}})
    expected.append([h.paper.id for h in search.related(seed, 20)])
    answers = _worker(folder, messages)
    for want, got in zip(expected, answers, strict=True):
        ids = [h["id"] for h in got["answer"]["hits"]]
        assert len(set(ids) & set(want)) >= 0.9 * len(want) and len(ids) == len(want), (ids, want)
    assert answers[-1]["answer"]["seed"]["id"] == seed and seed not in [h["id"] for h in answers[-1]["answer"]["hits"]]
    assert sum(len(w) for w in expected) > 40
    with_code = [hit for answer in answers[2:-1:3] for hit in answer["answer"]["hits"]]  # the "has" case's answers
    assert with_code and all(any(kind == "code" for kind, _url in hit["artifacts"]) for hit in with_code)
    for hit in with_code:  # each hit carries its paper's artifacts, as stored
        paper = search.base.store.get(hit["id"])
        assert paper is not None and hit["artifacts"] == [[a.kind, a.url] for a in paper.artifacts]


def test_worker_match_strength_and_known_words_are_the_scripts(bundle: tuple[Path, SiteSearch, dict]) -> None:
    """The page's "no good match" inputs (worker.js) are what scripts/measure_search_floor.py measures in Python,
    so the floor measured there applies on the page; the floor in the manifest is the one for the store's size."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("measure_search_floor", REPO / "scripts" / "measure_search_floor.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    folder, search, manifest = bundle
    queries = [*QUERIES, "asdf qwer", "大型语言模型的幻觉问题", "banana umbrella teapot", "???"]
    answers = _worker(folder, [{"type": "search", "id": n + 1, "query": q, "method": "hybrid", "k": 10, "filters": {}}
                               for n, q in enumerate(queries)])
    assert manifest["search"]["floor"] == match_floor(len(search.site))
    for query, got in zip(queries, answers, strict=True):
        answer, want = got["answer"], script.measure(search.site, query)
        assert answer["floor"] == manifest["search"]["floor"]
        assert (answer["words"], answer["known"]) == (want["words"], want["known"]), query
        assert abs(answer["strength"] - want["strength"]) < 1e-4, (query, answer["strength"], want["strength"])
    assert [a["answer"]["notEnglish"] for a in answers][-3:] == [True, False, False]
