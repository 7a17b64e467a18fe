"""Generated pages of issue 6: digests, topics, trends, feed, BibTeX, home — on real papers, escaped, stable."""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import CORPUS_DAY, KAGGLE_SAMPLE, REPO

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper, VersionRecord
from tracker.site.abstracts import ABSTRACT_CHUNK, abstract_files, chunk_path
from tracker.site.engine import SiteData
from tracker.site.pages.bibtex import bibtex_entry, bibtex_key, latex_escape
from tracker.site.pages.charts import Series, line_chart
from tracker.site.pages.paging import MONTH_PAGE_SIZE
from tracker.site.render import render_pages
from tracker.store import PaperStore
from tracker.weeks import paper_events, week_of

HOSTILE_TITLE = '<script>alert("x")</script> {Evil} 100% & $x_1$ #1 ~ RAG'


def hostile_paper() -> Paper:
    return Paper(
        id="2607.99999", version=1, title=HOSTILE_TITLE,
        abstract="Retrieval-augmented generation (RAG) with <img src=x onerror=alert(1)> and GPT-4.",
        authors=["Ève <b>Evil</b> Jr.", "Bob Builder"], categories=["cs.CL"],
        published=date(2026, 7, 1), updated=date(2026, 7, 1),
    )


def real_papers() -> list[Paper]:
    """The 2026-07-01 listing (one week, 2026-W27) and 25 real 2012–2025 papers with their version histories."""
    unique = {p.id: p for p in read_papers(CORPUS_DAY)}
    return list(unique.values()) + list(read_papers(KAGGLE_SAMPLE))


def render(tmp_path: Path, papers: list[Paper], site_url: str | None = None) -> dict[str, str]:
    store = PaperStore(tmp_path)
    store.upsert(papers)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"), site_url=site_url)
    return render_pages(data)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return render(tmp_path_factory.mktemp("store"), real_papers() + [hostile_paper()])


def test_every_section_is_generated(pages: dict[str, str]) -> None:
    assert {
        "generated/digests/index.md", "generated/digests/2026-W27.md", "generated/topics/index.md",
        "generated/topics/rag.md", "generated/trends.md", "generated/feed.xml", "generated/snippets/whats-new.md",
        "generated/papers/2026-07.md", "generated/papers/2026-07-p2.md",
    } <= set(pages)


def test_outside_strings_are_escaped_on_every_generated_page(pages: dict[str, str]) -> None:
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    for path in ("generated/digests/2026-W27/all.md", "generated/topics/rag.md", "generated/snippets/whats-new.md"):
        assert escaped in pages[path], path
    for path, text in pages.items():
        if path.endswith(".bib"):  # plain text for LaTeX, never HTML (its escaping is tested below)
            continue
        assert "<script" not in text and "<img" not in text and "<b>Evil" not in text, path
    # the feed carries HTML inside XML: escaped twice, so a reader shows the tag as text
    assert "&amp;lt;script&amp;gt;" in pages["generated/feed.xml"]


def test_papers_are_new_in_their_first_week_and_updated_in_later_weeks() -> None:
    papers = {p.id: p for p in read_papers(KAGGLE_SAMPLE)}
    revised = papers["2503.05378"]  # v1 2025-03-07, v2 2025-08-12
    assert [(e.kind, e.version, week_of(e.day)) for e in paper_events(revised)] == [
        ("new", 1, "2025-W10"), ("updated", 2, "2025-W33")]
    same_week = papers["2502.07719"]  # v1 2025-02-11, v2 2025-02-12: still just new that week
    assert [(e.kind, week_of(e.day)) for e in paper_events(same_week)] == [("new", "2025-W07")]
    # without a history, a version above 1 is dated by `updated`
    bare = revised.model_copy(update={"versions": []})
    assert [e.kind for e in paper_events(bare)] == ["new", "updated"]
    three = revised.model_copy(update={"version": 3, "versions": [
        VersionRecord(version=1, date=date(2025, 3, 7)), VersionRecord(version=2, date=date(2025, 8, 11)),
        VersionRecord(version=3, date=date(2025, 8, 13))]})
    assert [(e.kind, e.version) for e in paper_events(three)] == [("new", 1), ("updated", 3)]  # one per week


