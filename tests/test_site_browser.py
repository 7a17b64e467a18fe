"""The built site in a real browser: headless Debian chromium driven by playwright, served by a static server.

The site is the session's small built site (tests/site_fixtures.py: ``llm-atlas build``, strict, in a scratch
copy of the repository from a small real store: the 2026-07-01 listing, 25 real papers with version histories,
and one paper whose title is a ``<script>``). Then the home page, a Learn page, a model page, a digest and a
topic page are opened: no console error, every internal link answers 200 (and same-page anchors exist), the
Learn page shows the output its program printed at build time, and the ``<script>`` title is shown as text, with
no dialog.

The search page (site/search/) answers three queries in the browser with the top ten of
``llm-atlas search --method site`` (overlap >= 0.9) and close to the CLI's hybrid (>= 0.6), within the byte
budget of its first answer by meaning (1.5 MB, counted by Chromium), filters by model and date as the CLI
does, and "More like this" equals ``llm-atlas related``; overlaps, bytes and times are printed.

Only the chosen Learn page runs its programs in the scratch copy (see tests/site_fixtures.py); all programs run
in tests/test_snippets.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from conftest import MEASURED
from site_fixtures import SCRIPT_TITLE, BuiltSite, atlas_env

from tracker.site.pages.paging import MONTH_PAGE_SIZE


@dataclass
class Visit:
    url: str
    status: int
    console_errors: list[str]
    dialogs: list[str]
    outside_requests: list[str]
    links: list[str]  # absolute hrefs of the page's <a> elements
    missing_anchors: list[str]  # same-page #fragments with no element of that id
    page: object


def visit(browser: object, base: str, path: str) -> Visit:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)

    def route(request_route: object) -> None:
        # nothing may come from outside the site (no CDN): note it, and refuse it
        url = request_route.request.url  # type: ignore[attr-defined]
        if url.startswith(base) or url.startswith("data:"):
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            request_route.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    response = page.goto(base + path, wait_until="load")
    page.wait_for_timeout(500)  # scripts that run after load (search worker, KaTeX) get to report errors
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    fragments = page.eval_on_selector_all(
        "a[href^='#']", "els => els.map(e => decodeURIComponent(e.getAttribute('href').slice(1))).filter(f => f)")
    missing = [f for f in sorted(set(fragments)) if not page.evaluate("id => !!document.getElementById(id)", f)]
    return Visit(base + path, response.status if response else 0, errors, dialogs, outside, links, missing, page)


def broken_internal_links(base: str, links: list[str]) -> list[str]:
    broken = []
    for link in sorted({urldefrag(link)[0] for link in links if link.startswith(base)}):
        try:
            with urllib.request.urlopen(link, timeout=10) as response:  # noqa: S310 - our own local server
                if response.status != 200:
                    broken.append(f"{link} ({response.status})")
        except urllib.error.HTTPError as error:
            broken.append(f"{link} ({error.code})")
    return broken


def model_page_with_the_script_paper(site: Path) -> str:
    page = site / "generated" / "models" / "gpt-4" / "index.html"
    assert page.exists(), "the catalog has no gpt-4 page"
    return "generated/models/gpt-4/"


def learn_path(built: BuiltSite) -> str:
    assert built.learn_md is not None, "no Learn page runs a program (docs/learn/*.md with exec=\"true\")"
    stem = built.learn_md.stem
    return "learn/" if stem == "index" else f"learn/{stem}/"


def pages_to_open(built: BuiltSite) -> dict[str, str]:
    digests = built.site / "generated" / "digests"
    weeks = sorted(p.name for p in digests.iterdir() if p.is_dir() and p.name.startswith("2026-W"))
    return {
        "home": "",
        "learn": learn_path(built),
        "model": model_page_with_the_script_paper(built.site),
        "week": f"generated/digests/{weeks[-1]}/",  # the week's digest: themes, models, topics
        "digest": f"generated/digests/{weeks[-1]}/all/",  # the week's list of papers by topic
        "topic": "generated/topics/rag/",
        "month": "generated/papers/2026-07/",
    }


@pytest.mark.parametrize("kind", ["home", "learn", "model", "week", "digest", "topic", "month"])
def test_page_opens_cleanly_with_working_links(built_site: BuiltSite, server: str, browser: object, kind: str) -> None:
    path = pages_to_open(built_site)[kind]
    seen = visit(browser, server, path)
    assert seen.status == 200, seen.url
    assert seen.console_errors == [], seen.console_errors
    assert seen.dialogs == [], seen.dialogs
    assert seen.outside_requests == [], seen.outside_requests
    assert len(seen.links) > 10
    assert broken_internal_links(server, seen.links) == []
    assert seen.missing_anchors == []
    if kind in ("home", "model", "digest", "topic", "month"):
        # the injected title is on these pages, shown as text: the tag is in textContent, not in the DOM (the
        # month page's full entry, or a compact row elsewhere whose title links to that entry)
        title = seen.page.locator(  # type: ignore[attr-defined]
            '[data-arxiv-id="2607.99998"] .atlas-paper__title, li[data-arxiv-id="2607.99998"] > a').first
        assert SCRIPT_TITLE in title.text_content()
        assert seen.page.locator('[data-arxiv-id="2607.99998"] script').count() == 0  # type: ignore[attr-defined]
        assert seen.page.locator('[data-arxiv-id="2607.99998"] img').count() == 0  # type: ignore[attr-defined]
    seen.page.context.close()  # type: ignore[attr-defined]


OUTPUTS_JS = """() => [...document.querySelectorAll('.highlight .filename')]
    .filter(title => title.textContent.trim().startsWith('docs/snippets/'))
    .map(title => { const next = title.closest('.highlight').nextElementSibling;
                    return next && !/^H[1-6]$/.test(next.tagName) ? next.innerText : ''; })"""


def test_learn_page_shows_the_output_of_its_program(built_site: BuiltSite, server: str, browser: object) -> None:
    """markdown-exec puts what a program prints right after its code (source="above")."""
    seen = visit(browser, server, learn_path(built_site))
    outputs = seen.page.evaluate(OUTPUTS_JS)  # type: ignore[attr-defined]
    assert outputs and all(o.strip() for o in outputs), f"no program output after the code: {outputs!r}"
    # the printed lines are in neither the page's Markdown nor its programs: running them made those lines
    source = built_site.learn_md.read_text(encoding="utf-8")  # type: ignore[union-attr]
    for included in re.findall(r'^--8<-- "([^"]+)"$', source, flags=re.MULTILINE):
        source += (built_site.root / "docs" / included).read_text(encoding="utf-8")
    for output in outputs:
        assert "Traceback" not in output and "Error" not in output.split("\n")[0]
        lines = [line.strip() for line in output.splitlines() if len(line.strip()) > 20]
        assert lines and not any(line in source for line in lines), output
    seen.page.context.close()  # type: ignore[attr-defined]


def test_feed_is_served_with_absolute_links(built_site: BuiltSite, server: str) -> None:
    import feedparser

    with urllib.request.urlopen(server + "generated/feed.xml", timeout=10) as response:  # noqa: S310
        feed = feedparser.parse(response.read())
    assert feed.bozo == 0 and feed.version == "rss20" and feed.entries
    link = urlparse(feed.entries[0].link)
    # absolute, under mkdocs.yml's site_url (always set; tests/test_site_a11y.py checks which address)
    assert link.scheme == "https" and link.netloc and "/generated/digests/2026-W" in link.path, feed.entries[0].link


def month_page_of(site: Path, paper_id: str) -> str:
    for html in sorted((site / "generated" / "papers").rglob("index.html")):
        if f'id="paper-{paper_id}"' in html.read_text(encoding="utf-8"):
            return html.parent.relative_to(site).as_posix() + "/"
    raise AssertionError(f"{paper_id} is on no month page")


def test_month_page_opens_abstracts_and_bibtex_from_their_files(built_site: BuiltSite, server: str,
                                                               browser: object) -> None:
    """A link to a paper's entry opens its abstract (loaded from its abstracts file, put in as text); the page's
    BibTeX button downloads every entry of the page."""
    path = month_page_of(built_site.site, "2607.99998")
    seen = visit(browser, server, path + "#paper-2607.99998")
    page = seen.page
    entry = page.locator("#paper-2607\\.99998")  # type: ignore[attr-defined]
    body = entry.locator(".atlas-paper__abstract-body > p").first
    body.wait_for(timeout=10_000)
    assert body.text_content().startswith("We use retrieval-augmented generation (RAG) with GPT-4.")
    assert "<img src=x onerror=alert(2)>" in body.text_content() and entry.locator("img").count() == 0
    assert "eprint = {2607.99998}" in entry.locator(".atlas-paper__bib code").text_content()
    # another paper's abstract opens on a click, from its own file
    other = page.locator("article.atlas-paper").nth(MONTH_PAGE_SIZE - 1)  # type: ignore[attr-defined]
    other.locator("summary").first.click()
    other.locator(".atlas-paper__abstract-body > p").first.wait_for(timeout=10_000)
    other_id = other.get_attribute("data-arxiv-id")
    assert other.locator(".atlas-paper__bib code").text_content().count(f"eprint = {{{other_id}}}") == 1
    with page.expect_download() as download:
        page.locator("button.atlas-bib__button").click()
    bib = Path(download.value.path()).read_text(encoding="utf-8")
    shown = page.eval_on_selector_all("article.atlas-paper", "els => els.map(e => e.dataset.arxivId)")
    assert re.findall(r"eprint = \{([^}]+)\}", bib) == shown and len(shown) == MONTH_PAGE_SIZE
    assert download.value.suggested_filename.endswith(".bib")
    assert seen.console_errors == [] and seen.outside_requests == []
    page.context.close()


def test_theme_word_index_does_not_grow_with_the_store(built_site: BuiltSite) -> None:
    """The theme's index, fetched by every page, holds hand-written pages and the catalog's facts only: no
    paper lists, digests, per-month charts or tables, or pagers (they grow with the store and its months)."""
    index = json.loads((built_site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert any(loc.startswith("generated/models/") for loc in locations)  # the catalog's facts are there
    assert not [loc for loc in locations if loc.startswith(("generated/digests/", "generated/papers/2"))]
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("generated/"))
    assert "papers per month" not in text and not re.search(r"\b20\d\d-\d\d: \d+ papers?", text)
    assert "2607.99998" not in text and "pwned" not in text


def test_no_built_html_carries_the_injected_tags(built_site: BuiltSite) -> None:
    """Every page that lists the paper has its title escaped in the HTML itself, not only in the browser's view."""
    listed = 0
    for page in built_site.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<script>alert("pwned")' not in html and "<img src=x onerror" not in html, page
        listed += "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert listed >= 5  # home, month page, digest, topic page, model page at least


