"""Follow (issue 23): an Atom feed per topic, family and model, the Follow page and its OPML file, on real papers.

The 2026-07-01 listing and 25 older real papers (tests/test_pages.py's ``real_papers``) and one paper whose title
is a ``<script>``, rendered under a site address as the build renders them; each feed parsed by feedparser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import REPO
from test_pages import HOSTILE_TITLE, hostile_paper, real_papers, render

from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.site.atom import AUTHORS, atom_entry, first_sentences, xml_text
from tracker.site.engine import page_url
from tracker.site.pages.follow import FEED_SIZE, FEEDS, OPML
from tracker.site.render import write_pages
from tracker.site.text import tex_text

BASE = "https://example.org/atlas/"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return render(tmp_path_factory.mktemp("store"), real_papers() + [hostile_paper()], BASE)


def feeds_of(pages: dict[str, str]) -> dict[str, str]:
    return {path: text for path, text in pages.items() if path.startswith(FEEDS + "/") and path.endswith(".xml")}


def listed(page: str) -> list[str]:
    return re.findall(r'data-arxiv-id="([^"]+)"', page)


def front_matter(page: str) -> dict[str, object]:
    match = re.match(r"---\n(.*?)\n---\n", page, flags=re.S)
    assert match, page[:200]
    return yaml.safe_load(match.group(1))  # type: ignore[no-any-return]


def test_a_feed_for_every_topic_family_and_model(pages: dict[str, str]) -> None:
    catalog, topics = load_catalog(REPO / "catalog"), load_topics(REPO / "catalog")
    expected = ({f"{FEEDS}/topics/{t.id}.xml" for t in topics} | {f"{FEEDS}/families/{f}.xml" for f in catalog.families}
                | {f"{FEEDS}/models/{m}.xml" for m in catalog.models})
    assert set(feeds_of(pages)) == expected
    assert f"{FEEDS}/index.md" in pages and OPML in pages


def test_every_feed_parses_with_at_most_50_entries_newest_first_and_absolute_links(pages: dict[str, str]) -> None:
    months = {path for path in pages if path.startswith("generated/papers/")}
    for path, text in feeds_of(pages).items():
        feed = feedparser.parse(text)
        assert feed.bozo == 0 and feed.version == "atom10", (path, feed.get("bozo_exception"))
        assert len(feed.entries) <= FEED_SIZE, path
        assert feed.feed.id == BASE + path and feed.feed.title.startswith("LLM Atlas: ")
        assert {(link.rel, link.href) for link in feed.feed.links} >= {("self", BASE + path)}
        page = next(link.href for link in feed.feed.links if link.rel == "alternate")
        assert page.startswith(BASE + "generated/") and page.endswith("/"), page
        dates = [entry.published_parsed[:3] for entry in feed.entries]
        assert dates == sorted(dates, reverse=True), path  # newest first
        # the feed's updated is its newest paper's date (first submission or newer version), never the clock
        newest = max((entry.updated_parsed[:3] for entry in feed.entries), default=(1970, 1, 1))
        assert feed.feed.updated_parsed[:3] == newest, path
        for entry in feed.entries:
            arxiv_id = entry.id.removeprefix("https://arxiv.org/abs/")
            assert entry.link == entry.id and re.fullmatch(r"\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7}", arxiv_id)
            related = [link.href for link in entry.links if link.rel == "related"]
            assert len(related) == 1 and related[0].startswith(BASE), related
            # the paper's entry on its month page: that page lists it under that anchor
            month_url, anchor = related[0][len(BASE):].split("#")
            month = next(m for m in months if page_url(m) == month_url)
            assert anchor == "paper-" + arxiv_id.replace("/", "-") and f'id="{anchor}"' in pages[month]
            assert entry.title and entry.published and entry.summary
            assert len(entry.get("authors", [])) <= AUTHORS
            hrefs = re.findall(r'href="([^"]+)"', entry.summary)
            assert hrefs and all(href.startswith(("https://", "http://")) for href in hrefs)


def test_a_feed_holds_the_newest_50_of_its_page_in_the_pages_order(pages: dict[str, str]) -> None:
    topic = pages["generated/topics/multimodal.md"]
    total = int(re.search(r"\*\*(\d+)\*\* papers, newest first", topic).group(1))  # type: ignore[union-attr]
    assert total > FEED_SIZE  # a topic longer than a feed
    feed = feedparser.parse(pages[f"{FEEDS}/topics/multimodal.xml"])
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == listed(topic)[:FEED_SIZE]
    model = pages["generated/models/gpt-4.md"]
    assert [e.id.rsplit("/", 1)[1] for e in feedparser.parse(pages[f"{FEEDS}/models/gpt-4.xml"]).entries] == \
        listed(model)[:FEED_SIZE]
    # a family's feed: the papers that name one of its models and those that name the family only (the page's two
    # lists), newest first
    by_id = {p.id: p for p in [*real_papers(), hostile_paper()]}
    family = sorted(set(listed(pages["generated/families/llama.md"])), key=lambda i: (by_id[i].published, i),
                    reverse=True)
    llama = [e.id.rsplit("/", 1)[1] for e in feedparser.parse(pages[f"{FEEDS}/families/llama.xml"]).entries]
    assert llama and llama == family[:FEED_SIZE]


def test_outside_text_is_escaped_in_the_feed(pages: dict[str, str]) -> None:
    text = pages[f"{FEEDS}/topics/rag.xml"]
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    ET.fromstring(text)  # well-formed XML
    entry = next(e for e in feedparser.parse(text).entries if e.id.endswith("2607.99999"))
    assert entry.title == tex_text(HOSTILE_TITLE) and entry.title.startswith('<script>alert("x")</script>')
    assert entry.title_detail.type == "text/plain"  # shown as written, never read as markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry.summary  # the abstract's tag is text in the HTML
    assert [a.name for a in entry.authors] == ["Ève <b>Evil</b> Jr.", "Bob Builder"]


def test_characters_xml_forbids_are_dropped_and_long_abstracts_are_cut() -> None:
    paper = Paper(id="2607.99997", version=2, title="A \x0cform feed\x00 title", abstract="One. " * 200,
                  authors=[f"Author {n}" for n in range(AUTHORS + 3)], categories=["cs.CL"],
                  published=date(2026, 7, 1), updated=date(2026, 7, 3))
    xml = atom_entry(paper, BASE + "generated/papers/2026-07/#paper-2607.99997")
    root = ET.fromstring(xml)  # a fragment: the Atom namespace comes from the feed around it
    atom = ""
    assert root.findtext(f"{atom}title") == "A form feed title"
    assert len(root.findall(f"{atom}author")) == AUTHORS
    assert root.findtext(f"{atom}updated") == "2026-07-03T00:00:00Z"
    assert "3 more authors on arXiv" in (root.findtext(f"{atom}summary") or "")
    assert xml_text("a\x0bb\ufffec") == "abc"
    assert first_sentences("Short.") == "Short."
    cut = first_sentences("First sentence here. " * 30, 60)
    assert cut == "First sentence here. First sentence here. …"  # a third would pass 60
    assert first_sentences("word " * 100, 40).endswith("…") and len(first_sentences("word " * 100, 40)) <= 41
    assert first_sentences("We use e.g. Llama and GPT. " + "x" * 400, 60).startswith("We use e.g. Llama and GPT.")


def test_feeds_are_byte_identical_on_a_second_render_and_nothing_is_rewritten(tmp_path: Path) -> None:
    papers = real_papers() + [hostile_paper()]
    first = render(tmp_path / "a", papers, BASE)
    second = render(tmp_path / "b", list(reversed(papers)), BASE)
    followed = [p for p in first if p.startswith(FEEDS + "/")]
    assert len(followed) > 200 and {p: first[p] for p in followed} == {p: second[p] for p in followed}
    docs = tmp_path / "docs"
    write_pages(docs, {p: first[p] for p in followed})
    before = {p: (docs / p).stat().st_mtime_ns for p in followed}
    assert write_pages(docs, {p: second[p] for p in followed}) == (0, 0)
    assert {p: (docs / p).stat().st_mtime_ns for p in followed} == before


def test_followed_pages_name_their_feed_in_the_head_and_show_the_button(pages: dict[str, str]) -> None:
    for page, feed, name in (("generated/topics/rag.md", "topics/rag.xml", "RAG &amp; retrieval"),
                             ("generated/models/gpt-4.md", "models/gpt-4.xml", "GPT-4"),
                             ("generated/families/llama.md", "families/llama.xml", "LLaMA / Llama")):
        text = pages[page]
        meta = front_matter(text)["feed"]
        assert meta == {"path": f"{FEEDS}/{feed}", "type": "application/atom+xml",  # type: ignore[comparison-overlap]
                        "title": feedparser.parse(pages[f"{FEEDS}/{feed}"]).feed.title}
        button = re.search(r'<p class="atlas-follow" data-search-exclude><a class="md-button atlas-follow__button" '
                           r'href="\.\./\.\./feeds/' + re.escape(feed) + r'" type="application/atom\+xml" '
                           r'aria-label="Follow ' + re.escape(name) + r'[^"]*">.*?Follow</a>', text)
        assert button, page
        assert re.search(r'^# [^\n]+\n\n<p class="atlas-follow"', text, flags=re.M), page  # right under the title
    assert front_matter(pages["generated/topics/rag.md"])["search"] == {"exclude": True}  # kept beside the feed


def test_the_follow_page_lists_every_feed_and_the_opml_imports_them(pages: dict[str, str]) -> None:
    page = pages[f"{FEEDS}/index.md"]
    feeds = feeds_of(pages)
    linked = set(re.findall(r'href="([a-z]+/[^"]+\.xml)"', page))
    assert {f"{FEEDS}/{href}" for href in linked} == set(feeds)
    assert "## Why a search has no feed" in page and "catalog/topics.yaml" in page
    opml = ET.fromstring(pages[OPML])
    assert opml.tag == "opml" and opml.get("version") == "2.0"
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert set(urls) == {BASE + p for p in feeds} | {BASE + "generated/feed.xml"}
    assert all(o.get("type") == "rss" and o.get("htmlUrl", "").startswith(BASE) and o.get("text")
               for o in opml.iter("outline") if o.get("xmlUrl"))


def test_without_a_site_address_links_are_relative_to_the_feed(tmp_path: Path) -> None:
    pages = render(tmp_path, real_papers()[:40])
    feed = feedparser.parse(pages[f"{FEEDS}/topics/agents.xml"])
    assert feed.bozo == 0 and next(link.href for link in feed.feed.links if link.rel == "alternate") == \
        "../../topics/agents/"
    related = [link.href for e in feed.entries for link in e.links if link.rel == "related"]
    assert related and all(re.fullmatch(r"\.\./\.\./papers/\d{4}-\d{2}(-p\d+)?/#paper-[\w.\-]+", r) for r in related)
