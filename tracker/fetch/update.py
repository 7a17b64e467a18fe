"""``llm-atlas update``: fetch a time window from arXiv (API + listing feed), keep the LLM papers, store them.

The run, in order:

1. window: ``--since/--until``, else from ``overlap_days`` before the end of the last successful window
   (``data/tracker/state.json``) to today (UTC); the first run looks back ``first_run_days``;
2. API pages (oldest change first), processed a page at a time: each paper is *seen* (stored or in the
   ledger at that version already: counted, nothing else), an *update* of a stored paper (a higher version:
   replaces it, history kept, not new), or *assessed* by the relevance filter (accepted: new; rejected:
   into the ledger). After each page the store is saved (each shard atomically), so a crash loses at most
   the page in flight and the next run re-reads the window;
3. the listing feed: announcements the API index has not caught up with. A paper known only from the feed
   is stored *provisional* (dated by its announcement) and replaced whole by the API's record when the API
   returns it; within one run the API's record always wins (replacements only update papers already
   stored, since a feed item carries no submission date);
4. the ledger, then the state, then the run manifest. The state moves only when the API window was read
   whole (as many entries as its ``totalResults``; ``tracker.fetch.arxiv_api``); otherwise the run's status
   is ``error`` (``llm-atlas update`` exits 1) and the next run reads the window again.

After a complete run, re-running with nothing new changes no byte of ``data/papers/``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.errors import ArxivError, ArxivUnreachableError, AtlasError
from tracker.fetch.arxiv_api import ArxivApiSource
from tracker.fetch.arxiv_http import PoliteHttp
from tracker.fetch.config import TrackerConfig
from tracker.fetch.feeds import FeedSource
from tracker.fetch.state import Ledger, TrackerState, write_manifest
from tracker.paper import Paper
from tracker.relevance.filter import select_llm_papers
from tracker.store import PaperStore

log = logging.getLogger(__name__)
# Decides, for a batch of papers, which are about LLMs (same order).
Selector = Callable[[list[Paper]], list[bool]]


@dataclass
class UpdateReport:
    since: date
    until: date
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    fetched: int = 0
    fetched_api: int = 0
    fetched_feed: int = 0
    seen: int = 0
    assessed: int = 0
    rejected: int = 0
    not_tracked: int = 0
    new_ids: list[str] = field(default_factory=list)
    updated_versions: dict[str, tuple[int, int]] = field(default_factory=dict)
    refreshed: int = 0
    provisional_ids: list[str] = field(default_factory=list)  # stored from the feed alone this run
    api_ids: set[str] = field(default_factory=set)
    feed_ids: set[str] = field(default_factory=set)
    total_results: int = 0
    entries_read: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reachable: bool = True
    api_complete: bool = False
    state_advanced: bool = False
    pages: int = 0
    announce_types: dict[str, int] = field(default_factory=dict)
    http: dict[str, Any] = field(default_factory=dict)
    duration_seconds: float = 0.0
    manifest: Path | None = None

    @property
    def new(self) -> int:
        return len(self.new_ids)

    @property
    def updated(self) -> int:
        return len(self.updated_versions)

    @property
    def relevant(self) -> int:
        return self.assessed - self.rejected

    @property
    def status(self) -> str:
        """``ok``; ``partial`` (the API window was read, the feed failed); ``error`` (the API window was not
        read whole: the state stays, the run exits 1); ``unreachable`` (no answer at all)."""
        if not self.reachable and self.fetched == 0:
            return "unreachable"
        if not self.api_complete:
            return "error"
        return "partial" if self.errors else "ok"

    @property
    def reason(self) -> str | None:
        """Why the run is not ``ok``: the first error."""
        return self.errors[0] if self.errors else None

    def counts(self) -> dict[str, int]:
        return {
            "fetched": self.fetched, "fetched_api": self.fetched_api, "fetched_feed": self.fetched_feed,
            "seen_before": self.seen, "assessed": self.assessed, "relevant": self.relevant,
            "rejected": self.rejected, "new": self.new, "updated": self.updated, "refreshed": self.refreshed,
            "provisional": len(self.provisional_ids), "not_tracked": self.not_tracked, "skipped": len(self.skipped),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(), "status": self.status,
            "reason": self.reason, **self.counts(), "api_entries_read": self.entries_read,
            "api_total_results": self.total_results, "errors": self.errors, "reachable": self.reachable,
            "state_advanced": self.state_advanced, "manifest": str(self.manifest) if self.manifest else None,
        }

    def manifest_data(self, config: TrackerConfig) -> dict[str, Any]:
        return {
            "started": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": round(self.duration_seconds, 1),
            "status": self.status,
            "reason": self.reason,
            "window": {"since": self.since.isoformat(), "until": self.until.isoformat(),
                       "date_field": config.date_field},
            "categories": config.categories,
            "queries": config.queries,
            "sources": {
                # coverage at a glance: entries read against what the API said the window holds
                "api": {"url": config.api_url, "pages": self.pages, "fetched": self.fetched_api,
                        "entries_read": self.entries_read, "total_results": self.total_results,
                        "complete": self.api_complete},
                # the feed's ids in the window, and those the API did not return (arXiv's index lag)
                "feed": {"url": config.feed_url if config.use_feed else None, "fetched": self.fetched_feed,
                         "announce_types": dict(sorted(self.announce_types.items())),
                         "ids": sorted(self.feed_ids), "not_in_api": sorted(self.feed_ids - self.api_ids)},
            },
            "http": self.http,
            "counts": self.counts(),
            "new": sorted(self.new_ids),
            "provisional": sorted(self.provisional_ids),
            "updated": {pid: {"from": old, "to": new} for pid, (old, new) in sorted(self.updated_versions.items())},
            "skipped": self.skipped,
            "errors": self.errors,
            "state_advanced": self.state_advanced,
        }


def resolve_window(state: TrackerState, config: TrackerConfig, since: date | None, until: date | None,
                   today: date) -> tuple[date, date]:
    until = until or today
    if since is None:
        since = (state.last_until - timedelta(days=config.overlap_days) if state.last_until
                 else until - timedelta(days=config.first_run_days))
    if since > until:
        raise AtlasError(f"empty window: --since {since} is after --until {until}")
    return since, until


class _Run:
    """The mutable work of one update: what was seen, decided and stored."""

    def __init__(self, store: PaperStore, ledger: Ledger, report: UpdateReport, select: Selector,
                 checkpoint: bool) -> None:
        self.store = store
        self.ledger = ledger
        self.report = report
        self.select = select
        self.checkpoint = checkpoint
        self.handled: dict[str, int] = {}  # id -> highest version handled in this run

    def _classify(self, paper: Paper, from_feed: bool, replacement: bool) -> tuple[str, Paper]:
        stored = self.store.get(paper.id)
        if self.handled.get(paper.id, 0) >= paper.version:
            return "seen", paper
        if stored is not None:
            if stored.version > paper.version or (stored.version == paper.version and from_feed):
                return "seen", paper
            if stored.version == paper.version:
                if stored.provisional and not from_feed:
                    return "refresh", paper  # the API's record of a paper known so far from a feed
                if paper.published < stored.published:
                    # the API's record (real submission date) over one first met in a feed (announcement date)
                    return "refresh", paper.model_copy(update={"updated": max(paper.updated, stored.updated)})
                return "seen", paper
            return "update", paper
        if (self.ledger.seen_version(paper.id) or 0) >= paper.version:
            return "seen", paper
        if replacement:
            # a new version of a paper we never stored: the API window brings it with its real dates
            return "not_tracked", paper
        return "assess", paper

    def process(self, papers: list[Paper], from_feed: bool = False, replacements: set[str] | None = None) -> None:
        if not papers:
            return
        report = self.report
        to_store: list[Paper] = []
        to_assess: list[Paper] = []
        for paper in papers:
            report.fetched += 1
            (report.feed_ids if from_feed else report.api_ids).add(paper.id)
            kind, paper = self._classify(paper, from_feed, bool(replacements and paper.id in replacements))
            if from_feed and kind in ("assess", "update"):
                # dated by its announcement, not its submission, until the API returns it
                paper = paper.model_copy(update={"provisional": True})
            if kind == "seen":
                report.seen += 1
            elif kind == "not_tracked":
                report.not_tracked += 1
            elif kind == "assess":
                to_assess.append(paper)
            else:
                to_store.append(paper)
            self.handled[paper.id] = max(self.handled.get(paper.id, 0), paper.version)
        if to_assess:
            verdicts = self.select(to_assess)
            report.assessed += len(to_assess)
            for paper, keep in zip(to_assess, verdicts, strict=True):
                if keep:
                    to_store.append(paper)
                else:
                    report.rejected += 1
                    self.ledger.add(paper.id, paper.version, report.until)
        before = {p.id: self.store.get(p.id) for p in to_store}
        result = self.store.upsert(to_store)
        report.new_ids += result.new
        stored = self.store.papers
        report.provisional_ids += [pid for pid in result.new + result.updated if stored[pid].provisional]
        for paper_id in result.updated:
            old, now = before[paper_id], self.store.get(paper_id)
            assert old is not None and now is not None
            if now.version > old.version:
                first = report.updated_versions.get(paper_id, (old.version, now.version))[0]
                report.updated_versions[paper_id] = (first, now.version)
            else:
                report.refreshed += 1
        if self.checkpoint and (result.new or result.updated):
            self.store.save()


def run_update(
    store: PaperStore,
    config: TrackerConfig | None = None,
    since: date | None = None,
    until: date | None = None,
    *,
    today: date | None = None,
    select: Selector | None = None,
    http: PoliteHttp | None = None,
    write_run_manifest: bool = True,
    record_unreachable: bool = True,
    checkpoint: bool = True,
) -> UpdateReport:
    """Fetch the window, keep the LLM papers, store them; see the module docstring for the order."""
    config = (config or TrackerConfig()).check()
    clock = time.monotonic()
    today = today or datetime.now(UTC).date()
    state = TrackerState.load(store.data_dir)
    ledger = Ledger.load(store.data_dir)
    since, until = resolve_window(state, config, since, until, today)
    report = UpdateReport(since=since, until=until)
    http = http or PoliteHttp(config)
    run = _Run(store, ledger, report, select or select_llm_papers, checkpoint)

    api = ArxivApiSource(config, http)
    pending: list[Paper] = []
    try:
        for paper in api.fetch(since, until):
            pending.append(paper)
            if len(pending) >= config.page_size:
                report.fetched_api += len(pending)
                run.process(pending)
                pending = []
        report.api_complete = True
    except ArxivUnreachableError as error:
        report.reachable = False
        report.errors.append(f"API: {error}")
    except ArxivError as error:
        report.errors.append(f"API: {error}")
    finally:
        # what arrived before a failure is kept: the papers are real, only the window is incomplete
        report.fetched_api += len(pending)
        run.process(pending)
    report.pages = api.report.pages
    report.total_results, report.entries_read = api.report.total_results, api.report.entries_read
    report.skipped += api.report.skipped + api.report.repaired

    if config.use_feed and report.reachable:
        feed = FeedSource(config, http)
        try:
            fetched = feed.fetch()
            in_window = [item for item in fetched.items if since <= item.paper.updated <= until]
            report.fetched_feed = len(in_window)
            for item in in_window:
                report.announce_types[item.announce_type] = report.announce_types.get(item.announce_type, 0) + 1
            replacements = {item.paper.id for item in in_window if item.is_replacement or item.paper.version > 1}
            run.process([item.paper for item in in_window], from_feed=True, replacements=replacements)
            report.skipped += fetched.skipped
        except ArxivError as error:
            report.errors.append(f"feed: {error}")

    store.save()
    ledger.prune(until, config.ledger_days)
    ledger.save()
    # The state moves only when the whole API window was read, and only forward without a gap: a backfill
    # of an older window, or a failed run, leaves it where it was (the next run then re-reads the window).
    if report.api_complete and (state.last_until is None or (
            until >= state.last_until and since <= state.last_until + timedelta(days=1))):
        TrackerState(last_since=since, last_until=until).save(store.data_dir)
        report.state_advanced = True
    report.http = http.log.as_dict()
    report.duration_seconds = time.monotonic() - clock
    if write_run_manifest and (record_unreachable or report.status != "unreachable"):
        report.manifest = write_manifest(store.data_dir, report.started, report.manifest_data(config))
    return report