# -- the search page (issue 8) ---------------------------------------------------------------------
SEARCH_QUERIES = (
    "retrieval-augmented generation over documents",
    "teaching language models to reason step by step with reinforcement learning",
    "making large language model inference faster and cheaper",
)
FINAL = "#atlas-search-results[data-stage=final]"
HITS_JS = """() => [...document.querySelectorAll('#atlas-search-results [data-arxiv-id]')].map(e => ({
    id: e.dataset.arxivId, models: e.dataset.models, published: e.dataset.published,
    title: e.querySelector('.atlas-hit__title').textContent}))"""


def cli(built: BuiltSite, onnx_cache: Path, *args: str) -> list[str]:
    completed = subprocess.run([sys.executable, "-m", "tracker", *args, "--json"], cwd=built.root,
                               env=atlas_env(built.root, onnx_cache), capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    import json

    return [hit["id"] for hit in json.loads(completed.stdout)]


def page_hits(page: object) -> list[dict[str, str]]:
    page.wait_for_selector(FINAL, timeout=180_000)  # type: ignore[attr-defined]
    return page.evaluate(HITS_JS)  # type: ignore[attr-defined, no-any-return]


# The first answer by meaning must cost at most this much (issue 15: gzip, cold cache, page and code included).
FIRST_ANSWER_BUDGET = 1_500_000


def count_bytes(context: object) -> list[int]:
    """Bytes each finished request of the context took on the wire (body + headers), as Chromium counts them."""
    received: list[int] = []

    def finished(request: object) -> None:
        sizes = request.sizes()  # type: ignore[attr-defined]
        received.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])

    context.on("requestfinished", finished)  # type: ignore[attr-defined]
    return received


