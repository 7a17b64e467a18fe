"""Digests that digest (issue 16): themes of the week from real paper vectors, first-time models, the papers
that introduce a catalog model, the week's list by topic (pages, anchors) and the pages' size budget."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS_DAY, KAGGLE_SAMPLE, REPO, borrow_onnx_export

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.linking import PaperLink
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper, VersionRecord
from tracker.search.index import PaperIndex, build_index
from tracker.settings import Settings
from tracker.site import build
from tracker.site.engine import PageWriter, SiteData, make_environment
from tracker.site.pages import digest_pages
from tracker.site.pages.digest_pages import WEEK_LIST_SIZE, build_digests, highlights, week_list_path
from tracker.site.pages.themes import (
    CENTRAL,
    Document,
    Theme,
    label_terms,
    min_theme_size,
    normalised,
    paper_terms,
    theme_count,
    week_themes,
)
from tracker.store import PaperStore
from tracker.weeks import week_of

WEEK = "2026-W27"  # the 2026-07-01 listing: ~300 real papers
ROWS = re.compile(r'data-arxiv-id="([^"]+)"')


def real_papers() -> list[Paper]:
    unique = {p.id: p for p in read_papers(CORPUS_DAY)}
    return list(unique.values()) + list(read_papers(KAGGLE_SAMPLE))


@dataclass
class Indexed:
    store: PaperStore
    cache: Path
    data: SiteData

    @property
    def vectors(self) -> dict[str, np.ndarray]:
        assert self.data.vectors is not None
        return dict(self.data.vectors)

    def new_papers(self, week: str = WEEK) -> list[Paper]:
        return [p for p in self.data.papers if week_of(p.published) == week]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, onnx_cache: Path) -> Indexed:
    """The real papers indexed as `llm-atlas build` indexes them (the shipped model, ONNX int8), once."""
    root = tmp_path_factory.mktemp("themes")
    cache = root / "cache"
    borrow_onnx_export(cache, onnx_cache)
    store = PaperStore(root / "data")
    store.upsert(real_papers())
    build_index(store, cache)
    index = PaperIndex.load(cache)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"),
                            vectors=dict(zip(index.ids, index.vectors, strict=True)))
    return Indexed(store, cache, data)


@pytest.fixture(scope="module")
def themes(indexed: Indexed) -> list[Theme]:
    return week_themes(indexed.new_papers(), indexed.vectors)


def digest_pages_of(data: SiteData) -> dict[str, str]:
    writer = PageWriter(make_environment())
    digest_pages.add_pages(writer, data)
    return writer.pages


def text_of(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract}".lower()


def test_themes_partition_the_week_into_a_few_sizeable_clusters(indexed: Indexed, themes: list[Theme]) -> None:
    papers = indexed.new_papers()
    assert len(papers) > 250 and all(p.id in indexed.vectors for p in papers)
    assert 3 <= len(themes) <= theme_count(len(papers)) == 5
    members = [p.id for theme in themes for p in theme.papers]
    assert len(members) == len(set(members)) and set(members) <= {p.id for p in papers}
    assert all(len(theme.papers) >= min_theme_size(len(papers)) for theme in themes)
    assert [len(t.papers) for t in themes] == sorted((len(t.papers) for t in themes), reverse=True)
    assert all(len(theme.terms) == 3 and theme.label == ", ".join(theme.terms) for theme in themes)
    assert len({theme.label for theme in themes}) == len(themes)


def test_themes_are_deterministic(indexed: Indexed, themes: list[Theme]) -> None:
    """Same papers, same vectors: same themes, whatever the order they come in; same pages, byte for byte."""
    papers = indexed.new_papers()
    shuffled = [papers[i] for i in np.random.default_rng(7).permutation(len(papers))]
    vectors = dict(reversed(list(indexed.vectors.items())))
    assert week_themes(shuffled, vectors) == themes
    again = SiteData.collect(indexed.store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"),
                             vectors=vectors)
    assert digest_pages_of(again) == digest_pages_of(indexed.data)


def test_labels_are_words_their_theme_uses_more_than_the_rest_of_the_week(indexed: Indexed,
                                                                         themes: list[Theme]) -> None:
    papers = indexed.new_papers()
    for theme in themes:
        inside = [text_of(p) for p in theme.papers]
        ids = {p.id for p in theme.papers}
        outside = [text_of(p) for p in papers if p.id not in ids]
        for term in theme.terms:
            used = sum(term in text for text in inside)
            assert used >= 2, (theme.label, term)
            assert used / len(inside) > sum(term in text for text in outside) / len(outside), (theme.label, term)
        stems = [key for term in theme.terms for key in paper_terms_of(term)]
        assert len(stems) == len(set(stems)), theme.label  # no two terms share a word


def paper_terms_of(term: str) -> list[str]:
    """The stems of a label term (as the labeller keys it)."""
    return max(paper_terms(paper("0000.00000", date(2026, 1, 1), term, term)).terms, key=len).split()


def test_label_terms_are_what_sets_a_theme_apart() -> None:
    """c-TF-IDF on a constructed week: every theme says 'transformer', each has its own phrase."""
    def doc(*terms: str) -> Document:
        return Document({t: t for t in terms})

    decoding = [doc("transformer", "specul decod", "specul", "decod", "draft"),
                doc("transformer", "specul decod", "specul", "decod", "latenc")] * 3
    folding = [doc("transformer", "protein fold", "protein", "fold", "structur")] * 6
    week = decoding + folding
    first, second = label_terms([decoding, folding], week, count=2)
    assert first[0] == "specul decod" and second[0] == "protein fold"
    assert "transformer" not in first + second  # shared by every theme: not distinctive
    assert "specul" not in first and "decod" not in first  # the phrase took their words
    # an acronym and its phrase are one term: "rag" is "retrieval-augmented generation"
    rag = [Document({"rag": "rag", "ra gen": "retrieval-augmented generation", "chunk": "chunking"})] * 4
    other = [Document({"protein": "protein"})] * 4
    assert set(label_terms([rag, other], rag + other, count=2)[0]) == {"chunking", "retrieval-augmented generation"}


def test_central_papers_are_the_closest_to_their_themes_centre(indexed: Indexed, themes: list[Theme]) -> None:
    vectors = indexed.vectors
    centres = []
    for theme in themes:
        matrix = normalised(np.stack([vectors[p.id].astype(np.float64) for p in theme.papers]))
        centre = normalised(matrix.sum(axis=0, keepdims=True))[0]
        centres.append(centre)
        closeness = matrix @ centre
        assert theme.central == theme.papers[:CENTRAL] and len(theme.central) == CENTRAL
        assert closeness[:CENTRAL].min() >= closeness[CENTRAL:].max() - 1e-5, theme.label  # (float32 there)
        assert np.all(np.diff(closeness) <= 1e-5), theme.label  # most central first
    for own, theme in enumerate(themes):  # a central paper is nearer its own theme's centre than any other's
        for paper in theme.central:
            scores = [float(vectors[paper.id].astype(np.float64) @ centre) for centre in centres]
            assert scores[own] >= max(scores) - 1e-5, (theme.label, paper.title)


def test_week_page_shows_the_themes_with_their_central_papers(indexed: Indexed, themes: list[Theme]) -> None:
    pages = digest_pages_of(indexed.data)
    week = pages[f"generated/digests/{WEEK}.md"]
    assert "No themes" not in week
    for number, theme in enumerate(themes, start=1):
        assert f"### {theme.label} {{ #theme-{number} }}" in week
        assert all(f'data-arxiv-id="{p.id}"' in week for p in theme.central)
    section = week[week.index("## Themes of the week"):week.index("## Models named most")]
    assert len(ROWS.findall(section)) == CENTRAL * len(themes)
    assert "Too few new papers this week" in pages["generated/digests/2025-W33.md"]  # one updated paper


def test_the_build_indexes_first_and_renders_the_themes(indexed: Indexed, repo: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`llm-atlas build` (render_site with search) gives the pages the index's vectors; `render` does not."""
    store = PaperStore(repo / "data")
    store.upsert(list(indexed.store))
    store.save()
    bundled: list[int] = []
    monkeypatch.setattr(build, "write_search_bundle", lambda root, data, index, *rest: bundled.append(len(index)))
    settings = Settings.resolve(cache_dir=indexed.cache)
    build.render_site(settings, search=True)
    week = (repo / "docs" / "generated" / "digests" / f"{WEEK}.md").read_text(encoding="utf-8")
    assert bundled == [len(indexed.data.papers)] and "### " in week and "No themes" not in week
    build.render_site(settings)
    week = (repo / "docs" / "generated" / "digests" / f"{WEEK}.md").read_text(encoding="utf-8")
    assert "No themes on this build" in week and "### " not in week


