"""The API source against a local server replaying real recorded arXiv responses, faults included."""

from __future__ import annotations

import socket
import time
from datetime import date

import pytest
from arxiv_replay import Replay, recorded, serve, with_total

from tracker.errors import ArxivError, ArxivUnreachableError, InputError
from tracker.fetch.arxiv_api import ArxivApiSource, ArxivQueryError, category_query
from tracker.fetch.arxiv_http import PoliteHttp, retry_after_seconds
from tracker.fetch.config import TrackerConfig

WINDOW = (date(2026, 9, 20), date(2026, 9, 24))
PAGES = {
    0: "api/q_testing_s0_m10_bc5a6c384fe9.json", 10: "api/q_testing_s10_m10_34e56e15aaac.json",
    20: "api/q_testing_s20_m10_348a237fecab.json", 30: "api/q_testing_s30_m10_f2e39f0143dc.json",
    40: "api/q_testing_s40_m10_96dd32eb854c.json", 50: "api/q_testing_s50_m10_7f488ab8598c.json",
}


def fast_config(replay: Replay, **overrides: object) -> TrackerConfig:
    """The real logic with short waits: spacing 50 ms, backoff 10 ms doubling up to 40 ms."""
    values: dict[str, object] = dict(
        api_url=replay.api_url, feed_url=replay.feed_url, page_size=10, delay_seconds=0.05, max_retries=3,
        backoff_base_seconds=0.01, backoff_cap_seconds=0.04, read_timeout_seconds=0.5, connect_timeout_seconds=0.5,
        contact="atlas-maintainers@example.org",
    )
    values.update(overrides)
    return TrackerConfig(**values).check()  # type: ignore[arg-type]


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(seconds)


def fetch(replay: Replay, max_results: int | None = None, **overrides: object) -> tuple[list, ArxivApiSource]:
    config = fast_config(replay, **overrides)
    source = ArxivApiSource(config, PoliteHttp(config, sleep=RecordingSleep()))
    return list(source.fetch(*WINDOW, max_results=max_results)), source


def test_pages_through_a_real_query_politely() -> None:
    pages = {start: recorded(name) for start, name in PAGES.items()}
    with serve(Replay(pages=pages)) as replay:
        papers, source = fetch(replay, max_results=60)
    assert len(papers) == 60 and len({p.id for p in papers}) == 60
    requests = replay.api_requests()
    assert [int(r.query["start"][0]) for r in requests] == [0, 10, 20, 30, 40, 50]
    assert all(r.query["max_results"] == ["10"] for r in requests)
    query = requests[0].query["search_query"][0]
    assert query == "(cat:cs.CL OR cat:cs.LG OR cat:cs.AI) AND lastUpdatedDate:[202609200000 TO 202609242359]"
    assert requests[0].query["sortBy"] == ["lastUpdatedDate"] and requests[0].query["sortOrder"] == ["ascending"]
    # one client, spaced requests, a User-Agent that says who we are and how to reach us
    gaps = [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]
    assert min(gaps) >= 0.045
    agent = requests[0].headers["User-Agent"]
    assert agent.startswith("llm-atlas/") and "mailto:atlas-maintainers@example.org" in agent
    assert source.report.pages == 6 and source.report.skipped == []


def test_versions_and_the_mis_encoded_title_are_handled() -> None:
    with serve(Replay(pages={0: recorded(PAGES[0]), 10: recorded(PAGES[10]), 20: recorded(PAGES[20])})) as replay:
        papers, _ = fetch(replay, max_results=30)
    by_id = {p.id: p for p in papers}
    fuzzing = by_id["2005.14124"]  # recorded as 2005.14124v2
    assert fuzzing.version == 2
    assert [(v.version, v.date) for v in fuzzing.versions] == [(1, date(2020, 5, 28)), (2, fuzzing.updated)]
    assert by_id["2409.05654"].version == 9
    # arXiv served "$Ï\x89$Test" (UTF-8 read as Latin-1); the store gets the real omega
    assert by_id["2306.03845"].title == "$ω$Test: WebView-Oriented Testing for Android Applications"


