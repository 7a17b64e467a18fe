"""The search page's JavaScript (tracker/site/web/) agrees with the Python it mirrors, run under Node.

- tokenizer.js gives the ids of the ``tokenizers`` library (the model's own tokenizer.json) on real titles
  and abstracts and on awkward text (accents, CJK, control characters, symbols, over-long words);
- every word of the indexed texts reaches the BM25 column of its PyStemmer stem (the page looks words up in
  a table made at build time), and most words no paper contains stem the same with npm's Porter2;
- ranking.js scores BM25 from the packed arrays as ``LexicalIndex.scores`` does, and ranks dense, BM25 and
  hybrid (convex fusion, filters) as ``tracker.search.query.rank_rows`` does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from tracker.paper import Paper
from tracker.search.index import PaperIndex
from tracker.search.lexical import TOKEN_PATTERN, LexicalIndex
from tracker.search.query import CONVEX_ALPHA, FUSION_DEPTH, rank_rows
from tracker.site.search_bundle import QUERY_TOKENS, lexical_arrays, vocabulary_text
from tracker.site.web_bundle import node_modules

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
]


def run_node(request: dict) -> object:
    modules = node_modules(REPO)
    completed = subprocess.run([shutil.which("node") or "node", str(HARNESS)], input=json.dumps(request),
                               capture_output=True, text=True, env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"},
                               timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def tokenizer_file(onnx_cache: Path) -> Path:
    from tracker.embedding.onnx_export import TOKENIZER_FILE, onnx_dir

    return onnx_dir(onnx_cache) / TOKENIZER_FILE


def test_tokenizer_matches_the_models_tokenizer(tokenizer_file: Path, corpus_papers: list[Paper],
                                                tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(tokenizer_file))
    reference.no_padding()
    reference.enable_truncation(QUERY_TOKENS)
    texts = [*AWKWARD, *(p.title for p in corpus_papers), *(p.abstract for p in corpus_papers[:150])]
    vocab = tmp_path / "vocab.txt"
    vocab.write_text(vocabulary_text(tokenizer_file), encoding="utf-8")
    ours = run_node({"task": "tokenize", "vocab": str(vocab), "max_tokens": QUERY_TOKENS, "texts": texts})
    expected = [encoding.ids for encoding in reference.encode_batch(texts)]
    mismatched = [(text[:60], a, b) for text, a, b in zip(texts, ours, expected, strict=True) if a != b]  # type: ignore[call-overload]
    assert not mismatched, mismatched[:3]
    assert len(texts) > 500


@pytest.fixture(scope="module")
def lexical(corpus_papers: list[Paper]) -> LexicalIndex:
    return LexicalIndex.build([p.id for p in corpus_papers], [(p.title, p.abstract) for p in corpus_papers])


def pack(lexical: LexicalIndex, papers: list[Paper], folder: Path) -> dict:
    blob, meta = lexical_arrays(lexical, [(p.title, p.abstract) for p in papers])
    (folder / "lexical.bin").write_bytes(blob)
    return meta


def test_every_corpus_word_gets_the_stem_the_index_was_built_with(lexical: LexicalIndex, corpus_papers: list[Paper],
                                                                   tmp_path: Path) -> None:
    meta = pack(lexical, corpus_papers, tmp_path)
    words = sorted({w for p in corpus_papers for w in re.findall(TOKEN_PATTERN, f"{p.title} {p.abstract}".lower())})
    # words no paper contains: the page stems them itself (Porter2 from npm), so most, not all, agree
    unseen = sorted({w + suffix for w in words if w.isalpha() and len(w) > 4 for suffix in ("s", "ing", "ed")}
                    - set(words))[:3000]
    answers = run_node({"task": "columns", "blob": str(tmp_path / "lexical.bin"), "meta": meta,
                        "papers": len(lexical), "words": words + unseen})

    def python_columns(word: str) -> list[int]:
        return [lexical.vocabulary[t] for t in lexical.tokens(word) if t in lexical.vocabulary]

    assert len(words) > 5000
    seen_wrong = [w for w, a in zip(words, answers, strict=False) if a != python_columns(w)]  # type: ignore[call-overload]
    assert not seen_wrong, seen_wrong[:10]
    unseen_answers = answers[len(words):]  # type: ignore[index]
    agree = sum(a == python_columns(w) for w, a in zip(unseen, unseen_answers, strict=True))
    assert agree >= 0.95 * len(unseen), f"only {agree} of {len(unseen)} unseen words stem as PyStemmer does"


def test_bm25_scores_from_the_packed_arrays_match_python(lexical: LexicalIndex, corpus_papers: list[Paper],
                                                         tmp_path: Path) -> None:
    meta = pack(lexical, corpus_papers, tmp_path)
    answers = run_node({"task": "lexical", "blob": str(tmp_path / "lexical.bin"), "meta": meta,
                        "papers": len(lexical), "queries": QUERIES})
    for query, answer in zip(QUERIES, answers, strict=True):  # type: ignore[call-overload]
        assert answer["columns"] == [lexical.vocabulary[t] for t in lexical.tokens(query) if t in lexical.vocabulary]
        np.testing.assert_allclose(answer["scores"], lexical.scores(query), rtol=1e-4, atol=1e-4, err_msg=query)
    assert any(max(a["scores"]) > 0 for a in answers)  # type: ignore[union-attr]


def test_ranking_matches_rank_rows(lexical: LexicalIndex, corpus_papers: list[Paper]) -> None:
    # The point here is the arithmetic of fusion and filtering, so the vectors may be any unit vectors.
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(len(corpus_papers), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = PaperIndex([p.id for p in corpus_papers], vectors, lexical=lexical)
    allowed = np.array([p.published.day % 2 == 0 or i % 3 == 0 for i, p in enumerate(corpus_papers)])
    cases, expected = [], []
    for number, query in enumerate(QUERIES):
        vector = rng.normal(size=384).astype(np.float32)
        vector /= np.linalg.norm(vector)
        for method in ("dense", "bm25", "hybrid"):
            mask = allowed if number % 2 else None
            expected.append([row for row, _ in rank_rows(index, query, lambda v=vector: v, method, 10, mask)])
            cases.append({"method": method, "k": 10, "dense": (index.vectors @ vector).tolist(),
                          "lexical": lexical.scores(query).tolist(), "alpha": CONVEX_ALPHA, "depth": FUSION_DEPTH,
                          "allowed": mask.astype(int).tolist() if mask is not None else None})
    ours = run_node({"task": "rank", "cases": cases})
    assert ours == expected
    assert sum(len(rows) for rows in expected) > 150
