"""What is new, for the home page: a generated part that ``docs/index.md`` includes (pymdownx.snippets).

The part lives in ``docs/generated/snippets/`` (left out of the page list by ``exclude_docs`` in
mkdocs.yml) and its links are written from the home page's own address, where it is shown.
"""

from __future__ import annotations

from collections import Counter

from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.charts import sparkline
from tracker.site.pages.digest_pages import build_digests, digest_path
from tracker.site.pages.feed_pages import FEED
from tracker.weeks import is_partial, recent_weeks, week_of

WHATS_NEW = f"{GENERATED}/snippets/whats-new.md"
HOME = "index.md"
NEWEST = 10


def add_pages(writer: PageWriter, data: SiteData) -> None:
    digests = build_digests(data)
    latest = digests[-1] if digests else None
    weeks = recent_weeks(data.papers)
    counts = Counter(week_of(p.published) for p in data.papers)
    per_week = [counts[w] for w in weeks]
    writer.add_included(
        WHATS_NEW, HOME, "whats_new.md.j2",
        latest=latest, latest_path=digest_path(latest.week) if latest else None,
        newest=data.papers[:NEWEST], total=len(data.papers),
        spark=sparkline(per_week, width=180, height=28, label="papers per week",
                        partial_last=is_partial(weeks[-1], data.as_of)) if weeks else "",
        as_of=data.as_of,
        has_topics=data.taxonomy is not None, feed=FEED, links=data.links, models=data.catalog.models,
        topics=data.topics, taxonomy=data.taxonomy, abstracts_at=data.abstracts_at,
    )