def test_empty_result_is_not_an_error() -> None:
    with serve(Replay(pages={0: recorded("api/id_0000.0000_s0_m100_8b51d9633a68.json")})) as replay:
        papers, source = fetch(replay)
    assert papers == [] and len(replay.api_requests()) == 1 and source.report.skipped == []


def test_http_400_error_entry_is_one_clear_error_and_not_retried() -> None:
    status, body = recorded("api/id_abc_s0_m100_b79c8dcf6bc3.json")
    assert status == 400
    with serve(Replay(pages={0: (status, body)})) as replay, pytest.raises(ArxivQueryError) as caught:
        fetch(replay)
    assert "incorrect id format for abc" in str(caught.value)
    assert len(replay.api_requests()) == 1


def test_error_entry_with_status_200_is_recognised_too() -> None:
    _, body = recorded("api/id_abc_s0_m100_b79c8dcf6bc3.json")
    with serve(Replay(pages={0: (200, body)})) as replay, pytest.raises(ArxivQueryError, match="incorrect id"):
        fetch(replay)


def test_old_style_ids_and_mis_encoded_authors() -> None:
    old = recorded("api/id_hep-ex_0406020v1_s0_m100_84b15d66c0ce.json")
    with serve(Replay(pages={0: old})) as replay:
        papers, _ = fetch(replay)
    assert [(p.id, p.version, p.published, p.month) for p in papers] == [
        ("hep-ex/0406020", 1, date(2004, 6, 7), "2004-06")]
    with serve(Replay(pages={0: recorded("api/id_astro-ph_0601001_s0_m100_3150dca9dc76.json")})) as replay:
        papers, _ = fetch(replay)
    assert papers[0].id == "astro-ph/0601001"
    with serve(Replay(pages={0: recorded("api/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json")})) as replay:
        papers, _ = fetch(replay)
    assert "Dirk Wübben" in papers[0].authors and not any("Ã" in a for a in papers[0].authors)


def test_malformed_entries_are_skipped_and_reported() -> None:
    status, body = recorded(PAGES[0])
    # one entry loses its <published>, another its categories: the rest of the page still counts
    first = body.index(b"<published>")
    body = body[:first] + body[body.index(b"</published>", first) + len(b"</published>"):]
    cat = body.index(b"<entry>", body.index(b"<entry>") + 1)
    second = body[cat:body.index(b"</entry>", cat)]
    stripped = second.replace(b'<arxiv:primary_category term="cs.SE"/>', b"")
    while b"<category " in stripped:
        start = stripped.index(b"<category ")
        stripped = stripped[:start] + stripped[stripped.index(b"/>", start) + 2:]
    body = with_total(body.replace(second, stripped), 20)
    second_page = with_total(recorded(PAGES[10])[1], 20)  # one query, one totalResults on every page
    with serve(Replay(pages={0: (status, body), 10: (200, second_page)})) as replay:
        papers, source = fetch(replay)
    # the next page starts after the 10 entries of the first, not after the 9 that parsed
    assert [r.query["start"][0] for r in replay.api_requests()] == ["0", "10"]
    assert len(papers) == 18
    assert len(source.report.skipped) == 2
    assert any("missing published" in s for s in source.report.skipped)
    assert any("categories" in s for s in source.report.skipped)


def test_invalid_utf8_bytes_do_not_lose_the_page() -> None:
    status, body = recorded(PAGES[0])
    body = body.replace(b"Active Fuzzing", b"Active \xff\xfeFuzzing", 1)
    with serve(Replay(pages={0: (status, body)})) as replay:
        papers, source = fetch(replay, max_results=10)
    assert len(papers) == 10
    assert any("\ufffd" in p.title and "Fuzzing" in p.title for p in papers)
    assert any("invalid UTF-8" in s for s in source.report.repaired)


