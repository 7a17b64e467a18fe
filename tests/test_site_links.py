"""No link of the site leads nowhere (issue 26): a crawl of the built test site, and every link of the rendered
pages with every list split over several pages.

The small built site (tests/site_fixtures.py) has no list long enough to need a second page, so the pagers'
links are checked on the rendered pages with page sizes of a few papers (the bundled site had 60 dead links:
every "family only" list's pages 2, 3 … linked to a first page that was never written).
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import CORPUS_DAY, KAGGLE_SAMPLE, REPO
from site_fixtures import BuiltSite

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.site.engine import SiteData, page_url
from tracker.site.pages import catalog_pages, paging
from tracker.site.render import render_pages
from tracker.store import PaperStore

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)  # http:, mailto:, javascript:, data:, //host


class _Links(HTMLParser):
    """Every address an HTML page asks for: href and src of any element (links, scripts, styles, images)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def internal(address: str) -> str | None:
    """The path part of a link inside the site, or None for one outside it or to the same page."""
    if EXTERNAL.match(address):
        return None
    path = unquote(urlsplit(address).path)
    return path or None


def site_base(site: Path) -> str:
    """The site's path on its host ("/llm-atlas/" for https://owner.github.io/llm-atlas/): MkDocs writes the 404
    page's links from it, since that page is served at any depth. Read from the sitemap's first address."""
    found = re.search(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    return urlsplit(found.group(1)).path if found else "/"


def broken_links(site: Path) -> list[str]:
    """``page -> address`` for every internal link of every built HTML page that names no file of the site, or,
    into a generated page (``generated/``: a paper's entry ``#paper-ID``, a topic's heading in a week's list …),
    no element of that page. (Anchors into the Learn pages are left out: the test site switches off all but one
    page's programs, and a switched-off program's fence swallows the headings after it.)"""
    base_path = site_base(site)
    ids: dict[Path, set[str]] = {}
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = page.parent.relative_to(site).as_posix()
        for address in parser.found:
            path = internal(address)
            if path is None:
                continue
            if path.startswith("/"):
                if not path.startswith(base_path):
                    broken.append(f"{page.relative_to(site)} -> {address} (outside the site's {base_path})")
                    continue
                target = posixpath.normpath(path[len(base_path):] or ".")
            else:
                target = posixpath.normpath(posixpath.join(base, path))
            if target.startswith(".."):
                broken.append(f"{page.relative_to(site)} -> {address} (outside the site)")
                continue
            resolved = site / target
            if not (resolved.is_file() or (resolved / "index.html").is_file()):
                broken.append(f"{page.relative_to(site)} -> {address}")
                continue
            fragment = unquote(urlsplit(address).fragment)
            html = resolved if resolved.is_file() else resolved / "index.html"
            if fragment and html.suffix == ".html" and target.startswith("generated/"):
                if html not in ids:
                    ids[html] = set(re.findall(r'\bid="([^"]+)"', html.read_text(encoding="utf-8")))
                if fragment not in ids[html]:
                    broken.append(f"{page.relative_to(site)} -> {address} (no #{fragment} there)")
    return broken


def test_the_built_site_has_no_broken_internal_link(built_site: BuiltSite) -> None:
    pages = list(built_site.site.rglob("*.html"))
    assert len(pages) > 100  # the whole site: hand-written, generated and the theme's pages
    broken = broken_links(built_site.site)
    assert broken == [], f"{len(broken)} broken links, e.g. {broken[:10]}"


# -- the rendered pages, every list split over several pages ---------------------------------------------------
MD_LINK = re.compile(r'(?:href|src)="([^"]+)"|\]\(([^)\s]+)\)')


def rendered_targets(pages: dict[str, str]) -> set[str]:
    """Every address a link may lead to: the generated pages and files, and the hand-written pages and files."""
    docs = REPO / "docs"
    known = {page_url(path) if path.endswith(".md") else path for path in pages}
    for path in docs.rglob("*"):
        if path.is_file() and "generated" not in path.relative_to(docs).parts:
            relative = path.relative_to(docs).as_posix()
            known.add(page_url(relative) if relative.endswith(".md") else relative)
    return known


def rendered_broken_links(pages: dict[str, str]) -> list[str]:
    """HTML links go from the built page's address; Markdown links (``](x.md)``) from the page's file, as MkDocs
    reads them. Snippets (generated/snippets/) take their links from the page that includes them: the crawl of the
    built site checks those."""
    known = rendered_targets(pages)
    sources = set(pages) | {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")}
    broken = []
    for path, text in sorted(pages.items()):
        if not path.endswith(".md") or path.startswith("generated/snippets/"):
            continue
        for match in MD_LINK.finditer(text):
            target = internal(match.group(1) or match.group(2))
            if target is None or "{" in target:  # a template the browser fills in (the search page's)
                continue
            if match.group(2):
                if posixpath.normpath(posixpath.join(posixpath.dirname(path), target)) not in sources:
                    broken.append(f"{path} -> {target}")
                continue
            resolved = posixpath.normpath(posixpath.join(page_url(path), target))
            if resolved not in known and resolved.rstrip("/") + "/" not in known:
                broken.append(f"{path} -> {target}")
    return broken


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # page sizes of a few rows, so the model, family, topic and family-only lists all run over several pages
    papers: list[Paper] = [*{p.id: p for p in read_papers(CORPUS_DAY)}.values(), *read_papers(KAGGLE_SAMPLE)]
    store = PaperStore(tmp_path_factory.mktemp("store"))
    store.upsert(papers)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"))
    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(catalog_pages, "FAMILY_ROWS", 2)
        patch.setattr(paging.paginate, "__defaults__", (3,))
        return render_pages(data)
    finally:
        patch.undo()


def test_every_pager_link_leads_to_a_page(paged: dict[str, str]) -> None:
    family_only = [path for path in paged if "-family-only-p" in path]
    assert family_only, "no family-only list ran over a page: the test no longer covers their pagers"
    assert any(re.search(r"/models/[^/]+-p2\.md$", path) for path in paged)
    broken = rendered_broken_links(paged)
    assert broken == [], f"{len(broken)} broken links, e.g. {broken[:10]}"


def test_a_family_only_list_goes_back_to_the_family_page(paged: dict[str, str]) -> None:
    second = sorted(path for path in paged if path.endswith("-family-only-p2.md"))[0]
    family = second.rsplit("-family-only-p2.md", 1)[0].rsplit("/", 1)[1]
    text = paged[second]
    assert f'href="../{family}/"' in text  # "Back to" and the pager's "1": the family's own page
    assert f"{family}-family-only/" not in text
