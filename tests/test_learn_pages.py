"""The Learn pages' generated parts (tracker/site/pages/learn_pages.py): families, open models, recent papers.

Rendered from real papers and the real catalog; facts are compared with the catalog, lists with the store.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from test_pages import real_papers

from tracker.knowledge.catalog import Catalog, load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.site.engine import PageWriter, SiteData, human_count, make_environment, relative_link
from tracker.site.pages import learn_pages
from tracker.site.pages.learn_pages import (
    FAMILIES_PAGE,
    FAMILIES_PART,
    LEARN_TOPICS,
    OPEN_MODELS_PART,
    POPULAR,
    RECENT,
    SIZE_BANDS,
    recent_papers,
)
from tracker.site.render import render_pages
from tracker.store import PaperStore

LEARN = REPO / "docs" / "learn"
HOSTILE_TITLE = '<script>alert("x")</script> LoRA adapters & PEFT'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; LoRA adapters &amp; PEFT"


def hostile_paper() -> Paper:
    return Paper(
        id="2607.99998", version=1, title=HOSTILE_TITLE,
        abstract="Parameter-efficient fine-tuning with LoRA <img src=x onerror=alert(1)> on Llama 2 70B.",
        authors=["<b>Mallory</b>"], categories=["cs.CL"],
        published=date(2026, 7, 2), updated=date(2026, 7, 2),
    )


def site_data(tmp_path: Path, papers: list[Paper], catalog: Catalog | None = None) -> SiteData:
    store = PaperStore(tmp_path)
    store.upsert(papers)
    return SiteData.collect(store, catalog or load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"))


def learn_parts(data: SiteData) -> dict[str, str]:
    writer = PageWriter(make_environment())
    learn_pages.add_pages(writer, data)
    return writer.pages


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> SiteData:
    return site_data(tmp_path_factory.mktemp("store"), real_papers() + [hostile_paper()])


@pytest.fixture(scope="module")
def parts(data: SiteData) -> dict[str, str]:
    return learn_parts(data)


def row(part: str, model_id: str) -> list[str]:
    """The text of each cell of the row ``data-model="<id>"`` (tags stripped, entities decoded)."""
    found = re.search(rf'<tr[^>]* data-model="{re.escape(model_id)}">(.*?)</tr>', part)
    assert found, model_id
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1))]


def test_every_learn_part_is_rendered_and_included(data: SiteData) -> None:
    pages = render_pages(data)
    expected = {FAMILIES_PART, OPEN_MODELS_PART} | {learn.part for learn in LEARN_TOPICS}
    assert expected <= set(pages)
    included: dict[str, str] = {}
    for page in sorted(LEARN.glob("*.md")):
        for part in re.findall(r'^--8<-- "(generated/snippets/[^"]+)"$', page.read_text(encoding="utf-8"), re.M):
            assert part in pages, (page.name, part)
            included[part] = page.name
    assert set(included) == expected
    for learn in LEARN_TOPICS:  # each recent-papers list is at the end of its page, before the Papers section
        text = (REPO / "docs" / learn.page).read_text(encoding="utf-8")
        at = text.index(f'--8<-- "{learn.part}"')
        assert text.index("\n## Papers\n") > at and "\n## " not in text[at: text.index("\n## Papers\n")], learn.page
    nav = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))["nav"]
    learn_nav = next(item["Learn"] for item in nav if isinstance(item, dict) and "Learn" in item)
    assert {"The popular model families": FAMILIES_PAGE} in learn_nav
    assert f'--8<-- "{FAMILIES_PART}"' in (REPO / "docs" / FAMILIES_PAGE).read_text(encoding="utf-8")


def test_parts_are_deterministic(data: SiteData, parts: dict[str, str], tmp_path: Path) -> None:
    assert learn_parts(data) == parts
    shuffled = site_data(tmp_path, list(reversed(real_papers())) + [hostile_paper()])
    assert learn_parts(shuffled) == parts


def test_families_table_facts_equal_the_catalog(data: SiteData, parts: dict[str, str]) -> None:
    part = parts[FAMILIES_PART]
    assert row(part, "llama-2-70b") == ["2023-07-18", "Llama 2 70B", "70B", "4,096", "Llama 2 Community License", "yes"]
    assert row(part, "mixtral-8x7b")[2] == "46.7B (12.9B active)"
    # a closed model: what the catalog does not know shows as unknown
    assert row(part, "claude-opus-4.5") == ["2025-11-24", "Claude Opus 4.5", "unknown", "200,000", "unknown", "no"]
    for model_id in ("gpt-3", "bert-large", "falcon-40b", "bloom-176b", "mistral-7b", "claude-3-opus"):
        model = data.catalog.models[model_id]
        released, name, params, context, licence, open_weights = row(part, model_id)
        assert (released, name) == (model.release_date, model.name)
        assert params.split(" ")[0] == human_count(model.parameters.total)  # the models table's format
        value = model.context_length.value
        assert context == ("unknown" if value == "unknown" else f"{value:,}")
        assert licence == ("unknown" if model.license == "unknown" else model.license.name)
        assert open_weights == ("yes" if model.open_weights else "no")
        assert f'href="../../generated/models/{model_id}/"' in part  # linked to its model page


def test_every_model_once_under_its_family_in_release_order(data: SiteData, parts: dict[str, str]) -> None:
    part = parts[FAMILIES_PART]
    rows = re.findall(r'<tr data-model="([^"]+)">', part)
    assert sorted(rows) == sorted(data.catalog.models)
    sections = re.findall(r"^## .+ \{ #family-([a-z0-9-]+) \}$", part, re.M)
    assert sections[: len(POPULAR)] == list(POPULAR) and sorted(sections) == sorted(data.catalog.families)
    for family_id, block in zip(sections, re.split(r"^## .+ \{ #family-[a-z0-9-]+ \}$", part, flags=re.M)[1:],
                                strict=True):
        ids = re.findall(r'<tr data-model="([^"]+)">', block)
        models = [data.catalog.models[i] for i in ids]
        assert all(m.family == family_id for m in models)
        assert [(m.release, m.id) for m in models] == sorted((m.release, m.id) for m in models)
    # the timeline: one dot per model, its title the model's name and date
    assert part.count("<circle ") == len(data.catalog.models)


def test_open_models_are_the_newest_open_weights_per_band(data: SiteData, parts: dict[str, str]) -> None:
    part = parts[OPEN_MODELS_PART]
    models = data.catalog.models
    for label, low, high, _fits in SIZE_BANDS:
        shown = re.findall(rf'<tr data-band="{re.escape(label)}" data-model="([^"]+)">', part)
        eligible = sorted(
            (m for m in models.values() if m.open_weights and m.architecture.type == "decoder-only"
             and m.total_parameters is not None and low <= m.total_parameters
             and (high is None or m.total_parameters < high)),
            key=lambda m: (m.release, m.id), reverse=True)
        assert shown == [m.id for m in eligible[: learn_pages.NEWEST_PER_BAND]], label
    for model_id in re.findall(r'data-model="([^"]+)"', part):
        total = models[model_id].total_parameters
        assert total is not None
        sixteen, four = (float(x.replace(",", "")) for x in row(part, model_id)[3].split(" / "))
        # shown to one decimal below 10 GiB: a 0.6B model's 0.28 GiB reads 0.3
        assert sixteen == pytest.approx(total * 2 / 2**30, rel=0.05, abs=0.05)
        assert four == pytest.approx(total / 2 / 2**30, rel=0.05, abs=0.05)
    qwen = models["qwen3.5-397b-a17b"]
    assert row(part, qwen.id)[1:] == [qwen.release_date, "397B (17B active)", "739 / 185", "262,144", "Apache-2.0"]


def test_recent_papers_are_newest_first_and_link_to_their_abstracts(data: SiteData, parts: dict[str, str]) -> None:
    for learn in LEARN_TOPICS:
        part = parts[learn.part]
        papers = recent_papers(data, learn)
        assert 0 < len(papers) <= RECENT, learn.page
        assert [(p.published, p.id) for p in papers] == sorted(((p.published, p.id) for p in papers), reverse=True)
        listed = re.findall(r'<li data-arxiv-id="([^"]+)"><a href="([^"]+)">', part)
        assert [i for i, _ in listed] == [p.id for p in papers]
        for paper_id, href in listed:
            month_page = data.abstracts_at[paper_id]
            assert href == relative_link(learn.page, month_page) + f"#paper-{paper_id}"
            assert href.startswith("../../generated/papers/")
        if learn.topic:
            assert f'href="../../generated/topics/{learn.topic}/"' in part
            # a paper of the topic newer than the last one listed and matching the page is listed
            for paper in data.papers:
                if paper.published <= papers[-1].published:
                    break
                if paper in recent_papers(data, learn, count=10_000):
                    assert paper in papers
        else:
            assert [p.id for p in papers] == [p.id for p in data.papers[:RECENT]]


def test_recent_papers_narrow_to_the_pages_subject(data: SiteData) -> None:
    peft = next(learn for learn in LEARN_TOPICS if learn.slug == "peft")
    fine_tuning = next(learn for learn in LEARN_TOPICS if learn.slug == "fine-tuning")
    narrowed = recent_papers(data, peft, count=10_000)
    assert narrowed and set(p.id for p in narrowed) < set(p.id for p in recent_papers(data, fine_tuning, count=10_000))
    assert narrowed[0].id == hostile_paper().id  # LoRA in its title: the newest PEFT paper
    for paper in narrowed:
        text = (paper.title + " " + paper.abstract).lower()
        assert any(word in text for word in ("lora", "peft", "parameter-efficient", "parameter efficient", "adapter",
                                             "low-rank adaptation", "prompt tuning", "prefix tuning")), paper.id


def test_outside_strings_are_escaped(data: SiteData, parts: dict[str, str], tmp_path: Path) -> None:
    for slug in ("peft", "fine-tuning", "keeping-up"):
        part = parts[f"generated/snippets/learn-recent-{slug}.md"]
        assert ESCAPED in part, slug
    for path, text in parts.items():
        assert "<script" not in text and "<img" not in text and "<b>Mallory" not in text, path
    # catalog strings are outside strings too
    catalog = data.catalog
    model = catalog.models["llama-2-70b"].model_copy(update={"name": "<i>Llama</i> & co"})
    family = catalog.families["llama"].model_copy(update={"name": "<b>LLaMA</b>", "description": "<script>x</script>"})
    hostile = Catalog({**catalog.families, "llama": family}, {**catalog.models, model.id: model}, catalog.paths)
    hostile_parts = learn_parts(site_data(tmp_path, real_papers(), hostile))
    families = hostile_parts[FAMILIES_PART]
    assert "&lt;i&gt;Llama&lt;/i&gt; &amp; co" in families and "&lt;b&gt;LLaMA&lt;/b&gt;" in families
    assert "<i>Llama" not in families and "<b>LLaMA" not in families and "<script>" not in families


def test_an_empty_store_still_renders(tmp_path: Path) -> None:
    parts = learn_parts(site_data(tmp_path, []))
    assert "No stored paper is on this topic yet." in parts["generated/snippets/learn-recent-peft.md"]
    assert "<tr data-model=" in parts[FAMILIES_PART]
