"""Model names the catalog lacks (tracker/knowledge/candidates.py, `llm-atlas catalog candidates`), on real
abstracts: the 267 papers of the linking set (tests/fixtures/linking/papers.jsonl) and the real catalog."""

from __future__ import annotations

import json
import re
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


# -- the site page "Models the catalog lacks" (tracker/site/pages/candidate_pages.py) -------------------------------
def candidates_page(papers: list[Paper], catalog: Catalog) -> str:
    from tracker.knowledge.linking import link_papers_to_models
    from tracker.site.engine import PageWriter, SiteData, make_environment
    from tracker.site.pages import candidate_pages

    ordered = sorted(papers, key=lambda p: (p.published, p.id), reverse=True)
    data = SiteData(papers=ordered, catalog=catalog, links=link_papers_to_models(ordered, catalog))
    writer = PageWriter(make_environment())
    candidate_pages.add_pages(writer, data)
    assert list(writer.pages) == [candidate_pages.CANDIDATES]
    return writer.pages[candidate_pages.CANDIDATES]


def made_up(number: int, title: str, abstract: str) -> Paper:
    day = date(2026, 6, 1 + number % 28)
    return Paper(id=f"2606.{90000 + number:05d}", version=1, title=title, abstract=abstract, authors=["A. Author"],
                 categories=["cs.CL"], published=day, updated=day)


@pytest.fixture(scope="module")
def page(papers: list[Paper], catalog: Catalog) -> str:
    return candidates_page(papers, catalog)


def test_candidates_page_lists_names_with_linked_evidence(page: str, papers: list[Paper], catalog: Catalog) -> None:
    # the page reads the newest twelve months of papers: the fixture's run to 2026-07, so from 2025-08-01
    report = find_candidates(papers, catalog, since=date(2025, 8, 1))
    assert report.papers < len(papers)
    assert page.startswith("---\nsearch:\n  exclude: true\n---\n# Models the catalog lacks\n")
    assert f"the {report.papers} papers of the store's newest 12 months use (first submitted 2025-08" in page
    assert "catalog/models/" in page and "llm-atlas catalog validate" in page  # how a maintainer adds one
    rows = re.findall(r'<tr data-rank="(\d+)">', page)
    assert len(rows) == min(100, len(report.candidates)) and sorted(map(int, rows)) == list(range(1, len(rows) + 1))
    # GLM-5.1 (no catalog alias) with its stem's group, its counts and both evidence papers linked to their
    # abstracts on their month pages
    glm = next(c for c in report.candidates if c.name == "GLM-5.1")
    row = re.search(rf'<tr data-rank="{glm.rank}">.*?</tr>', page)
    assert row, page[:2000]
    assert f"<td>{len(glm.papers)}</td><td>{glm.papers_per_month:.2f}</td>" in row.group(0)
    for paper_id, _sentence in glm.evidence:
        assert re.search(rf'href="\.\./\.\./papers/2026-06(-p\d+)?/#paper-{re.escape(paper_id)}"', row.group(0))
    assert 'href="../../../search/?query=GLM-5.1"' in row.group(0)
    group = page[: row.start()].rsplit('<tr class="atlas-candidates__group"', 1)[1]
    assert group.startswith(' id="stem-glm"') and 'catalog family <a href="../../families/glm/">' in group
    # catalogued names are not listed
    assert ">Qwen3-8B<" not in page and ">GPT-4o<" not in page


def test_candidates_page_reads_the_newest_twelve_months(catalog: Catalog) -> None:
    from tracker.site.pages.candidate_pages import window_start

    assert window_start(date(2026, 7, 30)) == date(2025, 8, 1)
    assert window_start(date(2026, 1, 1)) == date(2025, 2, 1) and window_start(None) is None
    # a name only papers of thirteen months ago use is not listed; one the newest month uses is
    old = [made_up(n, f"Old paper {n}", "We release Oldmodel-7B, an LLM.").model_copy(
        update={"published": date(2025, 5, 2), "updated": date(2025, 5, 2)}) for n in range(1, 3)]
    new = [made_up(n, f"New paper {n}", "We release Newmodel-7B, an LLM.") for n in range(3, 5)]
    page = candidates_page(old + new, catalog)
    assert ">Newmodel-7B<" in page and "Oldmodel-7B" not in page
    assert "the 2 papers of the store's newest 12 months use" in page


def test_candidates_page_is_deterministic(papers: list[Paper], catalog: Catalog, page: str) -> None:
    assert candidates_page(list(reversed(papers)), catalog) == page


def test_candidates_page_escapes_what_papers_say(catalog: Catalog) -> None:
    hostile = made_up(1, '<script>alert("x")</script> & *bold*',
                      "We release Zorblax-7B, an LLM <img src=x onerror=alert(1)> with $x_1$ {braces}.")
    second = made_up(2, "A second paper", "Zorblax-7B is a language model that we test on <b>Evil</b> inputs.")
    page = candidates_page([hostile, second], catalog)
    assert "Zorblax-7B" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; *bold*</a>" in page  # the title, linked
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;Evil&lt;/b&gt;" in page
    assert "<script" not in page and "<img" not in page and "<b>" not in page


def test_candidates_page_stays_small_however_many_names(catalog: Catalog) -> None:
    long_title = "A very long title about evaluating language models " * 6  # ~300 characters
    long_sentence = "We evaluate the open model on many benchmarks and report " + "detailed results " * 30
    made = [made_up(n, f"{long_title}{n}", f"{long_sentence} with Zorb{n}-7B and Quux{n}-13B, both LLMs. "
                                           f"{long_sentence} with Zorb{n}-7B and Quux{n}-13B again.")
            for n in range(1, 121)]
    page = candidates_page(made, catalog)
    assert len(re.findall(r'<tr data-rank="\d+">', page)) == 100
    assert "240 names found; the 100 named in the most papers are listed" in page
    assert len(page.encode()) < 250_000  # the theme adds ~40 KB: under 300 KB of HTML


def test_candidates_page_is_rendered_and_linked_from_the_models_index(papers: list[Paper], tmp_path: Path) -> None:
    from tracker.knowledge.topics import load_topics
    from tracker.site.engine import SiteData
    from tracker.site.render import render_pages
    from tracker.store import PaperStore

    store = PaperStore(tmp_path)
    store.upsert(papers[:30])
    pages = render_pages(SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog")))
    assert "generated/models/candidates.md" in pages
    assert "[Models the catalog lacks](candidates.md)" in pages["generated/models/index.md"]
