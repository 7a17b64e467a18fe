"""The MkDocs plugin atlas-html (tracker/site/mkdocs_plugin.py), in a real `mkdocs build` of a tiny site with the
site's theme and Markdown extensions: a marked list comes out byte for byte as the template wrote it, the page is
the same as without the plugin, and the theme's word search never sees the list."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.site.mkdocs_plugin import END, START

ROWS = ('<ol class="atlas-rows">\n<li data-arxiv-id="2601.00001"><a href="../../papers/2026-01/#paper-2601.00001">'
        'Zebra &amp; &lt;b&gt;crossings&lt;/b&gt; <em>for</em> LLMs</a> <span>A. Author · 2026-01-02</span></li>\n'
        '<li data-arxiv-id="2601.00002"><a href="../../papers/2026-01/#paper-2601.00002">*Not emphasis* and '
        '[not a link](x)</a> <span>B. Author · 2026-01-03</span></li>\n</ol>')
PAGE = f"""# Okapi papers

The giraffe paragraph is ordinary Markdown with *emphasis*.

{START}
{ROWS}
{END}

## After the list

More text about the giraffe.
"""


def build(root: Path, plugin: bool) -> Path:
    plugins = "  - search\n" + ("  - atlas-html\n" if plugin else "")
    (root / "mkdocs.yml").write_text(
        "site_name: Test\ntheme:\n  name: material\nplugins:\n" + plugins
        + "markdown_extensions:\n  - attr_list\n  - md_in_html\n  - tables\n  - toc:\n      permalink: true\n",
        encoding="utf-8")
    docs = root / "docs"
    (docs / "generated" / "topics").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Home\n\nA hand-written page.\n\n```html\n" + START + "\n<b>shown</b>\n" + END
                                   + "\n```\n", encoding="utf-8")
    (docs / "generated" / "topics" / "okapi.md").write_text(PAGE, encoding="utf-8")
    site = root / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", str(site)], cwd=root, check=True,
                   capture_output=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    return site


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build(tmp_path_factory.mktemp("with"), True), build(tmp_path_factory.mktemp("without"), False)


def test_marked_html_comes_out_as_written(sites: tuple[Path, Path]) -> None:
    page = (sites[0] / "generated" / "topics" / "okapi" / "index.html").read_text(encoding="utf-8")
    assert ROWS in page  # not touched by Markdown: no <em> from *…*, no link from […](…), entities kept
    assert "atlas:html" not in page
    # the Markdown around it is still Markdown
    assert "<em>emphasis</em>" in page and 'id="after-the-list"' in page
    assert page.index("giraffe paragraph") < page.index(ROWS) < page.index('<h2 id="after-the-list"')


def test_pages_are_the_same_as_without_the_plugin(sites: tuple[Path, Path]) -> None:
    with_plugin = (sites[0] / "generated" / "topics" / "okapi" / "index.html").read_text(encoding="utf-8")
    without = (sites[1] / "generated" / "topics" / "okapi" / "index.html").read_text(encoding="utf-8")
    assert START in without  # without the plugin the markers are plain comments
    assert with_plugin == re.sub(r"<!--/?atlas:html-->\n?", "", without)
    # hand-written pages are left alone, markers shown in a code block included
    home = (sites[0] / "index.html").read_text(encoding="utf-8")
    assert home == (sites[1] / "index.html").read_text(encoding="utf-8")
    assert "&lt;!--atlas:html--&gt;" in home


def test_the_theme_word_search_never_sees_the_list(sites: tuple[Path, Path]) -> None:
    def indexed(site: Path) -> str:
        docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
        return " ".join(doc["text"] + " " + doc["title"] for doc in docs if doc["location"].startswith("generated/"))

    assert "giraffe" in indexed(sites[0]) and "Zebra" not in indexed(sites[0])
    assert "Zebra" in indexed(sites[1])  # the list carries no data-search-exclude here: the plugin kept it out
