"""Topic taxonomy: loading with clear errors, the keyword rules, and a labelled check on real papers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import CORPUS_DAY, FIXTURES, REPO

from tracker.errors import CatalogError
from tracker.importer import read_papers
from tracker.knowledge.topics import Taxonomy, Topic, load_topics
from tracker.paper import Paper
from tracker.store import PaperStore

LABELS = FIXTURES / "topics" / "labels.yaml"


def paper(title: str, abstract: str = "We study language models.") -> Paper:
    return Paper(id="2607.00001", version=1, title=title, abstract=abstract, authors=["A. Author"],
                 categories=["cs.CL"], published=date(2026, 7, 1), updated=date(2026, 7, 1))


def topic(**fields: object) -> Topic:
    base: dict[str, object] = {"id": "t", "name": "T", "description": "d", "keywords": ["x"]}
    base.update(fields)
    return Topic.model_validate(base)


def topics_of(taxonomy: Taxonomy, p: Paper) -> list[str]:
    return [m.topic for m in taxonomy.match(p)]


def test_the_repository_taxonomy_loads_with_the_issue_topics() -> None:
    taxonomy = load_topics(REPO / "catalog")
    assert {"tokenization", "architectures", "pretraining", "fine-tuning", "alignment", "evaluation", "efficiency",
            "rag", "agents", "multimodal", "safety", "reasoning", "code", "multilinguality"} <= set(taxonomy.topics)
    assert all(t.description and t.keywords for t in taxonomy)


def score_labels(taxonomy: Taxonomy, labels: dict[str, list[str]], papers: dict[str, Paper]) -> dict[str, float]:
    tp = fp = fn = main_right = labelled = 0
    for paper_id, expected in labels.items():
        matches = taxonomy.match(papers[paper_id])
        got, want = {m.topic for m in matches}, set(expected)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        if want:
            labelled += 1
            main_right += bool(matches) and matches[0].topic in want
    return {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "main": main_right / labelled}


def test_topics_of_real_papers_agree_with_hand_labels() -> None:
    """75 real papers labelled by hand; 30 of them were never used to tune the keywords (held out)."""
    taxonomy = load_topics(REPO / "catalog")
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    papers = {p.id: p for p in read_papers(CORPUS_DAY)}
    assert len(labels["tuning"]) == 45 and len(labels["held_out"]) == 30
    assert all(set(found) <= set(taxonomy.topics) for part in labels.values() for found in part.values())
    tuning = score_labels(taxonomy, labels["tuning"], papers)
    held_out = score_labels(taxonomy, labels["held_out"], papers)
    # measured: tuning P 0.78 R 0.86 main 0.88; held out P 0.83 R 0.69 main 0.80
    assert tuning["precision"] >= 0.75 and tuning["recall"] >= 0.8 and tuning["main"] >= 0.85
    assert held_out["precision"] >= 0.75 and held_out["recall"] >= 0.65 and held_out["main"] >= 0.75


def test_phrases_match_whole_words_with_spelling_variants() -> None:
    taxonomy = Taxonomy([topic(id="ft", keywords=["fine-tuning", "tokeniz*", "LoRA", "RAG"])])
    assert topics_of(taxonomy, paper("Fine tuning for everyone")) == ["ft"]  # space for hyphen
    assert topics_of(taxonomy, paper("Finetuning for everyone")) == ["ft"]  # written together
    assert topics_of(taxonomy, paper("Tokenizers are fun")) == ["ft"]  # prefix
    assert topics_of(taxonomy, paper("LoRA adapters")) == ["ft"]
    assert topics_of(taxonomy, paper("Lora the explorer")) == []  # names with capitals keep their case
    assert topics_of(taxonomy, paper("Drag and drop")) == []  # whole words only: no "RAG" inside "Drag"
    assert topics_of(taxonomy, paper("A rag doll")) == []


def test_one_abstract_mention_is_not_enough_but_two_different_phrases_are() -> None:
    taxonomy = Taxonomy([topic(id="rag", keywords=["retrieval", "information retrieval", "RAG", "reranking"])])
    assert topics_of(taxonomy, paper("Something else", "We use retrieval once.")) == []
    # "retrieval" and "information retrieval" share a word: one mention, not two
    assert topics_of(taxonomy, paper("Something else", "Information retrieval is retrieval.")) == []
    assert topics_of(taxonomy, paper("Something else", "RAG with reranking.")) == ["rag"]
    match = taxonomy.match(paper("RAG for all", "plain"))[0]
    assert match.score == 3 and match.evidence == ("RAG",)


def test_title_only_keywords_and_title_exclusions() -> None:
    taxonomy = Taxonomy([topic(id="code", keywords=["program synthesis"], title_keywords=["code"],
                               exclude_in_title=["code-mixed"])])
    assert topics_of(taxonomy, paper("Code LLMs", "plain")) == ["code"]
    assert topics_of(taxonomy, paper("Other", "Our code is available. code code.")) == []
    assert topics_of(taxonomy, paper("A code-mixed benchmark", "program synthesis")) == []


def test_topics_come_best_first_and_ties_keep_taxonomy_order() -> None:
    taxonomy = Taxonomy([topic(id="a", keywords=["alpha"]), topic(id="b", keywords=["beta", "gamma"])])
    assert topics_of(taxonomy, paper("Alpha", "beta gamma")) == ["a", "b"]  # 3 (title) before 2 (abstract)
    assert [m.topic for m in taxonomy.match(paper("Alpha beta", "gamma"))] == ["b", "a"]
    assert [m.topic for m in taxonomy.match(paper("Alpha beta", "none"))] == ["a", "b"]


def write_topics(tmp_path: Path, text: str) -> Path:
    (tmp_path / "topics.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topics:\n  - id: a\n    name: [unclosed\n", "topics.yaml:4: not valid YAML"),
        ("topics:\n  - id: a\n    name: A\n    description: d\n", "topics.yaml: topics[a].keywords: Field required"),
        ("topics:\n  - {id: a, name: A, description: d, keywords: [x], colour: red}\n", "topics[a].colour"),
        ("topics:\n  - {id: a, name: A, description: d, keywords: [fine-tuning, fine tuning]}\n",
         "topics[a]: keyword 'fine tuning' repeats 'fine-tuning'"),
        ("topics:\n  - {id: a, name: A, description: d, keywords: [x]}\n"
         "  - {id: a, name: B, description: d, keywords: [y]}\n", "id 'a' appears twice"),
        ("topics:\n  - {id: a, name: A, description: d, keywords: ['to*ken']}\n", "'*' may only end a phrase"),
    ],
)
def test_bad_taxonomy_files_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogError) as error:
        load_topics(write_topics(tmp_path, text))
    assert message in str(error.value) and str(tmp_path / "topics.yaml") in str(error.value)


def test_missing_taxonomy_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="topic taxonomy is missing"):
        load_topics(tmp_path)


def test_stats_json_counts_papers_per_topic(tmp_path: Path) -> None:
    labelled = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["held_out"]
    papers = [p for p in {p.id: p for p in read_papers(CORPUS_DAY)}.values() if p.id in labelled]
    store = PaperStore(tmp_path / "data")
    store.upsert(papers)
    store.save()
    completed = subprocess.run(
        [sys.executable, "-m", "tracker", "stats", "--json", "--data-dir", str(tmp_path / "data"),
         "--cache-dir", str(tmp_path / "cache"), "--catalog-dir", str(REPO / "catalog")],
        capture_output=True, text=True, check=True,
    )
    per_topic = json.loads(completed.stdout)["per_topic"]
    taxonomy = load_topics(REPO / "catalog")
    assert list(per_topic) == list(taxonomy.topics)
    expected = {t: sum(1 for p in papers if t in topics_of(taxonomy, p)) for t in taxonomy.topics}
    assert per_topic == expected and per_topic["multimodal"] >= 5 and per_topic["agents"] >= 5
