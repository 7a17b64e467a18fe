"""The topics section: an overview of all topics and each topic's papers, newest first."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tracker.paper import Paper
from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.charts import sparkline
from tracker.site.pages.follow import topic_follow
from tracker.site.pages.paging import ROWS_PAGE_SIZE, chunks, page_paths
from tracker.weeks import is_partial, recent_weeks, week_of


def papers_by_topic(data: SiteData) -> dict[str, list[Paper]]:
    """Every paper under each of its topics, newest first (the order of ``data.papers``)."""
    assert data.taxonomy is not None
    grouped: dict[str, list[Paper]] = {topic.id: [] for topic in data.taxonomy}
    for paper in data.papers:
        for match in data.topics.get(paper.id, []):
            grouped[match.topic].append(paper)
    return grouped


def add_pages(writer: PageWriter, data: SiteData) -> None:
    if data.taxonomy is None:
        return
    grouped = papers_by_topic(data)
    weeks = recent_weeks(data.papers)
    rows: list[dict[str, Any]] = []
    for topic in data.taxonomy:
        papers = grouped[topic.id]
        counts = Counter(week_of(p.published) for p in papers)
        per_week = [counts[w] for w in weeks]
        rows.append({
            "topic": topic,
            "count": len(papers),
            "latest": per_week[-1] if per_week else 0,
            "spark": sparkline(per_week, label=f"{topic.name}: papers per week, {weeks[0]} to {weeks[-1]}",
                               partial_last=is_partial(weeks[-1], data.as_of))
            if weeks else "",
            "pages": page_paths(f"{GENERATED}/topics/{topic.id}.md", len(papers), ROWS_PAGE_SIZE),
        })
    unassigned = sum(1 for p in data.papers if not data.topics.get(p.id))
    writer.add(f"{GENERATED}/topics/index.md", "topics_index.md.j2", rows=rows, total=len(data.papers),
               unassigned=unassigned, weeks=weeks)
    for row in rows:
        topic, papers = row["topic"], grouped[row["topic"].id]
        for number, (path, part) in enumerate(zip(row["pages"], chunks(papers, ROWS_PAGE_SIZE), strict=True)):
            writer.add(path, "topic.md.j2", topic=topic, follow=topic_follow(topic), papers=part, total=len(papers),
                       first=number * ROWS_PAGE_SIZE + 1,
                       pages=row["pages"], current=number, spark=row["spark"], links=data.links,
                       models=data.catalog.models, topics=data.topics, taxonomy=data.taxonomy,
                       abstracts_at=data.abstracts_at)
