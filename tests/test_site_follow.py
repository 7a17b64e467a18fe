"""Follow in the built site (issue 23): each followed page names its Atom feed in its head and shows a Follow button.

On the session's small built site (tests/site_fixtures.py: ``llm-atlas build``, strict, from the 2026-07-01 listing,
25 older real papers and a paper whose title is a ``<script>``), served once and opened in Chromium: the feed
link a reader's autodiscovery finds, the button a person finds (by its role and accessible name), the feed
files MkDocs copied into the site with their links absolute under ``site_url``, the Follow page and its OPML file.
Accessibility of the pages with the button: tests/test_site_a11y.py (topic, model and family pages); of the
Follow page: here, with the same axe-core run.
"""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import MEASURED
from site_fixtures import BuiltSite, scratch_site_url
from test_site_a11y import AXE, AXE_RUN, DESKTOP, PHONE, open_page

FOLLOWED = {  # page: (its feed, the name its button and head link carry)
    "generated/topics/rag/": ("generated/feeds/topics/rag.xml", "RAG & retrieval"),
    "generated/models/gpt-4/": ("generated/feeds/models/gpt-4.xml", "GPT-4"),
    "generated/families/llama/": ("generated/feeds/families/llama.xml", "LLaMA / Llama"),
}


def test_followed_pages_link_their_feed_and_show_a_named_follow_button(server: str, browser: object) -> None:
    for path, (feed, name) in FOLLOWED.items():
        context = browser.new_context()  # type: ignore[attr-defined]
        failed: list[str] = []
        context.on("response", lambda r, failed=failed: failed.append(r.url) if r.status >= 400 else None)
        page = context.new_page()
        assert page.goto(server + path, wait_until="load").status == 200
        page.wait_for_timeout(300)
        # autodiscovery: the page's own Atom feed first, the site's weekly RSS feed after it
        links = page.eval_on_selector_all('head link[rel~="alternate"][type]',
                                          "els => els.map(e => [e.type, e.href, e.title])")
        assert links[0] == ["application/atom+xml", server + feed, f"LLM Atlas: {name}" + (
            "" if "/models/" in path else " (topic)" if "/topics/" in path else " (family)")], links
        assert [t for t, _, _ in links] == ["application/atom+xml", "application/rss+xml"]
        # a person: a visible link whose accessible name starts with the word it shows, under the page's title
        button = page.get_by_role("link", name=f"Follow {name}: Atom feed of the newest papers", exact=True)
        assert button.count() == 1 and button.is_visible() and button.inner_text().strip() == "Follow"
        assert button.get_attribute("href") and page.evaluate(
            "() => document.querySelector('h1').compareDocumentPosition(document.querySelector('.atlas-follow')) & 4")
        with urllib.request.urlopen(server + feed, timeout=10) as response:  # noqa: S310 - local server
            assert b"<feed" in response.read(300)
        assert failed == [], (path, failed)
        context.close()


def test_the_built_feeds_parse_with_links_under_the_site_address(built_site: BuiltSite) -> None:
    base = scratch_site_url(built_site.root)
    feeds = sorted((built_site.site / "generated" / "feeds").rglob("*.xml"))
    assert len(feeds) > 200
    entries = 0
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        relative = path.relative_to(built_site.site).as_posix()
        assert feed.bozo == 0 and feed.version == "atom10" and feed.feed.id == base + relative, relative
        assert len(feed.entries) <= 50
        for entry in feed.entries:
            for link in entry.links:
                assert link.href.startswith(("https://arxiv.org/abs/", base)), link.href
                if link.href.startswith(base):  # the paper's entry on its month page: a built page
                    folder, anchor = link.href[len(base):].split("#")
                    assert f'id="{anchor}"' in (built_site.site / folder / "index.html").read_text(encoding="utf-8")
        entries += len(feed.entries)
    size = sum(p.stat().st_size for p in feeds)
    MEASURED.append(f"follow feeds (small site): {len(feeds)} feeds, {entries} entries, {size / 1e3:.0f} KB")


def test_the_follow_page_and_the_opml_file(built_site: BuiltSite) -> None:
    base = scratch_site_url(built_site.root)
    site = built_site.site
    page = (site / "generated" / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "Why a search has no feed" in page and 'download="llm-atlas.opml"' in page
    opml = ET.parse(site / "generated" / "feeds" / "llm-atlas.opml").getroot()
    urls = [o.get("xmlUrl", "") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert len(urls) > 200 and all(url.startswith(base) for url in urls)
    assert all((site / url[len(base):]).is_file() for url in urls)  # every feed it lists is in the site
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="generated/feeds/"' in home  # the Follow page is in the navigation


@pytest.mark.parametrize(("width", "scheme"), [(DESKTOP, "light"), (PHONE, "dark")],
                         ids=["desktop-light", "phone-dark"])
def test_axe_finds_no_serious_violation_on_the_follow_page(server: str, browser: object, width: int,
                                                            scheme: str) -> None:
    page = open_page(browser, server + "generated/feeds/", width, scheme)
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    violations = page.evaluate(AXE_RUN)  # type: ignore[attr-defined]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    MEASURED.append(f"axe-core follow page ({width} px, {scheme}): {len(serious)} serious or critical violations, "
                    f"{len(violations) - len(serious)} minor or moderate ({', '.join(v['id'] for v in violations)})")
    assert serious == [], serious
    assert page.evaluate("() => document.documentElement.scrollWidth") == width  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
