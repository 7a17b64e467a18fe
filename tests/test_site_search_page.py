"""The search page's results and messages in Chromium (issue 16), on the session's small site (tests/site_fixtures.py).

- each result shows a snippet of its abstract (fetched from ``generated/abstracts/`` for shown results only,
  as they come near the screen) with the query's words in ``<mark>``, its topics as chips linking to their
  pages, and a link to its entry on its month page; an abstract's tag stays text;
- a query with no indexable word ("???", "the of and") says so and lists nothing; a query whose best paper is
  under the measured floor, or most of whose words are in no paper, says "No good match" and shows at most
  five results, each marked as weak; real queries do not;
- a query in Chinese gets the note that the search reads English;
- reversed dates get a hint and a button that swaps them.
"""

from __future__ import annotations

import gzip
import json
import re
import urllib.request
from urllib.parse import quote, urljoin

from bm25s.stopwords import STOPWORDS_EN
from site_fixtures import SCRIPT_TITLE, BuiltSite
from test_site_browser import page_hits

from tracker.site.search_bundle import SEARCH_DIR

FINAL = "#atlas-search-results[data-stage=final]"  # attached: an empty list is not visible
SNIPPETS_READY = "#atlas-search-results[data-snippets=ready]"
HIT_DETAILS_JS = """() => [...document.querySelectorAll('#atlas-search-results .atlas-hit')].map(e => ({
    id: e.dataset.arxivId, topics: e.dataset.topics,
    snippet: e.querySelector('.atlas-hit__snippet').textContent,
    marks: [...e.querySelectorAll('.atlas-hit__snippet mark')].map(m => m.textContent),
    chips: [...e.querySelectorAll('a.atlas-chip--topic')].map(a => ({name: a.textContent, href: a.href})),
    entry: (e.querySelector('a.atlas-hit__entry') || {}).href || null,
    weak: e.classList.contains('atlas-hit--weak') && !!e.querySelector('.atlas-hit__weak')}))"""


def open_search(browser: object, server: str, query: str, **params: str) -> tuple[object, list[str], list[str]]:
    """A fresh context on search/?query=…; returns (page, page errors, URLs it requested)."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    requested: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    context.on("request", lambda r: requested.append(r.url))
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    page.goto(f"{server}search/?query={quote(query)}{extra}")
    return page, errors, requested


def details(page: object) -> list[dict]:
    page.wait_for_selector(SNIPPETS_READY, timeout=180_000)  # type: ignore[attr-defined]
    return page.evaluate(HIT_DETAILS_JS)  # type: ignore[attr-defined, no-any-return]


def answers(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own local server
        return response.status, response.read().decode("utf-8")


def test_results_show_snippets_topics_and_entries(built_site: BuiltSite, server: str, browser: object) -> None:
    from Stemmer import Stemmer

    query = "retrieval-augmented generation over documents"
    page, errors, requested = open_search(browser, server, query)
    page_hits(page)
    # the results near the screen get their snippets first; the others as the reader scrolls to them
    page.wait_for_selector(".atlas-hit__snippet[data-state=ready]")  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    first_screen = {u for u in requested if "/generated/abstracts/" in u}
    assert page.get_attribute("#atlas-search-results", "data-snippets") == ""  # type: ignore[attr-defined]
    for _ in range(30):
        if page.evaluate("innerHeight + scrollY >= document.body.scrollHeight - 2"):  # type: ignore[attr-defined]
            break
        page.mouse.wheel(0, 500)  # type: ignore[attr-defined]
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
    hits = details(page)
    assert len(hits) == 20
    # the query's words as the index has them: bm25s' English stop words out ("over" is not one of them), stemmed
    stems = {Stemmer("english").stemWord(w) for w in re.findall(r"\w\w+", query.lower()) if w not in STOPWORDS_EN}
    marked = [m for h in hits for m in h["marks"]]
    # most results' snippets mark the query's words, and only them (by stem)
    assert sum(bool(h["marks"]) for h in hits) >= 15, [h["snippet"] for h in hits]
    assert {Stemmer("english").stemWord(m.lower()) for m in marked} <= stems, set(marked)
    assert all(40 <= len(h["snippet"]) <= 254 for h in hits), [h["snippet"] for h in hits]
    # topic chips link to the topic's page
    chips = [c for h in hits for c in h["chips"]]
    assert chips and all(h["topics"] or not h["chips"] for h in hits)
    for chip in {c["href"] for c in chips}:
        assert "/generated/topics/" in chip and answers(chip)[0] == 200, chip
    # the entry link opens the paper's entry on its month page
    for hit in hits[:3]:
        assert hit["entry"] and hit["entry"].endswith(f"#paper-{hit['id']}"), hit["entry"]
        status, html = answers(hit["entry"].split("#")[0])
        assert status == 200 and f'id="paper-{hit["id"]}"' in html, hit["entry"]
    # abstracts: only the files of the shown results were fetched, each once
    abstracts = [u for u in requested if "/generated/abstracts/" in u]
    wanted = {urljoin(server, row_file(built_site, hit["id"])) for hit in hits}
    assert sorted(abstracts) == sorted(wanted), abstracts
    assert first_screen < wanted, (len(first_screen), len(wanted))
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def row_file(built: BuiltSite, paper_id: str) -> str:
    """The abstracts file (site path) holding a paper, read back from the bundle's metadata rows."""
    folder = built.site / SEARCH_DIR
    for chunk in sorted(folder.glob("p/*.gz")):
        for row in json.loads(gzip.decompress(chunk.read_bytes())):
            if row[0] == paper_id:
                month, number, _ = row[6].split("/")
                return f"generated/abstracts/{month}/{number}.json.gz"
    raise AssertionError(f"{paper_id} is in no metadata row")


