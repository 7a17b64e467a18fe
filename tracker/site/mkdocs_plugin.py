"""MkDocs plugin ``atlas-html``: the generated pages' long lists of papers skip Python-Markdown.

The lists on month, topic, model, family and digest pages are HTML that the templates have already built and
escaped (``tracker/site/templates/_macros.j2``). Markdown would only parse that HTML to set it aside
untouched, and at 250,000 papers that parsing (Python-Markdown's raw-HTML block parser and ``md_in_html``)
was the part of ``mkdocs build`` that grew with the store. The templates wrap such HTML in
:data:`START` … :data:`END`; this plugin lifts each wrapped block out of the page's Markdown before it is
converted, leaving a placeholder comment, and puts the block back once the theme's word search has read the
page: so the lists are not parsed twice, and they stay out of the theme's search index, which every page
fetches (they carry ``data-search-exclude`` too, for builds without this plugin).

Without the plugin the markers are plain HTML comments and the page comes out the same, only slower.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority

START = "<!--atlas:html-->"
END = "<!--/atlas:html-->"
_BLOCK = re.compile(re.escape(START) + r"\n?(.*?)\n?" + re.escape(END), re.DOTALL)
_PLACEHOLDER = re.compile(r"<!--atlas:html (\d+)-->")
_LEFTOVER = re.compile(r"<!--/?atlas:html-->\n?")


class PrerenderedHtmlPlugin(BasePlugin):  # no config options
    """Set the marked HTML blocks aside before Markdown, put them back after the theme's search."""

    def __init__(self) -> None:
        self._blocks: dict[str, list[str]] = {}

    def on_page_markdown(self, markdown: str, /, *, page: Any, **_: Any) -> str:
        # only the generated pages: a hand-written one may show the markers in a code block
        if not page.file.src_uri.startswith("generated/") or START not in markdown:
            return markdown
        blocks: list[str] = []

        def lift(match: re.Match[str]) -> str:
            blocks.append(match.group(1))
            # its own block, so Markdown passes the comment through as it is
            return f"\n\n<!--atlas:html {len(blocks) - 1}-->\n\n"

        lifted = _BLOCK.sub(lift, markdown)
        self._blocks[page.file.src_uri] = blocks
        return lifted

    @event_priority(-100)  # after the search plugin has indexed the page
    def on_page_context(self, context: Any, /, *, page: Any, **_: Any) -> Any:
        blocks = self._blocks.pop(page.file.src_uri, None)
        if blocks is not None and page.content:
            page.content = _PLACEHOLDER.sub(lambda match: blocks[int(match.group(1))], page.content)
        if page.content and START in page.content:
            # a generated part that a hand-written page includes (pymdownx.snippets) comes in after the lifting:
            # Markdown passed its list through as it was, and only the markers are left to drop
            page.content = _LEFTOVER.sub("", page.content)
        return context