def paper(paper_id: str, day: date, title: str = "A paper", abstract: str = "An abstract.",
          versions: list[VersionRecord] | None = None) -> Paper:
    version = max((v.version for v in versions or []), default=1)
    return Paper(id=paper_id, version=version, title=title, abstract=abstract, authors=["A. Author"],
                 categories=["cs.CL"], published=day, updated=max([day] + [v.date for v in versions or []]),
                 versions=versions or [])


def test_first_named_models_and_the_papers_that_introduce_one() -> None:
    """A constructed store over two weeks: a model is new the week of the first paper naming it, once."""
    catalog = load_catalog(REPO / "catalog")
    week_one, week_two = date(2026, 1, 6), date(2026, 1, 13)  # 2026-W02, 2026-W03
    revised = paper("2601.00003", week_one, versions=[VersionRecord(version=1, date=week_one),
                                                      VersionRecord(version=2, date=week_two)])
    papers = [paper("2601.00001", week_one), paper("2601.00002", week_two), revised,
              paper("2505.09388", week_two, "Qwen3 Technical Report")]

    def link(paper_id: str, model: str) -> PaperLink:
        return PaperLink(paper_id, model, catalog.models[model].family, "alias", model)

    links = {"2601.00001": [link("2601.00001", "gpt-4")],
             "2601.00002": [link("2601.00002", "gpt-4"), link("2601.00002", "llama-3.1-8b")],
             "2601.00003": [link("2601.00003", "mistral-7b")],  # named in W02, updated in W03: not new in W03
             "2505.09388": [link("2505.09388", "qwen3-8b")]}
    data = SiteData(papers=sorted(papers, key=lambda p: (p.published, p.id), reverse=True), catalog=catalog,
                    links=links)
    first_week, introduces = digest_pages.first_weeks(data), digest_pages.introduced_by(data)
    assert first_week == {"gpt-4": "2026-W02", "mistral-7b": "2026-W02", "llama-3.1-8b": "2026-W03",
                          "qwen3-8b": "2026-W03"}
    one, two = build_digests(data)
    named = highlights(two, data, first_week, introduces)
    assert [(model, [p.id for p in papers]) for model, papers in named.first_named] == [
        ("llama-3.1-8b", ["2601.00002"]), ("qwen3-8b", ["2505.09388"])]
    assert [(p.id, models) for p, models in named.introducing] == [
        ("2505.09388", ["qwen3-0.6b", "qwen3-1.7b", "qwen3-14b", "qwen3-235b-a22b", "qwen3-30b-a3b", "qwen3-32b",
                        "qwen3-4b", "qwen3-8b"])]
    assert highlights(one, data, first_week, introduces).introducing == []
    pages = digest_pages_of(data)
    page = pages["generated/digests/2026-W03.md"]
    named_part = page[page.index("## Named for the first time"):page.index("## Papers that introduce")]
    assert "Llama 3.1 8B" in named_part and "Qwen3-8B" in named_part
    assert "GPT-4" not in named_part and "Mistral" not in named_part
    introducing = page[page.index("## Papers that introduce"):page.index("## Papers by topic")]
    assert 'data-arxiv-id="2505.09388"' in introducing
    assert "introduces Qwen3-0.6B, Qwen3-1.7B, Qwen3-14B, Qwen3-235B-A22B" in introducing
    assert "first week in the store" in pages["generated/digests/2026-W02.md"]


