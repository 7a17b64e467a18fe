"""Atom feeds (RFC 4287) of papers: one ``<entry>`` per paper, and the feed document around a list of them.

Why Atom and not RSS 2.0 (the weekly digests' feed): every Atom entry has a permanent ``id`` and an ``updated``
date, so a feed reader recognises a paper it has shown before (the same arXiv id in a topic's and a model's feed
is the same entry); text constructs say what they hold (``type="text"`` titles, an ``type="html"`` summary), so an
outside title is escaped once for XML and shown as written, never read as markup; an entry carries several typed
links (the paper on arXiv as ``alternate``, its entry on the Atlas's month page as ``related``) and structured
authors (RSS's ``author`` wants an e-mail address).

The XML is written by hand, not by ``feedgen``: the entries are plain strings, so a paper in several feeds is
serialised once, and nothing comes from the clock (feedgen stamps ``updated`` and a ``generator`` by default).
Output is deterministic: the same papers and addresses give the same bytes. Every outside string goes through
``escape`` (XML's five special characters) after characters XML forbids (C0 controls) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from tracker.paper import Paper
from tracker.site.text import tex_text

__all__ = ["ATOM_TYPE", "AUTHORS", "SUMMARY_CHARS", "AtomFeed", "atom_entry", "atom_feed", "atom_time",
           "first_sentences", "xml_text"]

ATOM_TYPE = "application/atom+xml"
SUMMARY_CHARS = 300  # the abstract's first sentences, up to about this many characters
AUTHORS = 10  # author elements per entry; the summary says how many more there are
# a feed with no entry still needs an ``updated``: a fixed date, so an empty feed never changes by itself
EMPTY_UPDATED = date(1970, 1, 1)

# what XML 1.0 allows in text: tab, newline, carriage return and everything from the space up, less surrogates
# and U+FFFE/U+FFFF (arXiv text has held form feeds and other C0 controls)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# a sentence ends at . ! or ? followed by a space and what can start a sentence (not "e.g. the", "vs. a")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“'‘])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|cf|Fig|Eq|Sec|approx|resp|No)\.)$")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (not escaped: ``escape`` or autoescape does that)."""
    return _NOT_XML.sub("", text)


def atom_time(day: date) -> str:
    """An RFC 3339 date-time for a day: its midnight, UTC (arXiv dates papers by day)."""
    return f"{day.isoformat()}T00:00:00Z"


def first_sentences(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentences of ``text`` that fit in about ``limit`` characters (always at least the first one);
    a first sentence longer than ``limit`` is cut at a word and ends with "…". Whitespace runs become one space."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + part  # "e.g. Llama": not a sentence's end
        else:
            sentences.append(part)
    kept = ""
    for sentence in sentences:
        candidate = f"{kept} {sentence}" if kept else sentence
        if len(candidate) > limit and kept:
            return kept + " …"
        kept = candidate
        if len(kept) > limit:
            break
    if len(kept) <= limit:
        return kept
    cut = kept[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _summary(paper: Paper, atlas_link: str) -> Markup:
    """The entry's HTML (escaped once here, once more as XML): the abstract's first sentences and the link to the
    paper's entry on the site, which most readers show while they ignore a ``related`` link. The title already
    opens arXiv (``alternate``) and the authors are ``<author>`` elements: neither is repeated here, but how many
    authors the elements leave out is."""
    more = len(paper.authors) - AUTHORS
    return Markup('<p>{}</p><p><a href="{}">Abstract, BibTeX and related papers on LLM Atlas</a>{}</p>').format(
        xml_text(first_sentences(paper.abstract)), atlas_link,
        f" · {more} more author{'s' if more > 1 else ''} on arXiv" if more > 0 else "")


def atom_entry(paper: Paper, atlas_link: str) -> str:
    """One paper as an Atom ``<entry>``: id and ``alternate`` link on arXiv (the version-less abstract page),
    ``related`` link to ``atlas_link`` (its entry on the site), dates of first submission and newest version."""
    parts = [
        "<entry>",
        f"<id>{escape(paper.abs_url)}</id>",
        f'<title type="text">{escape(xml_text(tex_text(paper.title)))}</title>',
        f"<published>{atom_time(paper.published)}</published>",
        f"<updated>{atom_time(max(paper.updated, paper.published))}</updated>",
        f'<link rel="alternate" type="text/html" href="{escape(paper.abs_url)}"/>',
        f'<link rel="related" type="text/html" title="LLM Atlas" href="{escape(atlas_link)}"/>',
        *(f"<author><name>{escape(xml_text(name))}</name></author>" for name in paper.authors[:AUTHORS]),
        *(f'<category term="{escape(xml_text(category))}"/>' for category in paper.categories),
        f'<summary type="html">{escape(str(_summary(paper, atlas_link)))}</summary>',
        "</entry>",
    ]
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class AtomFeed:
    """A feed's own facts: ``feed_url`` (its id and ``self`` link) and ``page_url`` (the site page it follows)."""

    title: str
    subtitle: str
    feed_url: str
    page_url: str


def feed_updated(papers: Iterable[Paper]) -> date:
    """The feed's ``updated``: the latest date among its papers (a first submission or a newer version), so it moves
    exactly when an entry is added or revised, never with the clock."""
    return max((max(p.updated, p.published) for p in papers), default=EMPTY_UPDATED)


def atom_feed(feed: AtomFeed, papers: Sequence[Paper], entries: Sequence[str]) -> str:
    """The feed document: ``entries`` (``atom_entry`` of ``papers``, in the order given) inside the feed's head."""
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<id>{escape(feed.feed_url)}</id>",
        f'<title type="text">{escape(xml_text(feed.title))}</title>',
        f'<subtitle type="text">{escape(xml_text(feed.subtitle))}</subtitle>',
        f"<updated>{atom_time(feed_updated(papers))}</updated>",
        f'<link rel="self" type="{ATOM_TYPE}" href="{escape(feed.feed_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{escape(feed.page_url)}"/>',
        "<author><name>LLM Atlas</name></author>",  # Atom wants an author for entries that have none
    ]
    return "\n".join(head) + "\n" + "".join(entries) + "</feed>\n"