@pytest.mark.parametrize("query", SEARCH_QUERIES)
def test_search_page_answers_as_the_cli_does(built_site: BuiltSite, server: str, browser: object, onnx_cache: Path,
                                            query: str) -> None:
    from urllib.parse import quote

    context = browser.new_context()  # type: ignore[attr-defined]
    received = count_bytes(context)
    outside: list[str] = []

    def route(request_route: object) -> None:  # nothing may come from outside the site (no CDN)
        url = request_route.request.url  # type: ignore[attr-defined]
        if url.startswith(server) or url.startswith("data:"):
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            request_route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}search/?query={quote(query)}")
    hits = page_hits(page)
    spent = sum(received)
    timing = page.evaluate("window.atlasSearchTiming")
    site = cli(built_site, onnx_cache, "search", query, "-k", "10", "--method", "site")
    hybrid = cli(built_site, onnx_cache, "search", query, "-k", "10")
    with_site = len({h["id"] for h in hits[:10]} & set(site)) / 10
    with_hybrid = len({h["id"] for h in hits[:10]} & set(hybrid)) / 10
    MEASURED.append(f"search page {query!r}: top-10 overlap with `search --method site` {with_site:.1f}, with the CLI "
                    f"hybrid {with_hybrid:.1f}; {spent:,} bytes before the first answer by meaning; first answer "
                    f"(words) {timing['firstAnswer']:.0f} ms, by meaning {timing['firstSemantic']:.0f} ms")
    assert len(site) == 10 and with_site >= 0.9, (hits[:10], site)
    assert with_hybrid >= 0.6, (hits[:10], hybrid)
    assert spent <= FIRST_ANSWER_BUDGET, spent
    assert errors == [] and outside == []
    assert page.locator("#atlas-search").count() == 1
    context.close()


