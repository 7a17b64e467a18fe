"""The arXiv API source, through the ``arxiv`` package: a query by category and time window.

``arxiv.Client`` pages through results and parses them; ``PoliteClient`` replaces its paging and page fetch,
so every request goes through ``PoliteHttp`` (User-Agent with contact, timeouts, 3 s spacing, Retry-After,
capped backoff) and every page is checked before it is believed. Asked again (with backoff): a page that is
not an Atom feed (an HTML error page served with 200), a truncated page, a page with no entries while
``start < totalResults`` (the first page included), and a page whose entries were all read already (a repeat
of the previous page). arXiv's error entry becomes one clear error; entries the parser or our model reject
are skipped *and reported*.

A query counts as read only when its distinct entries (plus the malformed ones, reported) reach its
``totalResults``; otherwise ``WindowIncompleteError``. A ``totalResults`` that changes between pages restarts
the query from the first page (the run ignores papers it has handled already), at most ``MAX_RESTARTS`` times.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import arxiv
import requests
from arxiv import _feed
from lxml import etree
from pydantic import ValidationError

from tracker.errors import ArxivError
from tracker.fetch.arxiv_http import ArxivRequestError, PoliteHttp
from tracker.fetch.config import DEFAULT_API_URL, TrackerConfig
from tracker.fetch.encoding import decode_body, repair_mojibake
from tracker.paper import Paper, VersionRecord, split_arxiv_id
from tracker.store import format_validation_error

log = logging.getLogger(__name__)
_NS = {"atom": "http://www.w3.org/2005/Atom", "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}
ERROR_ID_PREFIXES = ("http://arxiv.org/api/errors", "https://arxiv.org/api/errors")

__all__ = ["DEFAULT_API_URL", "ArxivApiSource", "PoliteClient", "category_query", "result_to_paper"]


# How often one query may start again from its first page because its totalResults moved.
MAX_RESTARTS = 2


class ArxivQueryError(ArxivError):
    """arXiv's API rejected the query itself (its error entry, e.g. "incorrect id format for abc")."""


class WindowIncompleteError(ArxivError):
    """The API did not give as many entries as it said the window holds: the window is not read."""


@dataclass
class PageReport:
    """What reading the pages met: entries read against totalResults, entries skipped (with why), repairs."""

    skipped: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    pages: int = 0
    total_results: int = 0  # summed over the run's queries (each query's last stated total)
    entries_read: int = 0  # distinct entries read, malformed ones included
    malformed: int = 0
    restarts: int = 0


def result_to_paper(result: arxiv.Result) -> Paper:
    """A ``Paper`` from an API result; raises ``ValueError``/``ValidationError`` on a malformed entry."""
    paper_id, version = split_arxiv_id(result.entry_id.rsplit("/abs/", 1)[-1])
    version = version or 1
    published, updated = result.published.date(), result.updated.date()
    history = [VersionRecord(version=1, date=published)]
    if version > 1:
        history.append(VersionRecord(version=version, date=updated))
    primary = result.primary_category or (result.categories[0] if result.categories else "")
    categories = [c for c in [primary, *(c for c in result.categories if c != primary)] if c]
    return Paper(
        id=paper_id,
        version=version,
        title=repair_mojibake(result.title),
        abstract=repair_mojibake(result.summary),
        authors=[repair_mojibake(" ".join(author.name.split())) for author in result.authors if author.name.strip()],
        categories=categories,
        published=published,
        updated=updated,
        comment=repair_mojibake(result.comment) if result.comment else None,
        doi=result.doi or None,
        journal_ref=repair_mojibake(result.journal_ref) if result.journal_ref else None,
        versions=history,
    )


def category_query(categories: list[str], since: date, until: date, date_field: str = "submittedDate",
                   extra: str | None = None) -> str:
    """``(cat:A OR cat:B) AND <date_field>:[since 0000 TO until 2359]`` (``extra`` replaces the categories)."""
    what = extra if extra else " OR ".join(f"cat:{c}" for c in categories)
    window = f"{date_field}:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    return f"({what}) AND {window}"


