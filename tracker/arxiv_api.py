"""The arXiv API source, through the ``arxiv`` package: a query by category and submission window."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import arxiv
import requests

from tracker.errors import ArxivError, ArxivUnreachableError
from tracker.paper import Paper, VersionRecord, split_arxiv_id

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"


def result_to_paper(result: arxiv.Result) -> Paper:
    paper_id, version = split_arxiv_id(result.entry_id.rsplit("/abs/", 1)[-1])
    version = version or 1
    published, updated = result.published.date(), result.updated.date()
    history = [VersionRecord(version=1, date=published)]
    if version > 1:
        history.append(VersionRecord(version=version, date=updated))
    categories = [result.primary_category] + [c for c in result.categories if c != result.primary_category]
    return Paper(
        id=paper_id,
        version=version,
        title=result.title,
        abstract=result.summary,
        authors=[author.name for author in result.authors],
        categories=categories,
        published=published,
        updated=updated,
        comment=result.comment or None,
        doi=result.doi or None,
        journal_ref=result.journal_ref or None,
        versions=history,
    )


def category_query(categories: list[str], since: date, until: date) -> str:
    cats = " OR ".join(f"cat:{c}" for c in categories)
    window = f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    return f"({cats}) AND {window}"


class ArxivApiSource:
    """One ``arxiv.Client`` per run: it keeps arXiv's 3-second spacing between requests."""

    def __init__(self, api_url: str = DEFAULT_API_URL, page_size: int = 200, delay_seconds: float = 3.0,
                 num_retries: int = 3) -> None:
        self.client = arxiv.Client(page_size=page_size, delay_seconds=delay_seconds, num_retries=num_retries)
        self.client.query_url_format = api_url.rstrip("?") + "?{}"

    def fetch(self, categories: list[str], since: date, until: date, max_results: int | None = None) -> Iterator[Paper]:
        search = arxiv.Search(
            query=category_query(categories, since, until),
            max_results=max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Ascending,
        )
        try:
            for result in self.client.results(search):
                yield result_to_paper(result)
        except requests.exceptions.ConnectionError as error:
            raise ArxivUnreachableError(f"arXiv API is unreachable ({type(error).__name__})") from None
        except arxiv.ArxivError as error:
            raise ArxivError(f"arXiv API failed: {error}") from None
