"""Weekly digests: one page per ISO week with its new and updated papers, by topic and by model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.paper import Paper
from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.paging import paginate
from tracker.weeks import WeekEvent, events_by_week, is_partial, week_end, week_span, week_start

DIGESTS = f"{GENERATED}/digests"
OTHER = "other"  # the section of papers no topic fits


# Papers each topic shows on the week's page; all of them are on the topic's own page of the week.
SHOWN_PER_SECTION = 10


def digest_path(week: str) -> str:
    return f"{DIGESTS}/{week}.md"


def section_path(week: str, section: str) -> str:
    return f"{DIGESTS}/{week}/{section}.md"


@dataclass
class TopicSection:
    id: str
    name: str
    new: list[Paper] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"topic-{self.id}"


@dataclass
class Digest:
    """What one week's page shows; also what the home page, the index and the feed summarise."""

    week: str
    events: list[WeekEvent]
    sections: list[TopicSection]
    models: list[tuple[str, list[Paper]]]  # (model id, papers naming it), most papers first
    partial: bool = False  # the week was not over on the store's newest day (tracker.weeks.is_partial)

    @property
    def new(self) -> list[Paper]:
        return [e.paper for e in self.events if e.kind == "new"]

    @property
    def updated(self) -> list[Paper]:
        return [e.paper for e in self.events if e.kind == "updated"]

    @property
    def span(self) -> str:
        return week_span(self.week)

    def as_row(self) -> dict[str, Any]:
        return {"week": self.week, "span": self.span, "new": len(self.new), "updated": len(self.updated),
                "path": digest_path(self.week), "partial": self.partial,
                "top": [(s.name, len(s.new) + len(s.updated)) for s in self.top_sections(3)]}

    def top_sections(self, count: int) -> list[TopicSection]:
        ranked = sorted((s for s in self.sections if s.id != OTHER), key=lambda s: -(len(s.new) + len(s.updated)))
        return ranked[:count]


def build_digests(data: SiteData) -> list[Digest]:
    """Every week with papers, oldest first. Each paper sits under its main (best-scoring) topic."""
    digests = []
    for week, events in events_by_week(data.papers).items():
        sections: dict[str, TopicSection] = {}
        if data.taxonomy is not None:
            sections = {t.id: TopicSection(t.id, t.name) for t in data.taxonomy}
        sections[OTHER] = TopicSection(OTHER, "Other papers" if data.taxonomy is not None else "Papers")
        by_model: dict[str, list[Paper]] = {}
        for event in events:
            matches = data.topics.get(event.paper.id, [])
            section = sections[matches[0].topic if matches else OTHER]
            (section.new if event.kind == "new" else section.updated).append(event.paper)
            for link in data.links.get(event.paper.id, []):
                by_model.setdefault(link.model, []).append(event.paper)
        models = sorted(by_model.items(), key=lambda item: (-len(item[1]), item[0]))
        digests.append(Digest(week, events, [s for s in sections.values() if s.new or s.updated], models,
                              partial=is_partial(week, data.as_of)))
    return digests


def add_pages(writer: PageWriter, data: SiteData) -> None:
    digests = build_digests(data)
    for index, digest in enumerate(digests):
        previous = digests[index - 1].week if index > 0 else None
        following = digests[index + 1].week if index + 1 < len(digests) else None
        writer.add(digest_path(digest.week), "digest.md.j2", digest=digest, previous=previous, following=following,
                   start=week_start(digest.week), end=week_end(digest.week), links=data.links,
                   models=data.catalog.models, topics=data.topics, taxonomy=data.taxonomy, digest_path=digest_path,
                   section_path=section_path, abstracts_at=data.abstracts_at, shown=SHOWN_PER_SECTION)
        for section in digest.sections:
            papers = section.new + section.updated
            parts = paginate(section_path(digest.week, section.id), papers)
            for number, path, part in parts:
                writer.add(path, "digest_section.md.j2", section=section, week=digest.week, span=digest.span,
                           digest=digest_path(digest.week), papers=part, total=len(papers),
                           pages=[p for _, p, _ in parts], current=number, links=data.links,
                           models=data.catalog.models, abstracts_at=data.abstracts_at)
    writer.add(f"{DIGESTS}/index.md", "digests_index.md.j2", rows=[d.as_row() for d in reversed(digests)],
               feed=f"{GENERATED}/feed.xml", as_of=data.as_of)
