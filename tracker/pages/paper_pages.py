"""The papers section: an overview by month and one page per month."""

from __future__ import annotations

from tracker.paper import Paper
from tracker.render import GENERATED, PageWriter, SiteData


def add_pages(writer: PageWriter, data: SiteData) -> None:
    months: dict[str, list[Paper]] = {}
    for paper in data.papers:
        months.setdefault(paper.month, []).append(paper)
    month_rows = [
        {"month": m, "count": len(ps), "linked": sum(1 for p in ps if p.id in data.links)}
        for m, ps in sorted(months.items(), reverse=True)
    ]
    writer.add(
        f"{GENERATED}/papers/index.md",
        "papers_index.md.j2",
        total=len(data.papers),
        first=data.papers[-1].published if data.papers else "—",
        last=data.papers[0].published if data.papers else "—",
        months=month_rows,
    )
    for month, papers in months.items():
        writer.add(f"{GENERATED}/papers/{month}.md", "papers_month.md.j2", month=month, papers=papers,
                   links=data.links, models=data.catalog.models)
