"""The built site as readers use it (issue 16): accessibility, a phone's width, the feed and the sitemap.

On the session's small site (tests/site_fixtures.py: ``llm-atlas build``, strict, with the search page, in a
scratch copy of the repository from the 2026-07-01 listing, 25 older real papers and one paper whose title is a
``<script>``; the Learn page with display maths, attention, is the one that runs its programs), served once and
opened in Debian's chromium driven by playwright (both shared with tests/test_site_browser.py):

- axe-core (npm, pinned in package.json) on every kind of page (home, Learn, the models table, a model, a
  family, a month, a digest and the digests index, a topic, trends, the search page with results, the Library
  and For-you pages with a reader's library of three papers), at 1366 px in the light scheme and at 390 px in
  the dark one: no serious or critical violation;
- the models table and every family page fit a 390 px screen (no sideways scrolling of the page), and no
  word in their tables is broken inside at 390 or 1366 px;
- the feed parses (feedparser) with absolute links under ``site_url``, every page names it in a
  ``<link rel="alternate">``, and the sitemap lists the site's real URLs.

Counts are printed in the "measured" section. Without chromium or npm's axe-core the test fails, it does not skip.
"""

from __future__ import annotations

import json
import re
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import MEASURED, REPO
from site_fixtures import BuiltSite, scratch_site_url

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
LEARN_PAGE = "attention.md"  # display maths (KaTeX), a figure, code, tables: a demanding hand-written page
SEARCH_QUERY = "retrieval-augmented generation over documents"
PHONE, DESKTOP = 390, 1366

PAGES = {
    "home": "",
    "learn": "learn/attention/",
    "models": "generated/models/",
    "model": "generated/models/gpt-4/",
    "family": "generated/families/llama/",
    "month": "generated/papers/2026-07/",
    "digest": "generated/digests/2026-W27/",
    "digests": "generated/digests/",
    "topic": "generated/topics/rag/",
    "trends": "generated/trends/",
    "search": "search/",
    "library": "library/",
    "foryou": "for-you/",
}
# The reader's library (issue 23) on the pages that show it: starred papers (a pressed star's colour is checked on
# the month page), the Library page's list and For you's ranked list with its reasons.
LIBRARY = json.dumps({"version": 1, "papers": [
    {"id": "2607.99998", "title": '<script>alert("pwned")</script> Retrieval-augmented generation for GPT-4'},
    {"id": "2606.32038", "title": "Introspective Coupling"}, {"id": "2606.32033", "title": "SpheRoPE"}]})
WITH_LIBRARY = {"month", "library", "foryou"}


@pytest.fixture
def built(built_site: BuiltSite) -> Path:
    """The scratch repository of the session's built site (tests/site_fixtures.py); its site is under site/."""
    return built_site.root


def open_page(browser: object, url: str, width: int, scheme: str = "light", library: str | None = None) -> object:
    context = browser.new_context(viewport={"width": width, "height": 844}, color_scheme=scheme)  # type: ignore[attr-defined]
    if library is not None:  # the reader's library, stored before the page's scripts run
        context.add_init_script(f"localStorage.setItem('llm-atlas:library', {json.dumps(library)})")
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return page


