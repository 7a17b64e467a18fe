"""Trends: papers per week per model family and per topic, the share of papers that name their code, weights and
data (per week and per topic), and the catalog's releases by size, as SVG."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
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


RELEASED = ("code", "weights", "data")  # the artifact kinds counted (tracker/artifacts.py); project pages are not


@dataclass(frozen=True)
class ReleaseShare:
    """How many of a group's papers name each kind of artifact."""

    label: str  # a week or a topic id
    papers: int
    named: dict[str, int]  # kind -> papers naming one

    def percent(self, kind: str) -> int:
        return round(100 * self.named[kind] / self.papers) if self.papers else 0


def release_shares(data: SiteData, weeks: list[str]) -> tuple[list[ReleaseShare], list[ReleaseShare]]:
    """Per week (every week of ``weeks``) and per topic (most papers first): papers, and those naming their code,
    weights or data."""
    papers_in: Counter[str] = Counter()
    named_in: dict[str, Counter[str]] = {}
    topic_papers: Counter[str] = Counter()
    topic_named: dict[str, Counter[str]] = {}
    for paper in data.papers:
        kinds = {artifact.kind for artifact in paper.artifacts} & set(RELEASED)
        week = week_of(paper.published)
        papers_in[week] += 1
        named_in.setdefault(week, Counter()).update(kinds)
        for match in data.topics.get(paper.id, []):
            topic_papers[match.topic] += 1
            topic_named.setdefault(match.topic, Counter()).update(kinds)
    by_week = [ReleaseShare(week, papers_in[week], {k: named_in.get(week, Counter())[k] for k in RELEASED})
               for week in weeks]
    by_topic = [ReleaseShare(topic, count, {k: topic_named.get(topic, Counter())[k] for k in RELEASED})
                for topic, count in sorted(topic_papers.items(), key=lambda item: (-item[1], item[0]))]
    return by_week, by_topic


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
    by_week, by_topic = release_shares(data, weeks)
    charted_shares = by_week[: len(charted)]
    release_series = [Series(f"{kind} (%)", [share.percent(kind) for share in charted_shares]) for kind in RELEASED]
    everything = ReleaseShare("all", len(data.papers),
                              {k: sum(share.named[k] for share in by_week) for k in RELEASED})
    writer.add(
        TRENDS, "trends.md.j2", weeks=weeks, charted=charted, partial=partial, as_of=data.as_of,
        release_chart=line_chart("Share of the week's papers that name their code, weights or data (%)", charted,
                                 release_series) if any(share.papers for share in charted_shares) else None,
        release_weeks=by_week, release_topics=by_topic, released=RELEASED, release_all=everything,
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
