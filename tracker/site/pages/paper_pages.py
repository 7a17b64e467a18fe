"""The papers section: an overview by month and the month pages (split into pages of ``MONTH_PAGE_SIZE``),
where each paper has its full entry; every other list links to a paper's entry here. The entry's abstract and
BibTeX are loaded from the month's abstracts files (tracker.site.abstracts) when the reader opens them."""

from __future__ import annotations

import posixpath
from typing import Any

from tracker.site.abstracts import ABSTRACT_CHUNK, chunk_path, months_of
from tracker.site.engine import GENERATED, PageWriter, SiteData
from tracker.site.pages.paging import MONTH_PAGE_SIZE, chunks, page_paths

assert MONTH_PAGE_SIZE % ABSTRACT_CHUNK == 0, "a month page must start at an abstracts file's first paper"


def add_pages(writer: PageWriter, data: SiteData) -> None:
    months = months_of(data.papers)
    month_rows: list[dict[str, Any]] = [
        {
            "month": m,
            "count": len(ps),
            "linked": sum(1 for p in ps if p.id in data.links),
            "pages": page_paths(f"{GENERATED}/papers/{m}.md", len(ps), MONTH_PAGE_SIZE),
        }
        for m, ps in sorted(months.items(), reverse=True)
    ]
    writer.add(
        f"{GENERATED}/papers/index.md",
        "papers_index.md.j2",
        total=len(data.papers),
        first=data.papers[-1].published if data.papers else "—",
        last=data.papers[0].published if data.papers else "—",
        months=month_rows,
        has_topics=data.taxonomy is not None,
    )
    for row in month_rows:
        papers = months[row["month"]]
        for number, (path, part) in enumerate(zip(row["pages"], chunks(papers, MONTH_PAGE_SIZE), strict=True)):
            # the page's abstracts and BibTeX: files of ABSTRACT_CHUNK papers, which a page size divides
            folder = posixpath.dirname(chunk_path(row["month"], 0)) + "/"
            writer.add(path, "papers_month.md.j2", month=row["month"], papers=part, total=len(papers),
                       first=number * MONTH_PAGE_SIZE, pages=row["pages"], current=number,
                       links=data.links, models=data.catalog.models, topics=data.topics, taxonomy=data.taxonomy,
                       chunks=folder, bib_name=posixpath.basename(path)[: -len(".md")] + ".bib")

