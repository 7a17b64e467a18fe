"""The reader's library and For you in Chromium (issue 23), on the session's small built site (tests/site_fixtures.py).

- a star (toggle button, aria-pressed, named by the paper's title) on every paper a page lists: month-page
  entries, the compact rows of topic, model and digest pages, search results; starred papers survive a reload, are
  starred on every page that shows them, and are listed on the Library page as text (the ``<script>`` title too);
- the Library page's BibTeX and id exports, imported again in a fresh browser (a file and pasted text), give the
  same papers; junk lines are reported with their line numbers and not stored; papers imported by id get their
  titles from the site's data;
- a stored library that is not JSON, of another shape, too big or partly junk breaks no page: the page says so in a
  notice (nothing on the console), keeps what is readable, and stars work;
- For you ranks the newest weeks' papers against the library with reasons, leaves the library's papers out, agrees
  with ``llm-atlas recommend --method site`` (top-10 overlap >= 0.8), and its first list costs at most 1.5 MB
  (counted by Chromium, cold cache, page and code included); a ``?papers=`` link with junk ranks for its real ids,
  reports the junk and stores nothing; an empty library gets a message pointing at the stars and the import and
  fetches no search data;
- no page sends anything anywhere: every request goes to the static server, and none but GET.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from conftest import MEASURED
from site_fixtures import SCRIPT_TITLE, BuiltSite, atlas_env
from test_foryou_js import row_ids, row_titles
from test_site_browser import count_bytes

from tracker.library import site_rank
from tracker.library.site_codes import SiteCodes
from tracker.site.search_bundle import SEARCH_DIR

KEY = "llm-atlas:library"
SCRIPT_ID = "2607.99998"
FIRST_LIST_BUDGET = 1_500_000  # issue 23: the first For-you list, gzip, cold cache, page and code included
LIBRARY_JS = "() => JSON.parse(localStorage.getItem('llm-atlas:library') || 'null')"
FOR_YOU_FINAL = "#atlas-foryou-results[data-stage=final]"


@dataclass
class Session:
    page: Any
    server: str
    messages: list[str] = field(default_factory=list)  # console messages of any kind, and page errors
    requests: list[str] = field(default_factory=list)  # "METHOD url"
    received: list[int] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        """Requests that are not a GET of the static server's files."""
        return [r for r in self.requests if not (r.startswith(f"GET {self.server}") or r.startswith("GET data:")
                                                 or r.startswith("GET blob:"))]

    def goto(self, path: str) -> None:
        response = self.page.goto(self.server + path)
        assert response is not None and response.status == 200, path

    def stored(self) -> dict | None:
        return self.page.evaluate(LIBRARY_JS)


@contextmanager
def session(browser: Any, server: str, stored: str | None = None) -> Iterator[Session]:
    """A fresh browser context (empty cache and storage); ``stored``: the library's raw stored value."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    seen = Session(page, server)
    seen.received = count_bytes(context)
    page.on("console", lambda m: seen.messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen.messages.append(f"pageerror: {e}"))
    context.on("request", lambda r: seen.requests.append(f"{r.method} {r.url}"))
    if stored is not None:  # before the first page's scripts run, once (not again on later pages or reloads)
        context.add_init_script(f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1'); "
                                f"localStorage.setItem({json.dumps(KEY)}, {json.dumps(stored)}); }}")
    try:
        yield seen
    finally:
        context.close()


def star(page: Any, selector: str) -> dict:
    """Press the star of the paper element ``selector``; its button's state afterwards."""
    button = page.locator(f"{selector} button.atlas-star").first
    button.click()
    return {"pressed": button.get_attribute("aria-pressed"), "name": button.get_attribute("aria-label")}


def listed(page: Any) -> list[dict]:
    page.wait_for_selector("#atlas-library-status:not(:text('needs JavaScript'))")
    return page.eval_on_selector_all(
        "#atlas-library-list > li",
        "els => els.map(e => ({id: e.dataset.paper, title: e.querySelector('.atlas-library__title').textContent,"
        " meta: e.querySelector('.atlas-library__meta').textContent}))")


