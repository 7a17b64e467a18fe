"""The page engine: Jinja2 templates, page-relative links, and ``SiteData``, what every page is made of.

The page groups live in ``tracker/site/pages/`` (one module each, ``add_pages(writer, data)``);
``tracker.site.render`` runs them all and writes ``docs/generated/``.

Every outside string is HTML-escaped by autoescape; paper lists are emitted as raw HTML blocks, which
Markdown passes through untouched, so a title like ``<script>`` or ``*bold*`` shows as written.
Output is deterministic: the same store and catalog give byte-identical pages.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tracker.artifacts import artifact_label
from tracker.knowledge.catalog import Catalog
from tracker.knowledge.linking import FamilyMention, ModelLinker, PaperLink, link_papers_to_models
from tracker.knowledge.topics import Taxonomy, TopicMatch
from tracker.paper import Paper
from tracker.settings import GENERATED
from tracker.site.abstracts import months_of
from tracker.site.pages.paging import MONTH_PAGE_SIZE, chunks, page_paths
from tracker.site.text import plural, tex_text
from tracker.store import PaperStore
from tracker.weeks import newest_day

__all__ = [
    "GENERATED", "PageLinks", "PageWriter", "SiteData", "make_environment", "page_url", "relative_link",
    "relative_path",
]


def page_url(md_path: str) -> str:
    """The site URL (directory style) of a page under ``docs/``: ``a/b.md`` → ``a/b/``, ``a/index.md`` → ``a/``."""
    stem = md_path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
        return stem
    return stem + "/"


def relative_path(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)`` for two paths relative to ``docs/``, by string alone.

    posixpath's own makes both absolute first (a ``getcwd`` each): with a link per paper per list, that was a
    third of rendering the pages at 250,000 papers. Paths with ``..`` or a leading ``/`` go to posixpath.
    """
    if ".." in path or ".." in start or path.startswith("/") or start.startswith("/"):
        return posixpath.relpath(path or ".", start or ".")
    to = [part for part in path.split("/") if part and part != "."]
    base = [part for part in start.split("/") if part and part != "."]
    common = 0
    for a, b in zip(to, base, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(base) - common) + to[common:]
    return "/".join(parts) if parts else "."


def relative_link(from_md: str, to_md: str) -> str:
    """A link from one page to another that works from the built page's own URL."""
    rel = relative_path(page_url(to_md), page_url(from_md))
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
        loader=PackageLoader("tracker.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["params"] = human_count
    env.filters["number"] = thousands
    env.filters["tex"] = tex_text  # a paper title's TeX as text: {{ p.title | tex }}
    env.filters["plural"] = plural  # {{ n | plural("paper") }}: "1 paper", "2 papers"
    env.filters["address"] = artifact_label  # a link's short text: "org/repo", "org/model", "host/path"
    env.globals["source"] = source_link
    return env


@dataclass
class SiteData:
    """Everything the generated pages are made of, computed once."""

    papers: list[Paper]
    catalog: Catalog
    links: dict[str, list[PaperLink]]
    # research topics (catalog/topics.yaml) and each paper's topics, best first; empty without a taxonomy
    taxonomy: Taxonomy | None = None
    topics: dict[str, list[TopicMatch]] = field(default_factory=dict)
    # the published site's address (mkdocs.yml ``site_url``), for absolute links in the feed
    site_url: str | None = None
    # ``{paper id: its vector}`` from the search index (``tracker.search.index.PaperIndex``) when the site is
    # built with one (``llm-atlas build``): the digests' themes of the week. None: pages without themes.
    vectors: Mapping[str, np.ndarray] | None = None

    @classmethod
    def collect(
        cls, store: PaperStore, catalog: Catalog, taxonomy: Taxonomy | None = None, site_url: str | None = None,
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> SiteData:
        papers = sorted(store, key=lambda p: (p.published, p.id), reverse=True)
        topics = taxonomy.assign(papers) if taxonomy is not None else {}
        return cls(papers=papers, catalog=catalog, links=link_papers_to_models(papers, catalog),
                   taxonomy=taxonomy, topics=topics, site_url=site_url, vectors=vectors)

    @cached_property
    def abstracts_at(self) -> dict[str, str]:
        """``{paper id: the month page (md path) that publishes its abstract}``: every other list links there."""
        where: dict[str, str] = {}
        for month, papers in months_of(self.papers).items():
            paths = page_paths(f"{GENERATED}/papers/{month}.md", len(papers), MONTH_PAGE_SIZE)
            for path, part in zip(paths, chunks(papers, MONTH_PAGE_SIZE), strict=True):
                where.update((p.id, path) for p in part)
        return where

    @cached_property
    def as_of(self) -> date | None:
        """The newest day in the store (``tracker.weeks.newest_day``): a week ending after it is partial."""
        return newest_day(self.papers)

    @cached_property
    def family_mentions(self) -> dict[str, list[tuple[Paper, FamilyMention]]]:
        """Papers (newest first) that name a family but none of its catalog models, by family id: found once for
        the family pages and their feeds (a few seconds at the bundled size)."""
        linker = ModelLinker(self.catalog)
        by_family: dict[str, list[tuple[Paper, FamilyMention]]] = {fid: [] for fid in self.catalog.families}
        for paper in self.papers:
            for mention in linker.family_mentions(paper, self.links.get(paper.id, [])):
                by_family.setdefault(mention.family, []).append((paper, mention))
        return by_family

    def papers_of_model(self) -> dict[str, list[Paper]]:
        by_model: dict[str, list[Paper]] = {model_id: [] for model_id in self.catalog.models}
        for paper in self.papers:
            for link in self.links.get(paper.id, []):
                by_model[link.model].append(paper)
        return by_model


class PageLinks:
    """The ``rel`` a template gets: ``rel(target_md)`` is a link from this page to another."""

    def __init__(self, md_path: str) -> None:
        self.md_path = md_path

    def __call__(self, target_md: str) -> str:
        return relative_link(self.md_path, target_md)

    def file(self, target: str) -> str:
        """A link from this page to a plain file or folder under ``docs/`` (the feed, abstracts files)."""
        return relative_path(target, page_url(self.md_path))


class PageWriter:
    """Collects ``{path under docs/: text}`` and renders each template with a page-relative ``rel``."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.pages: dict[str, str] = {}

    def add(self, md_path: str, template: str, **context: Any) -> None:
        self.add_included(md_path, md_path, template, **context)

    def add_included(self, path: str, page: str, template: str, **context: Any) -> None:
        """Render into ``path`` a part that ``page`` includes (a snippet): its links start from ``page``."""
        self.pages[path] = self.env.get_template(template).render(rel=PageLinks(page), **context)

    def add_file(self, path: str, text: str) -> None:
        """A generated file that is not a page (a feed, a snippet included by a hand-written page)."""
        self.pages[path] = text