def test_faults_503_then_429_retry_after_then_empty_page_then_data() -> None:
    replay = Replay(pages={0: recorded(PAGES[0]), 10: recorded(PAGES[10])})
    empty_status, empty_body = recorded("api/id_0000.0000_s0_m100_8b51d9633a68.json")
    replay.faults = [(503, {}, b"Service Unavailable"), (429, {"Retry-After": "1"}, b"Too Many Requests")]
    with serve(replay):
        config = fast_config(replay)
        sleep = RecordingSleep()
        http = PoliteHttp(config, sleep=sleep)
        source = ArxivApiSource(config, http)
        papers = []
        for paper in source.fetch(*WINDOW, max_results=20):
            papers.append(paper)
            if len(papers) == 1:  # the next request (page 2) first gets a 200 page with no entries
                replay.faults.append((empty_status, {}, empty_body))
    assert len(papers) == 20 and len({p.id for p in papers}) == 20
    starts = [r.query["start"][0] for r in replay.api_requests()]
    assert starts == ["0", "0", "0", "10", "10"]
    assert http.log.requests == 5 and http.log.retries == 3
    assert 1.0 in sleep.calls  # Retry-After honoured, not the short backoff
    requests = replay.api_requests()
    assert requests[2].at - requests[1].at >= 1.0
    events = " | ".join(http.log.events)
    assert "HTTP 503" in events and "Retry-After 1 s" in events and "empty page while results remain" in events


def test_timeout_is_retried() -> None:
    replay = Replay(pages={0: recorded(PAGES[0])})
    replay.faults = [(-1, {}, b"")]  # the server stalls past the read timeout once
    with serve(replay):
        config = fast_config(replay, read_timeout_seconds=0.3)
        http = PoliteHttp(config, sleep=RecordingSleep())
        papers = list(ArxivApiSource(config, http).fetch(*WINDOW, max_results=10))
    assert len(papers) == 10 and http.log.retries == 1 and "timed out" in http.log.events[0]


def test_gives_up_after_capped_exponential_backoff() -> None:
    replay = Replay(pages={0: recorded(PAGES[0])})
    replay.faults = [(503, {}, b"down")] * 10
    with serve(replay):
        config = fast_config(replay)
        sleep = RecordingSleep()
        with pytest.raises(ArxivError, match="failed after 4 tries: HTTP 503"):
            list(ArxivApiSource(config, PoliteHttp(config, sleep=sleep)).fetch(*WINDOW))
    backoffs = [s for s in sleep.calls if s in (0.01, 0.02, 0.04)]
    assert backoffs == [0.01, 0.02, 0.04]
    assert len(replay.api_requests()) == 4


def test_too_long_retry_after_gives_up_at_once() -> None:
    replay = Replay(pages={0: recorded(PAGES[0])})
    replay.faults = [(429, {"Retry-After": "3600"}, b"slow down")]
    with serve(replay), pytest.raises(ArxivError, match="asked to wait 3600 s"):
        fetch(replay, max_retry_after_seconds=60.0)


def test_unreachable_host_fails_fast_without_retries() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = TrackerConfig(api_url=f"http://127.0.0.1:{port}/api/query", delay_seconds=0.0, max_retries=5)
    http = PoliteHttp(config, sleep=RecordingSleep())
    with pytest.raises(ArxivUnreachableError, match="connection refused"):
        list(ArxivApiSource(config, http).fetch(*WINDOW))
    assert http.log.requests == 1 and http.log.retries == 0
    config = TrackerConfig(api_url="http://export.arxiv.invalid/api/query", delay_seconds=0.0)
    http = PoliteHttp(config, sleep=RecordingSleep())
    with pytest.raises(ArxivUnreachableError, match="cannot resolve"):
        list(ArxivApiSource(config, http).fetch(*WINDOW))
    assert http.log.requests == 1


def test_config_refuses_impolite_delays_for_arxiv_itself() -> None:
    with pytest.raises(InputError, match="at least 3 s"):
        TrackerConfig(delay_seconds=1.0).check()
    TrackerConfig(api_url="http://127.0.0.1:9/api/query", feed_url="http://127.0.0.1:9/rss",
                  delay_seconds=0.0).check()


def test_retry_after_parses_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Sat, 28 Nov 2026 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_extra_queries_share_the_window() -> None:
    query = category_query([], date(2026, 1, 1), date(2026, 1, 7), "submittedDate", extra='abs:"language model"')
    assert query == '(abs:"language model") AND submittedDate:[202601010000 TO 202601072359]'


def test_finite_replay_stops_at_total_results() -> None:
    _, body = recorded(PAGES[0])
    with serve(Replay(pages={0: (200, with_total(body, 10))})) as replay:
        papers, _ = fetch(replay)
    assert len(papers) == 10 and len(replay.api_requests()) == 1
