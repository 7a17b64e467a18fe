"""Render the generated pages (``docs/generated/``) from the store and the catalog with Jinja2.

Every outside string is HTML-escaped by autoescape; paper lists are emitted as raw HTML blocks, which
Markdown passes through untouched, so a title like ``<script>`` or ``*bold*`` shows as written.
Output is deterministic: the same store and catalog give byte-identical pages.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tracker.atomic import write_if_changed
from tracker.catalog import Catalog
from tracker.linking import PaperLink, link_papers_to_models
from tracker.paper import Paper
from tracker.store import PaperStore

GENERATED = "generated"


def page_url(md_path: str) -> str:
    """The site URL (directory style) of a page under ``docs/``: ``a/b.md`` → ``a/b/``, ``a/index.md`` → ``a/``."""
    stem = md_path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
        return stem
    return stem + "/"


def relative_link(from_md: str, to_md: str) -> str:
    """A link from one page to another that works from the built page's own URL."""
    here, there = page_url(from_md), page_url(to_md)
    rel = posixpath.relpath(there or ".", here or ".")
    return rel if rel.endswith("/") or rel == "." else rel + "/"


def human_count(value: Any) -> str:
    if value is None:
        return "—"
    if value == "unknown":
        return "unknown"
    number = float(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if number >= threshold:
            text = f"{number / threshold:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{number:g}"


def thousands(value: Any) -> str:
    if value is None:
        return "—"
    if value == "unknown":
        return "unknown"
    return f"{value:,}" if isinstance(value, int) else str(value)


def source_link(url: Any) -> Markup:
    if not url:
        return Markup("")
    return Markup(' <a class="atlas-source" href="{}" title="source">[source]</a>').format(str(url))


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tracker", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["params"] = human_count
    env.filters["number"] = thousands
    env.globals["source"] = source_link
    return env


@dataclass
class SiteData:
    """Everything the generated pages are made of, computed once."""

    papers: list[Paper]
    catalog: Catalog
    links: dict[str, list[PaperLink]]

    @classmethod
    def collect(cls, store: PaperStore, catalog: Catalog) -> SiteData:
        papers = sorted(store, key=lambda p: (p.published, p.id), reverse=True)
        return cls(papers=papers, catalog=catalog, links=link_papers_to_models(papers, catalog))

    def papers_of_model(self) -> dict[str, list[Paper]]:
        by_model: dict[str, list[Paper]] = {model_id: [] for model_id in self.catalog.models}
        for paper in self.papers:
            for link in self.links.get(paper.id, []):
                by_model[link.model].append(paper)
        return by_model


class PageWriter:
    """Collects ``{path under docs/: text}`` and renders each template with a page-relative ``rel``."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.pages: dict[str, str] = {}

    def add(self, md_path: str, template: str, **context: Any) -> None:
        rel: Callable[[str], str] = lambda target: relative_link(md_path, target)  # noqa: E731
        self.pages[md_path] = self.env.get_template(template).render(rel=rel, **context)


def render_pages(data: SiteData) -> dict[str, str]:
    """All generated pages as ``{path relative to docs/: markdown}``.

    Each group of pages lives in its own module under ``tracker/pages/`` with an ``add_pages(writer, data)``.
    """
    from tracker.pages import catalog_pages, paper_pages

    writer = PageWriter(make_environment())
    for group in (paper_pages, catalog_pages):
        group.add_pages(writer, data)
    return writer.pages


def write_pages(docs_dir: Path, pages: dict[str, str]) -> tuple[int, int]:
    """Write pages under ``docs_dir`` (only those that changed) and remove stale generated files.

    Returns (pages written, stale files removed).
    """
    written = sum(write_if_changed(docs_dir / path, text.encode("utf-8")) for path, text in sorted(pages.items()))
    removed = 0
    generated = docs_dir / GENERATED
    if generated.exists():
        for path in sorted(generated.rglob("*.md")):
            if path.relative_to(docs_dir).as_posix() not in pages:
                path.unlink()
                removed += 1
    return written, removed


