"""The catalog section: the models table, one page per family and one page per model.

Model pages list the papers that name the model (or are its own paper); family pages add the papers that
name the family without any of its catalog models (see ``tracker.knowledge.linking``). Counts over time are drawn
here as small inline SVG bar charts, so the pages need no script and build to the same bytes every time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.knowledge.catalog import CatalogModel
from tracker.paper import Paper
from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.follow import family_follow, model_follow
from tracker.site.pages.paging import ROWS_PAGE_SIZE, paginate
from tracker.site.text import plural

BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 22, 6, 90
FAMILY_ROWS = ROWS_PAGE_SIZE // 2  # a family's page shows two lists


@dataclass(frozen=True)
class MonthCount:
    month: str  # YYYY-MM
    count: int


def monthly_counts(papers: Iterable[Paper]) -> list[MonthCount]:
    """Papers per month of first submission, every month from the first to the last (zeros included)."""
    counter = Counter(paper.published.strftime("%Y-%m") for paper in papers)
    if not counter:
        return []
    first, last = min(counter), max(counter)
    year, month = int(first[:4]), int(first[5:])
    months: list[MonthCount] = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        months.append(MonthCount(key, counter.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_bars(counts: list[MonthCount], label: str) -> Markup:
    """An inline SVG bar chart of papers per month; every text is escaped, numbers are integers."""
    if not counts:
        return Markup("")
    top = max(c.count for c in counts) or 1
    label_room = 28
    width = len(counts) * (BAR_WIDTH + BAR_GAP) + BAR_GAP
    height = CHART_HEIGHT + label_room
    parts = [
        Markup('<svg class="atlas-bars" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
               'xmlns="http://www.w3.org/2000/svg" fill="currentColor" font-size="9">').format(w=width, h=height),
        Markup("<title>{}</title>").format(label),
    ]
    for index, item in enumerate(counts):
        bar = round((CHART_HEIGHT - 12) * item.count / top)
        x = BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        y = CHART_HEIGHT - bar
        parts.append(Markup(
            '<g><title>{month}: {papers}</title>'
            '<rect class="atlas-bars__bar" x="{x}" y="{y}" width="{bw}" height="{bar}" rx="2"/>'
            '<text x="{cx}" y="{ty}" text-anchor="middle">{count}</text>'
            '<text x="{cx}" y="{my}" text-anchor="middle" font-size="8">{short}</text></g>'
        ).format(month=item.month, count=item.count, papers=plural(item.count, "paper"), x=x, y=y, bw=BAR_WIDTH,
                 bar=bar,
                 cx=x + BAR_WIDTH // 2, ty=y - 3, my=CHART_HEIGHT + 12, short=item.month[2:]))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def lineage(model: CatalogModel, models: dict[str, CatalogModel]) -> list[CatalogModel]:
    """The chain of base models, oldest first, ending with the model itself (cycles are cut)."""
    chain = [model]
    seen = {model.id}
    while chain[0].base_model and chain[0].base_model in models and chain[0].base_model not in seen:
        chain.insert(0, models[chain[0].base_model])
        seen.add(chain[0].id)
    return chain


def descendants(model_id: str, models: dict[str, CatalogModel]) -> list[CatalogModel]:
    """Every model built on this one, directly or not, ordered by release then id."""
    found: list[CatalogModel] = []
    frontier = [model_id]
    while frontier:
        current = frontier.pop()
        for child in models.values():
            if child.base_model == current and child not in found:
                found.append(child)
                frontier.append(child.id)
    return sorted(found, key=lambda m: (m.release, m.id))


def size_bucket(model: CatalogModel) -> str:
    """The size filter's bucket (by total parameters)."""
    total = model.total_parameters
    if total is None:
        return "unknown"
    if total < 1_000_000_000:
        return "lt1b"
    if total < 10_000_000_000:
        return "1-10b"
    if total < 100_000_000_000:
        return "10-100b"
    return "ge100b"