@pytest.fixture(scope="module")
def big_week(indexed: Indexed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One week of 1,204 papers (the listing's four times over, new ids; each copy keeps its paper's vector)."""
    originals = indexed.new_papers()
    papers, vectors = [], {}
    for copy in range(4):
        for n, original in enumerate(originals):
            new_id = f"2607.{copy}{n:04d}"
            papers.append(original.model_copy(update={"id": new_id, "title": f"{original.title} ({copy})"}))
            vectors[new_id] = indexed.vectors[original.id]
    store = PaperStore(tmp_path_factory.mktemp("big-week"))
    store.upsert(papers)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"), vectors=vectors)
    return digest_pages_of(data)


def test_the_weeks_list_is_paged_by_topic_with_every_paper_once(big_week: dict[str, str]) -> None:
    base = week_list_path(WEEK)
    paths = [base] + [base.replace("all.md", f"all-p{n}.md") for n in (2, 3)]
    assert all(path in big_week for path in paths) and base.replace("all.md", "all-p4.md") not in big_week
    assert [p for p in big_week if p.startswith(f"generated/digests/{WEEK}/")] == paths
    rows = [ROWS.findall(big_week[path]) for path in paths]
    assert [len(r) for r in rows] == [WEEK_LIST_SIZE, WEEK_LIST_SIZE, 4 * 301 - 2 * WEEK_LIST_SIZE]
    listed = [i for r in rows for i in r]
    assert len(listed) == len(set(listed)) == 4 * 301
    assert all(big_week[path].startswith("---\nsearch:\n  exclude: true\n---\n") for path in paths)
    assert '<a href="../all-p2/">2</a>' in big_week[paths[0]] and "(continued) { #topic-" in big_week[paths[1]]
    # the week's topic table links each topic to the list page where its heading (not a continuation) is
    week = big_week[f"generated/digests/{WEEK}.md"]
    links = re.findall(r'<tr><td><a href="(all(?:-p\d)?)/#(topic-[\w-]+)">([^<]+)</a></td><td>(\d+)</td>', week)
    assert len(links) >= 8
    for page, anchor, name, count in links:
        text = big_week[f"generated/digests/{WEEK}/{page}.md"]
        assert f"## {name} {{ #{anchor} }}" in text, (page, anchor)
        assert f"\n{count} new" in text[text.index(f"## {name} {{ #{anchor} }}"):]
    # sections follow each other: one heading per topic and page, a topic never split but across a page end
    headings = [re.findall(r"^## .+ \{ #(topic-[\w-]+) \}$", big_week[path], re.M) for path in paths]
    flat = [anchor for page in headings for anchor in page]
    assert len(set(flat)) == len(links) and len(flat) - len(set(flat)) <= len(paths) - 1


def test_no_digest_page_is_over_the_budget(big_week: dict[str, str]) -> None:
    """Issue 14/16: no page over 300 KB gzipped, with the theme's ~26 KB page frame around the Markdown's HTML;
    the week's page itself stays short."""
    frame = 30_000
    digests = {path: text for path, text in big_week.items() if path.startswith("generated/digests/")}
    for path, text in digests.items():
        assert len(gzip.compress(text.encode(), 9)) + frame < 300_000, path
        assert len(text.encode()) + frame < 300_000, path  # even uncompressed
    week = big_week[f"generated/digests/{WEEK}.md"]
    assert len(week.encode()) < 40_000 and len(ROWS.findall(week)) <= 8 * CENTRAL + 10