def test_digest_pages_list_new_and_updated_papers(pages: dict[str, str]) -> None:
    later = pages["generated/digests/2025-W33.md"]
    assert "**0** new papers and **1** updated" in later
    assert 'data-arxiv-id="2503.05378"' in pages["generated/digests/2025-W33/all.md"]
    first = pages["generated/digests/2025-W10.md"]
    assert 'data-arxiv-id="2503.05378"' in pages["generated/digests/2025-W10/all.md"]
    assert re.search(r"\*\*[1-9]\d*\*\* new papers? and \*\*0\*\* updated", first)
    week = pages["generated/digests/2026-W27.md"]
    # the week's page is short (rendered without vectors: no themes, and it says so); every paper is once on
    # the week's list, under its main topic, whose heading the week's topic table links to
    assert "## Themes of the week" in week and "No themes on this build" in week
    assert len(re.findall(r'data-arxiv-id="([^"]+)"', week)) < 20
    listed = re.findall(r'data-arxiv-id="([^"]+)"', pages["generated/digests/2026-W27/all.md"])
    assert len(listed) == len(set(listed)) > 250 and "generated/digests/2026-W27/all-p2.md" not in pages
    assert not any(re.fullmatch(r"generated/digests/2026-W27/(?!all)[^/]+\.md", path) for path in pages)
    assert '<a href="all/#topic-agents">Agents &amp; tool use</a>' in week
    assert "## Agents &amp; tool use { #topic-agents }" in pages["generated/digests/2026-W27/all.md"]
    assert "## Models named most this week" in week and "## Named for the first time" in week
    assert "atlas-paper__abstract" not in week  # abstracts are on the month pages only
    index = pages["generated/digests/index.md"]
    assert index.index("2026-W27") < index.index("2025-W33") < index.index("2025-W10")  # newest first


