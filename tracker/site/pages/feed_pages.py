"""The RSS 2.0 feed of the weekly digests: ``docs/generated/feed.xml``, copied into the site as it is.

Item links are absolute under ``mkdocs.yml``'s ``site_url`` (always set there: the project's Pages address,
or ``$LLM_ATLAS_SITE_URL``); without one they would be relative to the feed. Titles are plain text
(``tex_text``: no raw TeX). Dates come from the weeks, never from
the clock, so the feed only changes when a week does.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.utils import format_datetime

from markupsafe import Markup

from tracker.site.engine import GENERATED, PageWriter, SiteData, page_url
from tracker.site.pages.digest_pages import Digest, build_digests, digest_path
from tracker.site.text import tex_text
from tracker.weeks import week_end

FEED = f"{GENERATED}/feed.xml"
ITEMS = 26  # half a year of weeks
TITLES = 10  # papers named in each item


def site_link(data: SiteData, md_path: str) -> str:
    """The URL of a page: absolute under ``site_url``, else relative to the feed (``generated/``)."""
    url = page_url(md_path)
    if data.site_url:
        return data.site_url.rstrip("/") + "/" + url
    return url[len(GENERATED) + 1 :] if url.startswith(GENERATED + "/") else "../" + url


def rfc822(digest: Digest) -> str:
    # the end of the week's Sunday, UTC: the moment the digest is complete
    return format_datetime(datetime.combine(week_end(digest.week), time(23, 59, 59), tzinfo=UTC))


def item_description(digest: Digest) -> Markup:
    """The item's HTML (escaped once more by the XML template, as RSS wants)."""
    parts = [Markup("<p>{} new papers and {} updated ones.</p>").format(len(digest.new), len(digest.updated))]
    if digest.sections:
        items = Markup("").join(
            Markup("<li>{}: {}</li>").format(s.name, len(s.new) + len(s.updated)) for s in digest.sections
        )
        parts.append(Markup("<ul>{}</ul>").format(items))
    newest = (digest.new + digest.updated)[:TITLES]
    if newest:
        titles = Markup("").join(Markup('<li><a href="{}">{}</a></li>').format(p.abs_url, tex_text(p.title))
                                 for p in newest)
        parts.append(Markup("<p>Latest papers:</p><ol>{}</ol>").format(titles))
    return Markup("").join(parts)


def add_pages(writer: PageWriter, data: SiteData) -> None:
    digests = list(reversed(build_digests(data)))[:ITEMS]
    items = [
        {
            "title": f"Week {d.week} ({d.span}{', so far' if d.partial else ''}): {len(d.new)} new, "
                     f"{len(d.updated)} updated papers",
            "link": site_link(data, digest_path(d.week)),
            "guid": f"llm-atlas-digest-{d.week}",
            "date": rfc822(d),
            "description": str(item_description(d)),
        }
        for d in digests
    ]
    text = writer.env.get_template("feed.xml.j2").render(
        items=items, link=site_link(data, "index.md"), self_url=site_file(data, FEED),
        updated=items[0]["date"] if items else None,
    )
    writer.add_file(FEED, text)


def site_file(data: SiteData, path: str) -> str | None:
    """The absolute URL of a file under ``docs/``, when the site's address is known."""
    return data.site_url.rstrip("/") + "/" + path if data.site_url else None

