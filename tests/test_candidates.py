"""Model names the catalog lacks (tracker/knowledge/candidates.py, `llm-atlas catalog candidates`), on real
abstracts: the 267 papers of the linking set (tests/fixtures/linking/papers.jsonl) and the real catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from tracker.importer import read_papers
from tracker.knowledge.candidates import CandidateReport, common_words, extract_mentions, find_candidates, name_key
from tracker.knowledge.catalog import Catalog, load_catalog
from tracker.knowledge.linking import ModelLinker
from tracker.paper import Paper

PAPERS = FIXTURES / "linking" / "papers.jsonl"


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return list(read_papers(PAPERS))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO / "catalog")


@pytest.fixture(scope="module")
def report(papers: list[Paper], catalog: Catalog) -> CandidateReport:
    return find_candidates(papers, catalog)


def names_in(papers: list[Paper], text: str) -> list[str]:
    """The names extract_mentions finds in one sentence, with the fixture papers' ordinary words."""
    sentence = Paper(id="2607.00001", version=1, title="A sentence", abstract=text, authors=["A. Author"],
                     categories=["cs.CL"], published=date(2026, 7, 1), updated=date(2026, 7, 1))
    return [m.name for m in extract_mentions([sentence], common_words(papers))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Real sentences of the store's abstracts.
        ("few-shot (Claude Sonnet 4.6 and Llama-3.3-70B) and a fine-tuned T5-base model",
         ["Claude Sonnet 4.6", "Llama-3.3-70B"]),
        ("LLMs such as Mistral-7B and Llama-3.1-8B still achieve superior performance",
         ["Mistral-7B", "Llama-3.1-8B"]),
        ("across different model scales (Qwen2.5-1.5B, 3B, and 7B) on AIME and AMC benchmarks", ["Qwen2.5-1.5B"]),
        ("Compared with 1T-parameter model such as Kimi-K2.6 and DeepSeek-V4-pro", ["Kimi-K2.6", "DeepSeek-V4-pro"]),
        ("outperforming frontier models including 27B Gemma-3 and 32B Granite-4.0.", ["Gemma-3", "Granite-4.0"]),
        ("(Qwen 3 32b, Gemini 2.5 Flash, Phi 4 Reasoning, DeepSeek R1T2, and gpt-oss 20b and 120b)",
         ["Qwen 3 32b", "Gemini 2.5 Flash", "Phi 4 Reasoning", "DeepSeek R1T2", "gpt-oss 20b"]),
        # A describing word after the name is not part of it; years and ordinary words are not names.
        ("a Qwen3-8B-based judge scored at Stage 2 and Level 3 on AIME 2025; our 7B model", ["Qwen3-8B"]),
    ],
)
def test_model_shaped_names_are_extracted(papers: list[Paper], text: str, expected: list[str]) -> None:
    assert names_in(papers, text) == expected


def test_name_key_ignores_case_separators_and_instruct_suffixes() -> None:
    assert name_key("Qwen3-VL-8B-Instruct") == name_key("qwen3 vl 8b") == name_key("Qwen3-VL-8B")
    assert name_key("Gemma-4-E4B-it") == name_key("Gemma 4 E4B")
    assert name_key("GPT-5.4-mini") != name_key("GPT-5.4")


def test_uncatalogued_names_are_found(report: CandidateReport) -> None:
    found = {c.name: c for c in report.candidates}
    # New models of catalog families, a new family's model, and variants the linker now refuses.
    for name, family in [("GPT-5.5", "gpt"), ("Claude Sonnet 4.6", "claude"), ("GLM-5.1", "glm"),
                         ("Kimi-K2.6", "kimi"), ("Nemotron-Terminal-32B", "nemotron"), ("TinyLlama 1.1B", None),
                         ("DeepSeek-V3.2-Exp", "deepseek"), ("GPT3-D2", "gpt")]:
        assert name in found, name
        assert found[name].family == family, name


def test_catalogued_names_are_not_returned(report: CandidateReport, catalog: Catalog) -> None:
    linker = ModelLinker(catalog)
    for candidate in report.candidates:
        for spelling in [candidate.name, *candidate.variants]:
            assert not any(pattern.search(spelling) for _m, _a, pattern in linker.patterns), spelling
    keys = {c.key for c in report.candidates}
    assert {"qwen38b", "gpt4o", "llama3.18b", "deepseekv3.2"}.isdisjoint(keys)
    # A release whose sizes the catalog has is not one model to add.
    assert {"qwen3", "llama3.1"}.isdisjoint(keys)


