"""The staleness check: has the tracker added any paper lately?

A weekly run that "succeeds" while storing nothing for weeks (a query that silently matches nothing, a
filter that rejects everything, a schedule GitHub switched off) is the failure nobody notices. So the
weekly job also asks the store: when was the newest paper first submitted? arXiv receives hundreds of
LLM papers a week, so a store whose newest paper is older than ``max_weeks`` weeks is stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.errors import AtlasError
from tracker.store import PaperStore


@dataclass(frozen=True)
class Freshness:
    papers: int
    newest: date | None
    as_of: date
    max_weeks: int

    @property
    def age_days(self) -> int | None:
        return None if self.newest is None else (self.as_of - self.newest).days

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > 7 * self.max_weeks

    def describe(self) -> str:
        if self.newest is None:
            return "the store holds no paper"
        return (f"the newest of {self.papers} papers was first submitted on {self.newest}, "
                f"{self.age_days} days before {self.as_of} (limit: {self.max_weeks} weeks)")

    def as_dict(self) -> dict[str, Any]:
        return {"stale": self.stale, "papers": self.papers,
                "newest": self.newest.isoformat() if self.newest else None, "age_days": self.age_days,
                "as_of": self.as_of.isoformat(), "max_weeks": self.max_weeks, "reason": self.describe()}


def check_freshness(store: PaperStore, max_weeks: int, as_of: date | None = None) -> Freshness:
    if max_weeks < 1:
        raise AtlasError(f"--max-weeks: must be at least 1, not {max_weeks}")
    newest = max((paper.published for paper in store), default=None)
    return Freshness(papers=len(store), newest=newest, as_of=as_of or date.today(), max_weeks=max_weeks)