def test_stars_on_every_list_survive_a_reload_and_fill_the_library(built_site: BuiltSite, server: str,
                                                                    browser: object) -> None:
    with session(browser, server) as seen:
        page = seen.page
        seen.goto("generated/papers/2026-07/")
        articles = page.locator("article.atlas-paper")
        assert page.locator("article.atlas-paper > button.atlas-star").count() == articles.count() > 0
        first_id = articles.nth(1).get_attribute("data-arxiv-id")
        state = star(page, f'article[data-arxiv-id="{SCRIPT_ID}"]')
        assert state == {"pressed": "true", "name": f"Star: {SCRIPT_TITLE}"}
        assert star(page, f'article[data-arxiv-id="{first_id}"]')["pressed"] == "true"
        # a topic page's compact rows
        seen.goto("generated/topics/rag/")
        rows = page.locator(".atlas-rows > li[data-arxiv-id]")
        assert page.locator(".atlas-rows > li > button.atlas-star").count() == rows.count() > 1
        row_ids_shown = rows.evaluate_all("els => els.map(e => e.dataset.arxivId)")
        assert page.get_attribute(f'li[data-arxiv-id="{SCRIPT_ID}"] > button.atlas-star', "aria-pressed") == "true"
        topic_id = next(i for i in row_ids_shown if i not in (SCRIPT_ID, first_id))
        assert star(page, f'.atlas-rows > li[data-arxiv-id="{topic_id}"]')["pressed"] == "true"
        # search results, starred as they appear
        seen.goto("search/?query=" + quote("reinforcement learning reward models"))
        page.wait_for_selector("#atlas-search-results[data-stage=final] li.atlas-hit button.atlas-star")
        hits = page.eval_on_selector_all("li.atlas-hit", "els => els.map(e => e.dataset.arxivId)")
        search_id = next(i for i in hits if i not in (SCRIPT_ID, first_id, topic_id))
        assert star(page, f'li.atlas-hit[data-arxiv-id="{search_id}"]')["pressed"] == "true"
        # "More like this" results have stars too
        seen.goto(f"search/?like={search_id}")
        page.wait_for_selector("#atlas-search-results[data-method=like] li.atlas-hit button.atlas-star")
        # a digest's week page
        digests = built_site.site / "generated" / "digests"
        weeks = sorted(p.name for p in digests.iterdir() if p.name.startswith("2026-W"))
        seen.goto(f"generated/digests/{weeks[-1]}/")
        assert page.locator(".atlas-rows > li > button.atlas-star").count() > 0
        # after a reload, and on every other page that lists them, they are starred
        seen.goto("generated/papers/2026-07/")
        page.reload()
        for paper_id in (SCRIPT_ID, first_id):
            button = f'article[data-arxiv-id="{paper_id}"] > button.atlas-star'
            assert page.get_attribute(button, "aria-pressed") == "true"
        assert page.locator("button.atlas-star[aria-pressed=true]").count() >= 2
        seen.goto("generated/models/gpt-4/")
        assert page.get_attribute(f'li[data-arxiv-id="{SCRIPT_ID}"] > button.atlas-star', "aria-pressed") == "true"
        # the Library page lists them, newest star first, as text
        seen.goto("library/")
        papers = listed(page)
        assert [p["id"] for p in papers] == [search_id, topic_id, first_id, SCRIPT_ID]
        script = papers[-1]
        assert script["title"] == SCRIPT_TITLE
        assert "Mallory <i>M</i>" in script["meta"] and "2026-07-01" in script["meta"]
        assert page.locator("#atlas-library-list script, #atlas-library-list img, #atlas-library-list i").count() == 0
        # removed from the Library page: gone everywhere
        page.click(f'#atlas-library-list > li[data-paper="{SCRIPT_ID}"] button.atlas-library__remove')
        assert [p["id"] for p in listed(page)] == [search_id, topic_id, first_id]
        page.click("button.atlas-library__undo")
        assert {p["id"] for p in listed(page)} == {search_id, topic_id, first_id, SCRIPT_ID}
        seen.goto("generated/papers/2026-07/")
        assert star(page, f'article[data-arxiv-id="{SCRIPT_ID}"]')["pressed"] == "false"
        stored = seen.stored()
        assert stored is not None and stored["version"] == 1
        assert [p["id"] for p in stored["papers"]] == [search_id, topic_id, first_id]
        assert seen.messages == [] and seen.outside == [], (seen.messages, seen.outside)


