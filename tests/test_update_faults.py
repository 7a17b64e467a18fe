"""Never mark a window done that was not read: generated fault sequences against a local arXiv stand-in.

The stand-in serves one window of 60 real API entries (the recorded pages of tests/fixtures/weekly, see
PROVENANCE.md), 10 per page, as export.arxiv.org pages them, and answers each API request with the next
fault of a sequence that hypothesis draws: 503, 429 with and without Retry-After, 200 with no entries,
truncated XML, an HTML error page served with 200, the previous page's entries again, a page whose
totalResults differs, a reset connection, a response slower than the client's timeout. Once the sequence
is used up it answers correctly.

The invariant, for every sequence: either every paper of the window is stored exactly once with the API's
dates and the state advanced, or the run's status is ``error``/``unreachable`` (``llm-atlas update`` exits 1),
the state is unchanged and the store loads. Never "state advanced" with fewer API entries than totalResults.
"""

from __future__ import annotations

import json
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest
from arxiv_replay import respond
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.fetch.config import TrackerConfig
from tracker.fetch.state import TrackerState
from tracker.fetch.update import UpdateReport, run_update
from tracker.site.serve import serve_locally
from tracker.store import PaperStore

FIXTURES = Path(__file__).parent / "fixtures" / "weekly"
PAGE_SIZE = 10
WINDOW = (date(2026, 2, 16), date(2026, 2, 22))
ANNOUNCED = datetime(2026, 2, 20, tzinfo=UTC)  # the synthetic listing feed's announcement day
FAULTS = ["503", "429", "429-retry-after", "empty", "truncated", "html", "repeat", "total", "reset", "slow"]
# Examples per run of the property test (each is a full update against the stand-in).
EXAMPLES = 40


def _recorded_pages() -> tuple[str, list[str]]:
    """The recorded feed header (up to the first entry) and the 60 real entries, in order."""
    header, entries = "", []
    for path in sorted(FIXTURES.glob(f"q_testing_s*_m{PAGE_SIZE}_*.json"),
                       key=lambda p: int(re.search(r"_s(\d+)_", p.name).group(1))):  # type: ignore[union-attr]
        body = json.loads(path.read_text(encoding="utf-8"))["body"]
        header = header or body[: body.index("<entry>")]
        entries += re.findall(r"<entry>.*?</entry>", body, flags=re.S)
    return header, entries


HEADER, ENTRIES = _recorded_pages()
ALL_IDS = {re.search(r"<id>https?://arxiv\.org/abs/([^<v]+?)(?:v\d+)?</id>", e).group(1)  # type: ignore[union-attr]
           for e in ENTRIES}
API_PUBLISHED = {re.search(r"<id>https?://arxiv\.org/abs/([^<]+?)(?:v\d+)?</id>", e).group(1):  # type: ignore[union-attr]
                 date.fromisoformat(re.search(r"<published>(\d{4}-\d{2}-\d{2})", e).group(1))  # type: ignore[union-attr]
                 for e in ENTRIES}


def page(start: int, total: int, entries: list[str]) -> bytes:
    head = re.sub(r"<opensearch:totalResults>\d+</opensearch:totalResults>",
                  f"<opensearch:totalResults>{total}</opensearch:totalResults>", HEADER)
    head = re.sub(r"<opensearch:startIndex>\d+</opensearch:startIndex>",
                  f"<opensearch:startIndex>{start}</opensearch:startIndex>", head)
    return (head + "\n".join(entries) + "\n</feed>\n").encode("utf-8")


def listing_feed() -> bytes:
    """The window's papers as arXiv's RSS announces them (announcement date, no submission date)."""
    items = []
    for entry in ENTRIES:
        # a new announcement is the paper's first version (the recorded entries are at their latest)
        arxiv_id = re.search(r"<id>https?://arxiv\.org/abs/([^<]+?)(?:v\d+)?</id>", entry).group(1) + "v1"  # type: ignore[union-attr]
        title = re.search(r"<title>(.*?)</title>", entry, flags=re.S).group(1)  # type: ignore[union-attr]
        summary = re.search(r"<summary>(.*?)</summary>", entry, flags=re.S).group(1)  # type: ignore[union-attr]
        authors = re.findall(r"<name>(.*?)</name>", entry)
        items.append(
            f"<item><title>{title}</title><link>https://arxiv.org/abs/{arxiv_id[:-2]}</link>"
            f"<description>arXiv:{arxiv_id} Announce Type: new \nAbstract: {summary}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{arxiv_id}</guid><category>cs.CL</category>'
            f"<pubDate>{format_datetime(ANNOUNCED)}</pubDate><arxiv:announce_type>new</arxiv:announce_type>"
            f"<dc:creator>{escape(', '.join(authors))}</dc:creator></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>cs.CL updates on arXiv.org'
            f"</title><link>http://rss.arxiv.org/rss/cs.CL</link><pubDate>{format_datetime(ANNOUNCED)}</pubDate>"
            + "".join(items) + "</channel></rss>").encode("utf-8")


