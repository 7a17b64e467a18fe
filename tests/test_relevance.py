"""The relevance filter, measured on hand-labelled real papers (tests/fixtures/relevance/, see its README)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.embedding.embedders import Embedder
from tracker.paper import Paper
from tracker.relevance.classifier import load_model, zone
from tracker.relevance.filter import is_llm_paper, select_llm_papers
from tracker.relevance.keywords import assess, is_llm_paper_lexical

LABELLED = Path(__file__).parent / "fixtures" / "relevance" / "labelled.jsonl"


def as_paper(row: dict) -> Paper:
    day = date.fromisoformat(row["first_seen"]) if row.get("first_seen") else date(2026, 1, 1)
    return Paper(id=row["id"], version=1, title=row["title"], abstract=row["abstract"], authors=[],
                 categories=row["categories"] or ["cs.AI"], published=day, updated=day)


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def held_out(labelled: list[dict], embedder: Embedder) -> list[tuple[dict, bool]]:
    rows = [r for r in labelled if r["split"] == "test"]
    verdicts = select_llm_papers([as_paper(r) for r in rows], embedder)
    return list(zip(rows, verdicts, strict=True))


def precision_recall(pairs: list[tuple[dict, bool]]) -> tuple[float, float]:
    tp = sum(1 for row, keep in pairs if keep and row["label"] == 1)
    fp = sum(1 for row, keep in pairs if keep and row["label"] == 0)
    fn = sum(1 for row, keep in pairs if not keep and row["label"] == 1)
    return tp / (tp + fp), tp / (tp + fn)


def test_labelled_set_is_big_enough_and_split_cleanly(labelled: list[dict]) -> None:
    assert len(labelled) >= 400
    assert len({r["id"] for r in labelled}) == len(labelled)
    test_rows = [r for r in labelled if r["split"] == "test"]
    assert len(test_rows) >= 150 and {r["label"] for r in test_rows} == {0, 1}
    assert all(r["label"] in (0, 1) and r["split"] in ("train", "test") for r in labelled)


@pytest.mark.slow
def test_precision_and_recall_on_the_held_out_split(held_out: list[tuple[dict, bool]]) -> None:
    precision, recall = precision_recall(held_out)
    assert precision >= 0.9, f"precision {precision:.3f}"
    assert recall >= 0.9, f"recall {recall:.3f}"


@pytest.mark.slow
def test_the_embedding_stage_beats_keywords_alone(held_out: list[tuple[dict, bool]]) -> None:
    keywords = [(row, is_llm_paper_lexical(as_paper(row))) for row, _ in held_out]
    _, recall_keywords = precision_recall(keywords)
    _, recall = precision_recall(held_out)
    assert recall > recall_keywords + 0.03


@pytest.mark.slow
def test_homonyms_are_not_llm_papers(labelled: list[dict], embedder: Embedder) -> None:
    by_id = {r["id"]: r for r in labelled}
    negatives = {
        "2506.14816": "falcon the bird (falconry, disease detection)",
        "2504.05613": "Falcon, a graph-cut segmentation method",
        "2605.28454": "Bloom filters in a planning algorithm",
        "2503.22374": "ViSketch-GPT, sketch recognition",
        "2503.16565": "a LLaMA-style genomic model",
        "2510.18038": "red palm mites",
    }
    positives = {
        "2504.16046": "BloomScrub: LLM copyright takedown",
        "2504.19811": "Can a Crow Hatch a Falcon? LLM lineage",
        "2604.21896": "LLM game agents after Claude Shannon",
    }
    papers = [as_paper(by_id[i]) for i in [*negatives, *positives]]
    verdicts = dict(zip([p.id for p in papers], select_llm_papers(papers, embedder), strict=True))
    assert [what for pid, what in negatives.items() if verdicts[pid]] == []
    assert [what for pid, what in positives.items() if not verdicts[pid]] == []


def test_keyword_zones_settle_clear_cases_without_the_model() -> None:
    def paper(title: str, abstract: str) -> Paper:
        return Paper(id="2601.00001", version=1, title=title, abstract=abstract, authors=[], categories=["cs.CL"],
                     published=date(2026, 1, 1), updated=date(2026, 1, 1))

    clear = paper("Scaling LLMs to a Million Tokens", "We study long-context language models.")
    assert zone(assess(clear)) == "accept"
    none = paper("Underwater Image Enhancement", "A physics-guided convolutional network restores colours.")
    assert zone(assess(none)) == "reject"
    assert select_llm_papers([clear, none]) == [True, False]  # no embedding needed for either
    # plural acronyms count ("LLMs"), lower-case look-alikes do not
    assert assess(paper("Why Do Open-Source LLMs Struggle?", "")).title_strong
    assert not assess(paper("Llms everywhere", "")).title_strong


@pytest.mark.slow
def test_single_paper_check_matches_the_batch(labelled: list[dict], embedder: Embedder) -> None:
    row = next(r for r in labelled if r["split"] == "test" and zone(assess(as_paper(r))) == "decide")
    assert is_llm_paper(as_paper(row), embedder) == select_llm_papers([as_paper(row)], embedder)[0]


def test_model_file_is_small_and_consistent() -> None:
    model = load_model()
    assert model.embedding_weights.shape == (384,) and model.lexical_weights.shape == (5,)
    assert 0.0 < model.threshold < 1.0
    shipped = Path(__file__).parent.parent / "tracker" / "relevance" / "data" / "relevance_model.json"
    assert shipped.stat().st_size < 20_000