def _error_entry(root: etree._Element) -> str | None:
    for entry in root.iterfind("atom:entry", _NS):
        entry_id = (entry.findtext("atom:id", default="", namespaces=_NS) or "").strip()
        if entry_id.startswith(ERROR_ID_PREFIXES):
            return (entry.findtext("atom:summary", default="", namespaces=_NS) or entry_id).strip()
    return None


def _parse_root(content: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        return etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError:
        return None


@dataclass(frozen=True)
class _PageFacts:
    """What the last accepted page said: entries in it, the query's totalResults, entries the parser dropped."""

    entries: int = 0
    total: int = 0
    anonymous: int = 0  # entries without an id: malformed, and not among the ids read


class PoliteClient(arxiv.Client):
    """``arxiv.Client`` whose requests go through ``PoliteHttp`` and whose pages are checked."""

    def __init__(self, config: TrackerConfig, http: PoliteHttp) -> None:
        # arxiv.Client's own spacing and retries are bypassed: PoliteHttp does both, with backoff.
        super().__init__(page_size=config.page_size, delay_seconds=0.0, num_retries=0)
        self.query_url_format = config.api_url.split("?", 1)[0] + "?{}"
        self.config = config
        self.http = http
        self._session = http.session
        self.report = PageReport()
        self._page = _PageFacts()
        self._seen: set[str] = set()  # entry ids read in the current pass over a query
        self._known_total = 0  # the current pass's totalResults, once its first page is read
        self._offset = 0  # the start of the page being asked for

    def _results(self, search: arxiv.Search, offset: int = 0) -> Iterator[arxiv.Result]:
        """Every entry of the query, checked for completeness (see the module docstring).

        The offset advances by the entries *in* a page, not by those that parsed: a malformed entry must
        not shift the next page back onto entries already read.
        """
        start, restarts = offset, 0
        while True:
            self._seen, anonymous, self._known_total = set(), 0, 0
            offset = self._offset = start
            feed = self._parse_feed(self._format_url(search, offset, self.page_size), first_page=True)
            total = self._known_total = self._page.total
            changed = False
            while True:
                anonymous += self._page.anonymous
                yield from feed.results
                offset += self._page.entries
                if offset >= total or not self._page.entries:
                    break
                self._offset = offset
                feed = self._parse_feed(self._format_url(search, offset, self.page_size), first_page=False)
                if self._page.total != total:
                    changed = True
                    break
            if not changed:
                break
            restarts += 1
            self.report.restarts += 1
            if restarts > MAX_RESTARTS:
                raise WindowIncompleteError(f"totalResults kept changing ({total} → {self._page.total}) while "
                                            f"reading the window; giving up after {MAX_RESTARTS} restarts")
            log.warning("totalResults changed from %d to %d: reading the query again from the start",
                        total, self._page.total)
        read = len(self._seen) + anonymous
        self.report.total_results += total - start
        self.report.entries_read += read
        if read < total - start:
            raise WindowIncompleteError(f"the API gave {read} of the window's {total - start} entries")

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        parsed: dict[str, _feed.ParsedFeed] = {}

        def check(response: requests.Response) -> str | None:
            content, broken = decode_body(response.content)
            root = _parse_root(content)
            if root is None or root.tag != f"{{{_NS['atom']}}}feed":
                return "not an Atom feed (an error page served with 200?)"
            if not content.rstrip().endswith(b"</feed>"):
                return "truncated page"
            message = _error_entry(root)
            if message:
                raise ArxivQueryError(f"arXiv rejected the query: {message}")
            total_text = root.findtext("opensearch:totalResults", default="", namespaces=_NS).strip()
            if not total_text.isdigit():
                return "no totalResults in the page"
            feed = _feed.parse(content)
            if feed.malformed:
                return f"malformed page ({feed.error})"
            ids = [(e.findtext("atom:id", default="", namespaces=_NS) or "").strip()
                   for e in root.findall("atom:entry", _NS)]
            total = int(total_text)
            # arXiv sometimes answers 200 with no entries although results remain (first page too), at times
            # with a totalResults of 0: judged by the larger of the page's total and the one already known.
            if not ids and self._offset < max(total, self._known_total):
                return "empty page while results remain"
            named = [i for i in ids if i]
            if named and all(i in self._seen for i in named):
                return "page repeats entries already read"
            if broken:
                self.report.repaired.append(f"{url}: invalid UTF-8 bytes replaced")
            self.report.malformed += self._note_skipped(root, feed)
            self._seen.update(named)
            self._page = _PageFacts(entries=len(ids), total=total, anonymous=len(ids) - len(named))
            parsed["feed"] = feed
            return None

        try:
            self.http.get(url, accept_empty=check)
        except ArxivRequestError as error:
            root = _parse_root(decode_body(error.body)[0]) if error.body else None
            message = _error_entry(root) if root is not None else None
            if message:
                raise ArxivQueryError(f"arXiv rejected the query (HTTP {error.status}): {message}") from None
            raise
        self.report.pages += 1
        return parsed["feed"]

    def _note_skipped(self, root: etree._Element, feed: _feed.ParsedFeed) -> int:
        """Entries present in the page but dropped by the ``arxiv`` parser (no id, no dates) are reported;
        returns how many were dropped."""
        kept = {result.entry_id for result in feed.results}
        dropped = 0
        for number, entry in enumerate(root.iterfind("atom:entry", _NS), start=1):
            entry_id = (entry.findtext("atom:id", default="", namespaces=_NS) or "").strip()
            if entry_id and entry_id in kept:
                continue
            missing = [tag for tag in ("id", "published", "updated")
                       if not (entry.findtext(f"atom:{tag}", default="", namespaces=_NS) or "").strip()]
            what = entry_id or f"entry {number} of a page"
            self.report.skipped.append(f"{what}: malformed entry (missing {', '.join(missing) or 'fields'})")
            dropped += 1
        return dropped


class ArxivApiSource:
    """One ``PoliteClient`` per run: one connection, arXiv's spacing between all its requests."""

    def __init__(self, config: TrackerConfig, http: PoliteHttp) -> None:
        self.config = config
        self.client = PoliteClient(config, http)

    @property
    def report(self) -> PageReport:
        return self.client.report

    def queries(self, since: date, until: date) -> list[str]:
        field_name = self.config.date_field
        found = [category_query(self.config.categories, since, until, field_name)] if self.config.categories else []
        found += [category_query([], since, until, field_name, extra=q) for q in self.config.queries]
        return found

    def fetch(self, since: date, until: date, max_results: int | None = None) -> Iterator[Paper]:
        """Every paper in the window, oldest change first; malformed entries are skipped into ``report``."""
        sort_by = (arxiv.SortCriterion.LastUpdatedDate if self.config.date_field == "lastUpdatedDate"
                   else arxiv.SortCriterion.SubmittedDate)
        for query in self.queries(since, until):
            search = arxiv.Search(query=query, max_results=max_results, sort_by=sort_by,
                                  sort_order=arxiv.SortOrder.Ascending)
            try:
                for result in self.client.results(search):
                    try:
                        yield result_to_paper(result)
                    except ValidationError as error:
                        self.report.skipped.append(f"{result.entry_id}: {format_validation_error(error)}")
                    except (ValueError, AttributeError) as error:
                        self.report.skipped.append(f"{result.entry_id}: {error}")
            except arxiv.ArxivError as error:  # pragma: no cover - PoliteClient raises our own errors
                raise ArxivError(f"arXiv API failed: {error}") from None
