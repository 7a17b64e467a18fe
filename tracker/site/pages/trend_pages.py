"""Trends: papers per week per model family and per topic, and the catalog's releases by size, as SVG."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.charts import Release, Series, line_chart, release_timeline
from tracker.weeks import is_partial, recent_weeks, week_of

TRENDS = f"{GENERATED}/trends.md"
LINES = 8  # more lines than this on one chart stop being readable


def weekly_counts(data: SiteData) -> dict[str, Any]:
    """Per week (every week between the first and last paper): papers per family and per topic."""
    if not data.papers:
        return {"weeks": [], "families": {}, "topics": {}}
    weeks = recent_weeks(data.papers)
    families: dict[str, Counter[str]] = {}
    topics: dict[str, Counter[str]] = {}
    for paper in data.papers:
        week = week_of(paper.published)
        for family in sorted({link.family for link in data.links.get(paper.id, [])}):
            families.setdefault(family, Counter())[week] += 1
        for match in data.topics.get(paper.id, []):
            topics.setdefault(match.topic, Counter())[week] += 1
    return {
        "weeks": weeks,
        "families": {f: [c[w] for w in weeks] for f, c in families.items()},
        "topics": {t: [c[w] for w in weeks] for t, c in topics.items()},
    }


def top_series(counts: dict[str, list[int]], names: dict[str, str], limit: int = LINES, weeks: int | None = None
               ) -> list[Series]:
    """The ``limit`` biggest series over their first ``weeks`` values (all by default); empty ones are left out."""
    cut = {key: values[:weeks] for key, values in counts.items() if sum(values[:weeks])}
    ranked = sorted(cut.items(), key=lambda item: (-sum(item[1]), item[0]))[:limit]
    return [Series(names.get(key, key), values) for key, values in ranked]


def add_pages(writer: PageWriter, data: SiteData) -> None:
    counts = weekly_counts(data)
    weeks = counts["weeks"]
    # a week not over yet (its Sunday after the store's newest day) would end every line in a dip: the charts
    # stop at the last full week, and the tables mark the partial one
    partial = bool(weeks) and is_partial(weeks[-1], data.as_of)
    charted = weeks[:-1] if partial and len(weeks) > 1 else weeks
    family_names = {f.id: f.name for f in data.catalog.families.values()}
    topic_names = {t.id: t.name for t in data.taxonomy} if data.taxonomy is not None else {}
    family_series = top_series(counts["families"], family_names, weeks=len(charted))
    topic_series = top_series(counts["topics"], topic_names, weeks=len(charted))
    family_order = sorted({m.family for m in data.catalog.models.values()})
    releases = [
        Release(m.name, family_names.get(m.family, m.family), m.release, m.total_parameters)
        for m in sorted(data.catalog.models.values(), key=lambda m: (m.release, m.id))
        if m.total_parameters
    ]
    unknown = sorted(
        (m for m in data.catalog.models.values() if not m.total_parameters), key=lambda m: (m.release, m.id)
    )
    writer.add(
        TRENDS, "trends.md.j2", weeks=weeks, charted=charted, partial=partial, as_of=data.as_of,
        family_chart=line_chart("Papers per week naming a model of each family", charted, family_series)
        if family_series else None,
        family_table=sorted(counts["families"].items(), key=lambda item: (-sum(item[1]), item[0])),
        family_names=family_names,
        topic_chart=line_chart("Papers per week in each topic", charted, topic_series) if topic_series else None,
        topic_table=sorted(counts["topics"].items(), key=lambda item: (-sum(item[1]), item[0])),
        topic_names=topic_names,
        timeline=release_timeline("Catalog models by release date and parameter count", releases,
                                  [family_names.get(f, f) for f in family_order]),
        releases=releases, unknown=unknown, lines=LINES,
    )
