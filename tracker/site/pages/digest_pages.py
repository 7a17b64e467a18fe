"""Weekly digests: one page per ISO week that digests it, and the week's full list, by topic.

The week's page is short: the themes of the week (``tracker.site.pages.themes``: the week's new papers
clustered by their vectors, each labelled by its distinctive words and shown by its three most central papers;
left out, with a line saying so, when the site is rendered without the search index's vectors), the models
named most, the catalog models named for the first time, the papers that introduce a catalog model, and a
table of topics with their counts linking into the week's list. The list (``<week>/all.md``, then ``all-p2.md``
…, ``WEEK_LIST_SIZE`` rows a page) has every paper of the week once, under its main topic, a heading (anchor
``topic-<id>``) per topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.paper import Paper
from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.paging import ROWS_PAGE_SIZE, paginate
from tracker.site.pages.themes import Theme, week_themes
from tracker.weeks import WeekEvent, events_by_week, is_partial, week_end, week_of, week_span, week_start

DIGESTS = f"{GENERATED}/digests"
OTHER = "other"  # the section of papers no topic fits

WEEK_LIST_SIZE = ROWS_PAGE_SIZE  # rows a page of the week's list, as every other list of rows
TOP_MODELS = 10  # models the week's page names under "Models named most this week"
TITLES_PER_MODEL = 3
RELEASES_SHOWN = 20  # papers under "Weights and data released this week" (the week's list has the rest)


def digest_path(week: str) -> str:
    return f"{DIGESTS}/{week}.md"


def week_list_path(week: str) -> str:
    """The first page of the week's list of all its papers by topic (then ``all-p2.md`` …)."""
    return f"{DIGESTS}/{week}/all.md"


@dataclass
class TopicSection:
    id: str
    name: str
    new: list[Paper] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"topic-{self.id}"

    @property
    def new_with_code(self) -> int:
        """How many of the section's new papers name their code (tracker.artifacts)."""
        return sum(any(artifact.kind == "code" for artifact in paper.artifacts) for paper in self.new)


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

    def naming(self, kind: str) -> list[Paper]:
        """The week's new papers that name an artifact of ``kind`` (their code, weights, data; tracker.artifacts)."""
        return [paper for paper in self.new if any(artifact.kind == kind for artifact in paper.artifacts)]

    @property
    def releases(self) -> list[Paper]:
        """The week's new papers that name model weights or a dataset, weights first (the week page lists them)."""
        weights = self.naming("weights")
        return weights + [paper for paper in self.naming("data") if paper not in weights]

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


@dataclass
class ListGroup:
    """A topic's papers on one page of the week's list; ``continued`` when the topic began on the page before."""

    section: TopicSection
    papers: list[Paper]
    continued: bool


def list_pages(digest: Digest) -> list[tuple[int, str, list[ListGroup]]]:
    """The week's list: ``[(page number from 0, md path, the page's topic groups)]``."""
    rows = [(section, paper) for section in digest.sections for paper in section.new + section.updated]
    pages = []
    started: set[str] = set()
    for number, path, part in paginate(week_list_path(digest.week), rows, WEEK_LIST_SIZE):
        groups: list[ListGroup] = []
        for section, paper in part:
            if not groups or groups[-1].section is not section:
                groups.append(ListGroup(section, [], continued=section.id in started))
                started.add(section.id)
            groups[-1].papers.append(paper)
        pages.append((number, path, groups))
    return pages


def first_weeks(data: SiteData) -> dict[str, str]:
    """``{model id: the week of the first paper in the store that names it}`` (the paper's first version)."""
    first: dict[str, str] = {}
    for paper in sorted(data.papers, key=lambda p: (p.published, p.id)):
        for link in data.links.get(paper.id, []):
            first.setdefault(link.model, week_of(paper.published))
    return first


def introduced_by(data: SiteData) -> dict[str, list[str]]:
    """``{arXiv id: the catalog models that paper introduces}`` (each model's ``arxiv_ids``), models by name."""
    papers: dict[str, list[str]] = {}
    for model in sorted(data.catalog.models.values(), key=lambda m: (m.name.lower(), m.id)):
        for arxiv_id in model.arxiv_ids:
            papers.setdefault(arxiv_id, []).append(model.id)
    return papers


@dataclass
class Highlights:
    """What the week's page shows above its topic table."""

    themes: list[Theme] | None  # None: rendered without vectors
    first_named: list[tuple[str, list[Paper]]]  # (model id, this week's papers naming it): named here first
    introducing: list[tuple[Paper, list[str]]]  # (paper of the week, catalog models it introduces)


def highlights(digest: Digest, data: SiteData, first_week: dict[str, str],
               introduces: dict[str, list[str]]) -> Highlights:
    themes = week_themes(digest.new, data.vectors) if data.vectors is not None else None
    new = {p.id for p in digest.new}
    first_named = [(model, [p for p in papers if p.id in new]) for model, papers in digest.models
                   if first_week.get(model) == digest.week]
    introducing = [(e.paper, introduces[e.paper.id]) for e in digest.events if e.paper.id in introduces]
    return Highlights(themes, [(m, papers) for m, papers in first_named if papers], introducing)


def add_pages(writer: PageWriter, data: SiteData) -> None:
    digests = build_digests(data)
    first_week, introduces = first_weeks(data), introduced_by(data)
    models = data.catalog.models
    for index, digest in enumerate(digests):
        previous = digests[index - 1].week if index > 0 else None
        following = digests[index + 1].week if index + 1 < len(digests) else None
        pages = list_pages(digest)
        topic_page: dict[str, str] = {}  # section id -> the list page where its heading first appears
        for number, path, groups in pages:
            for group in groups:
                topic_page.setdefault(group.section.id, path)
            writer.add(path, "digest_list.md.j2", digest=digest, groups=groups, digest_path=digest_path(digest.week),
                       pages=[p for _, p, _ in pages], current=number, links=data.links, models=models,
                       abstracts_at=data.abstracts_at)
        named = highlights(digest, data, first_week, introduces)
        evidence = {paper.id: "introduces " + ", ".join(models[m].name for m in ids)
                    for paper, ids in named.introducing}
        writer.add(digest_path(digest.week), "digest.md.j2", digest=digest, previous=previous, following=following,
                   start=week_start(digest.week), end=week_end(digest.week), links=data.links, models=models,
                   digest_path=digest_path, abstracts_at=data.abstracts_at, themes=named.themes,
                   releases_shown=RELEASES_SHOWN,
                   first_named=named.first_named, first_week=index == 0,
                   introducing=[paper for paper, _ in named.introducing], evidence=evidence,
                   top_models=digest.models[:TOP_MODELS], titles=TITLES_PER_MODEL, topic_page=topic_page,
                   list_path=week_list_path(digest.week))
    writer.add(f"{DIGESTS}/index.md", "digests_index.md.j2", rows=[d.as_row() for d in reversed(digests)],
               feed=f"{GENERATED}/feed.xml", as_of=data.as_of)
