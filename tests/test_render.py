"""Generated pages: escaping of outside strings, determinism, model pages with their papers."""

from __future__ import annotations

from datetime import date

from conftest import REPO

from tracker.knowledge.catalog import load_catalog
from tracker.paper import Paper
from tracker.site.engine import SiteData, relative_link
from tracker.site.render import render_pages
from tracker.store import PaperStore


def hostile_paper() -> Paper:
    return Paper(
        id="2607.99999", version=1,
        title='<script>alert("x")</script> *Llama 2* & [links](javascript:alert(1))',
        abstract="We study <img src=x onerror=alert(1)> and GPT-4.",
        authors=["Eve <b>Evil</b>"], categories=["cs.CL"],
        published=date(2026, 7, 1), updated=date(2026, 7, 1),
    )


def render(tmp_path, papers):
    store = PaperStore(tmp_path)
    store.upsert(papers)
    return render_pages(SiteData.collect(store, load_catalog(REPO / "catalog")))


def test_outside_strings_are_escaped(tmp_path) -> None:
    pages = render(tmp_path, [hostile_paper()])
    month = pages["generated/papers/2026-07.md"]
    assert "<script>" not in month and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in month
    # the abstract is not in the page: abstracts.js puts it in from its file as text (tests/test_site_browser.py)
    assert "<img" not in month and "onerror" not in month
    assert "<b>Evil</b>" not in month and "Eve &lt;b&gt;Evil&lt;/b&gt;" in month
    # the paper is listed on the pages of the models it names, escaped there too
    assert "&lt;script&gt;" in pages["generated/models/gpt-4.md"]
    assert "<script>" not in pages["generated/models/gpt-4.md"]


def test_rendering_is_deterministic(tmp_path, llm_papers) -> None:
    first = render(tmp_path / "a", llm_papers)
    second = render(tmp_path / "b", list(reversed(llm_papers)))
    assert first == second
    assert set(first) >= {"generated/papers/index.md", "generated/models/index.md", "generated/models/gpt-4.md"}


def test_relative_links_resolve_from_the_built_page() -> None:
    assert relative_link("generated/papers/2026-07.md", "generated/models/gpt-4.md") == "../../models/gpt-4/"
    assert relative_link("generated/models/index.md", "generated/models/gpt-4.md") == "gpt-4/"
    assert relative_link("generated/models/gpt-4.md", "generated/models/llama-2-70b.md") == "../llama-2-70b/"