def test_search_page_typing_filters_and_more_like_this(built_site: BuiltSite, server: str, browser: object,
                                                      onnx_cache: Path) -> None:
    seen = visit(browser, server, "search/")
    page = seen.page
    query = "Retrieval-augmented generation for GPT-4"
    page.fill("#atlas-search", query)  # type: ignore[attr-defined]
    page.press("#atlas-search", "Enter")  # type: ignore[attr-defined]
    hits = page_hits(page)
    # the injected title is found and shown as text: no script ran, none was added to the page
    script_hit = [h for h in hits if h["id"] == "2607.99998"]
    assert script_hit and script_hit[0]["title"] == SCRIPT_TITLE
    assert page.locator("#atlas-search-results script, #atlas-search-results img").count() == 0  # type: ignore[attr-defined]
    assert "query=Retrieval-augmented" in page.url  # type: ignore[attr-defined]

    # model filter: every hit is linked to the model, as `llm-atlas search --model`
    page.select_option("#atlas-search-model", "gpt-4")  # type: ignore[attr-defined]
    page.wait_for_function("() => new URL(location.href).searchParams.get('model') === 'gpt-4'")  # type: ignore[attr-defined]
    hits = page_hits(page)
    assert hits and all("gpt-4" in h["models"].split() for h in hits)
    expected = cli(built_site, onnx_cache, "search", query, "-k", "10", "--model", "gpt-4", "--method", "site")
    assert {h["id"] for h in hits[:10]} == set(expected)

    # date filter
    page.select_option("#atlas-search-model", "")  # type: ignore[attr-defined]
    page.fill("#atlas-search-since", "2026-06-30")  # type: ignore[attr-defined]
    page.fill("#atlas-search-until", "2026-07-01")  # type: ignore[attr-defined]
    page.dispatch_event("#atlas-search-until", "change")  # type: ignore[attr-defined]
    page.wait_for_function("() => new URL(location.href).searchParams.get('until') === '2026-07-01'")  # type: ignore[attr-defined]
    hits = page_hits(page)
    assert hits and all("2026-06-30" <= h["published"] <= "2026-07-01" for h in hits)

    # More like this: the paper's neighbours by vector, without the paper itself, as `llm-atlas related`
    page.fill("#atlas-search-since", "")  # type: ignore[attr-defined]
    page.fill("#atlas-search-until", "")  # type: ignore[attr-defined]
    page.dispatch_event("#atlas-search-until", "change")  # type: ignore[attr-defined]
    seed = page_hits(page)[0]["id"]
    page.locator(f'[data-arxiv-id="{seed}"] .atlas-hit__like').click()  # type: ignore[attr-defined]
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('like') === '{seed}'")  # type: ignore[attr-defined]
    page.wait_for_selector("#atlas-search-results[data-method=like]")  # type: ignore[attr-defined]
    neighbours = [h["id"] for h in page_hits(page)][:10]
    assert seed not in neighbours
    related = cli(built_site, onnx_cache, "related", seed, "-k", "10")
    assert neighbours == related  # precomputed exactly at build time
    assert seen.console_errors == [] and seen.outside_requests == [] and seen.dialogs == []
    page.context.close()  # type: ignore[attr-defined]