def test_a_model_taken_out_of_the_catalog_comes_back_as_a_candidate(papers: list[Paper], catalog: Catalog) -> None:
    # Leave-one-out, as scripts/candidates_eval.py measures it on the whole store.
    models = {mid: model for mid, model in catalog.models.items() if mid != "qwen3-8b"}
    without = Catalog(dict(catalog.families), models, {mid: catalog.paths[mid] for mid in models})
    back = [c for c in find_candidates(papers, without).candidates if c.key == "qwen38b"]
    assert back and back[0].family == "qwen" and back[0].rank <= 10
    assert "size" in back[0].signs


def test_names_are_ranked_by_papers_per_month_and_grouped_by_stem(report: CandidateReport) -> None:
    ranked = report.candidates
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert [len(c.papers) for c in ranked] == sorted((len(c.papers) for c in ranked), reverse=True)
    assert report.months > 15  # 2025-03-18 to 2026-07-01
    assert all(c.papers_per_month == round(len(c.papers) / report.months, 2) for c in ranked)
    groups = report.groups(top=40)
    assert sum(len(g.candidates) for g in groups) == 40
    best = [g.candidates[0].rank for g in groups]
    assert best == sorted(best)
    assert all({c.stem for c in g.candidates} == {g.stem} for g in groups)
    gpt = next(g for g in groups if g.stem == "gpt")
    assert gpt.family == "gpt" and {"GPT-5.5", "GPT-5.2"} <= {c.name for c in gpt.candidates}


def test_each_name_has_two_evidence_sentences_from_different_papers(report: CandidateReport) -> None:
    for candidate in report.candidates:
        papers = [paper_id for paper_id, _sentence in candidate.evidence]
        assert len(papers) == min(2, len(candidate.papers)) and len(set(papers)) == len(papers)
        assert set(papers) <= set(candidate.papers)
        for _paper_id, sentence in candidate.evidence:
            assert any(spelling in sentence for spelling in candidate.variants), (candidate.name, sentence)


def test_since_keeps_only_later_papers(papers: list[Paper], catalog: Catalog) -> None:
    since = date(2026, 6, 15)
    later = find_candidates(papers, catalog, since=since)
    published = {p.id: p.published for p in papers}
    assert later.papers == sum(p.published >= since for p in papers)
    assert all(published[i] >= since for c in later.candidates for i in c.papers)


def test_cli_json_contract(tmp_path: Path) -> None:
    wanted = {"2606.02404", "2606.17905", "2606.30616", "2606.09603"}
    lines = [line for line in PAPERS.read_text().splitlines() if json.loads(line)["id"] in wanted]
    (tmp_path / "papers" / "2026").mkdir(parents=True)
    (tmp_path / "papers" / "2026" / "06.jsonl").write_text("\n".join(sorted(lines)) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "catalog", "candidates", "--json", "--top", "5",
         "--data-dir", str(tmp_path), "--catalog-dir", str(REPO / "catalog")],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(result.stdout)
    assert "candidate names in 4 papers" in result.stderr
    assert data.keys() == {"since", "first", "last", "papers", "months", "candidates", "groups"}
    assert data["papers"] == 4 and data["since"] is None
    names = [name for group in data["groups"] for name in group["names"]]
    assert len(names) == 5 and sorted(n["rank"] for n in names) == [1, 2, 3, 4, 5]
    assert all(group.keys() == {"stem", "family", "papers", "papers_per_month", "names"} for group in data["groups"])
    assert all(n.keys() == {"rank", "name", "family", "papers", "papers_per_month", "paper_ids", "evidence",
                            "variants", "signs"} for n in names)
    assert all(e.keys() == {"paper", "sentence"} for n in names for e in n["evidence"])
    glm = next(n for n in names if n["name"] == "GLM-5.1")
    assert glm["family"] == "glm" and glm["paper_ids"] == ["2606.02404", "2606.17905"] and glm["papers"] == 2
