"""The page "Models the catalog lacks": the model names the stored papers use that no catalog alias matches.

The page is ``llm-atlas catalog candidates`` on the site (``tracker.knowledge.candidates``): the best
:data:`TOP` names, grouped by family-like stem, each with its papers per month, its paper count and two
evidence sentences linked to the papers' entries on their month pages. The list is capped, so the page
stays the same size however large the store grows; and it reads the papers of the store's newest
:data:`WINDOW_MONTHS` months only, so its cost does not grow with the store either (the names a maintainer
should add are the ones papers use now; ``llm-atlas catalog candidates`` reads the whole store).
"""

from __future__ import annotations

from datetime import date

from tracker.knowledge.candidates import find_candidates
from tracker.site.engine import GENERATED, PageWriter, SiteData

CANDIDATES = f"{GENERATED}/models/candidates.md"
TOP = 100  # names on the page: ~1 KB of HTML each, so the page stays well under 300 KB
# At 250,000 papers, finding the names in the whole store took minutes of every build; a year of papers is
# ~40,000 whatever the store's size.
WINDOW_MONTHS = 12


def window_start(newest: date | None, months: int = WINDOW_MONTHS) -> date | None:
    """The first day of the window of ``months`` calendar months that ends with ``newest``'s month."""
    if newest is None:
        return None
    total = newest.year * 12 + newest.month - 1 - (months - 1)
    return date(total // 12, total % 12 + 1, 1)


def add_pages(writer: PageWriter, data: SiteData) -> None:
    if "candidates" in data.catalog.models:  # its page would be this one's address
        raise ValueError("a catalog model may not have the id 'candidates' (generated/models/candidates.md)")
    since = window_start(max((paper.published for paper in data.papers), default=None))
    report = find_candidates(data.papers, data.catalog, since=since)
    groups = report.groups(TOP)
    shown = {paper_id for group in groups for c in group.candidates for paper_id, _s in c.evidence}
    writer.add(
        CANDIDATES, "candidates.md.j2", report=report, groups=groups, top=TOP, months=WINDOW_MONTHS,
        shown=sum(len(group.candidates) for group in groups),
        papers={paper.id: paper for paper in data.papers if paper.id in shown},
        families=data.catalog.families, abstracts_at=data.abstracts_at,
    )
