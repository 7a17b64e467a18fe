"""The listing feeds (``rss.arxiv.org/rss/<cat+cat>``, current format) through ``feedparser``.

A feed holds one announcement day. Each item says what it is in ``arxiv:announce_type``:

* ``new``: first announcement of a paper (version 1), in one of the feed's categories;
* ``cross``: announced here as a cross-list from another primary category;
* ``replace`` / ``replace-cross``: a new version of a paper announced before.

The feed does not carry submission dates, only the announcement date; an item therefore dates a paper's
*announcement*. The API window carries the real dates, so the update prefers API records and uses feed
items for what the API index has not caught up with yet.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import feedparser
from pydantic import ValidationError

from tracker.errors import ArxivError
from tracker.fetch.arxiv_http import PoliteHttp
from tracker.fetch.config import TrackerConfig
from tracker.fetch.encoding import decode_body, repair_mojibake
from tracker.paper import Paper, VersionRecord, split_arxiv_id
from tracker.store import format_validation_error

log = logging.getLogger(__name__)
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
_DESCRIPTION = re.compile(r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<rest>.*)$",
                          re.DOTALL)
_OAI_PREFIX = "oai:arXiv.org:"


@dataclass(frozen=True)
class FeedItem:
    """One announcement: the paper as the feed describes it, and how it was announced."""

    paper: Paper
    announce_type: str

    @property
    def is_replacement(self) -> bool:
        return self.announce_type.startswith("replace")


@dataclass
class FeedReport:
    items: list[FeedItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    announced: date | None = None
    by_type: dict[str, int] = field(default_factory=dict)


def feed_url(base: str, categories: list[str]) -> str:
    """``https://rss.arxiv.org/rss/cs.CL+cs.LG+cs.AI`` from the base URL and the categories."""
    return f"{base.rstrip('/')}/{'+'.join(categories)}"


def _entry_date(entry: Any) -> date | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            # feedparser's tuples are UTC; arXiv announces at midnight US/Eastern, i.e. 04:00 or 05:00 UTC that day
            return date(parsed[0], parsed[1], parsed[2])
    return None


def _authors(entry: Any) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        # dc:creator holds every author in one comma-separated string
        names += [n.strip() for n in str(author.get("name", "")).split(",") if n.strip()]
    return [repair_mojibake(" ".join(n.split())) for n in names]


def item_to_paper(entry: Any, feed_date: date | None) -> FeedItem:
    """A ``FeedItem`` from a feedparser entry; raises ``ValueError``/``ValidationError`` on a bad item."""
    summary = str(entry.get("summary") or entry.get("description") or "")
    match = _DESCRIPTION.match(summary)
    raw_id = str(entry.get("id") or "")
    raw_id = raw_id[len(_OAI_PREFIX):] if raw_id.startswith(_OAI_PREFIX) else (match.group("id") if match else "")
    if not raw_id:
        raise ValueError("no arXiv id (guid or description)")
    paper_id, version = split_arxiv_id(raw_id)
    announce = str(entry.get("arxiv_announce_type") or (match.group("type") if match else "")).strip().lower()
    if announce not in ANNOUNCE_TYPES:
        raise ValueError(f"unknown announce type {announce!r}")
    abstract = match.group("rest") if match else summary
    when = _entry_date(entry) or feed_date
    if when is None:
        raise ValueError("no announcement date")
    version = version or 1
    categories = [str(tag.get("term")) for tag in entry.get("tags") or [] if tag.get("term")]
    paper = Paper(
        id=paper_id,
        version=version,
        title=repair_mojibake(str(entry.get("title") or "")),
        abstract=repair_mojibake(abstract),
        authors=_authors(entry),
        categories=categories,
        published=when,
        updated=when,
        doi=str(entry.get("arxiv_doi")) if entry.get("arxiv_doi") else None,
        journal_ref=str(entry.get("arxiv_journal_reference")) if entry.get("arxiv_journal_reference") else None,
        versions=[VersionRecord(version=version, date=when)],
    )
    return FeedItem(paper=paper, announce_type=announce)


def parse_feed(content: bytes, source: str = "feed") -> FeedReport:
    """Every well-formed item of a feed; bad items are skipped and named in ``skipped``."""
    body, broken = decode_body(content)
    parsed = feedparser.parse(body)
    report = FeedReport()
    if broken:
        report.skipped.append(f"{source}: invalid UTF-8 bytes replaced")
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        why = parsed.get("bozo_exception") or "neither RSS nor Atom"
        raise ValueError(f"{source}: not a feed ({why})")
    channel_date = parsed.feed.get("published_parsed") or parsed.feed.get("updated_parsed")
    report.announced = date(channel_date[0], channel_date[1], channel_date[2]) if channel_date else None
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            item = item_to_paper(entry, report.announced)
        except ValidationError as error:
            report.skipped.append(f"{source} item {number} ({entry.get('id', '?')}): {format_validation_error(error)}")
            continue
        except ValueError as error:
            report.skipped.append(f"{source} item {number} ({entry.get('id', '?')}): {error}")
            continue
        report.items.append(item)
        report.by_type[item.announce_type] = report.by_type.get(item.announce_type, 0) + 1
    return report


class FeedSource:
    """The categories' listing feed, fetched through the run's one ``PoliteHttp``."""

    def __init__(self, config: TrackerConfig, http: PoliteHttp) -> None:
        self.config = config
        self.http = http

    @property
    def url(self) -> str:
        return feed_url(self.config.feed_url, self.config.categories)

    def fetch(self) -> FeedReport:
        def check(response: Any) -> str | None:
            return None if response.content.strip() else "empty feed body"

        response = self.http.get(self.url, accept_empty=check)
        try:
            return parse_feed(response.content, self.url)
        except ValueError as error:
            raise ArxivError(str(error)) from None
