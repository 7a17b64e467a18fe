"""Page weights as a reader's browser sees them: every file Chromium fetched for a page, counted gzipped.

GitHub Pages gzips text on the way out, so a page's weight is the gzip size (level 6) of each file the page
fetched, cold cache, theme assets and the theme's search index included. Files already gzipped on disk (the
abstracts and search data) count at about their own size. Used by ``scripts/bench_site_size --browser`` and by
the browser test at the bundled size (tests/test_site_bundled.py). Needs playwright and a Chromium (dev
dependencies; ``LLM_ATLAS_CHROMIUM`` names the browser, else Debian's ``chromium``).
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

from tracker.site.serve import serve_folder

BUDGET = 300_000  # bytes a page may load (issue 14), the search page excepted
KINDS = {  # kind of page -> the folders holding that kind (site-relative, each page an index.html)
    "month": "generated/papers/*/",
    "topic": "generated/topics/*/",
    "model": "generated/models/*/",
    "digest": "generated/digests/*-W*/",
    "week list": "generated/digests/*-W*/all*/",
}


def heaviest_pages(site: Path) -> dict[str, str]:
    """The home page and, for each kind in ``KINDS``, its page with the most HTML: the ones to weigh."""
    pages = {"home": "/"}
    for kind, pattern in KINDS.items():
        found = [p / "index.html" for p in site.glob(pattern) if (p / "index.html").is_file()]
        if found:
            heaviest = max(found, key=lambda p: (p.stat().st_size, str(p)))
            pages[kind] = "/" + heaviest.parent.relative_to(site).as_posix() + "/"
    return pages


def chromium_path() -> str:
    return os.environ.get("LLM_ATLAS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def page_weights(site: Path, pages: dict[str, str]) -> dict[str, int]:
    """``{kind: gzip bytes of everything the page fetched}`` for site-relative paths, each in a fresh context."""
    from playwright.sync_api import sync_playwright  # dev dependency: only the benches and tests weigh pages

    weights: dict[str, int] = {}
    with serve_folder(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        for name, path in pages.items():
            context = browser.new_context()
            page = context.new_page()
            fetched: list[str] = []
            page.on("requestfinished", lambda request: fetched.append(request.url))  # noqa: B023 - used at once
            page.goto(base + path, wait_until="networkidle")
            total = 0
            for url in fetched:
                local = site / url.removeprefix(base).split("?")[0].split("#")[0].lstrip("/")
                if local.is_dir():
                    local = local / "index.html"
                if local.is_file():
                    total += len(gzip.compress(local.read_bytes(), 6))
            weights[name] = total
            context.close()
        browser.close()
    return weights
