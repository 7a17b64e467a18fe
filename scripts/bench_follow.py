"""What the Follow feeds cost: their bytes and their share of the render, on a store (README "Follow").

    .venv/bin/python scripts/bench_follow.py [--data-dir data] [--catalog-dir catalog] [--json]

Collects the site's data once (store, catalog, topics, links: the same for every page group), then times the
Follow page group (``tracker.site.pages.follow_pages``: the feeds, the Follow page, the OPML file) twice and the
whole ``render_pages`` with it and without it, and counts the feeds' bytes (raw, and gzipped as GitHub Pages serves
them), their entries, and the bytes the Follow button and the head's feed link add to the followed pages. Nothing
is written.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from pathlib import Path

from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.site.engine import PageWriter, SiteData, make_environment
from tracker.site.pages import follow_pages
from tracker.site.pages.follow import FEED_SIZE, FEEDS, FOLLOW_PAGE, OPML
from tracker.site.render import render_pages
from tracker.store import PaperStore

REPO = Path(__file__).resolve().parent.parent
SITE_URL = "https://llm-atlas.github.io/llm-atlas/"
BUTTON = re.compile(r'<p class="atlas-follow".*?</p>', re.S)
TITLE = re.compile(r'^  title: "(.*)"$', re.M)  # the front matter's feed (tracker/site/templates/_follow.j2)
PATH = re.compile(r'^  path: "(.*)"$', re.M)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--catalog-dir", type=Path, default=REPO / "catalog")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    data = SiteData.collect(PaperStore(args.data_dir), load_catalog(args.catalog_dir), load_topics(args.catalog_dir),
                            site_url=SITE_URL)
    collect = time.perf_counter() - started
    _ = data.family_mentions, data.abstracts_at  # shared with the family and month pages: not the feeds' own cost
    times = []
    for _run in range(2):
        started = time.perf_counter()
        writer = PageWriter(make_environment())
        follow_pages.add_pages(writer, data)
        times.append(time.perf_counter() - started)
    feeds = {path: text.encode() for path, text in writer.pages.items() if path.endswith(".xml")}
    entries = [text.count(b"<entry>") for text in feeds.values()]
    add_pages = follow_pages.add_pages
    render, render_without = [], []
    for _run in range(2):  # with and without the Follow group, in turn: the best of two each (a shared machine)
        started = time.perf_counter()
        pages = render_pages(data)
        render.append(time.perf_counter() - started)
        follow_pages.add_pages = lambda writer, data: None
        try:
            started = time.perf_counter()
            without = render_pages(data)
            render_without.append(time.perf_counter() - started)
        finally:
            follow_pages.add_pages = add_pages
    assert set(pages) - set(without) == {FOLLOW_PAGE, OPML, *feeds}
    followed = [text for text in pages.values() if BUTTON.search(text)]
    added = 0
    for text in followed:  # the button as written, and the head's link as overrides/main.html writes it
        button, title, path = BUTTON.search(text), TITLE.search(text), PATH.search(text)
        assert button and title and path
        href = "../../" + path.group(1).removeprefix("generated/")
        link = f'<link rel="alternate feed" type="application/atom+xml" title="{title.group(1)}" href="{href}">'
        added += len(button.group(0).encode()) + len(link.encode())
    report = {
        "papers": len(data.papers), "collect_s": round(collect, 1), "follow_s": round(min(times), 2),
        "render_s": round(min(render), 1), "render_without_follow_s": round(min(render_without), 1),
        "feeds": len(feeds), "entries": sum(entries),
        "full_feeds": sum(count == FEED_SIZE for count in entries), "empty_feeds": entries.count(0),
        "feeds_bytes": sum(map(len, feeds.values())),
        "feeds_gzip_bytes": sum(len(gzip.compress(text, 9, mtime=0)) for text in feeds.values()),
        "largest_feed_bytes": max(map(len, feeds.values()), default=0),
        "follow_page_bytes": len(writer.pages[FOLLOW_PAGE].encode()), "opml_bytes": len(writer.pages[OPML].encode()),
        "followed_pages": len(followed), "followed_pages_added_bytes": added,
    }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['papers']:,} papers (collected in {collect:.1f} s); {FEEDS}/: {report['feeds']} feeds, "
          f"{report['entries']:,} entries ({report['full_feeds']} full, {report['empty_feeds']} empty)")
    print(f"feeds {report['feeds_bytes'] / 1e6:.2f} MB ({report['feeds_gzip_bytes'] / 1e6:.2f} MB gzipped), largest "
          f"{report['largest_feed_bytes'] / 1e3:.1f} KB; Follow page {report['follow_page_bytes'] / 1e3:.1f} KB, "
          f"OPML {report['opml_bytes'] / 1e3:.1f} KB; button and head link {added / 1e3:.1f} KB over "
          f"{len(followed)} pages")
    print(f"Follow pages group {report['follow_s']:.2f} s; render_pages {report['render_s']:.1f} s, without the Follow "
          f"group {report['render_without_follow_s']:.1f} s (best of two each)")


if __name__ == "__main__":
    main()
