"""Model names the catalog lacks (tracker/knowledge/candidates.py, `llm-atlas catalog candidates`), on real
abstracts: the 267 papers of the linking set (tests/fixtures/linking/papers.jsonl) and the real catalog."""

from __future__ import annotations

import csv
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
    for name, family in [("GPT-5.2 Pro", "gpt"), ("Gemini 3.1 Flash", "gemini"), ("GLM-5.1", "glm"),
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
    assert gpt.family == "gpt" and {"GPT3-D2", "GPT-5.2 Pro"} <= {c.name for c in gpt.candidates}


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
        [sys.executable, "-m", "tracker", "catalog", "candidates", "--json", "--top", "3",
         "--data-dir", str(tmp_path), "--catalog-dir", str(REPO / "catalog")],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(result.stdout)
    assert "candidate names in 4 papers" in result.stderr
    assert data.keys() == {"since", "first", "last", "papers", "months", "candidates", "groups"}
    assert data["papers"] == 4 and data["since"] is None
    names = [name for group in data["groups"] for name in group["names"]]
    assert len(names) == 3 and sorted(n["rank"] for n in names) == [1, 2, 3]
    assert all(group.keys() == {"stem", "family", "papers", "papers_per_month", "names"} for group in data["groups"])
    assert all(n.keys() == {"rank", "name", "family", "papers", "papers_per_month", "paper_ids", "evidence",
                            "variants", "signs"} for n in names)
    assert all(e.keys() == {"paper", "sentence"} for n in names for e in n["evidence"])
    glm = next(n for n in names if n["name"] == "GLM-5.1")
    assert glm["family"] == "glm" and glm["paper_ids"] == ["2606.02404", "2606.17905"] and glm["papers"] == 2


# -- names that are not models --------------------------------------------------------------------------------------
def made_up_papers(sentences: list[str]) -> list[Paper]:
    return [made_up(number, f"Paper {number}", sentence) for number, sentence in enumerate(sentences, start=1)]


def candidate_names(papers: list[Paper], catalog: Catalog) -> set[str]:
    return {c.name for c in find_candidates(papers, catalog).candidates}


def test_a_name_used_as_a_benchmark_is_not_a_model(catalog: Catalog) -> None:
    # GSM8K stands once in a list beside a catalog model (the sign a model needs), but the papers use it as a
    # benchmark: "on GSM8K", "GSM8K accuracy", "benchmarks such as GSM8K".
    papers = made_up_papers([
        "Our method reaches 91.5% on GSM8K (91.5%), and Qwen3-8B trails it.",
        *[f"We report accuracy on GSM8K and MATH for setting {n}." for n in range(5)],
        *[f"GSM8K accuracy rises by {n} points." for n in range(5)],
        "We evaluate on benchmarks such as MMLU, GSM8K and HumanEval.",
        # a model next to it is still found
        "We fine-tune Zorblax-7B, an LLM, and Zorblax-7B improves.",
    ])
    names = candidate_names(papers, catalog)
    assert "GSM8K" not in names and "Zorblax-7B" in names


def test_a_name_used_as_a_method_or_an_encoder_is_not_a_model(catalog: Catalog) -> None:
    papers = made_up_papers([
        "We compare BM25 retrieval with dense retrieval and GPT-4o.",
        *[f"A hybrid of BM25 and embeddings (setting {n})." for n in range(6)],
        "Vision encoders (SigLIP2, DINOv2) feed Qwen3-8B.",
        *[f"The SigLIP2 encoder is frozen in run {n}." for n in range(3)],
    ])
    assert candidate_names(papers, catalog).isdisjoint({"BM25", "SigLIP2"})


def test_a_name_shown_to_be_a_model_in_too_few_of_its_papers_is_left_out(catalog: Catalog) -> None:
    # one list next to GPT-4o among 20 papers that use the name as something else
    papers = made_up_papers(["We compare Frobnik-2 and GPT-4o."]
                            + [f"We apply Frobnik-2 to task {n}." for n in range(20)])
    assert "Frobnik-2" not in candidate_names(papers, catalog)
    papers = made_up_papers(["We compare Frobnik-2 and GPT-4o.", "We train the Frobnik-2 language model."]
                            + [f"We apply Frobnik-2 to task {n}." for n in range(5)])
    assert "Frobnik-2" in candidate_names(papers, catalog)


@pytest.mark.parametrize("name", ["Qwen3-Embedding-8B", "Qwen3-Reranker-4B", "RewardBench 2", "InternViT-300M",
                                  "Qwen3-ASR-1.7B", "Llama3-MS-CLIP", "Gemini-2.5-Flash-Image"])
def test_a_name_whose_words_say_it_is_another_kind_of_thing_is_not_a_model(catalog: Catalog, name: str) -> None:
    papers = made_up_papers([f"We compare {name} and GPT-4o.", f"{name} is a model with 7B parameters."])
    assert name not in candidate_names(papers, catalog)


def test_a_release_of_catalog_models_is_not_a_candidate(catalog: Catalog) -> None:
    # Gemini 2.5 is Gemini 2.5 Flash and Pro (both catalogued), Claude 4 is Opus 4 and Sonnet 4; GPT-5.3 is a model
    papers = made_up_papers([f"We compare Gemini 2.5, Claude 4 and GPT-5.3 with GPT-4o in run {n}." for n in range(3)])
    names = candidate_names(papers, catalog)
    assert "GPT-5.3" in names and names.isdisjoint({"Gemini 2.5", "Claude 4"})


def test_names_reviewed_as_not_models_are_left_out(catalog: Catalog) -> None:
    from tracker.knowledge.catalog import NotModel

    papers = made_up_papers([f"We compare Zorblax-7B and GPT-4o, both LLMs, in run {n}." for n in range(3)])
    assert "Zorblax-7B" in candidate_names(papers, catalog)
    reviewed = Catalog(catalog.families, catalog.models, catalog.paths,
                       (NotModel(name="zorblax 7b", kind="vision model", why="a made-up vision model"),))
    assert "Zorblax-7B" not in candidate_names(papers, reviewed)
    assert {"GSM8K", "BM25"} <= {entry.name for entry in catalog.not_models}


# -- precision of the top 100 on the bundled store, judged by hand -----------------------------------------------------
JUDGED = FIXTURES / "catalog" / "candidates_top100.tsv"
BUNDLED_UNTIL = date(2026, 7, 1)  # the bundled store's last day: later papers (weekly updates) are left out


def judged_rows() -> list[dict[str, str]]:
    with JUDGED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_the_judged_top_100_is_precise() -> None:
    rows = judged_rows()
    top = [row for row in rows if int(row["rank"]) <= 100]
    assert [int(row["rank"]) for row in top] == list(range(1, 101))
    assert all(row["judgement"] in {"model", "not"} and row["why"].strip() for row in rows)
    assert sum(row["judgement"] == "model" for row in top) >= 97


def test_the_bundled_stores_top_100_is_the_judged_list(catalog: Catalog) -> None:
    from tracker.store import PaperStore

    papers = [paper for paper in PaperStore(REPO / "data") if paper.published <= BUNDLED_UNTIL]
    assert len(papers) >= 36_000, "the bundled store (data/papers) is missing"
    top = find_candidates(papers, catalog).candidates[:100]
    judged = {row["name"]: row["judgement"] for row in judged_rows()}
    unjudged = [candidate.name for candidate in top if candidate.name not in judged]
    assert not unjudged, f"judge these first in {JUDGED.name} (rank, name, papers, judgement, why): {unjudged}"
    assert sum(judged[candidate.name] == "model" for candidate in top) >= 97


# -- drafts: llm-atlas catalog candidates --draft NAME ---------------------------------------------------------------
def test_a_draft_holds_what_the_store_knows_and_no_fact(papers: list[Paper], catalog: Catalog) -> None:
    import yaml

    from tracker.knowledge.drafts import draft_model

    launch = made_up(30, "Zorblax-7B Technical Report", "We introduce Zorblax-7B, an open LLM trained on text.")
    uses = [made_up(31, "Using it", "We fine-tune zorblax-7b-instruct and Zorblax 7B, both LLMs."),
            made_up(32, "Again", "Zorblax-7B, a language model, is our baseline.")]
    draft = draft_model("zorblax 7B", [*uses, launch, *papers], catalog, date(2026, 12, 6))
    data = yaml.safe_load(draft.text)
    assert draft.relative_path == "models/zorblax/zorblax-7b.yaml" and not draft.family_known
    assert data["id"] == "zorblax-7b" and data["name"] == "Zorblax-7B" and data["family"] == "zorblax"
    assert data["aliases"] == ["Zorblax-7B", "Zorblax 7B", "zorblax-7b-instruct"]
    first = min([*uses, launch], key=lambda p: (p.published, p.id))
    assert data["draft"]["papers"] == 3 and data["draft"]["first_paper"] == first.id
    assert data["draft"]["introduced_by"] == [launch.id]
    assert "is not in catalog/families.yaml" in data["draft"]["family"]
    for fact in ("organization", "release_date", "open_weights", "license", "last_verified"):
        assert data[fact] == "unknown", fact
    assert data["parameters"] == {"total": "unknown"} and data["context_length"] == {"value": "unknown"}
    assert data["arxiv_ids"] == [] and data["links"] == {}


def test_a_draft_of_a_sized_model_finds_its_releases_paper(papers: list[Paper], catalog: Catalog) -> None:
    from tracker.knowledge.drafts import draft_model

    report = made_up(40, "Qwen3-VL Technical Report", "We introduce Qwen3-VL, a vision-language model series.")
    use = made_up(41, "Using it", "Qwen3-VL-32B-Instruct, a multimodal LLM, answers.")
    draft = draft_model("Qwen3-VL-32B", [report, use, *papers], catalog, date(2026, 12, 6))
    assert f'- "{report.id}"  # "Qwen3-VL Technical Report"' in draft.text
    assert draft.family == "qwen" and draft.family_known and draft.model_id == "qwen3-vl-32b"
    assert 'name: "Qwen3-VL-32B"' in draft.text and '- "Qwen3-VL-32B-Instruct"' in draft.text


@pytest.mark.parametrize(("name", "message"), [
    ("Qwen3 8B", "is already in the catalog: qwen/qwen3-8b.yaml"),
    ("GSM8K", "is listed in catalog/not_models.yaml as a benchmark"),
    ("Zzyzx-9B", "is not among the candidates"),
])
def test_no_draft_for_a_known_reviewed_or_unseen_name(papers: list[Paper], catalog: Catalog, name: str,
                                                      message: str) -> None:
    from tracker.knowledge.drafts import DraftError, draft_model

    with pytest.raises(DraftError, match=message):
        draft_model(name, papers, catalog, date(2026, 12, 6))


def test_cli_draft_writes_the_file_once(tmp_path: Path) -> None:
    import shutil

    catalog_dir = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", catalog_dir)
    lines = [line for line in PAPERS.read_text().splitlines() if json.loads(line)["id"] in {"2606.02404", "2606.17905"}]
    (tmp_path / "papers" / "2026").mkdir(parents=True)
    (tmp_path / "papers" / "2026" / "06.jsonl").write_text("\n".join(sorted(lines)) + "\n")
    command = [sys.executable, "-m", "tracker", "catalog", "candidates", "--draft", "GLM-5.1",
               "--data-dir", str(tmp_path), "--catalog-dir", str(catalog_dir)]
    result = subprocess.run(command, capture_output=True, text=True)
    path = catalog_dir / "models" / "glm" / "glm-5.1.yaml"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(path) and "unknown" in path.read_text()
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 1 and "exists already" in again.stderr
    validate = subprocess.run([sys.executable, "-m", "tracker", "catalog", "validate", "--catalog-dir",
                               str(catalog_dir)], capture_output=True, text=True)
    assert validate.returncode == 1 and "glm-5.1.yaml: draft: a draft whose facts have no source" in validate.stderr


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