def add_pages(writer: PageWriter, data: SiteData) -> None:
    catalog = data.catalog
    models = catalog.models
    by_model = data.papers_of_model()
    mentions = data.family_mentions  # found once: the family feeds read them too
    grouped = catalog.by_family()
    ordered = sorted(models.values(), key=lambda m: (m.family, m.release, m.id))
    counts = {model_id: len(papers) for model_id, papers in by_model.items()}
    family_rows = [
        {"family": catalog.families[fid], "models": len(grouped.get(fid, [])),
         "papers": len({p.id for m in grouped.get(fid, []) for p in by_model[m.id]} | {p.id for p, _ in mentions[fid]})}
        for fid in sorted(catalog.families)
    ]
    writer.add(f"{GENERATED}/models/index.md", "models_index.md.j2", models=ordered,
               families=catalog.families, family_rows=family_rows, counts=counts, size_bucket=size_bucket)
    for fid, family in sorted(catalog.families.items()):
        members = grouped.get(fid, [])
        model_papers = sorted({p.id: p for m in members for p in by_model[m.id]}.values(),
                              key=lambda p: (p.published, p.id), reverse=True)
        family_only = mentions[fid]
        everything = sorted({**{p.id: p for p in model_papers}, **{p.id: p for p, _ in family_only}}.values(),
                            key=lambda p: (p.published, p.id), reverse=True)
        base = f"{GENERATED}/families/{fid}.md"
        # two lists on the family's page: half a page of rows each, so the page stays within its budget
        model_parts = paginate(base, model_papers, FAMILY_ROWS)
        family_parts = paginate(f"{GENERATED}/families/{fid}-family-only.md", [p for p, _ in family_only],
                                FAMILY_ROWS)
        # the list's first page is the family's own page, which shows it: "<fid>-family-only.md" is never written,
        # and the pagers of its pages 2, 3 … linked to it (60 dead links in the bundled site, issue 26)
        family_parts[0] = (0, base, family_parts[0][2])
        family_evidence = {p.id: f"names “{m.evidence}”" for p, m in family_only}
        writer.add(
            base, "family.md.j2", family=family, follow=family_follow(family), members=members, counts=counts,
            model_papers=model_parts[0][2], model_total=len(model_papers), model_pages=[p for _, p, _ in model_parts],
            family_only=family_only, family_only_papers=family_parts[0][2], family_total=len(family_only),
            family_pages=[p for _, p, _ in family_parts], family_evidence=family_evidence,
            links=data.links, catalog_models=models, abstracts_at=data.abstracts_at,
            chart=month_bars(monthly_counts(everything), f"{family.name}: papers per month"),
            monthly=monthly_counts(everything), total=len(everything),
        )
        _continuation_pages(writer, data, model_parts, f"{family.name}: papers that name one of its models")
        if family_only:
            _continuation_pages(writer, data, family_parts, f"{family.name}: papers that name the family only",
                                family_evidence)
    for model in ordered:
        papers = by_model[model.id]
        parts = paginate(f"{GENERATED}/models/{model.id}.md", papers)
        evidence = _evidence(model.id, papers, data)
        writer.add(
            parts[0][1], "model.md.j2", model=model, follow=model_follow(model),
            family=catalog.families.get(model.family), papers=parts[0][2], total=len(papers),
            pages=[p for _, p, _ in parts], links=data.links, abstracts_at=data.abstracts_at,
            catalog_models=models, lineage=lineage(model, models), derived=descendants(model.id, models),
            chart=month_bars(monthly_counts(papers), f"{model.name}: papers per month"),
            monthly=monthly_counts(papers), evidence=evidence,
        )
        _continuation_pages(writer, data, parts, f"Papers about {model.name}", evidence)


def _continuation_pages(writer: PageWriter, data: SiteData, parts: list[tuple[int, str, Sequence[Paper]]],
                        heading: str, evidence: dict[str, str] | None = None) -> None:
    """Pages 2, 3 … of a paginated list (the first page is the model's or family's own page)."""
    pages = [path for _, path, _ in parts]
    total = sum(len(part) for _, _, part in parts)
    for number, path, part in parts[1:]:
        writer.add(path, "rows_page.md.j2", heading=heading, papers=part, total=total, pages=pages,
                   current=number, first=1 + sum(len(p) for _, _, p in parts[:number]), links=data.links,
                   models=data.catalog.models, abstracts_at=data.abstracts_at, evidence=evidence)


def _evidence(model_id: str, papers: list[Paper], data: SiteData) -> dict[str, str]:
    """For each paper on a model page, the words that linked it (shown so readers can judge the link)."""
    found: dict[str, str] = {}
    for paper in papers:
        for link in data.links.get(paper.id, []):
            if link.model == model_id:
                found[paper.id] = "its own paper" if link.via == "arxiv" else f"names “{link.evidence}”"
    return found
