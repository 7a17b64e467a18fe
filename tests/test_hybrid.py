"""The parts of hybrid search that need no embedding model: BM25 over real papers and rank fusion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracker.paper import Paper
from tracker.search.fusion import reciprocal_rank_fusion
from tracker.search.lexical import LexicalIndex, lexical_text


def test_rrf_matches_a_hand_computed_example() -> None:
    # item 7: ranks 1 and 3; item 2: rank 2 only; item 5: rank 1 of the second list only
    fused = reciprocal_rank_fusion([[7, 2], [5, 9, 7]], k=60)
    assert fused[0] == (7, pytest.approx(1 / 61 + 1 / 63))
    assert [item for item, _ in fused] == [7, 5, 2, 9]  # 5 (1/61) before 2 (1/62) before 9 (1/62, higher id)
    weighted = reciprocal_rank_fusion([[1], [2]], weights=[1.0, 2.0], k=0)
    assert weighted == [(2, 2.0), (1, 1.0)]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1]], weights=[1.0, 1.0])


def test_rrf_breaks_ties_by_item_so_order_is_deterministic() -> None:
    assert reciprocal_rank_fusion([[4], [3]], k=60) == [(3, pytest.approx(1 / 61)), (4, pytest.approx(1 / 61))]


@pytest.fixture(scope="module")
def papers(corpus_papers: list[Paper]) -> list[Paper]:
    """The real papers of one daily listing, each once."""
    return list({p.id: p for p in corpus_papers}.values())


@pytest.fixture(scope="module")
def lexical(papers: list[Paper]) -> LexicalIndex:
    return LexicalIndex.build([p.id for p in papers], [(p.title, p.abstract) for p in papers])


def test_bm25_scores_only_papers_sharing_a_stemmed_word(lexical: LexicalIndex, papers: list[Paper]) -> None:
    scores = lexical.scores("hallucinations")
    hits = {lexical.ids[i] for i in np.flatnonzero(scores > 0)}
    # the stemmer maps hallucination(s)/hallucinate(d) to one stem; papers without any of them score 0
    expected = {p.id for p in papers if "hallucinat" in p.text.lower()}
    assert hits and hits <= expected and len(hits) >= 0.9 * len(expected)
    assert not lexical.scores("the of and").any()  # stop words only: no evidence
    assert not lexical.scores("qwxzzy").any()  # unseen word


def test_title_words_count_more_than_abstract_words(papers: list[Paper]) -> None:
    ids = [p.id for p in papers]
    pairs = [(p.title, p.abstract) for p in papers]
    paper = next(p for p in papers if "benchmark" in p.title.lower())
    at = ids.index(paper.id)
    plain = LexicalIndex.build(ids, pairs, title_weight=1).scores("benchmark")[at]
    weighted = LexicalIndex.build(ids, pairs, title_weight=2).scores("benchmark")[at]
    assert weighted > plain > 0


QUERIES = ["reinforcement learning from human feedback for reasoning", "LLMs hallucinate; hallucinations!",
           "Tokenizers and tokenization of code", "the of and", "vision-language models for medical images"]


def test_scores_equal_bm25s_own_scoring(lexical: LexicalIndex, papers: list[Paper]) -> None:
    import bm25s
    import Stemmer

    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    corpus = [lexical_text(p.title, p.abstract) for p in papers]  # the title counted TITLE_WEIGHT times
    stemmer = Stemmer.Stemmer("english")
    reference.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    for query in QUERIES:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False, return_ids=False)[0]
        known = [t for t in tokens if t in reference.vocab_dict]
        expected = reference.get_scores(known) if known else np.zeros(len(papers))
        assert np.allclose(lexical.scores(query), expected, atol=1e-5), query


def test_saved_index_gives_the_same_scores(lexical: LexicalIndex, tmp_path: Path) -> None:
    lexical.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded is not None and loaded.ids == lexical.ids
    for query in QUERIES:
        assert np.array_equal(loaded.scores(query), lexical.scores(query))
    assert LexicalIndex.load(tmp_path / "nothing") is None


def test_the_saved_index_is_the_same_bytes_every_time(papers: list[Paper], tmp_path: Path) -> None:
    ids, pairs = [p.id for p in papers], [(p.title, p.abstract) for p in papers]
    LexicalIndex.build(ids, pairs).save(tmp_path / "a")
    LexicalIndex.build(ids, pairs).save(tmp_path / "b")
    for name in ("bm25.npz", "lexical.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