def test_long_lists_are_split_into_pages_with_every_paper_once(pages: dict[str, str]) -> None:
    expected = sum(1 for p in real_papers() if p.month == "2026-07") + 1
    count = -(-expected // MONTH_PAGE_SIZE)
    paths = ["generated/papers/2026-07.md"] + [f"generated/papers/2026-07-p{n}.md" for n in range(2, count + 1)]
    assert count >= 2 and all(p in pages for p in paths) and f"generated/papers/2026-07-p{count + 1}.md" not in pages
    month = [pages[p] for p in paths]
    ids = [i for text in month for i in re.findall(r'data-arxiv-id="([^"]+)"', text)]
    assert len(re.findall(r'data-arxiv-id', month[0])) == MONTH_PAGE_SIZE and len(ids) == len(set(ids)) == expected
    assert '<a href="../2026-07-p2/">2</a>' in month[0] and '<a href="../2026-07/">1</a>' in month[1]
    # the abstracts are not in the HTML: each page names its first paper's place in the month's abstracts files
    assert all("atlas-paper__abstract" not in text for text in month)
    assert [re.findall(r'data-first="(\d+)"', text) for text in month] == [
        [str(n * MONTH_PAGE_SIZE)] for n in range(count)]


def test_topic_pages_show_their_rules_and_papers(pages: dict[str, str]) -> None:
    rag = pages["generated/topics/rag.md"]
    assert "<code>retrieval-augmented</code>" in rag and 'data-arxiv-id="2607.99999"' in rag
    # a paper sits under several topics: its abstract is shown once, on its month page, and linked from here
    assert re.search(r'<a href="\.\./\.\./papers/2026-07(-p\d+)?/#paper-2607\.99999">', rag)
    assert "atlas-paper__abstract" not in rag
    index = pages["generated/topics/index.md"]
    assert '<a href="rag/">RAG &amp; retrieval</a>' in index and 'class="atlas-spark"' in index


def test_every_abstract_is_published_once_and_every_list_links_to_the_entry(pages: dict[str, str]) -> None:
    """Each paper's abstract and BibTeX are in one abstracts file, at the place its month page says; the month
    page lists its entry, every other list links there."""
    papers = sorted(real_papers() + [hostile_paper()], key=lambda p: (p.published, p.id), reverse=True)
    files = {path: json.loads(gzip.decompress(blob)) for path, blob in abstract_files(papers).items()}
    published = [entry["id"] for entries in files.values() for entry in entries]
    assert sorted(published) == sorted(p.id for p in papers)  # every paper once
    by_id = {p.id: p for p in papers}
    assert all(e["abstract"] == by_id[e["id"]].abstract and e["bibtex"] == bibtex_entry(by_id[e["id"]])
               for entries in files.values() for e in entries)
    for path, text in pages.items():
        if not (path.endswith(".md") and "data-arxiv-id" in text):
            continue
        listed = re.findall(r'data-arxiv-id="([^"]+)"', text)
        if path.startswith("generated/papers/"):
            folder = re.search(r'data-abstracts="\.\./\.\./abstracts/(\d{4}-\d{2})/" data-first="(\d+)"', text)
            assert folder, path
            month, first = folder.group(1), int(folder.group(2))
            for offset, paper_id in enumerate(listed):  # what abstracts.js reads for the page's paper i
                position = first + offset
                entry = files[chunk_path(month, position // ABSTRACT_CHUNK)][position % ABSTRACT_CHUNK]
                assert entry["id"] == paper_id, (path, offset)
            assert f'data-bib-name="{path.rsplit("/", 1)[1][:-3]}.bib"' in text
        else:
            assert "atlas-paper__abstract" not in text and not any(p.endswith(".bib") for p in re.findall(
                r'href="([^"]+)"', text)), path
            anchors = set(re.findall(r'href="[^"]*papers/\d{4}-\d{2}(?:-p\d+)?/#paper-([^"]+)"', text))
            assert set(listed) <= anchors, path
    assert not any(path.endswith(".bib") for path in pages)  # BibTeX is in the abstracts files
    assert abstract_files(papers) == abstract_files(list(papers))  # deterministic bytes


def test_bibtex_entries_are_escaped_with_stable_unique_keys(pages: dict[str, str]) -> None:
    entry = bibtex_entry(hostile_paper())
    assert entry.startswith("@misc{bevilb2026_2607.99999,\n")  # surname "<b>Evil</b>" (after "Jr.") in ASCII
    assert r"title = {{<script>alert(" in entry
    assert r"\{Evil\} 100\% \& \$x\_1\$ \#1 \~{} RAG}}" in entry
    assert "author = {Ève <b>Evil</b> Jr. and Bob Builder}" in entry
    assert entry.count("{") - entry.count(r"\{") == entry.count("}") - entry.count(r"\}")
    assert latex_escape("a\\b") == r"a\textbackslash{}b"
    keys = [bibtex_key(p) for p in real_papers()]
    assert len(keys) == len(set(keys)) and all(re.fullmatch(r"[a-z]+\d{4}_[\w.]+", k) for k in keys)


def test_feed_is_valid_rss_with_one_item_per_week(tmp_path: Path) -> None:
    papers = real_papers() + [hostile_paper()]
    relative = feedparser.parse(render(tmp_path / "a", papers)["generated/feed.xml"])
    assert relative.bozo == 0 and relative.version == "rss20"
    assert relative.entries[0].link == "digests/2026-W27/" and relative.entries[0].title.startswith("Week 2026-W27")
    assert [e.id for e in relative.entries][:2] == ["llm-atlas-digest-2026-W27", "llm-atlas-digest-2025-W33"]
    assert "&lt;script&gt;" in relative.entries[0].summary and "<script" not in relative.entries[0].summary
    assert relative.entries[0].published_parsed[:3] == (2026, 7, 5)  # the week's Sunday
    absolute = feedparser.parse(render(tmp_path / "b", papers, "https://example.org/atlas/")["generated/feed.xml"])
    assert absolute.bozo == 0 and absolute.entries[0].link == "https://example.org/atlas/generated/digests/2026-W27/"
    assert absolute.feed.link == "https://example.org/atlas/"


def test_charts_are_well_formed_svg_with_escaped_labels(pages: dict[str, str]) -> None:
    svg = line_chart('Papers <"&">', ["2026-W26", "2026-W27"], [Series("<script>x</script>", [3, 5])])
    root = ET.fromstring(str(svg))
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'Papers <"&">'  # type: ignore[union-attr]
    assert "<script>" not in str(svg)
    trends = pages["generated/trends.md"]
    charts = re.findall(r"<svg.*?</svg>", trends, flags=re.S)
    # 2026-W27, the store's only recent week, is not over: no line chart yet, the release chart only (the lines
    # over full weeks: tests/test_site_polish.py)
    assert len(charts) == 1 and trends.count("No full week yet") == 2
    for chart in charts:
        ET.fromstring(chart)
    assert "Papers per week by model family" in trends and "Model releases by size" in trends


def test_pages_are_deterministic(tmp_path: Path) -> None:
    papers = real_papers() + [hostile_paper()]
    assert render(tmp_path / "a", papers) == render(tmp_path / "b", list(reversed(papers)))


def test_navigation_lists_sections_not_papers() -> None:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    nav = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["nav"]  # noqa: S506
    targets = re.findall(r"generated/[^'\"\s}\]]+", str(nav))
    assert {"generated/digests/index.md", "generated/topics/index.md", "generated/trends.md"} <= set(targets)
    assert all(t.endswith(("index.md", "trends.md")) for t in targets)


def test_stale_generated_files_are_removed(tmp_path: Path) -> None:
    from tracker.site.render import write_pages

    docs = tmp_path / "docs"
    first = {"generated/a.md": "a", "generated/a.bib": "@misc{}", "generated/feed.xml": "<rss/>"}
    assert write_pages(docs, first) == (3, 0)
    (docs / "generated" / "vectors.bin").write_bytes(b"\0")  # not a kind render makes: left alone
    assert write_pages(docs, first) == (0, 0)  # nothing changed, nothing written
    assert write_pages(docs, {"generated/a.md": "a"}) == (0, 2)
    assert sorted(p.name for p in (docs / "generated").iterdir()) == ["a.md", "vectors.bin"]