# -- axe-core ---------------------------------------------------------------------------------------------------
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact,
        nodes: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n')[1])}));
}"""


@pytest.mark.parametrize(("width", "scheme"), [(DESKTOP, "light"), (PHONE, "dark")],
                         ids=["desktop-light", "phone-dark"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_violation(server: str, browser: object, kind: str, width: int, scheme: str) -> None:
    assert AXE.is_file(), f"{AXE} is missing: npm ci (make install does it)"
    page = open_page(browser, server + PAGES[kind], width, scheme, LIBRARY if kind in WITH_LIBRARY else None)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))  # type: ignore[attr-defined]
    if kind == "search":  # a query typed in the page's own box: results on screen, as a reader sees them
        page.fill("#atlas-search", SEARCH_QUERY)  # type: ignore[attr-defined]
        page.press("#atlas-search", "Enter")  # type: ignore[attr-defined]
        page.wait_for_selector("#atlas-search-results[data-stage=final] [data-arxiv-id]", timeout=180_000)  # type: ignore[attr-defined]
    if kind == "foryou":  # the ranked list, with its reasons and stars
        page.wait_for_selector("#atlas-foryou-results[data-stage=final] .atlas-hit__why", timeout=120_000)  # type: ignore[attr-defined]
    if kind == "library":
        page.wait_for_selector("#atlas-library-list > li")  # type: ignore[attr-defined]
    if kind == "learn":  # KaTeX renders after load: check the maths as shown
        page.wait_for_selector(".katex-display", timeout=30_000)  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert page.locator("article, .md-content").count() > 0  # type: ignore[attr-defined]
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    violations = page.evaluate(AXE_RUN)  # type: ignore[attr-defined]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    MEASURED.append(f"axe-core {kind} ({width} px, {scheme}): {len(serious)} serious or critical violations, "
                    f"{len(violations) - len(serious)} minor or moderate ({', '.join(v['id'] for v in violations)})")
    assert serious == [], json.dumps(serious, indent=1)[:4000]
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_the_search_dialog_override_is_the_themes_own_with_a_name() -> None:
    """overrides/partials/search.html differs from the pinned theme's partial by the dialog's aria-label only."""
    import material

    theirs = (Path(material.__file__).parent / "templates" / "partials" / "search.html").read_text(encoding="utf-8")
    ours = (REPO / "overrides" / "partials" / "search.html").read_text(encoding="utf-8")

    def body(text: str) -> str:
        return re.sub(r"^\{#-.*?-#\}\s*", "", text, flags=re.S)

    named = body(theirs).replace('role="dialog">', 'role="dialog" aria-label="{{ lang.t(\'search\') }}">', 1)
    assert body(ours) == named != body(theirs)


# -- a phone's width ----------------------------------------------------------------------------------------------
# Where a cell's text wraps, the line must break at a space or after a hyphen, a slash or before "(": never inside
# a word ("RoBERT|a-Large"). Each character's box is measured; a character on a lower line than the one before it
# starts a new line.
LAYOUT_JS = """() => {
    const broken = [];
    const cells = document.querySelectorAll('.md-typeset table.atlas-table td, .md-typeset table.atlas-table th');
    for (const cell of cells) {
        if (cell.offsetParent === null) continue;
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        let top = null, before = '';
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.textContent.length; i++) {
                const char = node.textContent[i], range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const box = range.getClientRects()[0];
                if (box && !/\\s/.test(char)) {
                    if (top !== null && box.top > top + 2 && !/[\\s\\-\\u2010\\u2013\\/]/.test(before) && char !== '(')
                        broken.push(cell.textContent.trim().slice(0, 60));
                    top = box.top;
                }
                before = char;
            }
        }
    }
    return {scroll: document.documentElement.scrollWidth, view: window.innerWidth, broken: [...new Set(broken)],
            headings: [...document.querySelectorAll('#atlas-models thead th')].filter(th => th.offsetParent)
                .map(th => th.textContent.trim())};
}"""


def layout(page: object) -> dict[str, object]:
    return page.evaluate(LAYOUT_JS)  # type: ignore[attr-defined, no-any-return]


def family_paths(built: Path) -> list[str]:
    families = sorted(p.name for p in (built / "site" / "generated" / "families").iterdir()
                      if p.is_dir() and not re.search(r"-p\d+$|-family-only", p.name))
    assert len(families) >= 20
    return [f"generated/families/{name}/" for name in families]


def test_the_models_table_fits_a_phone_and_breaks_no_word(built: Path, server: str, browser: object) -> None:
    phone = layout(open_page(browser, server + "generated/models/", PHONE))
    assert phone["scroll"] == PHONE, phone
    assert phone["broken"] == [], phone["broken"]
    # on a phone: the columns that matter; the rest on each model's page (and in the filters)
    assert phone["headings"] == ["Model", "Released", "Parameters", "Papers"]
    desktop = layout(open_page(browser, server + "generated/models/", DESKTOP))
    assert desktop["scroll"] == DESKTOP and desktop["broken"] == [], desktop["broken"]
    assert desktop["headings"] == ["Model", "Family", "Organization", "Released", "Parameters", "Context",
                                   "Open weights", "Papers"]
    MEASURED.append(f"models table: page {phone['scroll']} px wide at {PHONE} px (issue 16 saw 650 px), "
                    f"{desktop['scroll']} px at {DESKTOP} px; no word broken inside")


def test_every_family_page_fits_a_phone_and_breaks_no_word(built: Path, server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 844})  # type: ignore[attr-defined]
    too_wide, broken = {}, {}
    paths = family_paths(built)
    for path in paths:
        page = context.new_page()
        assert page.goto(server + path, wait_until="load").status == 200
        seen = layout(page)
        if seen["scroll"] != PHONE:
            too_wide[path] = seen["scroll"]
        if seen["broken"]:
            broken[path] = seen["broken"]
        page.close()
    context.close()
    assert too_wide == {} and broken == {}, (too_wide, broken)
    MEASURED.append(f"{len(paths)} family pages at {PHONE} px: none wider than the screen (issue 16 saw Falcon's "
                    "at 468 px), no word broken inside a table cell")


def test_a_wide_month_table_scrolls_in_its_box_and_takes_the_keyboard(server: str, browser: object) -> None:
    """Where the per-month table is wider than a phone, it scrolls inside itself and can be focused."""
    page = open_page(browser, server + "generated/families/gpt/", PHONE)
    page.wait_for_timeout(200)  # type: ignore[attr-defined]  # scroll-regions.js marks boxes in an animation frame
    box = page.evaluate("""() => { const t = document.querySelector('table.atlas-monthly');
        return t && {scrolls: t.scrollWidth > t.clientWidth, tabindex: t.getAttribute('tabindex'),
                     right: t.getBoundingClientRect().right}; }""")  # type: ignore[attr-defined]
    assert box is not None and box["right"] <= PHONE
    assert box["tabindex"] == ("0" if box["scrolls"] else None)


# -- the feed and the sitemap -------------------------------------------------------------------------------------
def test_feed_parses_with_absolute_links(built: Path, server: str) -> None:
    import feedparser

    base = scratch_site_url(built)
    with urllib.request.urlopen(server + "generated/feed.xml", timeout=10) as response:  # noqa: S310 - local server
        feed = feedparser.parse(response.read())
    assert feed.bozo == 0 and feed.version == "rss20" and len(feed.entries) >= 5
    assert feed.feed.link == base
    assert any(link.rel == "self" and link.href == base + "generated/feed.xml" for link in feed.feed.links)
    for entry in feed.entries:
        assert re.fullmatch(re.escape(base) + r"generated/digests/\d{4}-W\d\d/", entry.link), entry.link
        assert all(link.startswith("https://arxiv.org/abs/") for link in re.findall(r'href="([^"]+)"', entry.summary))
    MEASURED.append(f"feed: {len(feed.entries)} items, every link absolute under {base}")


def test_every_page_names_the_feed(server: str, browser: object) -> None:
    """Autodiscovery: rel has the token "alternate" and the RSS type; the link costs no failed request (the theme
    looks for sitemap.xml beside links whose rel is exactly "alternate")."""
    for kind, path in PAGES.items():
        context = browser.new_context()  # type: ignore[attr-defined]
        failed: list[str] = []
        context.on("response", lambda r, failed=failed: failed.append(r.url) if r.status >= 400 else None)
        page = context.new_page()
        assert page.goto(server + path, wait_until="load").status == 200
        page.wait_for_timeout(300)
        links = page.eval_on_selector_all(
            'head link[rel~="alternate"][type="application/rss+xml"]', "els => els.map(e => [e.href, e.title])")
        assert len(links) == 1, (kind, links)
        href, title = links[0]
        assert href == server + "generated/feed.xml" and title, (kind, href)
        assert failed == [], (kind, failed)
        context.close()
    with urllib.request.urlopen(server + "generated/feed.xml", timeout=10) as response:  # noqa: S310
        assert response.status == 200 and b"<rss" in response.read(200)


def test_sitemap_lists_the_real_urls(built: Path) -> None:
    base = scratch_site_url(built)
    root = ET.parse(built / "site" / "sitemap.xml").getroot()
    urls = [loc.text or "" for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = sum(1 for _ in (built / "site").rglob("index.html"))
    assert len(urls) >= 100 and len(urls) >= pages - 5, (len(urls), pages)
    assert all(url.startswith(base) for url in urls)
    for path in PAGES.values():
        assert base + path in urls, path
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', (built / "site" / "index.html").read_text())
    assert canonical and canonical.group(1) == base
    MEASURED.append(f"sitemap: {len(urls)} URLs under {base} ({pages} pages built)")