def test_export_then_import_gives_the_same_library(built_site: BuiltSite, server: str, browser: object,
                                                   tmp_path: Path) -> None:
    folder = built_site.site / SEARCH_DIR
    ids = row_ids(folder)
    with session(browser, server) as seen:
        page = seen.page
        seen.goto("generated/papers/2026-07/")
        chosen = page.eval_on_selector_all("article.atlas-paper", "els => els.slice(0, 6).map(e => e.dataset.arxivId)")
        for paper_id in dict.fromkeys([*chosen, SCRIPT_ID]):
            star(page, f'article[data-arxiv-id="{paper_id}"]')
        seen.goto("library/")
        before = listed(page)
        with page.expect_download() as bib_download:
            page.click("#atlas-library-bibtex")
        bib = tmp_path / bib_download.value.suggested_filename
        bib_download.value.save_as(bib)
        with page.expect_download() as ids_download:
            page.click("#atlas-library-ids")
        id_list = tmp_path / ids_download.value.suggested_filename
        ids_download.value.save_as(id_list)
        page.click("#atlas-library-share-button")
        link = page.input_value("#atlas-library-share")
        assert seen.messages == [] and seen.outside == []
    assert bib.suffix == ".bib" and id_list.suffix == ".txt"
    text = bib.read_text(encoding="utf-8")
    assert re.findall(r"eprint = \{([^}]+)\}", text) == [p["id"] for p in before]
    assert text.count("archivePrefix = {arXiv}") == len(before) and "<script>" in text  # a title, as text
    assert id_list.read_text(encoding="utf-8").split() == [p["id"] for p in before]
    assert link == f"{server}for-you/?papers=" + ",".join(p["id"] for p in before)
    # a fresh browser imports the BibTeX file: the same papers, titles, authors and dates
    with session(browser, server) as seen:
        page = seen.page
        seen.goto("library/")
        assert listed(page) == []
        page.set_input_files("#atlas-library-file", str(bib))
        page.wait_for_selector("#atlas-library-report[data-imported]")
        assert page.get_attribute("#atlas-library-report", "data-imported") == str(len(before))
        after = listed(page)
        assert after == before
        assert seen.messages == [] and seen.outside == []
    # and the id list, pasted with junk: the junk is reported with its lines, titles come from the site's data
    junk = "not an id\n<script>alert(1)</script>\n2101.00001\n"
    pasted = "# my papers\n" + id_list.read_text(encoding="utf-8") + junk
    with session(browser, server) as seen:
        page = seen.page
        seen.goto("library/")
        page.fill("#atlas-library-paste", pasted)
        page.click("#atlas-library-import")
        report = page.inner_text("#atlas-library-report")
        junk_lines = len(before) + 2
        assert f"Imported {len(before) + 1} papers" in report
        assert f"line {junk_lines}: not an id" in report
        assert f"line {junk_lines + 1}: <script>alert(1)</script>" in report
        page.wait_for_function(  # titles filled in from the site's search data
            "() => [...document.querySelectorAll('#atlas-library-list .atlas-library__meta')]"
            ".filter(m => m.textContent.includes('not on this site')).length === 1")
        imported = listed(page)
        assert [p["id"] for p in imported] == [*(p["id"] for p in before), "2101.00001"]
        assert [p["title"] for p in imported[:-1]] == [p["title"] for p in before]
        assert "2101.00001" not in ids and "not on this site" in imported[-1]["meta"]
        stored = seen.stored()
        assert stored is not None and [p["id"] for p in stored["papers"]] == [p["id"] for p in imported]
        assert page.locator("#atlas-library-report script").count() == 0
        assert seen.messages == [] and seen.outside == []


CORRUPT = {
    "not JSON": "{this is not json",
    "another shape": json.dumps({"papers": "2601.01972"}),
    "too big": "[" + "1," * 1_050_000 + "1]",  # 2.1 M characters: over the 2 M read, under Chromium's quota
    "partly junk": json.dumps({"version": 1, "papers": [{"id": SCRIPT_ID, "title": SCRIPT_TITLE}, {"id": "junk"}, 7]}),
}


def test_a_corrupt_stored_library_breaks_no_page(built_site: BuiltSite, server: str, browser: object) -> None:
    for what, value in CORRUPT.items():
        with session(browser, server, stored=value) as seen:
            page = seen.page
            seen.goto("generated/papers/2026-07/")
            notice = page.locator(".atlas-library-notice[data-notice=unreadable]")
            assert notice.count() == 1, what
            assert "could not be read" in notice.inner_text() and notice.get_attribute("role") == "status"
            kept = [p["id"] for p in (seen.stored() or {"papers": []})["papers"]]
            assert kept == ([SCRIPT_ID] if what == "partly junk" else []), what
            # the page works: its stars, its abstracts
            assert star(page, "article.atlas-paper:nth-of-type(3)")["pressed"] == "true"
            page.locator("article.atlas-paper").first.locator("summary").first.click()
            page.locator("article.atlas-paper .atlas-paper__abstract-body > p").first.wait_for()
            # the notice was said once: the next pages read a good library
            for path in ("library/", "for-you/", "search/?query=agents"):
                seen.goto(path)
                assert page.locator(".atlas-library-notice[data-notice=unreadable]").count() == 0, (what, path)
            page.wait_for_selector("#atlas-search-results[data-stage=final]", state="attached")
            assert len((seen.stored() or {"papers": []})["papers"]) == len(kept) + 1
            assert seen.messages == [] and seen.outside == [], (what, seen.messages, seen.outside)


