"""Papers with code on the site (issue 26): the code / weights / data badges on every list row, month-page entry
and digest, the official weights on model pages, the "with code" shares on the trends page, the search page's
badges and its "with code" filter, all from the papers' own text and escaped. The search page's layout on a phone
is tested here too (box and first result in the top half of a 390 x 844 screen)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS_DAY, KAGGLE_SAMPLE, REPO
from site_fixtures import BuiltSite

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.site.engine import SiteData
from tracker.site.render import render_pages
from tracker.store import PaperStore

WEEK = "2026-W27"  # the 2026-07-01 listing's week


def released(paper_id: str, abstract: str, comment: str | None = None) -> Paper:
    return Paper(id=paper_id, version=1, title=f"Retrieval-augmented generation with LLaMA {paper_id}",
                 abstract=abstract, comment=comment, authors=["Ada Lovelace"], categories=["cs.CL"],
                 published=date(2026, 7, 1), updated=date(2026, 7, 1))


EXTRA = [
    released("2607.90001", "We release a retrieval-augmented LLM. Weights: https://huggingface.co/ada/rag-7b and "
             "code at https://github.com/ ada/rag.", "Data: https://huggingface.co/datasets/ada/ragset"),
    # an address that tries to leave its attribute: the extractor stops at the quote, and the rest is escaped text
    released("2607.90002", 'Retrieval-augmented generation. Code: https://github.com/evil/x"onmouseover="alert(1) '
             "and https://x.github.io/<script>alert(2)</script>"),
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    papers = [*{p.id: p for p in read_papers(CORPUS_DAY)}.values(), *read_papers(KAGGLE_SAMPLE), *EXTRA]
    store = PaperStore(tmp_path_factory.mktemp("store"))
    store.upsert(papers)
    return render_pages(SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog")))


def entry(pages: dict[str, str], paper_id: str) -> str:
    month = pages["generated/papers/2026-07.md"]
    match = re.search(rf'<article class="atlas-paper" data-arxiv-id="{paper_id}".*?</article>', month, re.DOTALL)
    assert match, paper_id
    return match.group(0)


def test_month_entry_lists_every_artifact(pages: dict[str, str]) -> None:
    html = entry(pages, "2607.90001")
    assert '<p class="atlas-paper__artifacts">' in html
    assert ('<a class="atlas-badge atlas-badge--code" href="https://github.com/ada/rag" rel="nofollow">'
            '<span class="atlas-badge__kind">code</span> ada/rag</a>') in html
    assert 'href="https://huggingface.co/ada/rag-7b"' in html and "ada/rag-7b</a>" in html
    assert 'atlas-badge--data" href="https://huggingface.co/datasets/ada/ragset"' in html
    # kind order: code, weights, data
    assert html.index("atlas-badge--code") < html.index("atlas-badge--weights") < html.index("atlas-badge--data")


def test_rows_show_one_badge_per_kind(pages: dict[str, str]) -> None:
    rows = [text for path, text in pages.items() if path.startswith("generated/topics/") and "2607.90001" in text]
    assert rows
    row = re.search(r'<li data-arxiv-id="2607.90001">.*?</li>', rows[0], re.DOTALL)
    assert row
    badges = re.findall(r'class="atlas-badge atlas-badge--(\w+)" href="([^"]+)" title="([^"]+)"',
                        row.group(0))
    assert badges == [("code", "https://github.com/ada/rag", "Code: ada/rag"),
                      ("weights", "https://huggingface.co/ada/rag-7b", "Weights: ada/rag-7b"),
                      ("data", "https://huggingface.co/datasets/ada/ragset", "Data: ada/ragset")]


def test_outside_text_cannot_leave_its_attribute(pages: dict[str, str]) -> None:
    html = entry(pages, "2607.90002")
    assert 'href="https://github.com/evil/x"' in html
    assert "onmouseover" not in re.sub(r"<p class=\"atlas-paper__artifacts\">.*", "", html)  # not in the badges
    for text in pages.values():
        assert '"onmouseover=' not in text and "<script>alert(2)" not in text


def test_every_list_shows_the_badges(pages: dict[str, str]) -> None:
    """Digest (week page and its list), topic, model and home lists: each row of a paper with code has its badge."""
    week_list = pages[f"generated/digests/{WEEK}/all.md"]
    row = re.search(r'<li data-arxiv-id="2607.90001">.*?</li>', week_list, re.DOTALL)
    assert row and "atlas-badge--weights" in row.group(0)
    with_code = [p for p in {p.id: p for p in read_papers(CORPUS_DAY)}.values()
                 if any(a.kind == "code" for a in p.artifacts)]
    assert len(with_code) > 20
    for paper in with_code:
        rows = re.findall(rf'<li data-arxiv-id="{paper.id}">.*?</li>', week_list, re.DOTALL)
        assert rows and all(f'href="{paper.artifacts[0].url}"' in row for row in rows), paper.id


def test_digest_counts_and_lists_releases(pages: dict[str, str]) -> None:
    week = pages[f"generated/digests/{WEEK}.md"]
    counted = re.search(r"Of the new papers, \*\*(\d+)\*\* name their code, \*\*(\d+)\*\* model weights and "
                        r"\*\*(\d+)\*\* a dataset", week)
    assert counted and int(counted.group(1)) > 20 and counted.group(2) == "1" and counted.group(3) == "1"
    section = week.split("## Weights and data released this week", 1)[1].split("## Papers by topic", 1)[0]
    assert 'data-arxiv-id="2607.90001"' in section
    assert "<th>New with code</th>" in week


def test_model_page_links_official_weights(pages: dict[str, str]) -> None:
    catalog = load_catalog(REPO / "catalog")
    with_weights = [m for m in catalog.models.values() if m.links.weights]
    assert with_weights
    for model in with_weights:
        page = pages.get(f"generated/models/{model.id}.md")
        if page is None:  # a draft the catalog has no page for yet
            continue
        assert f'<a class="atlas-badge atlas-badge--weights" href="{model.links.weights}">' in page, model.id
    page = pages["generated/models/llama-3.1-8b.md"]
    assert '<span class="atlas-badge__kind">weights</span> meta-llama/Llama-3.1-8B</a>' in page


def test_trends_show_the_share_with_code(pages: dict[str, str]) -> None:
    trends = pages["generated/trends.md"]
    assert "## Papers with code, weights and data" in trends
    papers = len({p.id for p in read_papers(CORPUS_DAY)}) + len(list(read_papers(KAGGLE_SAMPLE))) + len(EXTRA)
    counted = re.search(r"([\d,]+) of the ([\d,]+) papers in the store \((\d+) %\) name their code", trends)
    assert counted and int(counted.group(2).replace(",", "")) == papers
    assert round(100 * int(counted.group(1)) / papers) == int(counted.group(3))
    table = trends.split('<table class="atlas-table atlas-release-topics">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") > 5 and "generated/topics/" not in table  # links are page-relative
    assert re.search(rf"<td>{WEEK}(?: <small class=\"atlas-partial\">partial</small>)?</td><td>\d+</td>"
                     r"<td>\d+ \(\d+ %\)</td>", trends)


# -- the built site, in Chromium --------------------------------------------------------------------------------
def _search(browser: object, server: str, query: str, *, width: int = 1280, height: int = 900,
            params: str = "") -> object:
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{server}search/?query={query}{params}")
    page.wait_for_selector("#atlas-search-results[data-stage='final']", state="attached", timeout=60_000)
    return page


def test_search_results_show_badges_and_filter_by_code(built_site: BuiltSite, server: str, browser: object) -> None:
    page = _search(browser, server, "retrieval augmented generation")
    hits = page.locator(".atlas-hit")  # type: ignore[attr-defined]
    assert hits.count() > 5
    with_badge = page.locator(".atlas-hit .atlas-badge--code")  # type: ignore[attr-defined]
    for index in range(with_badge.count()):
        assert re.match(r"https://github\.com/[^/]+/[^/]+$", with_badge.nth(index).get_attribute("href") or "")
    page.click(".atlas-search__chip[data-has='code']")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelector('#atlas-search-results').dataset.stage === 'final'"  # type: ignore[attr-defined]
                           " && new URL(location.href).searchParams.get('has') === 'code'")
    page.wait_for_selector("#atlas-search-results[data-stage='final'] .atlas-hit")  # type: ignore[attr-defined]
    filtered = page.locator(".atlas-hit")  # type: ignore[attr-defined]
    assert filtered.count() > 0
    for index in range(filtered.count()):
        assert filtered.nth(index).locator(".atlas-badge--code").count() == 1
    assert page.get_attribute(".atlas-search__chip[data-has='code']", "aria-pressed") == "true"  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_search_filter_from_the_address(built_site: BuiltSite, server: str, browser: object) -> None:
    """?has=weights: the test site has no paper naming weights, so nothing matches, and the page says so."""
    page = _search(browser, server, "retrieval augmented generation", params="&has=weights")
    assert page.get_attribute(".atlas-search__chip[data-has='weights']", "aria-pressed") == "true"  # type: ignore[attr-defined]
    assert page.locator(".atlas-hit").count() == 0  # type: ignore[attr-defined]
    assert "No paper matches these filters" in page.inner_text("#atlas-search-status")  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_search_on_a_phone_shows_box_and_results_first(built_site: BuiltSite, server: str, browser: object) -> None:
    """Issue 26: on a 390 x 844 screen the box is near the top and the first result starts in the top half."""
    page = _search(browser, server, "speculative decoding for faster inference", width=390, height=844)
    box = page.locator("#atlas-search").bounding_box()  # type: ignore[attr-defined]
    first = page.locator(".atlas-hit").first.bounding_box()  # type: ignore[attr-defined]
    assert box and first
    assert page.evaluate("window.scrollY") == 0  # type: ignore[attr-defined]
    assert box["y"] < 200, box
    assert first["y"] + 10 < 844 / 2, first
    # nothing is wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_built_pages_carry_badges(built_site: BuiltSite) -> None:
    site: Path = built_site.site
    month = (site / "generated" / "papers" / "2026-07" / "index.html").read_text(encoding="utf-8")
    assert month.count('class="atlas-paper__artifacts"') > 20
    assert (site / "generated" / "trends" / "index.html").read_text(encoding="utf-8").count("With code") >= 2
