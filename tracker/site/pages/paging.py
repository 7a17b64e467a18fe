"""Splitting long paper lists over several pages, so no page grows past a few hundred entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

# About 0.4 MB of HTML per page with abstracts folded away: quick to load, easy to scroll.
PAGE_SIZE = 200


def page_paths(base: str, count: int, size: int = PAGE_SIZE) -> list[str]:
    """``base.md`` for the first page, then ``base-p2.md``, ``base-p3.md`` … (always at least one page)."""
    pages = max(1, -(-count // size))
    stem = base[: -len(".md")]
    return [base] + [f"{stem}-p{n}.md" for n in range(2, pages + 1)]


def chunks(items: Sequence[T], size: int = PAGE_SIZE) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]
