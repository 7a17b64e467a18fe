"""Render every generated page (``docs/generated/``) from the store and the catalog, and write them.

Every outside string is HTML-escaped by autoescape (``tracker.site.engine``). Output is deterministic:
the same store and catalog give byte-identical pages, and only pages whose bytes changed are rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tracker.atomic import write_if_changed
from tracker.settings import GENERATED
from tracker.site.engine import PageWriter, SiteData, make_environment
from tracker.site.pages import (
    candidate_pages,
    catalog_pages,
    digest_pages,
    feed_pages,
    follow_pages,
    home_pages,
    learn_pages,
    paper_pages,
    topic_pages,
    trend_pages,
)

# kinds of file render writes under docs/generated/ (and so may remove when they are no longer made); the
# search page's data (generated/search/) is the search bundle's own business
GENERATED_SUFFIXES = {".md", ".bib", ".xml", ".gz", ".opml"}
_NOT_OURS = f"{GENERATED}/search/"


def render_pages(data: SiteData) -> dict[str, str]:
    """All generated pages as ``{path relative to docs/: markdown}``.

    Each group of pages lives in its own module under ``tracker/site/pages/`` with an ``add_pages(writer, data)``.
    """
    writer = PageWriter(make_environment())
    for group in (paper_pages, catalog_pages, candidate_pages, topic_pages, digest_pages, trend_pages, feed_pages,
                  follow_pages, home_pages, learn_pages):
        group.add_pages(writer, data)
    return writer.pages


def write_pages(docs_dir: Path, pages: Mapping[str, str | bytes]) -> tuple[int, int]:
    """Write pages (text) and files (bytes) under ``docs_dir`` (only those that changed) and remove stale
    generated files.

    Returns (files written, stale files removed).
    """
    written = sum(write_if_changed(docs_dir / path, text if isinstance(text, bytes) else text.encode("utf-8"))
                  for path, text in sorted(pages.items()))
    removed = 0
    generated = docs_dir / GENERATED
    if generated.exists():
        for path in sorted(p for p in generated.rglob("*") if p.suffix in GENERATED_SUFFIXES):
            relative = path.relative_to(docs_dir).as_posix()
            if relative not in pages and not relative.startswith(_NOT_OURS):
                path.unlink()
                removed += 1
    return written, removed


