"""The listing feeds (rss.arxiv.org, current format) parsed with feedparser from real recorded feeds."""

from __future__ import annotations

from datetime import date

import pytest
from arxiv_replay import FIXTURES, Replay, serve

from tracker.errors import ArxivError
from tracker.fetch.arxiv_http import PoliteHttp
from tracker.fetch.config import TrackerConfig
from tracker.fetch.feeds import FeedSource, feed_url, parse_feed

RSS = FIXTURES / "rss" / "laya_reader_rss_cs.LG+cs.AI+cs.CL+stat.ML.xml"
ATOM = FIXTURES / "rss" / "paper_forge_atom_cs.LG.xml"


def test_rss_items_with_their_announce_types() -> None:
    report = parse_feed(RSS.read_bytes(), "rss")
    assert report.skipped == [] and report.announced == date(2026, 9, 24)
    got = [(i.paper.id, i.paper.version, i.announce_type) for i in report.items]
    assert got == [("2609.26811", 1, "new"), ("2609.26820", 1, "new"), ("2205.06398", 2, "cross"),
                   ("2009.13987", 3, "replace")]
    assert report.by_type == {"new": 2, "cross": 1, "replace": 1}
    cross = report.items[2].paper
    assert cross.categories == ["stat.ME", "stat.AP", "stat.ML"]
    assert cross.authors == ["Pritam Dey", "Zhengwu Zhang", "David B. Dunson"]
    assert cross.doi == "10.1093/bioinformatics/btac431"
    assert cross.abstract.startswith("It has become routine in neuroscience")  # the "arXiv:… Abstract:" prefix gone
    assert report.items[3].is_replacement and not report.items[0].is_replacement
    assert all(i.paper.published == date(2026, 9, 24) for i in report.items)


def test_atom_feed_variant() -> None:
    report = parse_feed(ATOM.read_bytes(), "atom")
    got = [(i.paper.id, i.paper.version, i.announce_type) for i in report.items]
    assert got == [("2609.28553", 1, "new"), ("2402.10149", 3, "cross"), ("2401.08875", 3, "replace")]
    first = report.items[0].paper
    assert first.journal_ref and "MAPR" in first.journal_ref and first.doi == "10.1109/MAPR72750.2026.11685822"
    assert first.updated == date(2026, 9, 25)


def test_replace_cross_and_broken_items_are_handled() -> None:
    body = RSS.read_bytes()
    body = body.replace(b"<arxiv:announce_type>replace</arxiv:announce_type>",
                        b"<arxiv:announce_type>replace-cross</arxiv:announce_type>")
    body = body.replace(b"Announce Type: replace \n", b"Announce Type: replace-cross \n")
    # the second item loses its guid and the id in its description: it cannot be stored
    body = body.replace(b'<guid isPermaLink="false">oai:arXiv.org:2609.26820v1</guid>', b"")
    body = body.replace(b"arXiv:2609.26820v1 Announce Type: new", b"Announce Type: new")
    report = parse_feed(body, "rss")
    assert [i.announce_type for i in report.items] == ["new", "cross", "replace-cross"]
    assert report.items[-1].is_replacement
    assert len(report.skipped) == 1 and "item 2" in report.skipped[0] and "no arXiv id" in report.skipped[0]


def test_a_weekend_feed_has_no_items_and_is_not_an_error() -> None:
    body = RSS.read_bytes()
    weekend = body[: body.index(b"<item>")] + b"</channel>\n</rss>\n"
    report = parse_feed(weekend, "rss")
    assert report.items == [] and report.skipped == []


def test_not_a_feed_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a feed"):
        parse_feed(b"<html><body>Service Unavailable", "rss")


def test_fetch_through_the_polite_client() -> None:
    replay = Replay(feed=(200, RSS.read_bytes()))
    replay.faults = []
    with serve(replay):
        config = TrackerConfig(feed_url=replay.feed_url, api_url=replay.api_url, delay_seconds=0.0,
                               categories=["cs.CL", "cs.LG", "cs.AI"])
        source = FeedSource(config, PoliteHttp(config))
        report = source.fetch()
    assert len(report.items) == 4
    assert replay.requests[0].path == "/rss/cs.CL+cs.LG+cs.AI"
    assert feed_url("https://rss.arxiv.org/rss/", ["cs.CL", "cs.AI"]) == "https://rss.arxiv.org/rss/cs.CL+cs.AI"


def test_feed_server_error_page_is_reported() -> None:
    replay = Replay(feed=(200, b"<html>oops</html>"))
    with serve(replay):
        config = TrackerConfig(feed_url=replay.feed_url, api_url=replay.api_url, delay_seconds=0.0)
        with pytest.raises(ArxivError, match="not a feed"):
            FeedSource(config, PoliteHttp(config)).fetch()