def site_ranking(built: BuiltSite, ids: list[str], weeks: int | None = site_rank.WEEKS, k: int = 20) -> list[str]:
    """The For-you list of ``tracker.library.site_rank`` on the built site's own files."""
    folder = built.site / SEARCH_DIR
    rows = row_ids(folder)
    codes = SiteCodes.from_bundle(folder)
    library = np.array([rows.index(i) for i in ids if i in rows], dtype=np.int64)
    first, end = site_rank.week_rows(codes.weeks, weeks)
    window = np.arange(first, end)
    ranked = site_rank.rank(window, codes.vectors(window), library, codes.vectors(library), k)
    return [rows[r.row] for r in ranked]


def recommend_cli(built: BuiltSite, onnx_cache: Path, library: Path, k: int) -> list[str]:
    completed = subprocess.run([sys.executable, "-m", "tracker", "recommend", str(library), "-k", str(k), "--method",
                                "site", "--json"], cwd=built.root, env=atlas_env(built.root, onnx_cache),
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return [hit["id"] for hit in json.loads(completed.stdout)]


def gzip_weight(site: Path, server: str, requests: list[str]) -> int:
    """The bytes of these requests as GitHub Pages sends them: text gzipped (level 6), gzipped files as they are
    (tracker.site.weights counts pages the same way)."""
    total = 0
    for request in requests:
        local = site / request.split(" ", 1)[1].removeprefix(server).split("?")[0].split("#")[0]
        if local.is_dir():
            local = local / "index.html"
        if local.is_file():
            blob = local.read_bytes()
            total += len(blob) if local.suffix == ".gz" else len(gzip.compress(blob, 6))
    return total


FOR_YOU_JS = """() => [...document.querySelectorAll('#atlas-foryou-results > li.atlas-hit')].map(e => ({
    id: e.dataset.arxivId, because: e.dataset.because.split(' '), score: Number(e.dataset.score),
    why: e.querySelector('.atlas-hit__why').textContent,
    star: e.querySelector('button.atlas-star').getAttribute('aria-pressed')}))"""


def test_for_you_ranks_with_reasons_as_the_command_line_does(built_site: BuiltSite, server: str, browser: object,
                                                             onnx_cache: Path, tmp_path: Path) -> None:
    folder = built_site.site / SEARCH_DIR
    rows = row_ids(folder)
    titles = row_titles(folder)
    # a library of several interests: older papers (outside the window) and some of the newest week
    library = [rows[2], rows[9], rows[17], rows[40], rows[120], rows[200], SCRIPT_ID]
    with session(browser, server, stored=json.dumps({"version": 1, "papers": [
            {"id": i, "title": titles[i]} for i in library]})) as seen:
        page = seen.page
        seen.received.clear()
        seen.goto("for-you/")
        page.wait_for_selector(FOR_YOU_FINAL, state="attached", timeout=120_000)
        spent = sum(seen.received)
        weight = gzip_weight(built_site.site, server, seen.requests)
        timing = page.evaluate("window.atlasForYouTiming")
        shown = page.evaluate(FOR_YOU_JS)
        status = page.inner_text("#atlas-foryou-status")
        assert len(shown) == 20 and "closest first" in status
        assert not {h["id"] for h in shown} & set(library)  # the library's own papers are left out
        assert all(h["star"] == "false" for h in shown)
        for hit in shown:  # each names the library papers it is closest to, by their titles
            assert hit["why"].startswith("Close to your: ") and 1 <= len(hit["because"]) <= site_rank.BECAUSE
            assert all(b in library and titles[b] in hit["why"] for b in hit["because"]), hit
        scores = [h["score"] for h in shown]
        assert scores == sorted(scores, reverse=True)
        # exactly the Python ranking of the same files, and close to the command line's
        assert [h["id"] for h in shown] == site_ranking(built_site, library)
        (tmp_path / "library.txt").write_text("\n".join(library) + "\n", encoding="utf-8")
        cli = recommend_cli(built_site, onnx_cache, tmp_path / "library.txt", 10)
        overlap = len({h["id"] for h in shown[:10]} & set(cli)) / 10
        # only static files, and of the search data only the For-you files
        fetched = [r.split(f"/{SEARCH_DIR}/", 1)[1] for r in seen.requests if f"/{SEARCH_DIR}/" in r]
        kinds = {name.split("/")[0].split(".")[0] for name in fetched}
        assert kinds <= {"manifest", "directory", "centroids", "codebook", "models", "i", "r", "p", "foryou"}, kinds
        MEASURED.append(f"For you (Chromium, {len(library)}-paper library, newest {site_rank.WEEKS} weeks): "
                        f"{spent:,} bytes before the first list from a server that does not compress, {weight:,} "
                        f"as GitHub Pages serves them (gzip); {timing['first']:.0f} ms; top-10 overlap with "
                        f"`recommend --method site` {overlap:.1f}")
        assert overlap >= 0.8, (shown[:10], cli)
        assert weight <= spent <= FIRST_LIST_BUDGET, (weight, spent)
        # a starred result is kept, and another window ranks again
        page.locator("#atlas-foryou-results > li.atlas-hit button.atlas-star").first.click()
        assert len((seen.stored() or {"papers": []})["papers"]) == len(library) + 1
        page.select_option("#atlas-foryou-weeks", "all")
        page.wait_for_function("() => new URL(location.href).searchParams.get('weeks') === 'all'")
        page.wait_for_selector(FOR_YOU_FINAL, state="attached")
        page.wait_for_function("() => document.querySelector('#atlas-foryou-status').textContent"
                               ".includes('all the site')")
        all_time = [h["id"] for h in page.evaluate(FOR_YOU_JS)]
        stored_ids = [p["id"] for p in (seen.stored() or {"papers": []})["papers"]]
        assert all_time == site_ranking(built_site, stored_ids, None)
        page.click("#atlas-foryou-more")
        page.wait_for_function("() => document.querySelectorAll('#atlas-foryou-results > li').length === 40")
        assert seen.messages == [] and seen.outside == [], (seen.messages, seen.outside)


def test_a_shared_link_with_junk_ranks_for_its_papers_and_stores_nothing(built_site: BuiltSite, server: str,
                                                                        browser: object) -> None:
    rows = row_ids(built_site.site / SEARCH_DIR)
    shared = [rows[5], rows[30], rows[150]]
    junk = ["junk", "<script>alert(1)</script>", "1234"]
    link = "for-you/?papers=" + ",".join([shared[0], junk[0], shared[1], quote(junk[1]), "2101.00001", junk[2],
                                          shared[2], shared[0]])
    with session(browser, server) as seen:
        page = seen.page
        seen.goto(link)
        page.wait_for_selector(FOR_YOU_FINAL, state="attached", timeout=120_000)
        box = page.locator("#atlas-foryou-shared")
        assert box.is_visible() and box.get_attribute("data-junk") == "3"
        text = box.inner_text()
        assert "shared library of 4 papers" in text and "3 parts of the link are not an arXiv id" in text
        assert "<script>alert(1)</script>" in text and page.locator("#atlas-foryou-shared script").count() == 0
        assert "1 paper of it is not on this site" in page.inner_text("#atlas-foryou-status")
        shown = [h["id"] for h in page.evaluate(FOR_YOU_JS)]
        assert shown == site_ranking(built_site, shared)
        assert seen.stored() is None  # nothing stored until the reader asks
        page.click("#atlas-foryou-shared button")
        page.wait_for_function("() => document.querySelector('#atlas-foryou-shared').textContent.includes('Added')")
        stored = seen.stored()
        # in the link's order; titles from the site's data, an id the site lacks by itself
        assert stored is not None and [p["id"] for p in stored["papers"]] == [*shared[:2], "2101.00001", shared[2]]
        assert [bool(p["title"]) for p in stored["papers"]] == [True, True, False, True]
        assert seen.messages == [] and seen.outside == []


def test_an_empty_library_points_at_the_stars_and_fetches_nothing(built_site: BuiltSite, server: str,
                                                                  browser: object) -> None:
    with session(browser, server) as seen:
        page = seen.page
        seen.goto("for-you/")
        page.wait_for_selector("#atlas-foryou-results[data-stage=empty]", state="attached")
        status = page.inner_text("#atlas-foryou-status")
        assert "Your library is empty" in status and "☆" in status
        links = page.eval_on_selector_all("#atlas-foryou-status a", "els => els.map(a => a.href)")
        assert f"{server}library/" in links
        assert not [r for r in seen.requests if f"/{SEARCH_DIR}/" in r and not r.endswith("foryou.js")]
        seen.goto("library/")
        assert "No paper in your library yet" in page.inner_text("#atlas-library-status")
        assert page.locator(".atlas-library__actions").is_hidden()
        assert seen.messages == [] and seen.outside == []