@dataclass
class FaultyArxiv:
    """Answers API requests with ``faults`` first (one per request), then correctly."""

    faults: list[str] = field(default_factory=list)
    empty_first_page_always: bool = False
    url: str = ""
    requests: int = 0

    def answer(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes] | str:
        self.requests += 1
        start, size = int(query.get("start", ["0"])[0]), int(query.get("max_results", [str(PAGE_SIZE)])[0])
        correct = page(start, len(ENTRIES), ENTRIES[start : start + size])
        atom = {"Content-Type": "application/atom+xml; charset=utf-8"}
        if self.empty_first_page_always and start == 0:
            return 200, atom, page(start, len(ENTRIES), [])
        fault = self.faults.pop(0) if self.faults else "ok"
        if fault == "503":
            return 503, {}, b"Service Unavailable"
        if fault == "429":
            return 429, {}, b"Too Many Requests"
        if fault == "429-retry-after":
            return 429, {"Retry-After": "0"}, b"Too Many Requests"
        if fault == "empty":
            return 200, atom, page(start, len(ENTRIES), [])
        if fault == "truncated":
            return 200, atom, correct[: len(correct) // 2]
        if fault == "html":
            html = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
            return 200, {"Content-Type": "text/html"}, html
        if fault == "repeat":
            previous = max(0, start - size)
            return 200, atom, page(start, len(ENTRIES), ENTRIES[previous : previous + size])
        if fault == "total":
            return 200, atom, page(start, len(ENTRIES) + 7, ENTRIES[start : start + size])
        if fault in ("reset", "slow"):
            return fault
        return 200, atom, correct


@dataclass
class Served:
    arxiv: FaultyArxiv
    api_url: str
    feed_url: str


@contextmanager
def serve(arxiv: FaultyArxiv, feed: bytes | None = None) -> Iterator[Served]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            if parts.path.startswith("/rss"):
                answer: tuple[int, dict[str, str], bytes] | str = (
                    (200, {"Content-Type": "application/rss+xml"}, feed) if feed else (404, {}, b"no feed"))
            else:
                answer = arxiv.answer(parse_qs(parts.query))
            if answer == "reset":  # close the connection without a word: the client sees a reset
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.close_connection = True
                return
            if answer == "slow":
                time.sleep(0.6)  # longer than the client's read timeout
                answer = (200, {}, page(0, len(ENTRIES), ENTRIES[:PAGE_SIZE]))
            respond(self, *answer)  # type: ignore[misc]

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

    with serve_locally(Handler) as url:
        yield Served(arxiv, f"{url}/api/query", f"{url}/rss")


def config(served: Served, use_feed: bool = False) -> TrackerConfig:
    return TrackerConfig(api_url=served.api_url, feed_url=served.feed_url, use_feed=use_feed, categories=["cs.CL"],
                         page_size=PAGE_SIZE, delay_seconds=0.0, max_retries=2, backoff_base_seconds=0.01,
                         backoff_cap_seconds=0.02, connect_timeout_seconds=2.0, read_timeout_seconds=0.3,
                         max_retry_after_seconds=5.0, contact="tests@example.org")


def keep_all(papers: list) -> list[bool]:  # type: ignore[type-arg]
    return [True] * len(papers)


def update(data: Path, served: Served, use_feed: bool = False) -> UpdateReport:
    return run_update(PaperStore(data), config(served, use_feed), *WINDOW, today=WINDOW[1], select=keep_all)


def stored_lines(data: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for path in sorted((data / "papers").rglob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def check_invariant(data: Path, report: UpdateReport) -> None:
    store = PaperStore(data)
    papers = store.papers  # loads: never half-written
    lines = stored_lines(data)
    assert len(lines) == len({line["id"] for line in lines}), "a paper stored twice"
    assert set(papers) <= ALL_IDS
    for paper in papers.values():
        assert paper.published == API_PUBLISHED[paper.id] and not paper.provisional
    state_written = (data / "tracker" / "state.json").exists()
    if report.state_advanced:
        assert report.status == "ok" and state_written
        assert set(papers) == ALL_IDS
        assert report.entries_read >= report.total_results == len(ENTRIES)
    else:
        assert report.status in ("error", "unreachable"), report.as_dict()
        assert not state_written and report.reason


@pytest.fixture(scope="module")
def stand_in() -> Iterator[Served]:
    with serve(FaultyArxiv()) as served:
        yield served


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(st.lists(st.sampled_from(FAULTS), max_size=14))
def test_no_fault_sequence_marks_an_unread_window_done(stand_in: Served, faults: list[str]) -> None:
    stand_in.arxiv.faults = list(faults)
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        report = update(data, stand_in)
        check_invariant(data, report)
        if not report.state_advanced:  # the next run, with arXiv healthy, reads the window and moves on
            stand_in.arxiv.faults = []
            again = update(data, stand_in)
            check_invariant(data, again)
            assert again.state_advanced and TrackerState.load(data).last_until == WINDOW[1]


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_alone_is_survived_or_fails_loudly(stand_in: Served, fault: str, tmp_path: Path) -> None:
    """Each fault once, on the first page: retried (state advanced, all 60 papers), or loud for a reset
    before arXiv ever answered (reported unreachable, as offline is)."""
    stand_in.arxiv.faults = [fault]
    report = update(tmp_path, stand_in)
    check_invariant(tmp_path, report)
    assert report.state_advanced == (fault != "reset"), report.as_dict()


def test_issue_13_empty_first_page_with_results_remaining_is_not_a_read_window(tmp_path: Path) -> None:
    """The reported scenario: 503, then 429 (Retry-After: 1), then a 200 page with no entries while
    totalResults says 60 — and it stays empty. Before: exit 0, fetched_api 0, api complete, state advanced,
    every paper stored with the feed's announcement date. Now: a loud error, the state unchanged, the feed's
    papers stored as provisional; the next healthy run replaces them with the API's records; a re-run after
    that changes no byte."""
    arxiv = FaultyArxiv(faults=["503", "429-retry-after"], empty_first_page_always=True)
    with serve(arxiv, feed=listing_feed()) as served:
        first = update(tmp_path, served, use_feed=True)
        manifest = json.loads(Path(first.manifest or "").read_text(encoding="utf-8"))
        assert (first.status, first.state_advanced, first.api_complete) == ("error", False, False)
        assert manifest["status"] == "error" and "empty page while results remain" in manifest["reason"]
        assert manifest["sources"]["api"]["complete"] is False and manifest["sources"]["api"]["fetched"] == 0
        assert manifest["sources"]["feed"]["not_in_api"] == sorted(ALL_IDS)
        assert manifest["state_advanced"] is False and not (tmp_path / "tracker" / "state.json").exists()
        store = PaperStore(tmp_path)
        assert set(store.papers) == ALL_IDS and all(p.provisional for p in store.papers.values())
        assert sorted(manifest["provisional"]) == sorted(ALL_IDS)

        arxiv.empty_first_page_always = False
        second = update(tmp_path, served, use_feed=True)
        assert (second.status, second.state_advanced) == ("ok", True)
        assert second.entries_read == second.total_results == len(ENTRIES)
        papers = PaperStore(tmp_path).papers
        assert all(not p.provisional and p.published == API_PUBLISHED[p.id] for p in papers.values())
        before = {path: path.read_bytes() for path in (tmp_path / "papers").rglob("*.jsonl")}
        third = update(tmp_path, served, use_feed=True)
        assert third.status == "ok" and third.new == third.updated == third.refreshed == 0
        assert {path: path.read_bytes() for path in (tmp_path / "papers").rglob("*.jsonl")} == before


def test_cli_exits_1_with_one_line_when_the_window_stays_unread(tmp_path: Path) -> None:
    """`llm-atlas update` on the scenario: exit 1, one error line naming the coverage, state unchanged."""
    import subprocess
    import sys

    arxiv = FaultyArxiv(empty_first_page_always=True)
    settings_file = tmp_path / "tracker.toml"
    with serve(arxiv, feed=listing_feed()) as served:
        settings_file.write_text(
            f'[arxiv]\napi_url = "{served.api_url}"\nfeed_url = "{served.feed_url}"\ncategories = ["cs.CL"]\n'
            f"[http]\npage_size = {PAGE_SIZE}\ndelay_seconds = 0.0\nmax_retries = 1\nbackoff_base_seconds = 0.01\n"
            "backoff_cap_seconds = 0.02\n", encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "tracker", "update", "--config", str(settings_file), "--since", "2026-02-16",
             "--until", "2026-02-22", "--data-dir", str(tmp_path / "data"), "--no-index", "--no-feed"],
            capture_output=True, text=True, env={"LLM_ATLAS_CONTACT": "tests@example.org", "PATH": "/usr/bin"})
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "empty page while results remain" in errors[0], run.stderr
    assert not (tmp_path / "data" / "tracker" / "state.json").exists()