def test_each_papers_entry_links_to_more_like_this(built_site: BuiltSite) -> None:
    """Each paper's entry (on its month page) links to its neighbours; compact rows elsewhere link to the entry."""
    html = (built_site.site / "generated" / "papers" / "2026-07" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../search/?like=2607.99998"' in html
    model = (built_site.site / "generated" / "models" / "gpt-4" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../papers/2026-07/#paper-2607.99998"' in model


def test_search_page_answers_by_words_when_the_model_cannot_load(built_site: BuiltSite, server: str, browser: object,
                                                                 onnx_cache: Path) -> None:
    from urllib.parse import quote

    context = browser.new_context()  # type: ignore[attr-defined]
    context.route("**/generated/search/t/*", lambda route: route.abort())  # no token vectors: no meaning
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    query = "retrieval-augmented generation over documents"
    page.goto(f"{server}search/?query={quote(query)}")
    hits = page_hits(page)
    assert page.get_attribute("#atlas-search-results", "data-method") == "bm25"
    assert "did not load" in page.inner_text("#atlas-search-status")
    expected = cli(built_site, onnx_cache, "search", query, "-k", "10", "--method", "bm25")
    assert len({h["id"] for h in hits[:10]} & set(expected)) >= 9  # cut postings, uint8 weights: BM25 all the same
    assert errors == []
    context.close()


def test_the_search_page_owns_its_address(built_site: BuiltSite, server: str, browser: object) -> None:
    """The home page's box, a shared link and a reload show our results and never open the theme's own search
    dialog (it opens on any address carrying ?q=, which is why the page's parameter is `query`)."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server)
    box = page.locator("form.atlas-search input[type=search]")
    box.fill("retrieval-augmented generation over documents")
    box.press("Enter")
    page.wait_for_url("**/search/?query=*")
    for attempt in ("from the home page", "after a reload"):
        hits = page_hits(page)
        assert hits, attempt
        assert page.locator("#atlas-search").input_value() == "retrieval-augmented generation over documents"
        assert page.eval_on_selector("#__search", "toggle => toggle.checked") is False, attempt  # dialog closed
        assert "q=" not in page.url.replace("query=", ""), page.url
        page.reload()
    context.close()