def test_a_hostile_abstract_is_shown_as_text(built_site: BuiltSite, server: str, browser: object) -> None:
    page, errors, _ = open_search(browser, server, "onerror", method="bm25")  # a word of its abstract only
    hits = {h["id"]: h for h in details(page)}
    assert "2607.99998" in hits
    assert "<img src=x onerror=alert(2)>" in hits["2607.99998"]["snippet"]
    assert "onerror" in hits["2607.99998"]["marks"]
    assert page.locator("#atlas-search-results img, #atlas-search-results script").count() == 0  # type: ignore[attr-defined]
    assert SCRIPT_TITLE in page.inner_text('[data-arxiv-id="2607.99998"] .atlas-hit__title')  # type: ignore[attr-defined]
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]


def test_no_indexable_word_lists_nothing(built_site: BuiltSite, server: str, browser: object) -> None:
    for query in ("???", "the of and"):
        page, errors, _ = open_search(browser, server, query)
        page.wait_for_selector(FINAL, state="attached", timeout=180_000)  # type: ignore[attr-defined]
        assert page.get_attribute("#atlas-search-results", "data-match") == "no-words"  # type: ignore[attr-defined]
        assert page.locator("#atlas-search-results .atlas-hit").count() == 0  # type: ignore[attr-defined]
        status = page.inner_text("#atlas-search-status")  # type: ignore[attr-defined]
        assert f"Nothing to search for in “{query}”" in status, status
        assert errors == []
        page.context.close()  # type: ignore[attr-defined]


FLOOR_QUERIES = ("asdf qwer", "banana umbrella teapot", "chocolate cake recipe")


def test_no_good_match_under_the_floor(built_site: BuiltSite, server: str, browser: object) -> None:
    for query in FLOOR_QUERIES:
        page, errors, _ = open_search(browser, server, query)
        page.wait_for_selector(FINAL, state="attached", timeout=180_000)  # type: ignore[attr-defined]
        results = "#atlas-search-results"
        strength = float(page.get_attribute(results, "data-strength"))  # type: ignore[attr-defined, arg-type]
        assert page.get_attribute(results, "data-match") == "weak", (query, strength)  # type: ignore[attr-defined]
        status = page.inner_text("#atlas-search-status")  # type: ignore[attr-defined]
        assert f"No good match for “{query}”" in status, status
        hits = details(page)
        assert 1 <= len(hits) <= 5 and all(h["weak"] for h in hits), hits
        assert page.locator(".atlas-hit__weak").first.inner_text() == "Weak match"  # type: ignore[attr-defined]
        assert errors == []
        page.context.close()  # type: ignore[attr-defined]


def test_real_queries_are_over_the_floor(built_site: BuiltSite, server: str, browser: object) -> None:
    for query in ("retrieval-augmented generation over documents", "LoRA", "speculative decoding"):
        page, errors, _ = open_search(browser, server, query)
        page.wait_for_selector(FINAL, state="attached", timeout=180_000)  # type: ignore[attr-defined]
        strength = page.get_attribute("#atlas-search-results", "data-strength")  # type: ignore[attr-defined]
        assert page.get_attribute("#atlas-search-results", "data-match") == "good", (query, strength)  # type: ignore[attr-defined]
        assert page.locator("#atlas-search-results .atlas-hit").count() == 20  # type: ignore[attr-defined]
        assert page.locator(".atlas-search__note[data-note]").count() == 0  # type: ignore[attr-defined]
        page.context.close()  # type: ignore[attr-defined]


def test_a_query_not_in_english_gets_a_note(built_site: BuiltSite, server: str, browser: object) -> None:
    for query in ("大型语言模型的幻觉问题", "большие языковые модели"):
        page, errors, _ = open_search(browser, server, query)
        page.wait_for_selector(FINAL, state="attached", timeout=180_000)  # type: ignore[attr-defined]
        note = page.locator(".atlas-search__note[data-note=language]")  # type: ignore[attr-defined]
        assert note.count() == 1, page.inner_text("#atlas-search-status")  # type: ignore[attr-defined]
        assert "reads the papers' English titles and abstracts" in note.inner_text()
        assert errors == []
        page.context.close()  # type: ignore[attr-defined]


def test_reversed_dates_get_a_hint_and_a_swap(built_site: BuiltSite, server: str, browser: object) -> None:
    page, errors, _ = open_search(browser, server, "retrieval-augmented generation over documents",
                                  since="2026-07-01", until="2026-06-01")
    page.wait_for_selector("#atlas-search-results[data-stage=reversed]", state="attached")  # type: ignore[attr-defined]
    status = page.inner_text("#atlas-search-status")  # type: ignore[attr-defined]
    assert "The dates are reversed" in status and "2026-07-01" in status and "No paper matches" not in status
    assert page.locator("#atlas-search-results .atlas-hit").count() == 0  # type: ignore[attr-defined]
    page.click("button.atlas-search__swap")  # type: ignore[attr-defined]
    hits = page_hits(page)
    assert hits and all("2026-06-01" <= h["published"] <= "2026-07-01" for h in hits)
    assert page.input_value("#atlas-search-since") == "2026-06-01"  # type: ignore[attr-defined]
    assert page.input_value("#atlas-search-until") == "2026-07-01"  # type: ignore[attr-defined]
    assert "since=2026-06-01" in page.url and "until=2026-07-01" in page.url  # type: ignore[attr-defined]
    assert errors == []
    page.context.close()  # type: ignore[attr-defined]
