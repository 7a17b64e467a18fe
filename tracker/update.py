"""``llm-atlas update``: fetch new papers, filter them, store them. Offline, it says so and carries on."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.arxiv_api import DEFAULT_API_URL, ArxivApiSource
from tracker.errors import ArxivError, ArxivUnreachableError
from tracker.relevance import is_llm_paper
from tracker.store import PaperStore

log = logging.getLogger(__name__)
DEFAULT_CATEGORIES = ["cs.CL", "cs.LG", "cs.AI"]


@dataclass
class UpdateReport:
    since: date
    until: date
    fetched: int = 0
    relevant: int = 0
    new: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    reachable: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(), "fetched": self.fetched,
            "relevant": self.relevant, "new": self.new, "updated": self.updated, "errors": self.errors,
            "reachable": self.reachable,
        }


def run_update(
    store: PaperStore,
    since: date | None = None,
    until: date | None = None,
    categories: list[str] | None = None,
    api_url: str = DEFAULT_API_URL,
) -> UpdateReport:
    until = until or date.today()
    since = since or until - timedelta(days=7)
    report = UpdateReport(since=since, until=until)
    source = ArxivApiSource(api_url)
    papers = []
    try:
        for paper in source.fetch(categories or DEFAULT_CATEGORIES, since, until):
            report.fetched += 1
            if is_llm_paper(paper):
                papers.append(paper)
    except ArxivUnreachableError as error:
        report.reachable = False
        report.errors.append(str(error))
    except ArxivError as error:
        report.errors.append(str(error))
    report.relevant = len(papers)
    if papers:
        result = store.upsert(papers)
        store.save()
        report.new, report.updated = len(result.new), len(result.updated)
    return report
