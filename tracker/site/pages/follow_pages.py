"""Follow: an Atom feed per topic, per model family and per catalog model, the Follow page that lists them, and
an OPML file of them all (feed readers import OPML).

Each feed holds the newest ``FEED_SIZE`` papers of what it follows, newest first (the order of the page it
follows): a topic's papers, the papers that name a catalog model (or are its own paper), a family's papers (those
that name one of its models, and those that name the family only). Files: ``generated/feeds/<kind>s/<id>.xml``.
Links are absolute under ``mkdocs.yml``'s ``site_url`` (the site's address); without one, relative to the feed.
A feed's bytes come from its papers alone (``tracker.site.atom``: no clock), so a build that changes nothing
rewrites nothing; its cost is bounded by feeds × ``FEED_SIZE`` entries whatever the store's size, and a paper in
several feeds is serialised once.

The followed pages name their feed in the page head (front matter ``feed``, read by ``overrides/main.html``)
and show a "Follow" button under their title (``_follow.j2``), from the ``Follow`` their page module passes
(``tracker.site.pages.follow``).

Searches get no feed: a feed reader fetches a file, and a static site holds only the files it made when it was
built; a reader's own query is not known then (the Follow page says so, and how a fork adds a topic instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.paper import Paper
from tracker.site.atom import AtomFeed, atom_entry, atom_feed
from tracker.site.engine import PageWriter, SiteData, page_url, relative_path
from tracker.site.pages.feed_pages import FEED as DIGEST_FEED
from tracker.site.pages.follow import (
    FEED_SIZE,
    FEEDS,
    FOLLOW_PAGE,
    KINDS,
    OPML,
    Follow,
    family_follow,
    model_follow,
    topic_follow,
)
from tracker.site.pages.topic_pages import papers_by_topic


class _Addresses:
    """URLs for the feeds: absolute under the site's address, else relative to the feeds' folders (all at the same
    depth, ``generated/feeds/<kind>s/``, so an entry's links are the same in every feed)."""

    def __init__(self, site_url: str | None) -> None:
        self.base = site_url.rstrip("/") + "/" if site_url else None

    def file(self, path: str, start: str = f"{FEEDS}/topics") -> str:
        return self.base + path if self.base else relative_path(path, start)

    def page(self, md_path: str, start: str = f"{FEEDS}/topics") -> str:
        url = page_url(md_path)  # a folder ("generated/topics/rag/", "" for the home page): keeps its slash
        if self.base:
            return self.base + url
        relative = relative_path(url, start)
        return relative if relative.endswith("/") else relative + "/"


def followed(data: SiteData) -> list[tuple[Follow, list[Paper]]]:
    """Every feed with all its papers, newest first: topics (in the taxonomy's order), families, models (by id)."""
    found: list[tuple[Follow, list[Paper]]] = []
    if data.taxonomy is not None:
        by_topic = papers_by_topic(data)
        found += [(topic_follow(topic), by_topic[topic.id]) for topic in data.taxonomy]
    by_model = data.papers_of_model()
    grouped = data.catalog.by_family()
    for fid, family in sorted(data.catalog.families.items()):
        papers = {p.id: p for m in grouped.get(fid, []) for p in by_model[m.id]}
        papers.update((p.id, p) for p, _ in data.family_mentions.get(fid, []))
        found.append((family_follow(family), sorted(papers.values(), key=lambda p: (p.published, p.id),
                                                    reverse=True)))
    found += [(model_follow(model), by_model[model.id]) for _, model in sorted(data.catalog.models.items())]
    return found


def render_feeds(data: SiteData, feeds: Sequence[tuple[Follow, Sequence[Paper]]]) -> dict[str, str]:
    """``{path under docs/: the feed's XML}``, each with its newest ``FEED_SIZE`` papers."""
    at = _Addresses(data.site_url)
    entries: dict[str, str] = {}  # paper id -> its <entry>, the same in every feed
    files: dict[str, str] = {}
    for follow, papers in feeds:
        newest = papers[:FEED_SIZE]
        for paper in newest:
            if paper.id not in entries:
                anchor = "#paper-" + paper.id.replace("/", "-")
                entries[paper.id] = atom_entry(paper, at.page(data.abstracts_at[paper.id]) + anchor)
        start = follow.path.rsplit("/", 1)[0]
        feed = AtomFeed(follow.title, follow.subtitle, at.file(follow.path, start), at.page(follow.page, start))
        files[follow.path] = atom_feed(feed, newest, [entries[p.id] for p in newest])
    return files


def add_pages(writer: PageWriter, data: SiteData) -> None:
    feeds = followed(data)
    for path, text in render_feeds(data, feeds).items():
        writer.add_file(path, text)
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for follow, papers in feeds:
        rows[follow.kind].append({"follow": follow, "total": len(papers),
                                  "newest": papers[0].published if papers else None})
    writer.add(FOLLOW_PAGE, "follow.md.j2", rows=rows, feed_size=FEED_SIZE, opml=OPML, digest_feed=DIGEST_FEED)
    at = _Addresses(data.site_url)
    outlines = {kind: [{"follow": f, "xml": at.file(f.path, FEEDS), "html": at.page(f.page, FEEDS)}
                       for f, _ in feeds if f.kind == kind] for kind in KINDS}
    writer.add_file(OPML, writer.env.get_template("feeds.opml.j2").render(
        outlines=outlines, digests={"xml": at.file(DIGEST_FEED, FEEDS), "html": at.page("index.md", FEEDS)}))
