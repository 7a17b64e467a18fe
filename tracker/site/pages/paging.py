"""Splitting long paper lists over several pages, so no page grows with the store.

Budgets (issue 14): no HTML page over 300 KB, whatever the store's size. A month page shows each paper's
entry (~0.8 KB of HTML a paper; the abstract is loaded on demand), so it holds ``MONTH_PAGE_SIZE``; every other
list shows compact rows (title, first author, date, model chips: ~0.3 KB) linking to the entry on its month
page, and holds ``ROWS_PAGE_SIZE``. Bigger pages mean fewer copies of the theme's ~26 KB page frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

MONTH_PAGE_SIZE = 240
ROWS_PAGE_SIZE = 500
PAGE_SIZE = MONTH_PAGE_SIZE


def page_paths(base: str, count: int, size: int = PAGE_SIZE) -> list[str]:
    """``base.md`` for the first page, then ``base-p2.md``, ``base-p3.md`` … (always at least one page)."""
    pages = max(1, -(-count // size))
    stem = base[: -len(".md")]
    return [base] + [f"{stem}-p{n}.md" for n in range(2, pages + 1)]


def chunks(items: Sequence[T], size: int = PAGE_SIZE) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


def paginate(base: str, items: Sequence[T], size: int = ROWS_PAGE_SIZE) -> list[tuple[int, str, Sequence[T]]]:
    """``[(page number from 0, md path, the page's items)]`` for a list split over pages of ``size``."""
    paths = page_paths(base, len(items), size)
    return [(n, path, part) for n, (path, part) in enumerate(zip(paths, chunks(items, size), strict=True))]
